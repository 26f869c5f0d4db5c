// Gradients: how large ‖∂L/∂W‖ is in each layer at the last step (bars on a log scale, with
// the value), the same norms over the epochs (a log-scale chart, one labelled line per
// layer), and what bp.explain.gradient_health finds wrong — vanishing or exploding gradients,
// dead ReLU units, saturated sigmoid/tanh units — plus the initialisation the network got.
// Every number is the server's (frame key `gradients`, history `grad_norms`).
import { on, touch } from '../state.js';
import { minus } from '../palette.js';

const LOWEST = -8;   // the bars' and the chart's log10 range when the values allow it
const HIGHEST = 1;

// 3.2e-8 → "3.2e-8", 0.042 → "0.042": short enough never to wrap in its column.
export function shortNumber(v) {
  if (v === null || v === undefined) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 0.01 && a < 1000) return minus(Number(v.toPrecision(2)).toString());
  return minus(v.toExponential(1).replace('e+', 'e'));
}

// Okabe–Ito without its yellow (too pale on white), then a wine red: 7 layers, 7 colours.
const LAYER_COLOURS = ['#0072b2', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#e69f00', '#000000', '#882255'];
const colour = (l) => LAYER_COLOURS[l % LAYER_COLOURS.length];

export function mountGradients(root) {
  root.innerHTML = `<h2>Gradients <span class="spacer"></span>
      <span class="muted init" data-role="grad-init"></span></h2>
    <div class="muted grad-caption" data-role="grad-caption"></div>
    <div class="grad-bars" data-role="grad-bars" aria-label="gradient norm per layer, last step"></div>
    <canvas data-role="grad-chart" aria-label="gradient norm per layer over the epochs (log scale)"></canvas>
    <ul class="grad-flags" data-role="grad-flags" aria-live="polite"></ul>`;
  const bars = root.querySelector('[data-role="grad-bars"]');
  const canvas = root.querySelector('canvas');
  const flags = root.querySelector('[data-role="grad-flags"]');
  const init = root.querySelector('[data-role="grad-init"]');
  const caption = root.querySelector('[data-role="grad-caption"]');

  function drawBars(s) {
    const layers = s.structure ? s.structure.sizes.length - 1 : 0;
    const norms = s.gradients?.norms;
    if (bars.childElementCount !== layers) {
      bars.innerHTML = Array.from({ length: layers }, (_, l) => `<div class="grad-bar" data-layer="${l + 1}">
        <span class="name" style="color:${colour(l)}">layer ${l + 1}</span><span class="track"><i></i></span>
        <output></output></div>`).join('');
    }
    const title = norms ? '‖∂L/∂W‖ of each layer at the last step (log scale): bars that shrink towards layer 1 are vanishing gradients'
      : '‖∂L/∂W‖ per layer appears after the first step';
    if (bars.title !== title) bars.title = title;
    // The bars are the last step's own batch, not the health check's rows below: said, so
    // two different numbers for one layer are never taken for the same one.
    const rows = s.gradients?.norms_rows;
    const said = norms ? `bars: step ${s.gradients.norms_at_step}'s batch of ${rows} row${rows === 1 ? '' : 's'}`
      : 'bars: after the first step';
    if (caption.textContent !== said) { caption.textContent = said; caption.title = `${title}. The chart: each epoch's last step.`; }
    // Written only where they changed: a style or text set to itself still costs a restyle.
    [...bars.children].forEach((row, l) => {
      const g = norms?.[l];
      const t = g ? (Math.log10(g) - LOWEST) / (HIGHEST - LOWEST) : 0;
      const bar = row.querySelector('i');
      const width = `${(100 * Math.max(0.01, Math.min(1, t))).toFixed(1)}%`;
      if (bar.shownWidth !== width) { bar.shownWidth = width; bar.style.width = width; }
      if (!bar.style.background) bar.style.background = colour(l);
      const text = norms ? shortNumber(g) : '—';
      const out = row.querySelector('output');
      if (out.textContent !== text) out.textContent = text;
      row.dataset.value = g ?? '';
    });
  }

  function drawFlags(s) {
    const g = s.gradients;
    if (!g) return;
    init.textContent = g.init.startsWith('the model') ? "init: the notebook's"
      : `init: ${g.init.startsWith('Kaiming') ? 'Kaiming (He)' : 'Xavier (Glorot)'}`;
    init.title = `Initial weights: ${g.init}. Kaiming (He) keeps a ReLU network's gradients the same size in every layer; Xavier (Glorot) does that for tanh and sigmoid.`;
    const items = g.note ? [[g.note, 'note']]
      : g.health.length ? g.health.map((t) => [t, 'warn'])
        : [[`no vanishing or exploding gradient, no dead or saturated unit (checked on ${g.rows} training rows)`, 'ok']];
    if (g.ratio !== null && g.ratio !== undefined && !g.note) {
      const last = s.structure.sizes.length - 1;
      items.push([`layer 1 / layer ${last} ‖∂L/∂W‖ on the first ${g.rows} training rows: ${shortNumber(g.ratio)}`, 'ratio']);
    }
    // While training plays the check runs a few times a second: say which step it read.
    const when = g.health_at_step === undefined ? '' : ` (checked after step ${g.health_at_step})`;
    const key = JSON.stringify([items, when]);
    if (flags.dataset.key === key) return;
    flags.dataset.key = key;
    flags.dataset.step = g.health_at_step ?? '';
    flags.innerHTML = '';
    for (const [text, kind] of items) {
      const li = document.createElement('li');
      li.className = kind;
      li.textContent = text;
      li.title = text + when;
      flags.append(li);
    }
  }

  // Drawn again only when an epoch's norms came or the canvas was resized; its size is read
  // in the resize observer, where the layout is fresh.
  let size = null;
  let drawn = [];
  function drawChart(s) {
    if (!size) size = { w: canvas.clientWidth, h: canvas.clientHeight };
    const { w, h } = size;
    if (!w || !h) return;
    const key = [s.history, s.history.grad_norms?.length, w, h];
    if (key.every((v, k) => v === drawn[k])) return;
    drawn = key;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== w * ratio || canvas.height !== h * ratio) { canvas.width = w * ratio; canvas.height = h * ratio; }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const hist = s.history;
    const rows = hist.grad_norms || [];
    const pad = { l: 40, r: 46, t: 6, b: 26 };
    ctx.font = '11px system-ui';
    ctx.fillStyle = '#667085';
    ctx.strokeStyle = '#d9dee5';
    ctx.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
    const values = rows.flat().filter((v) => v > 0);
    if (!values.length) {
      ctx.textAlign = 'center';
      ctx.fillText('gradient norm per layer, per epoch', (pad.l + w - pad.r) / 2, h / 2);
      ctx.textAlign = 'start';
      return;
    }
    let lo = Math.floor(Math.log10(Math.min(...values)));
    let hi = Math.ceil(Math.log10(Math.max(...values)));
    if (hi - lo < 2) { lo -= 1; hi += 1; }
    const n = rows.length;
    const e0 = hist.epoch[0];
    const e1 = Math.max(hist.epoch[n - 1], e0 + 1);
    const X = (e) => pad.l + ((e - e0) / (e1 - e0)) * (w - pad.l - pad.r);
    const Y = (v) => pad.t + (1 - (Math.log10(v) - lo) / (hi - lo)) * (h - pad.t - pad.b);
    const every = Math.ceil((hi - lo) / Math.max(1, Math.floor((h - pad.t - pad.b) / 16)));
    ctx.textAlign = 'right';
    for (let d = lo; d <= hi; d += every) {
      const y = Y(10 ** d);
      ctx.fillText(d === 0 ? '1' : `1e${d}`, pad.l - 4, y + 4);
      ctx.strokeStyle = '#eef0f3';
      ctx.beginPath(); ctx.moveTo(pad.l + 1, y); ctx.lineTo(w - pad.r - 1, y); ctx.stroke();
    }
    ctx.textAlign = 'left';
    ctx.fillText(`${e0}`, pad.l, h - pad.b + 12);
    ctx.textAlign = 'right';
    ctx.fillText(`${hist.epoch[n - 1]}`, w - pad.r, h - pad.b + 12);
    ctx.textAlign = 'center';
    ctx.fillText('epoch', (pad.l + w - pad.r) / 2, h - 3);
    ctx.save();
    ctx.translate(10, (pad.t + h - pad.b) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText('‖∂L/∂W‖', 0, 0);
    ctx.restore();
    const layers = Math.max(...rows.map((r) => (r ? r.length : 0)));
    const step = Math.max(1, Math.floor(n / 600));
    const ends = [];
    for (let l = 0; l < layers; l += 1) {
      ctx.strokeStyle = colour(l);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let started = false;
      let last = null;
      for (let i = 0; i < n; i += step) {
        const v = rows[i]?.[l];
        if (!(v > 0)) { started = false; continue; }
        const [x, y] = [X(hist.epoch[i]), Y(v)];
        if (started) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        started = true;
        last = y;
      }
      ctx.stroke();
      if (n <= 30) {  // few epochs: each one a dot, so even a single epoch shows
        ctx.fillStyle = colour(l);
        for (let i = 0; i < n; i += 1) {
          const v = rows[i]?.[l];
          if (v > 0) { ctx.beginPath(); ctx.arc(X(hist.epoch[i]), Y(v), 2.2, 0, 2 * Math.PI); ctx.fill(); }
        }
      }
      if (last !== null) ends.push([last, l]);
    }
    // Each line's label at its right end, pushed apart (down, then up from the bottom) so
    // none overlaps another and all stay beside the plot.
    ends.sort((a, b) => a[0] - b[0]);
    const at = [];
    ends.forEach(([y], i) => { at.push(Math.max(y + 4, i ? at[i - 1] + 11 : -Infinity)); });
    for (let i = at.length - 1; i >= 0; i -= 1) at[i] = Math.min(at[i], i < at.length - 1 ? at[i + 1] - 11 : h - pad.b + 4);
    ctx.textAlign = 'left';
    ends.forEach(([, l], i) => {
      ctx.fillStyle = colour(l);
      ctx.fillText(`L${l + 1}`, w - pad.r + 4, Math.max(pad.t + 9, at[i]));
    });
  }

  on(['gradients', 'structure'], (s) => { drawBars(s); drawFlags(s); });
  on(['history', 'structure'], drawChart);
  new ResizeObserver(() => {
    size = { w: canvas.clientWidth, h: canvas.clientHeight };
    touch('history');
  }).observe(canvas);
}
