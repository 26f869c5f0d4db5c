// Error history: train (solid) and test (dashed) loss per epoch on a log or linear axis with
// round ticks; accuracy on a 0–100 % axis only where there is accuracy; markers for events
// (learning-rate change, divergence, plateau…) and for the best epoch of early stopping.
// A new run (reset, re-initialise, a new configuration, a lesson stage) keeps the previous
// run's training loss as a faint "ghost" labelled with what distinguished it ("sigmoid",
// "lr 1"), up to three, so two settings are compared side by side. Hovering shows the values
// of the nearest epoch.
import { on, state, touch, update } from '../state.js';
import { fmt } from '../palette.js';
import { linearTicks, logTicks, tickLabel } from '../ticks.js';

const COLOURS = { train_loss: '#2166ac', test_loss: '#d6604d', accuracy: '#009e73', test_accuracy: '#009e73' };
const GHOST_COLOURS = ['#8c96a8', '#b09fc4', '#a3b8a0'];
const MAX_GHOSTS = 3;
// The settings a ghost's label may name, in the order they are named, and how.
const LABELS = [
  ['mode', (v) => v], ['dataset', (v) => v], ['activation', (v) => v],
  ['hidden', (v) => (v.length ? `${v.join('-')} hidden` : 'no hidden layer')],
  ['bottleneck', (v) => `code ${v}`], ['optimizer', (v) => v], ['lr', (v) => `lr ${v}`],
  ['batch_size', (v) => `batch ${v}`], ['l2', (v) => `L2 ${v}`], ['l1', (v) => `L1 ${v}`],
  ['early_stopping', (v) => (v ? 'early stopping' : 'no early stopping')],
  ['features', (v) => v.join('+')], ['points', (v) => `${v} points`], ['noise', (v) => `noise ${v}`],
  ['test_fraction', (v) => `test ${v}`], ['seed', (v) => `seed ${v}`],
];

// What the old run's config had that the new one does not, in at most three words.
export function ghostLabel(old, now, n) {
  if (!old || !now) return `run ${n}`;
  const parts = [];
  for (const [key, show] of LABELS) {
    if (!(key in old)) continue;
    if (JSON.stringify(old[key]) !== JSON.stringify(now[key])) parts.push(show(old[key]));
  }
  return parts.length ? parts.slice(0, 3).join(', ') : `run ${n}`;
}

export function mountHistory(root) {
  root.innerHTML = `<h2>Error history <span class="spacer"></span>
    <label class="muted"><input type="checkbox" data-action="log-scale" checked> log scale</label></h2>
    <div class="chart-wrap"><canvas data-role="chart" aria-label="loss per epoch"></canvas>
      <div class="plateau-note" data-role="plateau" hidden></div></div>
    <div class="legend muted"><span data-role="legend"></span></div>`;
  const canvas = root.querySelector('canvas');
  const tooltip = document.querySelector('[data-role="tooltip"]');
  const legend = root.querySelector('[data-role="legend"]');
  const plateau = root.querySelector('[data-role="plateau"]');
  // A stuck loss is a poor one, high on the chart: the note goes at its foot, off the curve.
  Object.assign(plateau.style, { top: 'auto', bottom: '40px' });
  root.querySelector('[data-action="log-scale"]').onchange = (e) => {
    state.view.logScale = e.target.checked;
    touch('history');
  };
  legend.onclick = (e) => { if (e.target.closest('[data-action="clear-ghosts"]')) update({ ghosts: [] }); };
  let layout = null;
  let run = { id: null, hist: null, config: null };
  let runs = 0;

  // A new run number from the server: the finished run becomes a ghost (a thinned log of the
  // same run keeps its number and is no new run).
  function follow(s) {
    if (s.historyRun === run.id) { run.hist = s.history; run.config = s.config; return; }
    if (run.hist && run.hist.epoch.length > 1) {
      runs += 1;
      const ghost = { label: ghostLabel(run.config, s.config, runs), epoch: [...run.hist.epoch],
                      train_loss: [...run.hist.train_loss] };
      state.ghosts = [...(state.ghosts || []), ghost].slice(-MAX_GHOSTS);
    }
    run = { id: s.historyRun, hist: s.history, config: s.config };
  }

  let legendHtml = null;
  function drawLegend(s, hasAccuracy, hasTest) {
    const parts = [`<span style="color:${COLOURS.train_loss}">━ train loss</span>`];
    if (hasTest) parts.push(`<span style="color:${COLOURS.test_loss}" title="dashed: the test rows, never trained on">┅ test loss</span>`);
    if (hasAccuracy) parts.push(`<span style="color:${COLOURS.accuracy}">━ accuracy${hasTest ? ' (┅ test)' : ''}</span>`);
    if (!hasTest) parts.push('<span>one point per epoch: the mean loss of its steps</span>');
    const ghosts = (s.ghosts || []).map((g, k) => `<span data-ghost="${k}" style="color:${GHOST_COLOURS[k]}">━ ${g.label}</span>`);
    // Earlier runs get a line of their own, named by their colour only (a label drawn on the
    // chart sat on the curves and the axis), its clear button inline (on a line of its own it
    // ran past the legend's height).
    const clear = '<button data-action="clear-ghosts" title="remove the faint curves of earlier runs" style="line-height: 11px">clear</button>';
    const html = parts.join(' · ') + (ghosts.length ? `<br>earlier runs ${clear}: ${ghosts.join(' · ')}` : '');
    if (legendHtml !== html) { legendHtml = html; legend.innerHTML = html; }
  }

  // The chart is drawn again only when what it shows changed: each frame brings a status, an
  // epoch's point only some of them. The canvas's size is read where the layout is fresh (in
  // the resize observer), never in a frame after other views wrote to the page.
  let size = null;
  let drawn = [];
  function draw(s) {
    follow(s);
    const ghosts = s.ghosts || [];
    if (!size) size = { w: canvas.clientWidth, h: canvas.clientHeight };
    const { w, h } = size;
    const key = [s.history, s.history.epoch.length, s.events, s.ghosts, s.status.plateau,
                 s.status.best_epoch, s.view.logScale, w, h];
    if (key.every((v, k) => v === drawn[k])) return;
    drawn = key;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== w * ratio || canvas.height !== h * ratio) { canvas.width = w * ratio; canvas.height = h * ratio; }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const hist = s.history;
    const n = hist.epoch.length;
    const hasAccuracy = hist.accuracy.some((v) => v !== null && v !== undefined);
    const hasTest = hist.test_loss.some((v) => v !== null && v !== undefined);
    drawLegend(s, hasAccuracy, hasTest);
    if (plateau.hidden !== !s.status.plateau) plateau.hidden = !s.status.plateau;
    if (s.status.plateau && plateau.textContent !== s.status.plateau) plateau.textContent = s.status.plateau;
    const pad = { l: 50, r: hasAccuracy ? 44 : 12, t: 8, b: 30 };
    const positive = (v) => v !== null && v !== undefined && v > 0;
    const [e0, e1] = epochRange(hist, ghosts, plannedEpochs(s));
    const inRange = (g) => g.train_loss.filter((v, i) => g.epoch[i] >= e0 && g.epoch[i] <= e1);
    const losses = [...hist.train_loss, ...hist.test_loss, ...ghosts.flatMap(inRange)].filter(positive);
    ctx.strokeStyle = '#d9dee5';
    ctx.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
    ctx.fillStyle = '#667085';
    ctx.font = '11px system-ui';
    if (!losses.length) {
      ctx.textAlign = 'center';
      ctx.fillText('press play or step:', (pad.l + w - pad.r) / 2, h / 2 - 8);
      ctx.fillText('the loss of every epoch appears here', (pad.l + w - pad.r) / 2, h / 2 + 8);
      ctx.textAlign = 'start';
      layout = null;
      return;
    }
    const log = s.view.logScale;
    const f = log ? (v) => Math.log10(v) : (v) => v;
    let lo = Math.min(...losses.map(f));
    let hi = Math.max(...losses.map(f));
    if (!log) lo = Math.min(0, lo);
    if (hi - lo < 1e-9) { hi += log ? 0.5 : 0.5 * Math.abs(hi || 1); lo -= log ? 0.5 : 0; }
    if (log) [lo, hi] = logEnds(lo, hi);
    canvas.dataset.epochs = `${e0} ${e1}`;
    canvas.dataset.loss = log ? `${10 ** lo} ${10 ** hi}` : `${lo} ${hi}`;
    const X = (e) => pad.l + ((e - e0) / (e1 - e0)) * (w - pad.l - pad.r);
    const Y = (v) => pad.t + (1 - (f(v) - lo) / (hi - lo)) * (h - pad.t - pad.b);
    const A = (v) => pad.t + (1 - v) * (h - pad.t - pad.b);
    layout = { X, n, hist };
    drawAxes(ctx, { w, h, pad, lo, hi, log, Y, A, X, e0, e1, hasAccuracy });
    drawMarkers(ctx, s, { w, h, pad, X, e0, e1 });
    const line = (values, xs, scale, colour, dash, width = 1.6) => {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.beginPath();
      let started = false;
      const step = Math.max(1, Math.floor(values.length / 1200));
      for (let i = 0; i < values.length; i += step) {
        const v = values[i];
        if (v === null || v === undefined || (scale === Y && log && v <= 0)) { started = false; continue; }
        if (started) ctx.lineTo(X(xs[i]), scale(v)); else ctx.moveTo(X(xs[i]), scale(v));
        started = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = 1;
      if (values.length <= 30 && width > 1.5) {
        ctx.fillStyle = colour;
        values.forEach((v, i) => {
          if (v === null || v === undefined || (scale === Y && log && v <= 0)) return;
          ctx.beginPath(); ctx.arc(X(xs[i]), scale(v), 2.5, 0, 2 * Math.PI); ctx.fill();
        });
      }
    };
    ctx.save();  // an earlier run longer than this one's axis ends at its edge
    ctx.beginPath(); ctx.rect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b); ctx.clip();
    ghosts.forEach((g, k) => {
      ctx.globalAlpha = 0.75;
      line(g.train_loss, g.epoch, Y, GHOST_COLOURS[k], [], 1.4);
      ctx.globalAlpha = 1;
    });
    ctx.restore();
    if (hasAccuracy) {
      line(hist.accuracy, hist.epoch, A, COLOURS.accuracy, []);
      line(hist.test_accuracy, hist.epoch, A, COLOURS.test_accuracy, [4, 3]);
    }
    line(hist.train_loss, hist.epoch, Y, COLOURS.train_loss, []);
    line(hist.test_loss, hist.epoch, Y, COLOURS.test_loss, [5, 4]);
  }

  canvas.addEventListener('mousemove', (e) => {
    if (!layout || !layout.n) return;
    const rect = canvas.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const { hist, n, X } = layout;
    let best = 0;
    for (let i = 0; i < n; i += 1) if (Math.abs(X(hist.epoch[i]) - px) < Math.abs(X(hist.epoch[best]) - px)) best = i;
    const parts = [`epoch ${hist.epoch[best]}`, `train loss ${fmt(hist.train_loss[best])}`];
    if (hist.test_loss[best] !== null) parts.push(`test loss ${fmt(hist.test_loss[best])}`);
    if (hist.accuracy[best] !== null) parts.push(`accuracy ${fmt(hist.accuracy[best] * 100, 3)}%`);
    if (hist.test_accuracy[best] !== null) parts.push(`test accuracy ${fmt(hist.test_accuracy[best] * 100, 3)}%`);
    for (const ev of state.events) if (ev.epoch === hist.epoch[best]) parts.push(ev.message);
    tooltip.textContent = parts.join('\n');
    tooltip.style.left = `${e.clientX + 14}px`;
    tooltip.style.top = `${e.clientY + 10}px`;
    tooltip.hidden = false;
  });
  canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
  on(['history', 'events', 'status', 'ghosts'], draw);
  new ResizeObserver(() => {  // the chart follows the window
    size = { w: canvas.clientWidth, h: canvas.clientHeight };
    touch('history');
  }).observe(canvas);
}

// A log axis's ends (log10) on labelled ticks, so a tick lies below and above every point:
// whole decades for a wide range (only decades are labelled then), else 1, 2, 5 × 10ⁿ.
export function logEnds(lo, hi) {
  if (hi - lo >= 2) return [Math.floor(lo + 1e-9), Math.ceil(hi - 1e-9)];
  const steps = (p) => [0, Math.log10(2), Math.log10(5)].map((m) => p + m);
  const marks = [...steps(Math.floor(lo) - 1), ...steps(Math.floor(lo)), ...steps(Math.floor(lo) + 1),
                 ...steps(Math.floor(hi)), ...steps(Math.floor(hi) + 1)];
  const below = Math.max(...marks.filter((m) => m <= lo + 1e-9));
  const above = Math.min(...marks.filter((m) => m >= hi - 1e-9));
  return [below, above > below ? above : below + Math.log10(2)];
}

// The epoch a lesson stage's Play pauses at (its file's `epochs`), or null.
function plannedEpochs(s) {
  const lesson = s.lesson && s.welcome.choices.lessons.find((l) => l.id === s.lesson.id);
  return (lesson && lesson.stages[s.lesson.stage].epochs) || null;
}

// The epochs on show: this run's, up to where its lesson stage pauses; earlier runs are cut to
// that (an early-stopped run of 40 epochs is not squeezed by a ghost of 3,500). Only with no
// epoch of its own yet does the axis span the earlier runs.
function epochRange(hist, ghosts, planned) {
  const own = hist.epoch.length ? hist.epoch : (planned ? [] : ghosts.flatMap((g) => g.epoch));
  const e0 = own.length ? Math.min(...own, 1) : 1;
  const e1 = Math.max(own.length ? Math.max(...own) : 0, planned || 0, e0 + 1);
  return [e0, e1];
}

// Round ticks and titles: "loss" on the left, "epoch" below, "accuracy" on the right.
function drawAxes(ctx, { w, h, pad, lo, hi, log, Y, A, X, e0, e1, hasAccuracy }) {
  ctx.fillStyle = '#667085';
  ctx.strokeStyle = '#eef0f3';
  ctx.textAlign = 'right';
  const ticks = log ? logTicks(lo, hi) : linearTicks(lo, hi);
  for (const v of ticks) {
    const y = Y(v);
    ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(w - pad.r, y); ctx.stroke();
    ctx.fillText(tickLabel(v), pad.l - 4, y + 4);
  }
  ctx.textAlign = 'center';
  for (const e of linearTicks(e0, e1, 4).filter((t) => Number.isInteger(t))) {
    ctx.fillText(`${e}`, X(e), h - pad.b + 13);
  }
  ctx.fillText('epoch', (pad.l + w - pad.r) / 2, h - 3);
  ctx.save();
  ctx.translate(11, (pad.t + h - pad.b) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(log ? 'loss (log scale)' : 'loss', 0, 0);
  ctx.restore();
  if (hasAccuracy) {
    ctx.textAlign = 'left';
    for (const k of [0, 0.5, 1]) ctx.fillText(`${100 * k}%`, w - pad.r + 4, A(k) + 4);
    ctx.save();
    ctx.translate(w - 6, (pad.t + h - pad.b) / 2);
    ctx.rotate(Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillStyle = '#009e73';
    ctx.fillText('accuracy', 0, 0);
    ctx.restore();
  }
  ctx.textAlign = 'start';
}

// Events (learning-rate change, divergence, plateau…) and the best epoch as vertical lines.
// A label goes right of its line, or left of it where it would run past the plot's edge.
function drawMarkers(ctx, s, { w, h, pad, X, e0, e1 }) {
  // On a white ground (a label over a curve of its own colour could not be read), in the
  // first row where it overlaps no label already placed ("pause" and "plateau" a few epochs
  // apart sat on one another).
  const placed = [];
  const label = (text, x, row) => {
    const width = ctx.measureText(text).width;
    const right = x + 3 + width > w - pad.r;
    const left = right ? x - 3 - width : x + 3;
    while (placed.some((p) => p.row === row && left < p.right + 4 && p.left < left + width + 4)) row += 1;
    placed.push({ row, left, right: left + width });
    const y = pad.t + 10 + 12 * row;
    const colour = ctx.fillStyle;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(left - 1, y - 9, width + 2, 12);
    ctx.fillStyle = colour;
    ctx.fillText(text, left, y);
  };
  for (const ev of s.events) {
    if (ev.epoch < e0) continue;
    const x = X(Math.min(ev.epoch, e1));
    ctx.strokeStyle = ev.kind === 'divergence' ? '#b35806' : '#999';
    ctx.setLineDash([2, 3]);
    ctx.beginPath(); ctx.moveTo(x, pad.t); ctx.lineTo(x, h - pad.b); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#667085';
    label(ev.kind.replace(/_/g, ' '), x, 0);
  }
  const best = s.status.best_epoch;
  if (best !== null && best !== undefined && best >= e0) {
    const x = X(Math.min(best, e1));
    ctx.strokeStyle = '#009e73';
    ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(x, pad.t); ctx.lineTo(x, h - pad.b); ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = '#009e73';
    label(`best epoch ${best}`, x, 1);
  }
}
