// Colours: a blue–orange diverging scale (ColorBrewer RdBu end points, readable with the
// common colour-vision deficiencies) for signed values and outputs; Okabe–Ito for classes.
const NEG = [214, 96, 77];
const MID = [247, 247, 247];
const POS = [33, 102, 172];
export const CLASS_COLOURS = ['#e69f00', '#0072b2', '#009e73', '#cc79a7', '#56b4e9',
                              '#d55e00', '#f0e442', '#000000', '#999999', '#882255'];

// t in [-1, 1] -> [r, g, b]: orange for negative, white at zero, blue for positive.
export function diverging(t) {
  const v = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  const end = v < 0 ? NEG : POS;
  const a = Math.abs(v);
  return [0, 1, 2].map((i) => Math.round(MID[i] + (end[i] - MID[i]) * a));
}

// diverging(t) of every value lo + (b / 255) (hi - lo), b = 0 … 255, after `tone`, mixed
// towards white by `light`, into the byte table `out` (4 bytes a value, RGBA as an image
// holds them, opaque): the same colours, made without an array each, since 193 neuron maps
// need 49,000 of them a frame.
export function divergingTable(out, lo, hi, tone, light = 0) {
  for (let b = 0; b < 256; b += 1) {
    const t = tone(lo + (b / 255) * (hi - lo));
    const v = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
    const end = v < 0 ? NEG : POS;
    const a = Math.abs(v);
    for (let i = 0; i < 3; i += 1) {
      const c = Math.round(MID[i] + (end[i] - MID[i]) * a);
      out[4 * b + i] = c + (255 - c) * light;
    }
    out[4 * b + 3] = 255;
  }
  return out;
}

export function rgb(c) { return `rgb(${c[0]},${c[1]},${c[2]})`; }

export function classRgb(k) {
  const hex = CLASS_COLOURS[k % CLASS_COLOURS.length];
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

// A number's text with the minus sign '−' (U+2212), not the hyphen '-': every number a
// student reads on the page has the one minus sign the server's readouts and formulas use.
export const minus = (text) => text.replace(/-/g, '−');

// Signed numbers as people read them in a table.
export function fmt(x, digits = 4) {
  if (x === null || x === undefined) return '—';
  if (typeof x !== 'number') return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return minus(x.toExponential(2));
  return minus(Number(x.toPrecision(digits)).toString());
}
