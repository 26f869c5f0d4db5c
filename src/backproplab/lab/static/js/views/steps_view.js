// Step-by-step calculations for the selected sample, with the real numbers of
// bp.explain.trace_step: forward pass, loss, backward pass (∂L/∂out · ∂out/∂net · ∂net/∂w for
// each weight) and the update. "Next" walks the phases and highlights the matching neurons
// and connections in the network panel. Models that are not plain MLPs are traced op by op
// (op_trace.js). Each number carries its full value in data-value.
import { request, send } from '../socket.js';
import { on, state, update } from '../state.js';
import { fmt } from '../palette.js';
import { GRAPH_NOTES, graphBackward, graphForward, graphPhases } from './op_trace.js';

export function mountSteps(root) {
  root.innerHTML = `<h2>Step-by-step calculations <span class="spacer"></span>
      <span class="muted" data-role="sample" style="text-transform:none"></span></h2>
    <div class="phase-nav">
      <button data-action="prev">‹ Back</button>
      <button class="primary" data-action="next">Next ›</button>
      <div class="phases" data-role="phases"></div>
      <button data-action="apply-step" title="train one step on this sample: the numbers below become the new weights">Take this step</button>
    </div>
    <div class="note" data-role="note"></div>
    <div class="calc" data-role="calc"></div>`;
  const calc = root.querySelector('[data-role="calc"]');
  const note = root.querySelector('[data-role="note"]');
  const phasesBox = root.querySelector('[data-role="phases"]');
  let phases = [];
  let current = 0;
  let loading = false;

  const num = (key, v) => `<span class="num" data-key="${key}" data-value="${v ?? ''}">${fmt(v)}</span>`;
  // A factor of a product as a student writes it: a negative one in parentheses, -0.39·(-0.30).
  const factor = (v, html = fmt(v)) => (v < 0 ? `(${html})` : html);

  function buildPhases(trace) {
    if (trace.kind === 'graph') {
      phases = graphPhases();
      current = Math.min(current, phases.length - 1);
      return;
    }
    const n = trace.layers.length;
    phases = [];
    trace.layers.forEach((_, l) => phases.push({ kind: 'forward', layer: l, label: `forward ${l + 1}` }));
    phases.push({ kind: 'loss', layer: n - 1, label: 'loss' });
    for (let l = n - 1; l >= 0; l -= 1) phases.push({ kind: 'backward', layer: l, label: `backward ${l + 1}` });
    phases.push({ kind: 'update', label: 'update' });
    current = Math.min(current, phases.length - 1);
  }

  function forward(trace, l) {
    const layer = trace.layers[l];
    return layer.neurons.map((nr, j) => {
      const k = `layers.${l}.neurons.${j}`;
      // Each term whole on its line, its '+' with it: a line never ends in '+'.
      const terms = nr.weights.map((w, i) => `${factor(w, num(`${k}.weights.${i}`, w))}·${factor(nr.inputs[0][i], num(`${k}.inputs.0.${i}`, nr.inputs[0][i]))}`);
      if (nr.bias !== null) terms.push(factor(nr.bias, num(`${k}.bias`, nr.bias)));
      const sum = terms.map((t, i) => `<span class="term">${i ? '+ ' : ''}${t}</span>`).join(' ');
      return `<div><b>${nr.label}</b>  net = ${sum}
      = ${num(`${k}.net.0`, nr.net[0])}
  out = ${layer.activation}(net) = ${num(`${k}.out.0`, nr.out[0])}</div>`;
    }).join('') + `<div class="muted">${layer.formula || ''}</div>`;
  }

  function loss(trace) {
    const L = trace.loss;
    return `<div><b>${L.name}</b>  ${L.formula}
  L = ${num('loss.value', L.value)}</div>` + L.outputs.map((o, j) => `<div><b>${o.label}</b>  prediction ${num(`loss.outputs.${j}.prediction.0`, o.prediction[0])}, target ${num(`loss.outputs.${j}.target.0`, o.target[0])}
  ∂L/∂${o.label} = ${num(`loss.outputs.${j}.grad.0`, o.grad[0])}   (${L.derivative})</div>`).join('');
  }

  function backward(trace, l) {
    const layer = trace.layers[l];
    return layer.neurons.map((nr, j) => {
      const k = `layers.${l}.neurons.${j}`;
      const upstream = nr.upstream.length
        ? `\n  ∂L/∂out = Σ δ·w = ${nr.upstream.map((u) => `${factor(u.delta[0])}·${factor(u.weight)}`).join(' + ')}`
        : '';
      const grads = nr.weight_grads.map((g, i) => `\n  ∂L/∂w${i + 1} = δ · ${layer.input_labels[i]} = ${factor(nr.delta[0])}·${factor(nr.inputs[0][i])} = ${num(`${k}.weight_grads.${i}.grad`, g.grad)}`).join('');
      const bias = nr.bias_grad ? `\n  ∂L/∂b = δ = ${num(`${k}.bias_grad.grad`, nr.bias_grad.grad)}` : '';
      return `<div><b>${nr.label}</b>${upstream}
  δ = ∂L/∂out · ∂out/∂net = ${factor(nr.dL_dout[0], num(`${k}.dL_dout.0`, nr.dL_dout[0]))} · ${factor(nr.dout_dnet[0], num(`${k}.dout_dnet.0`, nr.dout_dnet[0]))} = ${num(`${k}.delta.0`, nr.delta[0])}${grads}${bias}</div>`;
    }).join('') + `<div class="muted">${layer.derivative || ''}</div>`;
  }

  // "layer 1 · neuron 2 (h2): w from x1", as the network view counts layers and neurons; the
  // parameter's own key (0.weight[1, 0]) follows as a secondary label.
  function paramName(trace, p) {
    const l = trace.layers.findIndex((layer) => layer.weight_name === p.param || layer.bias_name === p.param);
    if (l < 0) return p.name;
    const layer = trace.layers[l];
    const [row, col] = p.index;
    const what = p.param === layer.bias_name ? 'bias' : `w from ${layer.input_labels[col]}`;
    return `layer ${l + 1} · neuron ${row + 1} (${layer.output_labels[row]}): ${what}`;
  }

  function updates(trace) {
    const u = trace.update;
    return `<div><b>${u.optimizer}</b>  ${u.formula}   lr = ${fmt(u.lr)}</div>` + u.params.map((p, i) => `<div>${paramName(trace, p)} <span class="muted key">${p.name}</span>
  ${num(`update.params.${i}.old`, p.old)} → ${num(`update.params.${i}.new`, p.new)}   (g = ${num(`update.params.${i}.grad`, p.grad)})</div>`).join('') +
      `<div class="muted">check: the trace's gradients match the engine's (max difference ${fmt(trace.check.max_abs_diff)})</div>`;
  }

  // The sample's inputs beside the title: a long vector (an autoencoder's 64 pixels) would
  // take the panel's heading and squeeze its title into a column, so past SHOWN_INPUTS values
  // the line says how many there are and its title holds them all.
  const SHOWN_INPUTS = 4;
  const sampleBox = root.querySelector('[data-role="sample"]');
  function writeSample(x, index) {
    const all = x ? `x = (${x.map((v) => fmt(v)).join(', ')})` : '';
    const long = x && x.length > SHOWN_INPUTS;
    const text = !x ? '' : `sample #${index}: ${long ? `x = (${x.length} values)` : all}`;
    if (sampleBox.textContent !== text) sampleBox.textContent = text;
    if (sampleBox.title !== (long ? all : '')) sampleBox.title = long ? all : '';
  }

  function render(s) {
    const trace = s.trace;
    const index = s.selected?.index;
    // Every frame while playing comes here with the same words: a text set to itself is
    // still a new text node to lay out, so only a change is written.
    const write = (el, text) => { if (el.textContent !== text) el.textContent = text; };
    writeSample(index === undefined ? null : s.selected.x, index);
    if (!trace) {
      if (phasesBox.firstChild) phasesBox.innerHTML = '';
      if (calc.firstChild) calc.innerHTML = '';
      write(note, s.status.playing ? 'Pause to see the numbers of one step on the selected sample.'
        : 'Select a row of the training dataset (or press Next) to see one step worked out.');
      return;
    }
    buildPhases(trace);
    const phase = phases[current];
    const ops = trace.kind === 'graph';
    phasesBox.innerHTML = phases.map((p, i) => `<span class="${i === current ? 'on' : ''}">${p.label}</span>`).join('');
    note.textContent = (ops && GRAPH_NOTES[phase.kind]) || {
      forward: 'Forward pass: each neuron adds up weight × input plus its bias (net) and applies the activation (out).',
      loss: 'Loss: how far the prediction is from the target, and its derivative — where the backward pass starts.',
      backward: 'Backward pass: δ = ∂L/∂out · ∂out/∂net for each neuron, then ∂L/∂w = δ · input for each weight (∂net/∂w = input).',
      update: 'Update: the optimizer moves every parameter against its gradient.',
    }[phase.kind];
    if (phase.kind === 'update' && s.config?.l1 > 0) {
      note.textContent += ` With L1 = ${fmt(s.config.l1)}, a training step adds l1·sign(p) to each gradient g shown here (g is the data loss's).`;
    }
    if (phase.kind === 'forward') calc.innerHTML = ops ? graphForward(trace, num) : forward(trace, phase.layer);
    else if (phase.kind === 'loss') calc.innerHTML = loss(trace);
    else if (phase.kind === 'backward') calc.innerHTML = ops ? graphBackward(trace, num) : backward(trace, phase.layer);
    else calc.innerHTML = updates(trace);
    update({ highlight: phase.kind === 'update' || ops ? null : { layer: phase.layer } });
  }

  async function fetchTrace() {
    const s = state;
    if (loading || s.status.playing || !s.selected) return;
    if (s.trace && s.trace.index === s.selected.index) return;
    loading = true;
    try {
      const reply = await request('trace', { index: s.selected.index });
      update({ trace: reply.trace });
    } catch (err) {
      note.textContent = err.message;
    } finally { loading = false; }
  }

  root.querySelector('[data-action="next"]').onclick = async () => {
    if (!state.trace) { current = 0; await fetchTrace(); return; }
    buildPhases(state.trace);  // a trace may have come since the last drawing: its phases
    current = Math.min(current + 1, phases.length - 1);
    render(state);
  };
  root.querySelector('[data-action="prev"]').onclick = () => { current = Math.max(0, current - 1); render(state); };
  root.querySelector('[data-action="apply-step"]').onclick = async () => {
    current = 0;
    const reply = await send('step', { unit: 'sample' });
    if (reply && reply.steps && !reply.status.playing) update({ stepped: Date.now() });
  };

  on(['trace', 'status', 'selected'], (s) => {
    render(s);
    fetchTrace();
  });
}
