// The step-by-step panel's text for a model that is not a plain stack of neurons (the
// autoencoder): bp.explain.trace_step's op-level trace (kind "graph"). Forward lists every node
// of the computation graph in evaluation order with its value; backward walks the ops from the
// loss back with ∂L/∂(the op's output) and the op's own local derivative rules, the text the
// engine's backward carries. Numbers are the server's summaries, each in a data-value.
import { fmt } from '../palette.js';

const MAX_LISTED = 8;  // a summary with more values shows min, mean, max and norm instead

// Node indices in evaluation order: each op right after its inputs (in argument order), the
// loss last — a post-order walk from the root, iterative so a deep graph cannot overflow.
function forwardOrder(graph, inputs) {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const order = [];
  const seen = new Set();
  const stack = [[graph.root, false]];
  while (stack.length) {
    const [id, expanded] = stack.pop();
    if (expanded) { order.push(index.get(id)); continue; }
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push([id, true]);
    for (const input of [...inputs.get(id)].reverse()) if (!seen.has(input.id)) stack.push([input.id, false]);
  }
  return order;
}

const shape = (node) => (node.shape.length ? node.shape.join('×') : 'scalar');

function name(node) {
  return node.kind === 'op' ? `${node.id} ${node.op}` : node.op;
}

// [[index path, value]] of a nested list, e.g. [['0.3', 0.25], …]; a scalar has path ''.
function flatten(values, prefix = '') {
  if (!Array.isArray(values)) return [[prefix, values]];
  return values.flatMap((v, i) => flatten(v, prefix === '' ? `${i}` : `${prefix}.${i}`));
}

// "[a, b, …]" for a few values, else "min a · mean b · max c · ‖·‖ d".
function summary(num, key, s) {
  if (!s) return '—';
  const values = s.values === null ? null : flatten(s.values);
  if (values && values.length <= MAX_LISTED) {
    const items = values.map(([p, v]) => num(p === '' ? `${key}.values` : `${key}.values.${p}`, v));
    return Array.isArray(s.values) ? `[${items.join(', ')}]` : items[0];
  }
  return ['min', 'mean', 'max'].map((k) => `${k} ${num(`${key}.${k}`, s[k])}`).join(' · ') +
    ` · ‖·‖ ${num(`${key}.norm`, s.norm)}`;
}

// Each node's input nodes, in argument order, by node id.
function inputNodes(graph) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const inputs = new Map(graph.nodes.map((n) => [n.id, []]));
  for (const e of [...graph.edges].sort((a, b) => a.argument - b.argument)) {
    inputs.get(e.target).push(byId.get(e.source));
  }
  return inputs;
}

export function graphPhases() {
  return [{ kind: 'forward', label: 'forward (ops)' }, { kind: 'loss', label: 'loss' },
          { kind: 'backward', label: 'backward (ops)' }, { kind: 'update', label: 'update' }];
}

export const GRAPH_NOTES = {
  forward: 'This model is traced op by op. Forward pass: every node of the computation graph in the order it is computed, with its value.',
  backward: 'Backward pass: from the loss back, each op gets ∂L/∂(its output) and passes it on to its inputs with its local derivative rules (the chain rule).',
};

export function graphForward(trace, num) {
  const { graph } = trace;
  const inputs = inputNodes(graph);
  const consumers = new Map(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) consumers.get(e.source).push(e);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const into = (node) => consumers.get(node.id).map((e) => `${name(byId.get(e.target))} (argument ${e.argument + 1})`).join(', ');
  return forwardOrder(graph, inputs).map((i) => {
    const node = graph.nodes[i];
    const from = inputs.get(node.id).map(name).join(', ');
    const link = node.kind === 'op' ? (from ? `\n  of ${from}` : '') : `\n  into ${into(node)}`;
    return `<div class="op-node" data-node="${node.id}"><b>${name(node)}</b>  <span class="muted">${node.kind === 'op' ? '' : `${node.kind} `}(${shape(node)})</span>` +
      `${link}${node.formula ? `\n  ${node.formula}` : ''}` +
      `\n  value = ${summary(num, `graph.nodes.${i}.value`, node.value)}</div>`;
  }).join('');
}

export function graphBackward(trace, num) {
  const { graph } = trace;
  const inputs = inputNodes(graph);
  return forwardOrder(graph, inputs).reverse().map((i) => {
    const node = graph.nodes[i];
    if (node.kind === 'constant') return '';
    if (node.kind === 'parameter') {
      return `<div class="op-node" data-node="${node.id}"><b>${name(node)}</b>  <span class="muted">parameter (${shape(node)})</span>` +
        `\n  ∂L/∂p = ${summary(num, `graph.nodes.${i}.grad`, node.grad)}</div>`;
    }
    const to = inputs.get(node.id).filter((n) => n.kind !== 'constant').map(name);
    return `<div class="op-node" data-node="${node.id}"><b>${name(node)}</b>  <span class="muted">(${shape(node)})</span>` +
      `\n  ∂L/∂out = ${summary(num, `graph.nodes.${i}.grad`, node.grad)}` +
      `${node.derivative.map((rule) => `\n  ${rule}`).join('')}` +
      `${to.length ? `\n  passes ∂L to ${to.join(', ')}` : ''}</div>`;
  }).join('');
}
