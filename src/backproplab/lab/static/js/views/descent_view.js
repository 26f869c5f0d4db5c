// Gradient descent mode: an optimizer (plain x ← x - lr·∇f(x), momentum, Adam…) on a function
// of one or two variables, with the engine's gradients (bp.explain.descend). The path is drawn
// step by step and a slider scrubs back through it; clicking the plot starts from there. A
// double well or Himmelblau's four minima show that where descent ends depends on where it
// starts. Compare learning rates (too small creeps, too large oscillates or diverges) or
// optimizers. A lesson sets `descentPreset` = {function, start, lr, optimizer, steps}: its path
// waits at its start until the student presses Play or Step (here or in the lesson panel, which
// asks through `descentAsk`), so the steps are watched, not found already taken. The summary
// and `descentDone` describe the step on show, so nothing tells the end before it is reached.
import { request } from '../socket.js';
import { on, state, update } from '../state.js';
import { CLASS_COLOURS, fmt } from '../palette.js';
import { drawPaths, drawSurface, frame } from './descent_plot.js';

const STEP_MS = 45;        // animation time per step, so 40 steps take under 2 s
const MOST_MS = 3000;      // and no path takes longer than this

export function mountDescent(root) {
  const { optimizers, compared_optimizers: compared, descent_functions: functions } = state.welcome.choices;
  const most = state.welcome.limits.MAX_DESCENT_STEPS;
  root.innerHTML = `<h2>Gradient descent <span class="function" data-role="descent-function"></span><span class="spacer"></span>
      <span class="hint" data-role="descent-hint">click the plot to start from that point</span></h2>
    <div class="row">
      <select data-action="function" aria-label="function">${Object.entries(functions).map(([v, f]) => `<option value="${v}">${f.name}</option>`).join('')}</select>
      <label>optimizer <select data-action="descent-optimizer">${optimizers.map((o) => `<option>${o}</option>`).join('')}</select></label>
      <label>learning rate <input type="range" data-action="descent-lr" min="-4" max="1" step="0.05"></label>
      <input type="number" data-role="descent-lr" step="any" min="${state.welcome.limits.MIN_LR}" max="${state.welcome.limits.MAX_LR}" aria-label="learning rate">
      <label>steps <input type="number" data-action="descent-steps" value="40" min="1" max="${most}"></label>
      <button class="primary" data-action="descend">Run</button>
      <button data-action="compare">Compare 4 learning rates</button>
      <button data-action="compare-optimizers">Compare optimizers</button>
    </div>
    <div class="plot-wrap"><canvas data-role="descent-plot" aria-label="the function and the descent path"></canvas></div>
    <div class="row step-row">
      <button class="primary" data-action="descent-play" title="take the path's steps one after another (from its start once it has ended)">▶ Play</button>
      <button data-action="descent-step-once" title="take one step of the path">Step</button>
      <label>step <input type="range" data-action="descent-step" min="0" max="0" value="0" aria-label="step of the path"></label>
      <output data-role="descent-step"></output>
    </div>
    <div class="muted summary" data-role="descent-summary"></div>`;
  const canvas = root.querySelector('canvas');
  const $ = (sel) => root.querySelector(sel);
  const fnSelect = $('[data-action="function"]');
  const optSelect = $('[data-action="descent-optimizer"]');
  const lrInput = $('[data-action="descent-lr"]');
  const lrTyped = $('[data-role="descent-lr"]');
  const stepsInput = $('[data-action="descent-steps"]');
  const slider = $('[data-action="descent-step"]');
  const summary = $('[data-role="descent-summary"]');
  let start = functions[fnSelect.value].start;
  let lrValue = functions[fnSelect.value].lr;
  let background = null;  // the drawn function, axes and minima for the current results and size
  let plotFrame = null;
  let animation = null;
  let shownStep = 0;

  const showLr = () => { lrInput.value = Math.log10(lrValue); lrTyped.value = lrValue; };
  const setDefaults = () => {
    const entry = functions[fnSelect.value];
    start = entry.start;
    lrValue = entry.lr;
    showLr();
  };
  setDefaults();
  lrInput.oninput = () => { lrValue = Number((10 ** lrInput.value).toPrecision(3)); lrTyped.value = lrValue; };
  lrTyped.onchange = () => {
    const v = parseFloat(lrTyped.value);
    if (Number.isFinite(v) && v > 0) { lrValue = v; lrInput.value = Math.log10(v); } else showLr();
  };

  // runs: [{ lr, optimizer }], one path each, drawn together and animated together.
  // held: draw the paths at their start and wait for Play or Step (a lesson's preset, the mode
  // just opened); else the student asked for this run, so it plays at once.
  async function run(runs, held = false) {
    const steps = Math.max(1, Math.min(most, parseInt(stepsInput.value, 10) || 40));
    stepsInput.value = steps;
    const results = [];
    for (const r of runs) {
      results.push(await request('descend', { function: fnSelect.value, start, steps, ...r }));
    }
    update({ descent: results, descentHeld: held });
  }
  const current = () => [{ lr: lrValue, optimizer: optSelect.value }];

  function size() {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
      background = null;
    }
    return [w, h, ratio];
  }

  function draw(k) {
    const results = state.descent;
    if (!results || !results.length) return;
    const [w, h, ratio] = size();
    if (!w || !h) return;
    const ctx = canvas.getContext('2d');
    if (!background || background.results !== results) {
      // Each path's plot is the function's box widened to hold it; the boxes are nested, so
      // the widest holds every path compared.
      const widest = results.reduce((a, r) => (r.extent[1] - r.extent[0] > a.extent[1] - a.extent[0] ? r : a));
      plotFrame = frame(widest, w, h);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, w, h);
      drawSurface(ctx, widest, plotFrame);
      background = { results, image: ctx.getImageData(0, 0, canvas.width, canvas.height) };
      const { left, top, width, height, x0, x1, y0, y1 } = plotFrame;
      canvas.dataset.frame = JSON.stringify({ left, top, width, height, x0, x1, y0, y1 });
    }
    ctx.putImageData(background.image, 0, 0);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawPaths(ctx, results, plotFrame, k);
    describeStep(results, k);
    summarise(results, k);
  }
  const lastStep = (results) => Math.max(...results.map((r) => r.path.points.length - 1));

  function describeStep(results, k) {
    const total = lastStep(results);
    shownStep = Math.min(k, total);
    if (state.descentDone !== (shownStep === total)) update({ descentDone: shownStep === total });
    slider.max = total;
    slider.value = k;
    $('[data-role="descent-step"]').textContent = `${Math.min(k, total)} / ${total}`;
    root.dataset.step = String(k);
  }

  // Play the paths from step `from` to their end.
  function animate(from = 0) {
    cancelAnimationFrame(animation);
    const results = state.descent;
    const total = lastStep(results);
    const duration = Math.min(MOST_MS, total * STEP_MS);
    const began = performance.now();
    root.dataset.animating = 'true';
    const tick = (now) => {
      const k = duration ? Math.min(total, from + Math.floor(((now - began) / duration) * total)) : total;
      draw(k);
      if (k < total) animation = requestAnimationFrame(tick);
      else root.dataset.animating = 'false';
    };
    animation = requestAnimationFrame(tick);
  }

  // Each run at step k, one line a run, whole at 1280 px: where it is, f and the gradient
  // there, and once it has ended, what kind of path it was.
  function summarise(results, k) {
    const list = (v) => (Array.isArray(v) ? `(${v.map((t) => fmt(t, 3)).join(', ')})` : fmt(v, 3));
    const lines = results.map((r, n) => {
      const line = document.createElement('div');
      line.style.color = CLASS_COLOURS[n % CLASS_COLOURS.length];
      const i = Math.min(k, r.path.points.length - 1);
      const oneD = r.extent.length === 2;
      const regime = i === r.path.points.length - 1 ? r.path.regime : 'on its way';
      line.textContent = `${r.path.optimizer.padEnd(9)}lr ${fmt(r.path.lr)}: ${regime.padEnd(11)} after ${i} step${i === 1 ? '' : 's'}: `
        + `${oneD ? 'x' : '(x₁, x₂)'} = ${list(r.path.points[i])}, f = ${fmt(r.path.values[i], 3)}, `
        + `${oneD ? 'f′(x)' : '∇f'} = ${list(r.path.grads[i])}`;
      return line;
    });
    $('[data-role="descent-function"]').textContent = results[0].label;
    summary.replaceChildren(...lines);
  }

  fnSelect.onchange = () => { setDefaults(); run(current()); };
  optSelect.onchange = () => run(current());
  $('[data-action="descend"]').onclick = () => run(current());
  $('[data-action="compare"]').onclick = () => {
    run([lrValue / 10, lrValue, lrValue * 5, lrValue * 12].map((v) => ({ lr: Number(Math.min(10, v).toPrecision(2)), optimizer: optSelect.value })));
  };
  $('[data-action="compare-optimizers"]').onclick = () => run(compared.map((optimizer) => ({ lr: lrValue, optimizer })));
  const play = () => {
    if (!state.descent) return;
    animate(shownStep >= lastStep(state.descent) ? 0 : shownStep);
  };
  const stepOnce = () => {
    if (!state.descent) return;
    cancelAnimationFrame(animation);
    root.dataset.animating = 'false';
    draw(Math.min(shownStep + 1, lastStep(state.descent)));
  };
  $('[data-action="descent-play"]').onclick = play;
  $('[data-action="descent-step-once"]').onclick = stepOnce;
  on(['descentAsk'], (s) => { if (s.descentAsk) (s.descentAsk.what === 'play' ? play : stepOnce)(); });
  slider.oninput = () => {
    cancelAnimationFrame(animation);
    root.dataset.animating = 'false';
    draw(Number(slider.value));
  };
  on(['descent'], (s) => {
    if (!s.descent) return;
    if (s.descentHeld) {
      cancelAnimationFrame(animation);
      root.dataset.animating = 'false';
      draw(0);
    } else animate();
  });
  on(['descentPreset'], (s) => {
    const p = s.descentPreset;
    if (!p) return;
    fnSelect.value = p.function;
    setDefaults();
    if (p.start) start = p.start;
    if (p.lr) { lrValue = p.lr; showLr(); }
    if (p.optimizer) optSelect.value = p.optimizer;
    if (p.steps) stepsInput.value = p.steps;
    run(current(), true);
  });
  canvas.addEventListener('click', (ev) => {
    if (!state.descent || !plotFrame) return;
    const rect = canvas.getBoundingClientRect();
    const [px, py] = [ev.clientX - rect.left, ev.clientY - rect.top];
    const f = plotFrame;
    if (px < f.left || px > f.left + f.width || py < f.top || py > f.top + f.height) return;
    const [x, y] = f.fromPixel(px, py);
    start = f.oneD ? [Number(x.toFixed(2))] : [Number(x.toFixed(2)), Number(y.toFixed(2))];
    run(state.descent.map((r) => ({ lr: r.path.lr, optimizer: r.path.optimizer })));
  });
  new ResizeObserver(() => { if (state.descent) draw(Number(slider.value)); }).observe(canvas);
  new MutationObserver(() => {  // shown: draw what a lesson may have computed meanwhile, or start
    if (root.hidden) return;
    if (state.descent) draw(shownStep); else run(current(), true);
  }).observe(root, { attributes: true, attributeFilter: ['hidden'] });
}
