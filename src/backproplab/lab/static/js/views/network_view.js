// Network: every neuron draws what it has learned (its own map from the server: its output
// over the data space, its curve over x, or its outputs on an autoencoder's samples), its
// border is its bias (colour = sign, width = size); connections are drawn on one canvas
// (colour = sign, thickness = |w|) so 6 layers of 32 stay cheap. Hover a connection for w,
// ∂L/∂w and its last update, click it to edit w; hover or focus a neuron to see its map at
// full size in the data space and its b, ∂L/∂b and last update; click it to edit b. A single
// step animates the forward flow then the backward flow.
import { request, send } from '../socket.js';
import { on, state, update } from '../state.js';
import { fmt } from '../palette.js';
import { shortest } from '../float32s.js';
import { neuronName, paintNeuron, readNeurons, tone } from '../neuron_maps.js';
import { columnValues, deltaLine, describeNeuron, source } from './neuron_card.js';
import { connectionsCanvas } from './connections.js';
import { layout } from './network_layout.js';

export function mountNetwork(root) {
  root.innerHTML = `<h2>Network <span class="spacer"></span><span class="muted shape" data-role="shape"></span></h2>
    <div class="net-stage" data-role="stage">
      <canvas data-role="links" aria-label="network diagram: hover a connection for its weight, click to edit it"></canvas>
      <canvas data-role="maps" aria-hidden="true"></canvas>
      <div data-role="titles"></div><div data-role="nodes"></div>
    </div>
    <div class="neuron-info" data-role="neuron-info" hidden></div>`;
  const stage = root.querySelector('[data-role="stage"]');
  const canvas = root.querySelector('[data-role="links"]');
  const ctx = canvas.getContext('2d');
  // Every neuron's map is drawn on one canvas under the neurons' (transparent, bordered)
  // elements: one canvas instead of 193 keeps the page's compositing cheap.
  const mapsCanvas = root.querySelector('[data-role="maps"]');
  const mapsCtx = mapsCanvas.getContext('2d');
  const scratch = document.createElement('canvas');
  const nodesBox = root.querySelector('[data-role="nodes"]');
  const titles = root.querySelector('[data-role="titles"]');
  const tooltip = document.querySelector('[data-role="tooltip"]');
  const info = root.querySelector('[data-role="neuron-info"]');
  let geo = null;      // the layout: node size, each column's x and its neurons' y
  let nodes = [];      // [column][j] -> {el, canvas, img, val}
  let openNeuron = null;
  let pulse = null;    // the layer whose connections flash during the step animation
  let W = 0;
  let H = 0;

  function build(structure) {
    W = stage.clientWidth;
    H = stage.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    for (const [c, g] of [[canvas, ctx], [mapsCanvas, mapsCtx]]) {
      c.width = Math.round(W * dpr);
      c.height = Math.round(H * dpr);
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
    }
    geo = layout(structure, W, H);
    nodesBox.replaceChildren();
    nodes = geo.cols.map((col, c) => col.ys.map((y, j) => {
      const el = document.createElement('div');
      el.className = c === 0 ? 'neuron input' : 'neuron';
      el.dataset.neuron = `${c}:${j}`;
      el.tabIndex = 0;
      Object.assign(el.style, { left: `${col.x - geo.s / 2}px`, top: `${y - geo.s / 2}px`,
                                width: `${geo.s}px`, height: `${geo.s}px` });
      el.setAttribute('aria-label', neuronName(structure, c, j));
      const val = document.createElement('span');
      val.className = 'val';
      val.dataset.valueOf = `${c}:${j}`;
      val.hidden = !geo.showValues;
      Object.assign(val.style, { left: `${col.x - 30}px`, top: `${y + geo.s / 2}px` });
      nodesBox.append(el, val);
      if (c === 0 && geo.inputNames) {
        const name = document.createElement('span');
        name.className = 'input-name';
        name.textContent = structure.input_names?.[j] ?? `x${j + 1}`;
        Object.assign(name.style, { right: `${W - col.x + geo.s / 2 + 3}px`, top: `${y - 7}px` });
        nodesBox.append(name);
      }
      return { el, val, x: col.x - geo.s / 2, y: y - geo.s / 2 };
    }));
    titles.replaceChildren(...geo.titles.map((t) => {
      const span = document.createElement('span');
      span.className = `col-title${t.group ? ' col-group' : ''}`;
      span.textContent = t.text;
      span.title = t.title || t.text;
      Object.assign(span.style, { left: `${t.x - t.width / 2}px`, width: `${t.width}px`, top: `${t.y}px` });
      return span;
    }));
    const shape = root.querySelector('[data-role="shape"]');
    // Each part whole on its line: a narrow panel wraps the line between parts, never cuts it.
    shape.replaceChildren(...describe(structure).flatMap((part, k) => {
      const el = document.createElement('span');
      el.textContent = part;
      return k ? [' · ', el] : [el];
    }));
  }

  // ----- connections ---------------------------------------------------------------------------
  const links = connectionsCanvas(ctx);
  const drawLinks = () => links.draw(state.network, geo, W, H, state.highlight, pulse);
  const linkAt = (x, y) => links.at(state.network, geo, x, y);

  // ----- neurons -------------------------------------------------------------------------------
  // Every map is painted into one image, a neuron under the other (one upload instead of one
  // a neuron), then each is scaled into its box from there.
  function drawMaps() {
    const maps = readNeurons(state.neurons, state.structure);
    if (!maps || !nodes.length) return;
    mapsCtx.clearRect(0, 0, W, H);
    const drawn = [];
    nodes.forEach((column, l) => column.forEach((node, i) => {
      if (maps.layers[l] && i < maps.layers[l].lo.length) drawn.push([node, l, i]);
    }));
    if (maps.kind === 'curve') { for (const [node, l, i] of drawn) drawCurve(node, maps, l, i); return; }
    const [w, h] = maps.kind === 'grid' ? [maps.size, maps.size] : [maps.cells, 1];
    if (!drawn.length) return;
    if (scratch.width !== w || scratch.height !== h * drawn.length) {
      scratch.width = w;
      scratch.height = h * drawn.length;
    }
    const g = scratch.getContext('2d');
    const img = g.createImageData(w, h * drawn.length);
    drawn.forEach(([, l, i], k) => paintNeuron(img, maps, l, i, 0, k * maps.cells));
    g.putImageData(img, 0, 0);
    mapsCtx.imageSmoothingEnabled = maps.kind === 'grid';
    drawn.forEach(([node], k) => mapsCtx.drawImage(scratch, 0, k * h, w, h, node.x, node.y, geo.s, geo.s));
  }

  // A neuron of a 1-D network: its output over x as a line (zero, or 0.5 for a probability,
  // at mid height), in its box.
  function drawCurve(node, maps, l, i) {
    const side = geo.s;
    const g = mapsCtx;
    const layer = maps.layers[l];
    g.fillStyle = '#fff';
    g.fillRect(node.x, node.y, side, side);
    g.strokeStyle = '#c8ced6';
    g.lineWidth = 1;
    g.beginPath(); g.moveTo(node.x, node.y + side / 2); g.lineTo(node.x + side, node.y + side / 2); g.stroke();
    g.strokeStyle = '#2166ac';
    g.lineWidth = Math.max(1, side / 24);
    g.beginPath();
    for (let k = 0; k < maps.cells; k += 1) {
      const t = Math.max(-1, Math.min(1, tone(layer, maps.value(l, i, k))));
      const px = node.x + (k / (maps.cells - 1)) * side;
      const py = node.y + side / 2 - t * (side / 2 - 1);
      if (k) g.lineTo(px, py); else g.moveTo(px, py);
    }
    g.stroke();
  }

  function drawBiases(net) {
    if (!net || !nodes.length) return;
    let maxAbs = 1e-9;
    for (const layer of net.weights) for (const b of layer.b) maxAbs = Math.max(maxAbs, Math.abs(b));
    net.weights.forEach((layer, l) => layer.b.forEach((b, j) => {
      const node = nodes[l + 1]?.[j];
      if (!node) return;
      const width = geo.s < 10 ? 1 : 1 + Math.round((Math.abs(b) / maxAbs) * 2.5);
      const sign = b >= 0 ? 'positive' : 'negative';
      if (node.bias === `${sign}:${width}`) return;  // a style written is a layout to redo
      node.bias = `${sign}:${width}`;
      node.el.style.borderColor = b >= 0 ? '#2166ac' : '#d6604d';
      node.el.style.borderWidth = `${width}px`;
      node.el.dataset.bias = sign;
    }));
  }

  function drawValues(s) {
    const src = source(s);
    if (!src || !nodes.length || !geo.showValues) return;
    columnValues(src).forEach((values, c) => values.forEach((v, j) => {
      const node = nodes[c]?.[j];
      if (node) node.val.textContent = fmt(v, 2);
    }));
  }

  // The card sits in the corner of the panel where it covers the fewest neurons, never the
  // one it describes.
  function placeInfo(c, j) {
    const [w, h] = [info.offsetWidth, info.offsetHeight];
    const [dx, dy] = [stage.offsetLeft, stage.offsetTop];
    const [rw, rh] = [root.clientWidth, root.clientHeight];
    const covered = (x, y) => {
      const hits = (n) => n.x + dx < x + w && x < n.x + dx + geo.s && n.y + dy < y + h && y < n.y + dy + geo.s;
      return hits(nodes[c][j]) ? Infinity : nodes.flat().filter(hits).length;
    };
    const corners = [[rw - 10 - w, 30], [10, 30], [rw - 10 - w, rh - 10 - h], [10, rh - 10 - h]];
    const [x, y] = corners.reduce((a, b) => (covered(...b) < covered(...a) ? b : a));
    Object.assign(info.style, { left: `${x}px`, top: `${y}px`, right: 'auto' });
  }

  // The pinned card: its lines follow every frame; its bias editor is kept while it is used.
  function showNeuron(c, j) {
    const again = openNeuron && openNeuron[0] === c && openNeuron[1] === j;
    openNeuron = [c, j];
    for (const col of nodes) for (const n of col) n.el.classList.toggle('on', n === nodes[c][j]);
    const lines = describeNeuron(state, c, j);
    if (c > 0) lines.push(deltaLine(state, c, j));
    info.hidden = false;
    if (!again) {
      info.innerHTML = `<div data-role="neuron-lines"></div>${c > 0
        ? '<label>b = <input type="number" step="0.1" data-role="bias-editor"></label> ' : ''}` +
        '<button data-action="close-neuron">close</button>';
      const editor = info.querySelector('[data-role="bias-editor"]');
      if (editor) {
        editor.setAttribute('aria-label', `bias of ${lines[0]}`);
        editor.onkeydown = (e) => {
          const value = parseFloat(editor.value);
          if (e.key === 'Enter' && Number.isFinite(value)) send('set_weight', { layer: c - 1, row: j, col: null, value });
        };
      }
    }
    info.querySelector('[data-role="neuron-lines"]').innerHTML = lines.map((t) => `<div>${t}</div>`).join('');
    if (!again) placeInfo(c, j);
    const editor = info.querySelector('[data-role="bias-editor"]');
    if (editor && document.activeElement !== editor) editor.value = shortest(state.network.weights[c - 1].b[j]);
  }

  const neuronOf = (el) => el?.closest?.('.neuron');
  // The hover card goes beside the pointer, on whichever side keeps it off the pinned card.
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const place = (e) => {
    tooltip.hidden = false;
    const { width, height } = tooltip.getBoundingClientRect();
    const card = info.hidden ? null : info.getBoundingClientRect();
    const spots = [[e.clientX + 14, e.clientY + 10], [e.clientX - 14 - width, e.clientY + 10],
                   [e.clientX + 14, e.clientY - 10 - height], [e.clientX - 14 - width, e.clientY - 10 - height]];
    const free = spots.find(([x, y]) => !card || !overlaps({ left: x, top: y, right: x + width, bottom: y + height }, card));
    const [x, y] = free ?? spots[0];
    tooltip.style.left = `${x}px`;
    tooltip.style.top = `${y}px`;
  };
  function enterNeuron(el, e) {
    const [c, j] = el.dataset.neuron.split(':').map(Number);
    update({ neuronView: { layer: c, index: j } });
    if (!e || (openNeuron && openNeuron[0] === c && openNeuron[1] === j)) return;  // pinned: said
    tooltip.textContent = [...describeNeuron(state, c, j), c ? '(click to edit b)' : ''].join('\n').trim();
    place(e);
  }
  function leaveNeuron() {
    tooltip.hidden = true;
    if (state.neuronView) update({ neuronView: null });
  }
  nodesBox.addEventListener('mouseover', (e) => {
    const el = neuronOf(e.target);
    if (el && !el.contains(e.relatedTarget)) enterNeuron(el, e);
  });
  nodesBox.addEventListener('mouseout', (e) => {
    const el = neuronOf(e.target);
    if (el && !el.contains(e.relatedTarget)) leaveNeuron();
  });
  nodesBox.addEventListener('focusin', (e) => { const el = neuronOf(e.target); if (el) enterNeuron(el); });
  nodesBox.addEventListener('focusout', leaveNeuron);
  nodesBox.addEventListener('click', (e) => {
    const el = neuronOf(e.target);
    if (!el) return;
    tooltip.hidden = true;  // the pinned card says it all
    showNeuron(...el.dataset.neuron.split(':').map(Number));
    if (!state.trace && !state.status.playing && state.selected) {
      request('trace', { index: state.selected.index })
        .then((r) => update({ trace: r.trace })).catch(() => {});
    }
  });
  const stagePoint = (e) => {
    const rect = stage.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  };
  canvas.addEventListener('mousemove', (e) => {
    const link = linkAt(...stagePoint(e));
    canvas.style.cursor = link ? 'pointer' : '';
    if (!link) { tooltip.hidden = true; return; }
    const { layer, row, col } = link;
    const net = state.network;
    const from = neuronName(state.structure, layer, col);
    const to = neuronName(state.structure, layer + 1, row);
    tooltip.textContent = `w: ${from} → ${to}\nw = ${fmt(net.weights[layer].w[row][col])}\n` +
      `∂L/∂w = ${fmt(net.grads?.[layer].w[row][col])}\nlast update Δw = ${fmt(net.updates?.[layer].w[row][col])}\n(click to edit)`;
    place(e);
  });
  canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
  canvas.addEventListener('click', (e) => {
    const link = linkAt(...stagePoint(e));
    if (link) editWeight(root, link, e);
  });
  function closeInfo() {
    info.hidden = true;
    openNeuron = null;
    for (const col of nodes) for (const n of col) n.el.classList.remove('on');
  }
  info.addEventListener('click', (e) => { if (e.target.dataset.action === 'close-neuron') closeInfo(); });
  // Another dataset or network: the card's neuron is not the one it named, so it closes.
  let shownNetwork = null;
  on(['structure', 'config'], (s) => {
    const key = JSON.stringify([s.structure?.sizes, s.structure?.input_names, s.config?.dataset, s.config?.mode]);
    if (shownNetwork !== null && key !== shownNetwork) { closeInfo(); tooltip.hidden = true; }
    shownNetwork = key;
  });

  // One forward-then-backward sweep over the layers (about 0.16 s a layer each way) after a
  // single step; never while training plays, and a new step restarts it. The canvas says which
  // layer flashes in data-pulse.
  let timers = [];
  function setPulse(l) {
    pulse = l;
    canvas.dataset.pulse = l === null ? '' : String(l);
    drawLinks();
  }
  function animate() {
    for (const t of timers) clearTimeout(t);
    setPulse(null);
    if (state.status.playing || !state.network) return;
    const layers = state.network.weights.length;
    const steps = [];
    for (let l = 0; l < layers; l += 1) steps.push(l);
    for (let l = layers - 1; l >= 0; l -= 1) steps.push(l);
    timers = steps.flatMap((l, k) => [setTimeout(() => setPulse(l), k * 160),
                                      setTimeout(() => setPulse(null), k * 160 + 140)]);
  }

  function highlight(h) {
    for (const el of nodesBox.querySelectorAll('.hl')) el.classList.remove('hl');
    if (h && h.layer !== undefined) {
      const column = nodes[h.layer + 1] || [];
      const picked = h.neuron === undefined ? column : [column[h.neuron]];
      for (const n of picked) n?.el.classList.add('hl');
    }
    drawLinks();
  }

  function redraw() {
    if (!state.structure) return;
    build(state.structure);
    drawLinks();
    drawBiases(state.network);
    drawMaps();
    drawValues(state);
  }
  on(['structure'], redraw);
  new ResizeObserver(() => {
    if (state.structure && (stage.clientWidth !== W || stage.clientHeight !== H)) redraw();
  }).observe(stage);
  on(['network'], (s) => { drawLinks(); drawBiases(s.network); });
  on(['neurons'], drawMaps);
  on(['selected', 'probe'], (s) => {
    drawValues(s);
    if (openNeuron && nodes[openNeuron[0]]?.[openNeuron[1]]) showNeuron(...openNeuron);
  });
  on(['trace'], () => { if (openNeuron && nodes[openNeuron[0]]?.[openNeuron[1]]) showNeuron(...openNeuron); });
  on(['highlight'], (s) => highlight(s.highlight));
  on(['stepped'], animate);
}

// "8-4-3-4-8 · hidden tanh · code identity · output sigmoid": each role once, with the
// activation its layers really have, so a network without hidden layers never names the
// hidden activation it does not use.
function describe(structure) {
  const parts = structure.roles.map((role, l) => `${role} ${structure.activations[l]}`);
  return [structure.sizes.join('-'), ...new Set(parts)];
}

function editWeight(root, link, event) {
  root.querySelector('.editor')?.remove();
  const { layer, row, col } = link;
  const box = document.createElement('div');
  box.className = 'editor';
  const rect = root.getBoundingClientRect();
  box.style.left = `${Math.min(event.clientX - rect.left, rect.width - 150)}px`;
  box.style.top = `${event.clientY - rect.top}px`;
  box.innerHTML = '<label>w = <input type="number" step="0.1" data-role="weight-editor"></label>';
  const input = box.querySelector('input');
  input.value = shortest(state.network.weights[layer].w[row][col]);
  input.onkeydown = (e) => {
    if (e.key === 'Enter') {
      send('set_weight', { layer, row, col, value: parseFloat(input.value) || 0 });
      box.remove();
    } else if (e.key === 'Escape') box.remove();
  };
  input.onblur = () => setTimeout(() => box.remove(), 100);
  root.append(box);
  input.focus();
  input.select();
}
