// What a neuron's cards say (the hover card and the pinned one in the network panel): its
// bias, the last step's ∂L/∂b and update, and its net and out for the sample on show — the
// selected row, or a clicked point — with that sample's δ on the pinned card. Every number is
// the server's; each line says which step or sample it is of, so two numbers on one card are
// never taken for one sample's.
import { fmt } from '../palette.js';
import { neuronName } from '../neuron_maps.js';

export function source(s) { return s.probe || s.selected; }
export const columnValues = (src) => [src.inputs ?? src.x, ...src.layers.map((l) => l.out)];

export function describeNeuron(state, c, j) {
  const st = state.structure;
  const src = source(state);
  const lines = [neuronName(st, c, j) + (c ? ` (${st.activations[c - 1]})` : '')];
  const row = state.probe ? 'the clicked point' : `row ${src?.index}`;
  if (c === 0) {
    if (src) lines.push(`value = ${fmt(columnValues(src)[0][j])} for ${row}`);
    return lines;
  }
  const net = state.network;
  // ∂L/∂b is the last step's, over its batch; the pinned card's δ is one row's alone
  const grad = net.grads ? `${fmt(net.grads[c - 1].b[j])} (last step)` : '— (no step yet)';
  lines.push(`b = ${fmt(net.weights[c - 1].b[j])}   ∂L/∂b = ${grad}`,
             `last update Δb = ${fmt(net.updates?.[c - 1].b[j])}`);
  if (src) {
    const layer = src.layers[c - 1];
    lines.push(`net = ${fmt(layer.net[j])}   out = ${fmt(layer.out[j])} for ${row}`);
  }
  return lines;
}

// δ of the sample the card shows: the selected row's from its trace (the step on that row
// alone); a clicked point has no target, so no loss and no δ.
export function deltaLine(state, c, j) {
  if (state.probe) return 'no δ: a clicked point has no target';
  const trace = state.trace?.index === state.selected?.index ? state.trace : null;
  const neuron = trace?.layers?.[c - 1]?.neurons?.[j];
  return neuron ? `δ = ∂L/∂net = ${fmt(neuron.delta[0])} for row ${trace.index} alone`
    : 'δ: (pause and select a row)';
}
