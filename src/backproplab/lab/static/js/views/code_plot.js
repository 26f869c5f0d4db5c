// The autoencoder's data space: the code of every point at its first two code units (an SVG
// plot, captioned, points labelled when few), the legend of what a point's colour means, and a
// few inputs beside their reconstructions. data_space_view.js shows it in place of the heatmap
// and the points when the lab is in the autoencoder mode.
import { classRgb, minus, rgb } from '../palette.js';
import { ticks } from './data_space_axes.js';

const NS = 'http://www.w3.org/2000/svg';
// The plot is drawn in the pixels it is shown at (its viewBox is its size), so its text reads
// at the data space's sizes in any window. The caption has a band of its own above the frame;
// the axes' ticks and names sit in the margins, as the data space's do.
const PAD = { left: 42, right: 8, top: 22, bottom: 28 };
const R = 5;            // a point's radius
const LABEL_H = 12;     // a point label's box: its line at 11px, and
const LABEL_CHAR = 7;   // a digit's width at 11px (6.4, measured), a little generous
const LABEL_GAP = 4;    // at least a space between two labels on a line, so '7' '5' never reads '75'
const MAX_LABELS = 16;  // more points than this (digits) are told apart by colour alone
const INSET = R + 5;    // pixels between the frame and the outermost points

// The plot's markup, for the data space's stack of canvases.
export const CODE_PLOT_SVG = `<svg data-role="code-plot" aria-label="the code of every point" hidden>
        <text data-role="code-caption" x="${PAD.left}" y="15"></text><g data-role="code-axes"></g>
        <g data-role="code-points"></g></svg>`;

// The drawing function for `root` (the data space panel): shows the autoencoder's state, or
// hides its parts when `s.autoencoder` is null; `clearCanvases` blanks the heatmap and points;
// `size()` is the drawing's size in CSS pixels ({ w, h }).
export function mountCodePlot(root, clearCanvases, size) {
  const codePlot = root.querySelector('[data-role="code-plot"]');
  const codePoints = codePlot.querySelector('[data-role="code-points"]');
  const codeAxes = codePlot.querySelector('[data-role="code-axes"]');

  function drawAutoencoder(s) {
    const ae = s.autoencoder;
    const recon = root.querySelector('[data-role="recon"]');
    const legend = root.querySelector('[data-role="code-legend"]');
    recon.hidden = !ae;
    legend.hidden = !ae;
    codePlot.toggleAttribute('hidden', !ae);  // an SVG element has no hidden property
    root.classList.toggle('ae', Boolean(ae));
    if (!ae) return;
    clearCanvases();
    drawCode(ae);
    drawCodeLegend(legend, ae, s.config.dataset);
    const w = ae.width;
    const side = Math.round(Math.sqrt(w));
    const square = side * side === w;
    const count = ae.inputs.length / w;
    const strip = (source, k) => {
      const c = document.createElement('canvas');
      const cw = square ? side : w;
      const ch = square ? side : 1;
      c.width = cw; c.height = ch;
      c.className = square ? 'square' : 'bar';
      const g = c.getContext('2d');
      const img = g.createImageData(cw, ch);
      for (let i = 0; i < w; i += 1) {
        const v = Math.round(255 * (1 - Math.max(0, Math.min(1, source[k * w + i] ?? 0))));
        img.data.set([v, v, v, 255], 4 * i);
      }
      g.putImageData(img, 0, 0);
      c.title = source === ae.inputs ? `input ${k}` : `reconstruction ${k}`;
      return c;
    };
    const label = (text) => Object.assign(document.createElement('span'), { className: 'strip-label', textContent: text });
    recon.replaceChildren(label('input'), ...Array.from({ length: count }, (_, k) => strip(ae.inputs, k)),
                          ...Array(Math.max(0, 8 - count)).fill(0).map(() => document.createElement('span')),
                          label('reconstruction'), ...Array.from({ length: count }, (_, k) => strip(ae.outputs, k)));
  }

  // What a code point's colour means: its digit (digits), or the input row it encodes.
  function drawCodeLegend(legend, ae, dataset) {
    const classes = [...new Set(ae.labels ?? [])].sort((a, b) => a - b);
    const key = `${dataset}:${classes.join(',')}`;
    if (legend.dataset.key === key) return;
    legend.dataset.key = key;
    const what = dataset === 'digits' ? 'digit' : 'input row';
    legend.innerHTML = `<span class="muted">colour = ${what}:</span>` +
      classes.map((k) => `<span><i style="background:${rgb(classRgb(k))}"></i>${k}</span>`).join('');
  }

  // Every point at its first two code units (the first alone, on a line, for a 1-unit code)
  // inside axes of the codes' values, labelled when there are few; the circles are kept and
  // moved while training.
  function drawCode(ae) {
    const { w: W, h: H } = size();
    codePlot.setAttribute('viewBox', `0 0 ${W} ${H}`);
    const p = { x: PAD.left, y: PAD.top, w: W - PAD.left - PAD.right, h: H - PAD.top - PAD.bottom };
    const units = Math.min(2, ae.code_size);
    const n = ae.latent.length / units;
    const pts = Array.from({ length: n }, (_, i) => [ae.latent[units * i] ?? 0,
                                                     units > 1 ? ae.latent[units * i + 1] ?? 0 : 0]);
    const labelled = n <= MAX_LABELS;
    if (codePoints.childElementCount !== n || codePoints.dataset.labelled !== String(labelled)) {
      codePoints.replaceChildren(...pts.map(() => {
        const g = document.createElementNS(NS, 'g');
        const circle = document.createElementNS(NS, 'circle');
        circle.setAttribute('r', R);
        g.append(circle);
        if (labelled) {
          const text = document.createElementNS(NS, 'text');
          text.setAttribute('class', 'code-label');
          g.append(text);
        }
        return g;
      }));
      codePoints.dataset.labelled = String(labelled);
    }
    const [x0, x1] = widened(pts.map((q) => q[0]), p.w);
    const [y0, y1] = units > 1 ? widened(pts.map((q) => q[1]), p.h) : [-1, 1];
    const at = pts.map(([x, y]) => [p.x + ((x - x0) / (x1 - x0)) * p.w,
                                    units > 1 ? p.y + ((y1 - y) / (y1 - y0)) * p.h : p.y + p.h / 2]);
    drawCodeAxes(p, [x0, x1, y0, y1], units);
    const placed = [];
    [...codePoints.children].forEach((g, i) => {
      const [px, py] = at[i];
      const label = ae.labels ? ae.labels[i] : i;
      const [circle, text] = g.children;
      circle.setAttribute('cx', px.toFixed(1));
      circle.setAttribute('cy', py.toFixed(1));
      circle.setAttribute('fill', rgb(classRgb(label)));
      if (!text) return;
      text.textContent = String(label);
      const spot = labelSpot(px, py, text.textContent.length, p, placed, at);
      text.setAttribute('visibility', spot ? 'visible' : 'hidden');
      if (!spot) return;
      placed.push(spot);
      text.setAttribute('x', (spot.end ? spot.x + spot.w : spot.x).toFixed(1));
      text.setAttribute('y', (spot.y + LABEL_H - 2).toFixed(1));
      text.setAttribute('text-anchor', spot.end ? 'end' : 'start');
    });
    codePlot.querySelector('[data-role="code-caption"]').textContent = units > 1
      ? `code units 1 and 2 of ${ae.code_size}` : `code unit 1 of ${ae.code_size}`;
  }

  // The frame, round ticks of code unit 1 below and of unit 2 on the left (none for a 1-unit
  // code: its points lie on one line), and the axes' names; each tick carries its value.
  function drawCodeAxes(p, [x0, x1, y0, y1], units) {
    const parts = [`<rect class="code-frame" x="${p.x + 0.5}" y="${p.y + 0.5}" width="${p.w - 1}" height="${p.h - 1}"/>`];
    for (const v of scale(x0, x1, Math.max(4, Math.floor(p.w / 45)))) {
      const x = (p.x + ((v - x0) / (x1 - x0)) * p.w).toFixed(1);
      parts.push(`<line x1="${x}" x2="${x}" y1="${p.y + p.h}" y2="${p.y + p.h + 3}"/>`,
                 `<text class="code-tick" data-axis="x" data-value="${v}" x="${x}" y="${p.y + p.h + 14}" text-anchor="middle">${minus(String(v))}</text>`);
    }
    parts.push(`<text class="code-axis" x="${p.x + p.w}" y="${p.y + p.h + 27}" text-anchor="end">unit 1</text>`);
    if (units > 1) {
      for (const v of scale(y0, y1, Math.max(4, Math.floor(p.h / 35)))) {
        const y = (p.y + ((y1 - v) / (y1 - y0)) * p.h).toFixed(1);
        parts.push(`<line x1="${p.x - 3}" x2="${p.x}" y1="${y}" y2="${y}"/>`,
                   `<text class="code-tick" data-axis="y" data-value="${v}" x="${p.x - 5}" y="${y}" dy="0.35em" text-anchor="end">${minus(String(v))}</text>`);
      }
      parts.push(`<text class="code-axis" transform="translate(${p.x - 32} ${p.y}) rotate(-90)" text-anchor="end">unit 2</text>`);
    }
    codeAxes.innerHTML = parts.join('');
  }

  // Where a point's label goes: above and to the right of it, else to its left, else below;
  // never over the frame, another point, or a label already placed (a 1-unit code puts near
  // points side by side: "3" and "2" read as "32").
  function labelSpot(px, py, chars, p, placed, points) {
    const w = chars * LABEL_CHAR;
    const spots = [];
    for (const y of [py - R - LABEL_H, py + R + 1]) {
      spots.push({ x: px + R + 2, y, w, end: false }, { x: px - R - 2 - w, y, w, end: true });
    }
    const clear = (b) => b.x >= p.x + 2 && b.x + b.w <= p.x + p.w - 2 && b.y >= p.y + 1 &&
      b.y + LABEL_H <= p.y + p.h - 1 &&
      !placed.some((o) => b.x < o.x + o.w + LABEL_GAP && o.x < b.x + b.w + LABEL_GAP &&
                          b.y < o.y + LABEL_H && o.y < b.y + LABEL_H) &&
      !points.some(([qx, qy]) => qx + R > b.x && qx - R < b.x + b.w && qy + R > b.y && qy - R < b.y + LABEL_H);
    return spots.find(clear) ?? null;
  }

  return drawAutoencoder;
}

// The frame's range for these codes, `pixels` long: the codes' own range with INSET pixels
// more on each side, so no point's circle touches the frame (equal codes: half of their size,
// or 0.5, on each side of them).
function widened(values, pixels) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!(hi > lo)) {
    const half = Math.abs(lo) / 2 || 0.5;
    [lo, hi] = [lo - half, hi + half];
  }
  const more = ((hi - lo) * INSET) / Math.max(1, pixels - 2 * INSET);
  return [lo - more, hi + more];
}

// At least three round ticks: a range just over a step of 1 (or 2, 5…) would get two marks,
// too few to read a scale from; asking for a few more gives the next finer step.
function scale(lo, hi, count) {
  for (let more = count; more < 4 * count; more += 1) {
    const marks = ticks(lo, hi, more);
    if (marks.length >= 3) return marks;
  }
  return ticks(lo, hi, 4 * count);
}
