// The autoencoder's data space: the code of every point at its first two code units (an SVG
// plot, captioned, points labelled when few), the legend of what a point's colour means, and a
// few inputs beside their reconstructions. data_space_view.js shows it in place of the heatmap
// and the points when the lab is in the autoencoder mode.
import { classRgb, rgb } from '../palette.js';

export const WIDTH = 360;
export const HEIGHT = 300;
const NS = 'http://www.w3.org/2000/svg';
// The code plot's caption has a band of its own above the plotting area, and the area starts
// a label's height below it, so no point label (drawn above and beside its point) reaches it.
const CAPTION_BAND = 24;
const LABEL_ROOM = 20;
const LABEL_H = 14;     // a point label's box in the plot's units: its line, and
const LABEL_CHAR = 11;  // a digit's width at the labels' 16px (10.2, measured), a little generous
const LABEL_GAP = 5;   // at least a space between two labels on a line, so '7' '5' never reads '75'
const MAX_LABELS = 16;  // more points than this (digits) are told apart by colour alone

// The plot's markup, for the data space's stack of canvases.
export const CODE_PLOT_SVG = `<svg data-role="code-plot" viewBox="0 0 ${WIDTH} ${HEIGHT}" aria-label="the code of every point" hidden>
        <text data-role="code-caption" x="8" y="17"></text><g data-role="code-points"></g></svg>`;

// The drawing function for `root` (the data space panel): shows the autoencoder's state, or
// hides its parts when `s.autoencoder` is null; `clearCanvases` blanks the heatmap and points.
export function mountCodePlot(root, clearCanvases) {
  const codePlot = root.querySelector('[data-role="code-plot"]');
  const codePoints = codePlot.querySelector('[data-role="code-points"]');

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

  // Every point at its first two code units (the first alone, on a line, for a 1-unit code),
  // labelled when there are few; the circles are kept and moved while training.
  function drawCode(ae) {
    const units = Math.min(2, ae.code_size);
    const n = ae.latent.length / units;
    const pts = Array.from({ length: n }, (_, i) => [ae.latent[units * i] ?? 0,
                                                     units > 1 ? ae.latent[units * i + 1] ?? 0 : 0]);
    const labelled = n <= MAX_LABELS;
    if (codePoints.childElementCount !== n || codePoints.dataset.labelled !== String(labelled)) {
      codePoints.replaceChildren(...pts.map(() => {
        const g = document.createElementNS(NS, 'g');
        const circle = document.createElementNS(NS, 'circle');
        circle.setAttribute('r', 5);
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
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const top = CAPTION_BAND + LABEL_ROOM;
    const bottom = HEIGHT - 12;
    const placed = [];
    [...codePoints.children].forEach((g, i) => {
      const [x, y] = pts[i];
      const px = 20 + ((x - x0) / (x1 - x0 || 1)) * (WIDTH - 40);
      const py = units > 1 ? bottom - ((y - y0) / (y1 - y0 || 1)) * (bottom - top) : (top + bottom) / 2;
      const label = ae.labels ? ae.labels[i] : i;
      const [circle, text] = g.children;
      circle.setAttribute('cx', px.toFixed(1));
      circle.setAttribute('cy', py.toFixed(1));
      circle.setAttribute('fill', rgb(classRgb(label)));
      if (!text) return;
      text.textContent = String(label);
      const spot = labelSpot(px, py, text.textContent.length, top, placed);
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

  // Where a point's label goes: above and to the right of it, else to its left (always left
  // near the right edge), else below; a label that would touch one already placed is not
  // drawn (a 1-unit code puts near points side by side: "3" and "2" read as "32").
  function labelSpot(px, py, chars, top, placed) {
    const w = chars * LABEL_CHAR;
    const rightRoom = px + 7 + w <= WIDTH - 2;
    const spots = [];
    for (const y of [py - 5 - LABEL_H, py + 6]) {
      if (rightRoom) spots.push({ x: px + 7, y, w, end: false });
      spots.push({ x: px - 7 - w, y, w, end: true });
    }
    return spots.find((b) => b.x >= 2 && b.y >= top - LABEL_ROOM && b.y + LABEL_H <= HEIGHT
      && !placed.some((o) => b.x < o.x + o.w + LABEL_GAP && o.x < b.x + b.w + LABEL_GAP
                             && b.y < o.y + LABEL_H && o.y < b.y + LABEL_H)) ?? null;
  }

  return drawAutoencoder;
}
