// Error history: train and test loss per epoch (log scale or linear), accuracy for
// classification on a 0–100 % axis, markers for events (learning-rate change, divergence…);
// hovering shows the values of the nearest epoch.
import { on, state, touch } from '../state.js';
import { fmt } from '../palette.js';

const COLOURS = { train_loss: '#2166ac', test_loss: '#d6604d', accuracy: '#009e73', test_accuracy: '#009e73' };

export function mountHistory(root) {
  root.innerHTML = `<h2>Error history <span class="spacer"></span>
    <label class="muted"><input type="checkbox" data-action="log-scale" checked> log scale</label></h2>
    <canvas data-role="chart" aria-label="loss per epoch"></canvas>
    <div class="legend muted">
      <span style="color:${COLOURS.train_loss}">━ train loss</span> ·
      <span style="color:${COLOURS.test_loss}">┅ test loss</span> ·
      <span style="color:${COLOURS.accuracy}">━ accuracy (right axis)</span> ·
      <span>│ events</span></div>`;
  const canvas = root.querySelector('canvas');
  const tooltip = document.querySelector('[data-role="tooltip"]');
  root.querySelector('[data-action="log-scale"]').onchange = (e) => {
    state.view.logScale = e.target.checked;
    touch('history');
  };
  let layout = null;

  function draw(s) {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== w * ratio || canvas.height !== h * ratio) { canvas.width = w * ratio; canvas.height = h * ratio; }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const hist = s.history;
    const n = hist.epoch.length;
    const pad = { l: 52, r: 40, t: 8, b: 22 };
    const losses = [...hist.train_loss, ...hist.test_loss].filter((v) => v !== null && v > 0);
    ctx.strokeStyle = '#d9dee5';
    ctx.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
    ctx.fillStyle = '#667085';
    ctx.font = '11px system-ui';
    if (!n || !losses.length) {
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
    if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
    const e0 = hist.epoch[0];
    const e1 = Math.max(hist.epoch[n - 1], e0 + 1);
    const X = (e) => pad.l + ((e - e0) / (e1 - e0)) * (w - pad.l - pad.r);
    const Y = (v) => pad.t + (1 - (f(v) - lo) / (hi - lo)) * (h - pad.t - pad.b);
    const A = (v) => pad.t + (1 - v) * (h - pad.t - pad.b);
    layout = { X, n, hist };
    for (let k = 0; k <= 4; k += 1) {
      const v = lo + ((hi - lo) * k) / 4;
      const y = pad.t + (1 - k / 4) * (h - pad.t - pad.b);
      ctx.fillText(fmt(log ? 10 ** v : v, 2), 4, y + 4);
      ctx.fillText(`${25 * k}%`, w - pad.r + 4, y + 4);
    }
    ctx.fillText(`epoch ${hist.epoch[n - 1]}`, w - pad.r - 70, h - 6);
    ctx.fillText(`${e0}`, pad.l, h - 6);
    for (const ev of s.events) {
      if (ev.epoch < e0) continue;
      const x = X(Math.min(ev.epoch, e1));
      ctx.strokeStyle = ev.kind === 'divergence' ? '#b35806' : '#999';
      ctx.setLineDash([2, 3]);
      ctx.beginPath(); ctx.moveTo(x, pad.t); ctx.lineTo(x, h - pad.b); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#667085';
      ctx.fillText(ev.kind === 'lr' ? 'lr' : ev.kind, x + 2, pad.t + 10);
    }
    const line = (key, scale, dash) => {
      ctx.strokeStyle = COLOURS[key];
      ctx.lineWidth = 1.6;
      ctx.setLineDash(dash);
      ctx.beginPath();
      let started = false;
      const step = Math.max(1, Math.floor(n / 1200));
      for (let i = 0; i < n; i += step) {
        const v = hist[key][i];
        if (v === null || v === undefined || (scale === Y && log && v <= 0)) { started = false; continue; }
        const x = X(hist.epoch[i]);
        const y = scale(v);
        if (started) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        started = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (n <= 30) {
        ctx.fillStyle = COLOURS[key];
        for (let i = 0; i < n; i += 1) {
          const v = hist[key][i];
          if (v === null || v === undefined || (scale === Y && log && v <= 0)) continue;
          ctx.beginPath(); ctx.arc(X(hist.epoch[i]), scale(v), 2.5, 0, 2 * Math.PI); ctx.fill();
        }
      }
    };
    line('accuracy', A, []);
    line('test_accuracy', A, [4, 3]);
    line('train_loss', Y, []);
    line('test_loss', Y, [5, 4]);
  }

  canvas.addEventListener('mousemove', (e) => {
    if (!layout) return;
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
  on(['history', 'events'], draw);
  new ResizeObserver(() => touch('history')).observe(canvas);  // the chart follows the window
}
