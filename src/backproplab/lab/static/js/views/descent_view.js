// Gradient descent mode: an optimizer (plain x ← x - lr·∇f(x), momentum, Adam…) on f(x) = x²
// or a 2-D surface, with the engine's gradients (bp.explain.descend). Compare learning rates:
// too small creeps, right converges, too large oscillates or diverges; or compare optimizers
// at one learning rate in the narrow valley. Click the plot to start somewhere else.
import { request } from '../socket.js';
import { on, state, update } from '../state.js';
import { CLASS_COLOURS, fmt } from '../palette.js';

const W = 640;
const H = 420;

export function mountDescent(root) {
  const { optimizers, compared_optimizers: compared, descent_functions: functions } = state.welcome.choices;
  const FUNCTIONS = Object.entries(functions).map(([v, f]) => [v, f.name, f.start, f.lr]);
  root.innerHTML = `<h2>Gradient descent</h2>
    <div class="row">
      <select data-action="function">${FUNCTIONS.map(([v, l]) => `<option value="${v}">${l}</option>`).join('')}</select>
      <label>optimizer <select data-action="descent-optimizer">${optimizers.map((o) => `<option>${o}</option>`).join('')}</select></label>
      <label>learning rate <input type="range" data-action="descent-lr" min="-4" max="1" step="0.05"></label>
      <output data-role="descent-lr"></output>
      <label>steps <input type="number" data-action="descent-steps" value="40" min="1" max="${state.welcome.limits.MAX_DESCENT_STEPS}" style="width:60px"></label>
      <button class="primary" data-action="descend">Run</button>
      <button data-action="compare">Compare 4 learning rates</button>
      <button data-action="compare-optimizers">Compare optimizers</button>
    </div>
    <canvas width="${W}" height="${H}" data-role="descent-plot" style="width:${W}px;height:${H}px"></canvas>
    <div class="muted" data-role="descent-summary" style="white-space:pre;font-family:var(--mono)"></div>`;
  const canvas = root.querySelector('canvas');
  const ctx = canvas.getContext('2d');
  const fnSelect = root.querySelector('[data-action="function"]');
  const optSelect = root.querySelector('[data-action="descent-optimizer"]');
  const lrInput = root.querySelector('[data-action="descent-lr"]');
  const lrOut = root.querySelector('[data-role="descent-lr"]');
  const summary = root.querySelector('[data-role="descent-summary"]');
  let start = FUNCTIONS[0][2];

  const lr = () => Number((10 ** lrInput.value).toPrecision(3));
  const setDefaults = () => {
    const entry = FUNCTIONS.find((f) => f[0] === fnSelect.value);
    start = entry[2];
    lrInput.value = Math.log10(entry[3]);
    lrOut.textContent = lr();
  };
  setDefaults();
  lrInput.oninput = () => { lrOut.textContent = lr(); };

  // runs: [{ lr, optimizer }], one path each, drawn together.
  async function run(runs) {
    const most = state.welcome.limits.MAX_DESCENT_STEPS;
    const steps = Math.max(1, Math.min(most, parseInt(root.querySelector('[data-action="descent-steps"]').value, 10) || 40));
    const results = [];
    for (const r of runs) {
      results.push(await request('descend', { function: fnSelect.value, start, steps, ...r }));
    }
    update({ descent: results });
  }
  const current = () => [{ lr: lr(), optimizer: optSelect.value }];

  function draw(results) {
    const first = results[0];
    const e = first.extent;
    ctx.clearRect(0, 0, W, H);
    const oneD = e.length === 2;
    const [x0, x1] = e;
    let y0;
    let y1;
    if (oneD) { y0 = Math.min(...first.surface.ys); y1 = Math.max(...first.surface.ys); } else { [, , y0, y1] = e; }
    const X = (x) => 30 + ((x - x0) / (x1 - x0)) * (W - 60);
    const Y = (y) => H - 30 - ((y - y0) / (y1 - y0)) * (H - 60);
    if (oneD) {
      ctx.strokeStyle = '#999';
      ctx.beginPath();
      first.surface.xs.forEach((x, i) => (i ? ctx.lineTo(X(x), Y(first.surface.ys[i])) : ctx.moveTo(X(x), Y(first.surface.ys[i]))));
      ctx.stroke();
    } else {
      const n = first.surface.size;
      const values = Uint8Array.from(atob(first.surface.values), (c) => c.charCodeAt(0));
      const img = new ImageData(n, n);
      for (let k = 0; k < n * n; k += 1) {
        const v = values[k];
        const band = Math.floor(v / 16) % 2 ? 8 : 0;
        img.data.set([235 - v * 0.5 - band, 240 - v * 0.3 - band, 250 - band, 255], 4 * k);
      }
      const grid = document.createElement('canvas');
      grid.width = n; grid.height = n;
      grid.getContext('2d').putImageData(img, 0, 0);
      ctx.drawImage(grid, 30, 30, W - 60, H - 60);
    }
    const lines = [];
    ctx.save();
    ctx.beginPath();
    ctx.rect(30, 30, W - 60, H - 60);
    ctx.clip();
    results.forEach((r, k) => {
      const colour = CLASS_COLOURS[k];
      const pts = r.path.points.map((p, i) => (oneD ? [p, r.path.values[i]] : p));
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = 2;
      ctx.beginPath();
      pts.forEach(([x, y], i) => {
        const px = Math.max(-1e4, Math.min(1e4, X(x ?? 0)));
        const py = Math.max(-1e4, Math.min(1e4, Y(y ?? 0)));
        if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      });
      ctx.stroke();
      for (const [x, y] of pts) { ctx.beginPath(); ctx.arc(X(x ?? 0), Y(y ?? 0), 2.5, 0, 2 * Math.PI); ctx.fill(); }
      const end = r.path.values.at(-1);
      const line = document.createElement('div');
      line.style.color = colour;
      line.textContent = `${r.path.optimizer.padEnd(9)}lr ${fmt(r.path.lr)}: ${r.path.regime.padEnd(11)} f after ${r.path.values.length - 1} steps = ${fmt(end)}`;
      lines.push(line);
    });
    ctx.restore();
    summary.replaceChildren(first.label, ...lines);
  }

  fnSelect.onchange = () => { setDefaults(); run(current()); };
  optSelect.onchange = () => run(current());
  root.querySelector('[data-action="descend"]').onclick = () => run(current());
  root.querySelector('[data-action="compare"]').onclick = () => {
    const base = lr();
    run([base / 10, base, base * 5, base * 12].map((v) => ({ lr: Number(Math.min(10, v).toPrecision(2)), optimizer: optSelect.value })));
  };
  root.querySelector('[data-action="compare-optimizers"]').onclick = () => run(compared.map((optimizer) => ({ lr: lr(), optimizer })));
  on(['descent'], (s) => draw(s.descent));
  canvas.addEventListener('click', (ev) => {
    const last = state.descent;
    if (!last) return;
    const e = last[0].extent;
    const rect = canvas.getBoundingClientRect();
    const x = e[0] + ((ev.clientX - rect.left - 30) / (W - 60)) * (e[1] - e[0]);
    if (e.length === 2) start = [Number(x.toFixed(2))];
    else start = [Number(x.toFixed(2)), Number((e[2] + ((H - 30 - (ev.clientY - rect.top)) / (H - 60)) * (e[3] - e[2])).toFixed(2))];
    run(last.map((r) => ({ lr: r.path.lr, optimizer: r.path.optimizer })));
  });
  new MutationObserver(() => { if (!root.hidden && !state.descent) run(current()); }).observe(root, { attributes: true, attributeFilter: ['hidden'] });
}
