// Every neuron's map as the server sends it (frame key `neurons`: one byte a cell, each neuron
// scaled to its own [lo, hi]) and the one painter both the network's thumbnails and the data
// space's full-size view use, so a neuron looks the same small and large.
import { divergingTable } from './palette.js';
import { base64Bytes } from './float32s.js';

// The frame's neurons as {kind, cells, size, extent, xs, rows, layers: [{lo, hi, scale}]} with
// the bytes decoded once; `value(l, i, k)` reads cell k of neuron i of layer l (layer 0: inputs).
// Decoded once per frame whichever view asks first.
const decoded = new WeakMap();
export function readNeurons(frame, structure) {
  if (!frame) return null;
  if (!decoded.has(frame)) decoded.set(frame, decode(frame, structure));
  return decoded.get(frame);
}

function decode(frame, structure) {
  const bytes = base64Bytes(frame.values);
  const offsets = [];
  let at = 0;
  for (const layer of frame.layers) { offsets.push(at); at += layer.lo.length * frame.cells; }
  const last = frame.layers.length - 1;
  // Probabilities (a classifier's outputs) are coloured around 0.5 as the data space's heatmap
  // is; everything else around 0, on one scale per layer so its neurons compare.
  const probability = ['binary', 'multiclass'].includes(structure?.task);
  const layers = frame.layers.map((layer, l) => ({
    ...layer,
    probability: probability && l === last,
    scale: Math.max(1e-9, ...layer.lo.map(Math.abs), ...layer.hi.map(Math.abs)),
  }));
  return {
    ...frame, layers,
    value(l, i, k) {
      const { lo, hi } = layers[l];
      return lo[i] + (bytes[offsets[l] + i * frame.cells + k] / 255) * (hi[i] - lo[i]);
    },
    bytesOf(l, i) { return bytes.subarray(offsets[l] + i * frame.cells, offsets[l] + (i + 1) * frame.cells); },
  };
}

// The colour of value v of a layer: [-1, 1] on the diverging scale.
export function tone(layer, v) {
  return layer.probability ? 2 * v - 1 : v / layer.scale;
}

// Paint neuron (l, i) into ImageData `img` (cells wide, or size × size for a grid) from its
// cell `at` on (an image of many neurons holds each at its own offset), mixed towards white by
// `light` (0: full colour) so points drawn over it stay visible. Each of a neuron's 256 byte
// values has one colour, so it is looked up, not computed per cell; a colour is one 32-bit
// word both in the table and in the image (the same byte order in memory), one write a cell.
const table = new Uint8ClampedArray(256 * 4);
const words = new Uint32Array(table.buffer);
const pixelsOf = new WeakMap();
export function paintNeuron(img, maps, l, i, light = 0, at = 0) {
  const layer = maps.layers[l];
  divergingTable(table, layer.lo[i], layer.hi[i], (v) => tone(layer, v), light);
  const bytes = maps.bytesOf(l, i);
  if (!pixelsOf.has(img)) pixelsOf.set(img, new Uint32Array(img.data.buffer));
  const pixels = pixelsOf.get(img);
  for (let k = 0; k < maps.cells; k += 1) pixels[at + k] = words[bytes[k]];
  return img;
}

// "neuron h2 of layer 1", "input sin x₁", "the output neuron o1": what a neuron is called on
// screen. Hidden and output neurons take the step-by-step panel's names (the server's
// `structure.labels`, counted from 1: h1…, h1_1… with several hidden layers, o1…).
export function neuronName(structure, l, i) {
  if (l === 0) return `input ${structure.input_names?.[i] ?? `x${i + 1}`}`;
  const role = structure.roles?.[l - 1];
  const label = structure.labels?.[l]?.[i] ?? `${i + 1}`;
  if (role === 'output') return structure.sizes.at(-1) > 1 ? `output neuron ${label}` : `the output neuron ${label}`;
  if (role === 'code') return `code unit ${i + 1} (layer ${l})`;
  return `neuron ${label} of layer ${l}`;
}
