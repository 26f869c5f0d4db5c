// The engine's float32 numbers as frames carry them: base64 of little-endian float32 bytes
// (exact, and a quarter of the JSON text), read back into what the views index.

// base64 → bytes: the browser's own decoder where it has one (Chrome 140, Firefox 133,
// Safari 18.2), else atob and a loop (Uint8Array.from(text, fn) takes seven times as long).
// A frame of a 6×32 network carries ~150,000 bytes of neuron maps.
export function base64Bytes(base64) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(base64);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k += 1) bytes[k] = text.charCodeAt(k);
  return bytes;
}

// base64 → Float32Array.
export function float32s(base64) {
  const bytes = base64Bytes(base64);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

// The frame's `network` ({shapes, weights, grads, updates: all parameters, each layer's
// weight (out, in) then its bias}) as the views read it: weights[l].w[row][col] and
// weights[l].b[j], the same for grads and updates (null before the first step). A number
// that is not finite (a diverged network) reads as null, as in the JSON frames.
export function readNetwork(frame) {
  const layers = (packed) => {
    if (packed === null || packed === undefined) return null;
    const flat = float32s(packed);
    const arrays = [];
    let at = 0;
    for (const shape of frame.shapes) {
      const [rows, cols] = shape.length === 2 ? shape : [1, shape[0]];
      const matrix = [];
      for (let r = 0; r < rows; r += 1) {
        const row = new Array(cols);
        for (let k = 0; k < cols; k += 1, at += 1) row[k] = Number.isFinite(flat[at]) ? flat[at] : null;
        matrix.push(row);
      }
      arrays.push(shape.length === 2 ? matrix : matrix[0]);
    }
    const out = [];
    for (let k = 0; k + 1 < arrays.length; k += 2) out.push({ w: arrays[k], b: arrays[k + 1] });
    return out;
  };
  // Gradients and updates are read by the hover cards only: each is decoded when first
  // asked for, not on every frame (a 6×32 network has 5,400 of each).
  const later = (packed) => {
    let read;
    return () => (read === undefined ? (read = layers(packed)) : read);
  };
  const grads = later(frame.grads);
  const updates = later(frame.updates);
  return { shapes: frame.shapes, weights: layers(frame.weights), get grads() { return grads(); },
           get updates() { return updates(); }, gradient_magnitudes: frame.gradient_magnitudes };
}

// The frame's `predictions` (the table page's rows from `start`): `prediction` (a class per
// row, or the engine's float32 outputs packed) and `error` (float32s packed) read into arrays
// of numbers, a non-finite one null; a reconstruction stays packed (its view reads it).
export function readPredictions(frame) {
  const numbers = (packed) => (typeof packed === 'string'
    ? Array.from(float32s(packed), (v) => (Number.isFinite(v) ? v : null)) : packed);
  return { ...frame, prediction: numbers(frame.prediction), error: numbers(frame.error) };
}

// The shortest decimal that is this float32 (what NumPy prints): for an editor's field, so a
// weight shown there and sent back unchanged is the same weight.
export function shortest(v) {
  if (!Number.isFinite(v)) return '';
  for (let digits = 1; digits < 10; digits += 1) {
    const text = Number(v.toPrecision(digits));
    if (Math.fround(text) === Math.fround(v)) return String(text);
  }
  return String(v);
}
