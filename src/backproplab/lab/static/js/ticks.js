// Round axis ticks: powers of ten (with 2× and 5× between them when the range is short) on a
// log scale, 1-2-5 steps on a linear one, so an axis reads 0.01, 0.1, 1 rather than 0.0137.

import { minus } from './palette.js';

export function logTicks(lo, hi) {
  // lo, hi: log10 of the range's ends; returns values (not logs) inside it.
  const ticks = [];
  for (let p = Math.ceil(lo - 1e-9); p <= hi + 1e-9; p += 1) ticks.push(10 ** p);
  if (ticks.length >= 3) return ticks;
  const dense = [];
  for (let p = Math.floor(lo); p <= Math.ceil(hi); p += 1) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** p;
      if (Math.log10(v) >= lo - 1e-9 && Math.log10(v) <= hi + 1e-9) dense.push(v);
    }
  }
  return dense.length >= 2 ? dense : linearTicks(10 ** lo, 10 ** hi);
}

export function linearTicks(lo, hi, most = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / most;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

// A tick's label: 0.001, 0.01 … 1000; 1e-4 and 1e+4 beyond.
export function tickLabel(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e4) return minus(v.toExponential(0).replace('e+', 'e'));
  return minus(Number(v.toPrecision(3)).toString());
}
