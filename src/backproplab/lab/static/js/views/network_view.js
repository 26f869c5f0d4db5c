// Network: neurons and connections. Colour = sign, thickness = |w|; a neuron's fill is its
// output for the selected sample (or a clicked point of the data space). Hover a connection
// for w, ∂L/∂w and its last update; click it to edit w; click a neuron for net, out and δ.
// A single step (Step, or "Take this step" in the step-by-step panel) animates the forward
// flow then the backward flow. (The per-layer gradient bars live in the gradient panel.)
import { request, send } from '../socket.js';
import { on, state, update } from '../state.js';
import { diverging, fmt, rgb } from '../palette.js';

const NS = 'http://www.w3.org/2000/svg';

export function mountNetwork(root) {
  root.innerHTML = `<h2>Network <span class="spacer"></span><span class="muted shape" data-role="shape"></span></h2>
    <svg aria-label="network diagram"></svg>
    <div class="neuron-info" data-role="neuron-info" hidden></div>`;
  const svg = root.querySelector('svg');
  const tooltip = document.querySelector('[data-role="tooltip"]');
  const info = root.querySelector('[data-role="neuron-info"]');
  let links = [];   // [layer][out][in] -> line
  let nodes = [];   // [column][j] -> g
  let openNeuron = null;
  let W = 640;      // the drawing's size is the panel's, measured when the window changes
  let H = 330;

  function position(sizes) {
    const cols = sizes.length;
    return sizes.map((n, c) => {
      const x = 50 + (c * (W - 100)) / Math.max(1, cols - 1);
      const gap = Math.min(56, (H - 30) / Math.max(n, 1));
      return Array.from({ length: n }, (_, j) => [x, H / 2 + (j - (n - 1) / 2) * gap]);
    });
  }

  function build(structure) {
    W = Math.max(200, svg.clientWidth || W);
    H = Math.max(120, svg.clientHeight || H);
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.replaceChildren();
    const sizes = structure.sizes;
    const pos = position(sizes);
    const maxN = Math.max(...sizes);
    const r = Math.max(3, Math.min(15, (H - 30) / (2.6 * maxN)));
    const linkLayer = document.createElementNS(NS, 'g');
    const nodeLayer = document.createElementNS(NS, 'g');
    svg.append(linkLayer, nodeLayer);
    links = sizes.slice(1).map((n, l) => Array.from({ length: n }, (_, j) =>
      Array.from({ length: sizes[l] }, (_, i) => {
        const line = document.createElementNS(NS, 'line');
        const [x1, y1] = pos[l][i];
        const [x2, y2] = pos[l + 1][j];
        Object.entries({ x1, y1, x2, y2 }).forEach(([k, v]) => line.setAttribute(k, v));
        line.classList.add('link');
        Object.assign(line.dataset, { layer: l, row: j, col: i });
        linkLayer.append(line);
        return line;
      })));
    nodes = pos.map((column, c) => column.map(([x, y], j) => {
      const g = document.createElementNS(NS, 'g');
      g.classList.add('node');
      Object.assign(g.dataset, { column: c, index: j });
      const circle = document.createElementNS(NS, 'circle');
      Object.entries({ cx: x, cy: y, r }).forEach(([k, v]) => circle.setAttribute(k, v));
      const text = document.createElementNS(NS, 'text');
      const gap = column.length > 1 ? column[1][1] - column[0][1] : H;
      if (gap >= 2 * r + 14) {  // room above the neuron; else beside it, away from the links
        text.setAttribute('x', x);
        text.setAttribute('y', y - r - 3);
        text.setAttribute('text-anchor', 'middle');
      } else {
        text.setAttribute('x', c === 0 ? x - r - 3 : x + r + 3);
        text.setAttribute('y', y + 3.5);
        text.setAttribute('text-anchor', c === 0 ? 'end' : 'start');
      }
      g.append(circle, text);
      nodeLayer.append(g);
      return g;
    }));
    const shape = root.querySelector('[data-role="shape"]');
    shape.textContent = describe(structure);
    shape.title = shape.textContent;  // the whole of it when a deep network's is cut short
  }

  function drawWeights(net) {
    if (!net || !links.length) return;
    let maxAbs = 1e-9;
    for (const layer of net.weights) for (const row of layer.w) for (const w of row) maxAbs = Math.max(maxAbs, Math.abs(w));
    net.weights.forEach((layer, l) => layer.w.forEach((row, j) => row.forEach((w, i) => {
      const line = links[l]?.[j]?.[i];
      if (!line) return;
      const t = Math.abs(w) / maxAbs;
      line.setAttribute('stroke', w >= 0 ? '#2166ac' : '#d6604d');
      line.setAttribute('stroke-width', (0.6 + 5.5 * t).toFixed(2));
      line.setAttribute('stroke-opacity', (0.3 + 0.7 * t).toFixed(2));
    })));
  }

  function drawActivations(s) {
    if (!nodes.length) return;
    const source = s.probe || s.selected;
    if (!source) return;
    const outs = [source.x, ...source.layers.map((l) => l.out)];
    outs.forEach((values, c) => values.forEach((v, j) => {
      const g = nodes[c]?.[j];
      if (!g) return;
      g.querySelector('circle').setAttribute('fill', rgb(diverging(v)));
      g.querySelector('text').textContent = nodes[c].length <= 12 ? fmt(v, 2) : '';
    }));
  }

  function showNeuron(c, j) {
    openNeuron = [c, j];
    for (const col of nodes) for (const g of col) g.classList.remove('on');
    nodes[c][j].classList.add('on');
    const source = state.probe || state.selected;
    const lines = [];
    if (c === 0) lines.push(`input x${j + 1} = ${fmt(source.x[j])}`);
    else {
      const layer = source.layers[c - 1];
      lines.push(`neuron ${j + 1} of layer ${c}`, `net = ${fmt(layer.net[j])}`, `out = ${fmt(layer.out[j])}`);
      const neuron = state.trace?.layers?.[c - 1]?.neurons?.[j];
      lines.push(neuron ? `δ = ∂L/∂net = ${fmt(neuron.delta[0])}` : 'δ: (pause and select a row)');
    }
    info.hidden = false;
    info.innerHTML = lines.map((t) => `<div>${t}</div>`).join('') +
      '<button data-action="close-neuron">close</button>';
  }

  svg.addEventListener('mousemove', (e) => {
    const line = e.target.closest('.link');
    if (!line || !state.network) { tooltip.hidden = true; return; }
    const { layer, row, col } = line.dataset;
    const w = state.network.weights[layer].w[row][col];
    const g = state.network.grads?.[layer].w[row][col];
    const u = state.network.updates?.[layer].w[row][col];
    tooltip.textContent = `w(layer ${+layer + 1}: ${+col + 1}→${+row + 1}) = ${fmt(w)}\n∂L/∂w = ${fmt(g)}\nlast update Δw = ${fmt(u)}\n(click to edit)`;
    tooltip.style.left = `${e.clientX + 14}px`;
    tooltip.style.top = `${e.clientY + 10}px`;
    tooltip.hidden = false;
  });
  svg.addEventListener('mouseleave', () => { tooltip.hidden = true; });
  svg.addEventListener('click', (e) => {
    const line = e.target.closest('.link');
    if (line) { editWeight(root, line, e); return; }
    const node = e.target.closest('.node');
    if (node) {
      showNeuron(+node.dataset.column, +node.dataset.index);
      if (!state.trace && !state.status.playing && state.selected) {
        request('trace', { index: state.selected.index })
          .then((r) => update({ trace: r.trace })).catch(() => {});
      }
    }
  });
  info.addEventListener('click', (e) => {
    if (e.target.dataset.action === 'close-neuron') { info.hidden = true; openNeuron = null; }
  });

  // One forward-then-backward sweep over the layers (about 0.16 s a layer each way) after a
  // single step; never while training plays, and a new step restarts it.
  let timers = [];
  function animate() {
    for (const t of timers) clearTimeout(t);
    for (const line of svg.querySelectorAll('.link.pulse')) line.classList.remove('pulse');
    if (state.status.playing) return;
    const layers = links.length;
    const steps = [];
    for (let l = 0; l < layers; l += 1) steps.push(l);
    for (let l = layers - 1; l >= 0; l -= 1) steps.push(l);
    const pulse = (l, on) => { for (const row of links[l] || []) for (const line of row) line.classList.toggle('pulse', on); };
    timers = steps.flatMap((l, k) => [setTimeout(() => pulse(l, true), k * 160),
                                      setTimeout(() => pulse(l, false), k * 160 + 140)]);
  }

  function highlight(h) {
    for (const el of svg.querySelectorAll('.hl')) el.classList.remove('hl');
    if (!h || h.layer === undefined) return;
    const rows = links[h.layer] || [];
    const neurons = h.neuron === undefined ? rows.map((_, j) => j) : [h.neuron];
    for (const j of neurons) {
      for (const line of rows[j] || []) line.classList.add('hl');
      nodes[h.layer + 1]?.[j]?.classList.add('hl');
    }
  }

  on(['structure'], (s) => build(s.structure));
  new ResizeObserver(() => {
    if (!state.structure || (svg.clientWidth === W && svg.clientHeight === H)) return;
    build(state.structure);
    drawWeights(state.network);
    drawActivations(state);
  }).observe(svg);
  on(['network', 'structure'], (s) => drawWeights(s.network));
  on(['selected', 'probe', 'structure'], (s) => {
    drawActivations(s);
    if (openNeuron && nodes[openNeuron[0]]?.[openNeuron[1]]) showNeuron(...openNeuron);
  });
  on(['trace'], () => { if (openNeuron && nodes[openNeuron[0]]?.[openNeuron[1]]) showNeuron(...openNeuron); });
  on(['highlight'], (s) => highlight(s.highlight));
  on(['stepped'], animate);
}

// "8-4-3-4-8 · hidden tanh · code identity · output sigmoid": each role once, with the
// activation its layers really have, so a network without hidden layers never names the
// hidden activation it does not use.
function describe(structure) {
  const parts = structure.roles.map((role, l) => `${role} ${structure.activations[l]}`);
  return `${structure.sizes.join('-')} · ${[...new Set(parts)].join(' · ')}`;
}

function editWeight(root, line, event) {
  root.querySelector('.editor')?.remove();
  const { layer, row, col } = line.dataset;
  const box = document.createElement('div');
  box.className = 'editor';
  const rect = root.getBoundingClientRect();
  box.style.left = `${Math.min(event.clientX - rect.left, rect.width - 150)}px`;
  box.style.top = `${event.clientY - rect.top}px`;
  box.innerHTML = `<label>w = <input type="number" step="0.1" data-role="weight-editor"></label>`;
  const input = box.querySelector('input');
  input.value = state.network.weights[layer].w[row][col];
  input.onkeydown = (e) => {
    if (e.key === 'Enter') {
      send('set_weight', { layer: +layer, row: +row, col: +col, value: parseFloat(input.value) || 0 });
      box.remove();
    } else if (e.key === 'Escape') box.remove();
  };
  input.onblur = () => setTimeout(() => box.remove(), 100);
  root.append(box);
  input.focus();
  input.select();
}
