// Data space: the network's output as a light heatmap over a 100×100 grid (or a curve for 1-D
// data) inside x₁/x₂ axes, points coloured by class or value (train filled, test outlined,
// test hidden with its box unticked). A click predicts that point and shows its forward pass in
// the network; shift-click adds a training point of the chosen class. Hovering a neuron in the
// network shows that neuron's own map here instead, captioned. In the autoencoder mode: the
// 2-D code of every point (with its legend) and a few inputs with their reconstructions
// (code_plot.js).
import { request, send } from '../socket.js';
import { on, state, update } from '../state.js';
import { classRgb, diverging, fmt, rgb } from '../palette.js';
import { neuronName, paintNeuron, readNeurons } from '../neuron_maps.js';
import { drawAxes, PAD } from './data_space_axes.js';
import { base64Bytes } from '../float32s.js';
import { CODE_PLOT_SVG, mountCodePlot } from './code_plot.js';

const LIGHT = 0.45;     // how far the heatmap is mixed towards white, so points stand out

export function mountDataSpace(root) {
  root.innerHTML = `<h2>Data space <span class="spacer"></span>
      <label class="muted" title="show the test points (hollow)"><input type="checkbox" data-action="show-test" checked> test</label>
      <label class="muted"><input type="checkbox" data-action="discrete"> boundary</label></h2>
    <div class="stack">
      <canvas data-role="heat"></canvas>
      <canvas data-role="points" aria-label="data space: click to predict, shift-click to add a point"></canvas>
      ${CODE_PLOT_SVG}
      <div class="caption" data-role="space-caption" hidden></div>
    </div>
    <div class="legend"><span class="hint" data-role="hint">click: predict · shift-click: add</span>
      <select data-action="add-class" aria-label="class of an added point"></select><span class="muted" data-role="legend"></span></div>
    <div class="probe" data-role="probe"></div>
    <div class="digit-legend" data-role="code-legend" hidden></div>
    <div class="recon" data-role="recon" hidden></div>`;
  const stack = root.querySelector('.stack');
  const heatCanvas = root.querySelector('[data-role="heat"]');
  const heat = heatCanvas.getContext('2d');
  const canvas = root.querySelector('[data-role="points"]');
  const ctx = canvas.getContext('2d');
  const grid = document.createElement('canvas');
  const caption = root.querySelector('[data-role="space-caption"]');
  const probeBox = root.querySelector('[data-role="probe"]');
  const classSelect = root.querySelector('[data-action="add-class"]');
  classSelect.onchange = () => { state.view.addClass = Number(classSelect.value); };
  const boundary = root.querySelector('[data-action="discrete"]');
  boundary.onchange = () => {
    state.view.discrete = boundary.checked;
    update({ space: state.space });
  };
  const showTest = root.querySelector('[data-action="show-test"]');
  showTest.onchange = () => {
    state.view.showTest = showTest.checked;
    update({ data: state.data });
  };

  // Both canvases are drawn at the size they are shown (times the pixel ratio), in CSS pixels.
  let W = 360;  // until the first resize
  let H = 300;
  function resize() {
    W = Math.max(60, stack.clientWidth);
    H = Math.max(50, stack.clientHeight);
    const dpr = window.devicePixelRatio || 1;
    for (const [c, g] of [[heatCanvas, heat], [canvas, ctx]]) {
      c.width = Math.round(W * dpr);
      c.height = Math.round(H * dpr);
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
    }
  }
  const plot = () => ({ x: PAD.left, y: PAD.top, w: W - PAD.left - PAD.right, h: H - PAD.top - PAD.bottom });
  const extent = () => state.space?.extent || state.data?.extent || [0, 1, 0, 1];
  const toPx = ([x, y]) => {
    const [x0, x1, y0, y1] = extent();
    const p = plot();
    return [p.x + ((x - x0) / (x1 - x0)) * p.w, p.y + ((y1 - y) / (y1 - y0)) * p.h];
  };
  const fromPx = (px, py) => {
    const [x0, x1, y0, y1] = extent();
    const p = plot();
    return [x0 + ((px - p.x) / p.w) * (x1 - x0), y1 - ((py - p.y) / p.h) * (y1 - y0)];
  };

  // The neuron hovered in the network, when it has a map to show here.
  function shownNeuron(s) {
    const v = s.neuronView;
    const maps = readNeurons(s.neurons, s.structure);
    if (!v || !maps || !maps.layers[v.layer] || maps.kind === 'samples') return null;
    return { ...v, maps };
  }

  // A canvas given its own size again is cleared and made anew: only a new size is set.
  function gridSize(n) {
    if (grid.width !== n) grid.width = n;
    if (grid.height !== n) grid.height = n;
  }

  function drawHeat(s) {
    heat.clearRect(0, 0, W, H);
    const space = s.space;
    if (!space || s.config?.mode === 'autoencoder') return;
    const neuron = shownNeuron(s);
    if (neuron?.maps.kind === 'grid') {
      const n = neuron.maps.size;
      gridSize(n);
      const g = grid.getContext('2d');
      g.putImageData(paintNeuron(g.createImageData(n, n), neuron.maps, neuron.layer, neuron.index, LIGHT), 0, 0);
      heat.imageSmoothingEnabled = true;
    } else if (space.kind !== 'curve') {
      paintOutput(space);
      heat.imageSmoothingEnabled = !state.view.discrete;
    } else return;
    const p = plot();
    heat.drawImage(grid, p.x, p.y, p.w, p.h);
  }

  // Each cell is one byte (and a class), so its colour is looked up in a table of the 256
  // (× classes) colours, made once per drawing, instead of computed for 10,000 cells.
  function paintOutput(space) {
    const n = space.size;
    gridSize(n);
    const g = grid.getContext('2d');
    const img = g.createImageData(n, n);
    const values = base64Bytes(space.values);
    const classes = space.classes ? base64Bytes(space.classes) : null;
    const tables = new Map();
    const tableFor = (k) => {
      if (!tables.has(k)) tables.set(k, colourTable(space, k));
      return tables.get(k);
    };
    for (let k = 0; k < n * n; k += 1) {
      const table = tableFor(classes ? classes[k] : 0);
      const at = 3 * values[k];
      img.data[4 * k] = table[at];
      img.data[4 * k + 1] = table[at + 1];
      img.data[4 * k + 2] = table[at + 2];
      img.data[4 * k + 3] = 255;
    }
    g.putImageData(img, 0, 0);
  }

  // The colour of each byte value v/255 of the output (of class k's probability, multiclass).
  function colourTable(space, k) {
    const table = new Uint8ClampedArray(256 * 3);
    const base = space.classes ? classRgb(k) : null;
    for (let b = 0; b < 256; b += 1) {
      const v = b / 255;
      let c;
      if (base) {
        const a = state.view.discrete ? 0.4 : 0.1 + 0.4 * Math.max(0, (v - 0.34) / 0.66);
        c = base.map((x) => Math.round(255 + (x - 255) * a));
      } else {
        const t = state.view.discrete && space.kind === 'binary' ? (v >= 0.5 ? 0.6 : -0.6) : 2 * v - 1;
        c = diverging(t).map((x) => Math.round(x + (255 - x) * LIGHT));
      }
      table.set(c, 3 * b);
    }
    return table;
  }

  function colourOf(y) {
    const task = state.structure?.task;
    if (task === 'binary') return rgb(diverging(y > 0.5 ? 1 : -1).map((v) => v * 0.8));
    if (task === 'multiclass') return rgb(classRgb(y));
    const range = state.space?.range;
    if (range && state.data.x[0]?.length === 2) {  // a 2-D regression: the value's colour
      const t = range[1] > range[0] ? (2 * (y - range[0])) / (range[1] - range[0]) - 1 : 0;
      return rgb(diverging(t).map((v) => v * 0.85));
    }
    return '#333';
  }

  function curve(xs, ys, colour, width) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.beginPath();
    xs.forEach((x, i) => {
      const [px, py] = toPx([x, ys[i] ?? 0]);
      if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    });
    ctx.stroke();
  }

  function drawPoints(s) {
    ctx.clearRect(0, 0, W, H);
    if (!s.data || s.config?.mode === 'autoencoder') return;
    const oneD = s.data.x[0]?.length === 1;
    const p = plot();
    ctx.save();
    ctx.beginPath();
    ctx.rect(p.x, p.y, p.w, p.h);
    ctx.clip();
    const neuron = shownNeuron(s);
    if (oneD && s.space?.kind === 'curve') {
      curve(s.space.xs, s.space.ys, neuron ? '#2166ac66' : '#2166ac', 2);
      if (neuron?.maps.kind === 'curve') {
        const ys = neuron.maps.xs.map((_, k) => neuron.maps.value(neuron.layer, neuron.index, k));
        curve(neuron.maps.xs, ys, '#b35806', 2.5);
      }
    }
    s.data.x.forEach((x, i) => {
      if (s.data.test[i] && !state.view.showTest) return;
      const [px, py] = toPx(oneD ? [x[0], s.data.y[i]] : x);
      ctx.beginPath();
      ctx.arc(px, py, i === s.selected?.index ? 6 : 4, 0, 2 * Math.PI);
      const colour = colourOf(s.data.y[i]);
      ctx.lineWidth = i === s.selected?.index ? 3 : 1.5;
      if (s.data.test[i]) { ctx.strokeStyle = colour; ctx.fillStyle = '#fff'; ctx.fill(); ctx.stroke(); }
      else { ctx.fillStyle = colour; ctx.strokeStyle = i === s.selected?.index ? '#000' : '#fff'; ctx.fill(); ctx.stroke(); }
    });
    if (s.probe && s.probe.x.length === 2) {
      const [px, py] = toPx(s.probe.x);
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(px - 7, py); ctx.lineTo(px + 7, py); ctx.moveTo(px, py - 7); ctx.lineTo(px, py + 7);
      ctx.stroke();
    }
    ctx.restore();
    const names = oneD ? ['x', 'y'] : ['x₁', 'x₂'];
    const drawnTicks = drawAxes(ctx, p, extent(), names);
    Object.assign(canvas.dataset, { xTicks: drawnTicks.x.join(' '), yTicks: drawnTicks.y.join(' '),
                                    axes: names.join(' ') });
  }

  function drawCaption(s) {
    const neuron = shownNeuron(s);
    caption.hidden = !neuron;
    if (neuron) caption.textContent = neuronName(s.structure, neuron.layer, neuron.index);
  }

  canvas.addEventListener('click', async (e) => {
    if (!state.data || state.config.mode === 'autoencoder') return;
    const rect = canvas.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const py = e.clientY - rect.top;
    const p = plot();
    if (px < p.x || px > p.x + p.w || py < p.y || py > p.y + p.h) return;  // on an axis
    const [x, y] = fromPx(px, py);
    const oneD = state.data.x[0]?.length === 1;
    const round = (v) => Math.round(v * 1000) / 1000;
    if (e.shiftKey) {
      const target = oneD ? round(y) : state.view.addClass;
      send('add_row', { x: oneD ? [round(x)] : [round(x), round(y)], y: target });
      return;
    }
    const point = oneD ? [round(x)] : [round(x), round(y)];
    try {
      const result = await request('predict', { x: point });
      update({ probe: result });
      probeBox.textContent = `f(${point.map((v) => fmt(v, 3)).join(', ')}) = ${result.output.map((v) => fmt(v)).join(', ')}` +
        '  — forward pass shown in the network; click a row to go back';
    } catch (err) { probeBox.textContent = err.message; }
  });

  const drawAutoencoder = mountCodePlot(root, () => { heat.clearRect(0, 0, W, H); ctx.clearRect(0, 0, W, H); },
                                        () => ({ w: W, h: H }));
  const redraw = (s) => {
    if (s.config?.mode === 'autoencoder') { if (s.autoencoder) drawAutoencoder(s); return; }
    drawHeat(s);
    drawPoints(s);
  };
  new ResizeObserver(() => {
    if (stack.clientWidth === W && stack.clientHeight === H) return;
    resize();
    redraw(state);
  }).observe(stack);
  resize();
  on(['space', 'neuronView', 'neurons'], (s) => { if (s.config?.mode !== 'autoencoder') drawHeat(s); });
  // The points are redrawn only when what they show changed: a frame's new `selected` (the
  // same row, new weights) or new heatmap leaves 2,000 points as they were. A 1-D network's
  // curve is drawn with them, so there every new output counts.
  let drawn = [];
  on(['data', 'space', 'selected', 'probe', 'structure', 'neuronView', 'neurons'], (s) => {
    if (s.config?.mode === 'autoencoder') return;
    const oneD = s.data?.x[0]?.length === 1;
    const key = [s.data, s.selected?.index, s.probe, s.structure, state.view.showTest, W, H,
                 ...extent(), String(s.space?.range), oneD && s.space, oneD && s.neurons,
                 oneD && s.neuronView];
    if (key.length === drawn.length && key.every((v, k) => v === drawn[k])) return;
    drawn = key;
    drawPoints(s);
  });
  on(['neuronView', 'structure'], drawCaption);
  on(['autoencoder', 'config'], (s) => drawAutoencoder(s.config?.mode === 'autoencoder' ? s : { autoencoder: null }));
  on(['structure'], (s) => {
    const st = s.structure;
    const n = st.task === 'multiclass' ? st.n_classes : 2;
    classSelect.innerHTML = Array.from({ length: n }, (_, k) => `<option value="${k}">${k}</option>`).join('');
    state.view.addClass = Math.min(state.view.addClass, n - 1);
    classSelect.value = state.view.addClass;
    const regression = st.task === 'regression';
    classSelect.disabled = regression || !st.editable;

    // Only a classifier's heatmap has a decision boundary to draw; elsewhere the box is kept
    // in its place (nothing moves) but disabled, unticked, and says why.
    const classifier = st.task === 'binary' || st.task === 'multiclass';
    boundary.disabled = !classifier;
    showTest.disabled = st.task === 'autoencoder';  // the code plot does not tell them apart
    boundary.checked = classifier && state.view.discrete;
    boundary.parentElement.title = classifier ? ''
      : st.task === 'autoencoder' ? 'an autoencoder\'s data space shows codes, not a decision boundary'
        : 'a regression has no decision boundary to draw';
    const dot = (c) => `<i class="dot" style="background:${c}"></i>`;
    root.querySelector('[data-role="legend"]').innerHTML =
      st.task === 'binary' ? `${dot(colourOf(0))}0 ${dot(colourOf(1))}1 <i class="dot hollow"></i>test`
        : regression && st.feature_names.length === 2 ? 'colour = value: orange low, blue high'
          : regression ? 'points: data; line: the network' : '<i class="dot hollow"></i>test';
    probeBox.textContent = '';
  });
}
