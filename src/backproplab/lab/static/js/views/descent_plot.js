// The gradient descent mode's drawing: the function under the paths (a curve with axes x and
// f(x) for one variable; filled contours with axes x₁ and x₂ for two), its minima marked, and
// the paths up to a given step. The numbers are the server's (bp.explain.descend and the
// function's surface); this module only places them on the canvas.
import { CLASS_COLOURS, fmt, minus } from '../palette.js';

const PAD = { l: 58, r: 16, t: 12, b: 42 };
const LEVELS = 14;  // contour lines between the lowest and highest log(1 + f)
const END_RING = 7;  // the ring round a path's last point

// "Nice" tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
export function ticks(lo, hi, most = 8) {
  const raw = (hi - lo) / Math.max(1, most);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

// Where the plot sits on a w×h canvas and how data maps to pixels. Two variables keep one
// scale for both axes, so a round valley looks round.
export function frame(result, w, h) {
  const e = result.extent;
  const oneD = e.length === 2;
  const [x0, x1] = e;
  let y0;
  let y1;
  if (oneD) {
    const ys = result.surface.ys;
    y0 = Math.min(...ys);
    y1 = Math.max(...ys);
    const margin = 0.06 * (y1 - y0);
    y0 -= margin;
    y1 += margin;
  } else [, , y0, y1] = e;
  let width = w - PAD.l - PAD.r;
  let height = h - PAD.t - PAD.b;
  if (!oneD) {
    const scale = Math.min(width / (x1 - x0), height / (y1 - y0));
    width = scale * (x1 - x0);
    height = scale * (y1 - y0);
  }
  const left = PAD.l + (w - PAD.l - PAD.r - width) / 2;
  const top = PAD.t;
  return {
    oneD, left, top, width, height, x0, x1, y0, y1,
    X: (x) => left + ((x - x0) / (x1 - x0)) * width,
    Y: (y) => top + (1 - (y - y0) / (y1 - y0)) * height,
    fromPixel: (px, py) => [x0 + ((px - left) / width) * (x1 - x0), y1 - ((py - top) / height) * (y1 - y0)],
  };
}

// The function, its axes and its minima: drawn once per result and size, then reused.
export function drawSurface(ctx, result, f) {
  ctx.save();
  if (f.oneD) {
    ctx.strokeStyle = '#667085';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    result.surface.xs.forEach((x, i) => {
      const [px, py] = [f.X(x), f.Y(result.surface.ys[i])];
      if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    });
    ctx.stroke();
  } else {
    contours(ctx, result.surface, f);
  }
  ctx.restore();
  axes(ctx, f);
  minima(ctx, result, f);
}

function contours(ctx, surface, f) {
  const n = surface.size;
  const values = Uint8Array.from(atob(surface.values), (c) => c.charCodeAt(0));
  const img = new ImageData(n, n);
  for (let k = 0; k < n * n; k += 1) {
    const t = values[k] / 255;
    const band = Math.floor(t * LEVELS) / LEVELS;  // flat colour between two contour lines
    img.data.set([255 - 120 * band, 250 - 60 * band, 235 + 15 * band, 255], 4 * k);
  }
  const grid = document.createElement('canvas');
  grid.width = n;
  grid.height = n;
  grid.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(grid, f.left, f.top, f.width, f.height);
  // Contour lines by marching squares over the grid cells: a segment across each cell edge
  // pair where the level falls between the corner values.
  const at = (r, c) => values[r * n + c];
  const px = (c) => f.left + (c / (n - 1)) * f.width;
  const py = (r) => f.top + (r / (n - 1)) * f.height;
  ctx.strokeStyle = '#5b6b8a';
  ctx.lineWidth = 0.7;
  ctx.globalAlpha = 0.55;
  ctx.beginPath();
  for (let k = 1; k < LEVELS; k += 1) {
    const level = (255 * k) / LEVELS;
    for (let r = 0; r < n - 1; r += 1) {
      for (let c = 0; c < n - 1; c += 1) {
        const corners = [[r, c], [r, c + 1], [r + 1, c + 1], [r + 1, c]];
        const crossings = [];
        for (let i = 0; i < 4; i += 1) {
          const [ra, ca] = corners[i];
          const [rb, cb] = corners[(i + 1) % 4];
          const a = at(ra, ca);
          const b = at(rb, cb);
          if ((a < level) !== (b < level)) {
            const t = (level - a) / (b - a);
            crossings.push([px(ca + t * (cb - ca)), py(ra + t * (rb - ra))]);
          }
        }
        for (let i = 0; i + 1 < crossings.length; i += 2) {
          ctx.moveTo(...crossings[i]);
          ctx.lineTo(...crossings[i + 1]);
        }
      }
    }
  }
  ctx.stroke();
  ctx.globalAlpha = 1;
}

// A tick's label: up to 3 significant digits, big ones as a short power of ten ("2.5e4"),
// so a plot widened to follow a diverging path keeps its labels inside the margin.
export function tickText(v) {
  if (v !== 0 && (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3)) {
    return minus(Number(v.toPrecision(3)).toExponential().replace('e+', 'e'));
  }
  return fmt(v, 3);
}

function axes(ctx, f) {
  ctx.save();
  ctx.strokeStyle = '#98a2b3';
  ctx.lineWidth = 1;
  ctx.strokeRect(f.left, f.top, f.width, f.height);
  ctx.fillStyle = '#475467';
  ctx.font = '12px system-ui';
  ctx.textAlign = 'center';
  for (const x of ticks(f.x0, f.x1, Math.max(3, Math.floor(f.width / 70)))) {
    ctx.beginPath(); ctx.moveTo(f.X(x), f.top + f.height); ctx.lineTo(f.X(x), f.top + f.height + 5); ctx.stroke();
    ctx.fillText(tickText(x), f.X(x), f.top + f.height + 18);
  }
  ctx.textAlign = 'right';
  for (const y of ticks(f.y0, f.y1, Math.max(3, Math.floor(f.height / 45)))) {
    ctx.beginPath(); ctx.moveTo(f.left - 5, f.Y(y)); ctx.lineTo(f.left, f.Y(y)); ctx.stroke();
    ctx.fillText(tickText(y), f.left - 8, f.Y(y) + 4);
  }
  ctx.font = 'italic 13px system-ui';
  ctx.textAlign = 'center';
  ctx.fillText(f.oneD ? 'x' : 'x₁', f.left + f.width / 2, f.top + f.height + 36);
  ctx.translate(f.left - 44, f.top + f.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(f.oneD ? 'f(x)' : 'x₂', 0, 0);
  ctx.restore();
}

function minima(ctx, result, f) {
  ctx.save();
  ctx.font = '12px system-ui';
  const local = result.minima.some((m) => m.kind === 'local');  // else all are equally low
  for (const m of result.minima) {
    const x = m.at[0];
    const y = f.oneD ? valueAt(result.surface, x) : m.at[1];
    const [px, py] = [f.X(x), f.Y(y)];
    ctx.strokeStyle = '#101828';
    ctx.fillStyle = m.kind === 'global' ? '#101828' : '#fff';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = 0; i < 10; i += 1) {  // a five-pointed star
      const r = i % 2 ? 3 : 7;
      const a = -Math.PI / 2 + (i * Math.PI) / 5;
      ctx.lineTo(px + r * Math.cos(a), py + r * Math.sin(a));
    }
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
    const where = m.at.map((v) => fmt(v, 3)).join(', ');
    const text = `${local ? `${m.kind} ` : ''}minimum (${where})`;
    const { x: tx, y: ty, align } = minimumLabelAt(px, py, px > f.left + f.width - 110, f.oneD,
                                                   f.top + f.height);
    ctx.textAlign = align;
    ctx.strokeStyle = 'rgba(255,255,255,0.85)';  // a halo keeps the label readable on contours
    ctx.lineWidth = 3;
    ctx.strokeText(text, tx, ty);
    ctx.fillStyle = '#101828';
    ctx.fillText(text, tx, ty);
  }
  ctx.restore();
}

// A minimum's label beside its star, clear of the ring a path that ends there draws round
// its last point (radius END_RING, stroke 2.5): a 12 px label's box starts outside the ring's
// square. Below the star for a curve (the curve rises either side), above it on contours;
// never below the plot's ``bottom`` (beside the ring then, as it starts right of it).
export function minimumLabelAt(px, py, nearRight, oneD, bottom) {
  const clear = END_RING + 2.5;
  const x = nearRight ? px - clear - 2 : px + clear + 2;
  // The baseline; the text is ~12 px tall.
  const y = oneD ? Math.min(py + clear + 12, bottom - 4) : py - clear - 4;
  return { x, y, align: nearRight ? 'right' : 'left' };
}

// f at x on the drawn curve (its nearest sample), to place a 1-D minimum's marker on it.
function valueAt(surface, x) {
  let best = 0;
  surface.xs.forEach((v, i) => { if (Math.abs(v - x) < Math.abs(surface.xs[best] - x)) best = i; });
  return surface.ys[best];
}

// Each run's path from its start to step k, the point at step k ringed.
export function drawPaths(ctx, results, f, k) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(f.left, f.top, f.width, f.height);
  ctx.clip();
  results.forEach((r, i) => {
    const colour = CLASS_COLOURS[i % CLASS_COLOURS.length];
    const pts = pathPoints(r).slice(0, k + 1);
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let started = false;
    for (const p of pts) {
      if (!p) { started = false; continue; }
      const [px, py] = [clamp(f.X(p[0])), clamp(f.Y(p[1]))];
      if (started) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      started = true;
    }
    ctx.stroke();
    for (const p of pts) if (p) { ctx.beginPath(); ctx.arc(f.X(p[0]), f.Y(p[1]), 2.5, 0, 2 * Math.PI); ctx.fill(); }
    const last = pts.filter(Boolean).at(-1);
    if (last) {
      ctx.lineWidth = 2.5;
      ctx.beginPath(); ctx.arc(f.X(last[0]), f.Y(last[1]), END_RING, 0, 2 * Math.PI); ctx.stroke();
    }
  });
  ctx.restore();
}

// [x, y] on the plot for each step: (x, f(x)) for one variable, the point for two; null where
// the path left the numbers (it diverged).
export function pathPoints(result) {
  const { points, values } = result.path;
  return points.map((p, i) => {
    const xy = result.extent.length === 2 ? [p, values[i]] : p;
    return xy && xy.every((v) => v !== null && Number.isFinite(v)) ? xy : null;
  });
}

function clamp(v) { return Math.max(-1e4, Math.min(1e4, v)); }
