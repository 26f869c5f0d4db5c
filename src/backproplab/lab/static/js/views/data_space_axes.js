// The data space's axes: the plot's frame, round ticks along x₁ (below) and x₂ (left) and the
// axis names, drawn in the margins PAD leaves around the plot so no tick covers a point.
import { minus } from '../palette.js';

export const PAD = { left: 42, right: 8, top: 6, bottom: 26 };

// About `count` round steps (1, 2 or 5 times a power of ten) covering [lo, hi].
export function ticks(lo, hi, count = 5) {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(6)));
  }
  return out;
}

// Draws them and returns what it drew ({x, y} ticks), which the view writes on its canvas.
export function drawAxes(ctx, p, [x0, x1, y0, y1], [xName, yName]) {
  const xs = ticks(x0, x1, Math.max(4, Math.floor(p.w / 45)));
  const ys = ticks(y0, y1, Math.max(4, Math.floor(p.h / 35)));
  ctx.save();
  ctx.strokeStyle = '#98a2b3';
  ctx.lineWidth = 1;
  ctx.strokeRect(p.x + 0.5, p.y + 0.5, p.w - 1, p.h - 1);
  ctx.fillStyle = '#475467';
  ctx.font = '10px system-ui, sans-serif';
  const tick = (x, y, dx, dy) => { ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + dx, y + dy); ctx.stroke(); };
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of xs) {
    const x = p.x + ((v - x0) / (x1 - x0)) * p.w;
    tick(x, p.y + p.h, 0, 3);
    ctx.fillText(minus(String(v)), x, p.y + p.h + 4);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of ys) {
    const y = p.y + ((y1 - v) / (y1 - y0)) * p.h;
    tick(p.x, y, -3, 0);
    ctx.fillText(minus(String(v)), p.x - 5, y);
  }
  ctx.font = 'italic 11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  ctx.fillText(xName, p.x + p.w, p.y + p.h + 26);
  ctx.save();
  ctx.translate(p.x - 40, p.y);  // reads upwards, left of the tick labels
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText(yName, 0, 0);
  ctx.restore();
  ctx.restore();
  return { x: xs, y: ys };
}
