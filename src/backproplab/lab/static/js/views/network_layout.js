// Where the network's neurons and titles go in a W×H drawing: one size for every neuron,
// from what the fullest column and the column spacing leave, so 2-4-1 draws large maps and
// 6 layers of 32 still fit. Numbers and names are shown only where they have room, so no
// label ever overlaps a neuron, a connection or another label (the hover card has them all).
const TITLE_ROW = 14;
const VALUE_ROW = 12;   // a value under its neuron: 10 px text and a gap
const NAME_ROOM = 46;   // the input names ("sin x₁") left of the input column
const NAME_ROW = 16;    // an input name's 14 px line and a gap: the least pitch of named inputs

export function layout(structure, W, H) {
  const sizes = structure.sizes;
  const autoencoder = structure.mode === 'autoencoder';
  const inputNames = sizes[0] <= 16;
  const top = TITLE_ROW * (autoencoder ? 2 : 1) + 4;
  const left = inputNames ? NAME_ROOM : 12;
  const right = 14;
  const columns = sizes.length;
  const spacing = columns > 1 ? (W - left - right) / (columns - 1) : 0;
  const room = H - top - 4;
  const fullest = Math.max(...sizes);
  // As large as the fullest column allows (leaving a value row when that still gives a map of
  // at least 18 px), never wider than about a third of the gap between columns.
  const withValues = room / fullest - VALUE_ROW - 6;
  const bare = (room / fullest) * 0.8;
  const widest = Math.max(3, spacing * 0.34);
  const showValues = Math.min(withValues, widest) >= 18;
  const s = Math.floor(Math.max(3, Math.min(showValues ? withValues : bare, widest, 44)));
  const pitch = s + (showValues ? VALUE_ROW + 6 : Math.max(1, s * 0.25));
  const cols = sizes.map((n, c) => {
    const x = left + s / 2 + c * (columns > 1 ? (W - left - right - s) / (columns - 1) : 0);
    // Named inputs are few: they stand at least a name's height apart, however small the
    // neurons, so their names are always shown.
    const p = Math.min(room / n, Math.max(pitch * 1.6, c === 0 && inputNames ? NAME_ROW : 0));
    const mid = top + room / 2 - (showValues ? VALUE_ROW / 2 : 0);
    return { x, ys: Array.from({ length: n }, (_, j) => mid + (j - (n - 1) / 2) * p) };
  });
  return { s, cols, showValues, inputNames, thickness: Math.min(1, 0.25 + s / 30),
           titles: titles(structure, cols, W, autoencoder) };
}

// "input", "layer 1" … "output" over each column; an autoencoder's also has "encoder" and
// "decoder" over the two halves and calls its bottleneck "code".
function titles(structure, cols, W, autoencoder) {
  const gap = cols.length > 1 ? cols[1].x - cols[0].x : W;
  const y = autoencoder ? TITLE_ROW : 0;
  const out = cols.map((col, c) => {
    const width = Math.max(12, Math.min(gap - 6, 2 * col.x - 2, 2 * (W - col.x) - 2));
    const role = c === 0 ? 'input' : structure.roles[c - 1];
    const narrow = width < 46;  // "layer 3" no longer fits: "L3", in full in the title
    const names = { input: narrow ? 'in' : 'input', output: narrow ? 'out' : 'output',
                    code: width >= 96 ? 'code (bottleneck)' : 'code', hidden: narrow ? `L${c}` : `layer ${c}` };
    const text = names[role];
    const title = role === 'code' ? 'the code: the bottleneck layer between encoder and decoder'
      : role === 'hidden' ? `layer ${c}` : role;
    return { x: col.x, y, width, text, title };
  });
  if (autoencoder) {
    const code = structure.roles.indexOf('code') + 1;
    const span = (a, b, text, title) => ({ x: (cols[a].x + cols[b].x) / 2, y: 0,
                                           width: cols[b].x - cols[a].x - 8, text, title, group: true });
    out.push(span(0, code, 'encoder →', 'the encoder: input to code'),
             span(code, cols.length - 1, 'decoder →', 'the decoder: code to reconstruction'));
  }
  return out;
}
