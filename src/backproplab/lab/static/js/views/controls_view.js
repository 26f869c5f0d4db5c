// Controls: play/pause/step/reset, the dataset, the network's shape, the loss, the optimizer
// and its learning rate (log scale), exports. Every change goes to the server as "configure";
// the server's config frame is what the controls then show.
import { send, request } from '../socket.js';
import { on, state, update } from '../state.js';
import { saveExport } from '../downloads.js';

const MODE_SETTINGS = {
  network: { mode: 'network', dataset: 'xor', hidden: [4], activation: 'tanh', optimizer: 'sgd', lr: 0.5 },
  autoencoder: { mode: 'autoencoder', dataset: 'encoder', hidden: [], bottleneck: 3, activation: 'tanh',
                 optimizer: 'adam', lr: 0.05 },
  descent: { mode: 'descent' },
};

const html = String.raw;
// The model's inputs made from a point (TensorFlow Playground's feature toggles).
const FEATURES = [['x1', 'x₁'], ['x2', 'x₂'], ['x1sq', 'x₁²'], ['x2sq', 'x₂²'], ['x1x2', 'x₁x₂'],
                  ['sinx1', 'sin x₁'], ['sinx2', 'sin x₂']];
const featureToggles = FEATURES.map(([name, label]) =>
  `<button data-feature="${name}" aria-pressed="false" title="feed ${label} to the network">${label}</button>`).join('');

export function mountControls(root) {
  const { choices, limits } = state.welcome;
  const options = (names) => names.map((n) => `<option value="${n}">${n.replace('_', ' ')}</option>`).join('');
  root.innerHTML = html`
    <h2>Controls</h2>
    <p class="muted descent-note" data-role="descent-note" hidden>The network waits while you explore gradient descent: its controls return with <b>Network</b>.</p>
    <div data-role="network-controls">
    <div class="row">
      <button class="primary" data-action="play" title="train (Space)">▶ Play</button>
      <button data-action="pause" disabled title="stop training (Space)">❚❚ Pause</button>
      <button data-action="step" title="one step of the chosen size (S)">Step</button>
      <select data-action="step-unit" aria-label="step size" title="1 sample trains on the row selected in the dataset table">
        <option value="sample">1 sample (selected row)</option><option value="batch" selected>1 batch</option>
        <option value="epoch">1 epoch</option>
      </select>
    </div>
    <div class="row">
      <button data-action="reset" title="same seed, same initial weights">Reset</button>
      <button data-action="reinit" title="new seed, new initial weights">Re-initialise</button>
    </div>
    <div class="group">
      <div class="field"><label>Dataset</label><select data-field="dataset"></select></div>
      <div class="dataset-summary"><span data-role="dataset-summary"></span>
        <button data-action="regenerate" title="new random data of this kind (a new data seed)">↻ new data</button></div>
      <div class="field" data-role="features-field"><label>Features</label><div class="features">${featureToggles}</div></div>
      <div class="field"><label>Points</label><input type="number" data-field="points" min="0" max="${limits.MAX_POINTS}"></div>
      <div class="field"><label>Noise</label><input type="number" data-field="noise" min="0" max="${limits.MAX_NOISE}" step="0.05"></div>
      <div class="field"><label>Test split</label><input type="number" data-field="test_fraction" min="0" max="${limits.MAX_TEST_FRACTION}" step="0.05"></div>
    </div>
    <div class="group">
      <div class="field"><label>Hidden layers</label>
        <div class="stepper"><button data-action="layer-remove" aria-label="remove a layer">−</button>
        <span data-role="layer-count"></span><button data-action="layer-add" aria-label="add a layer">+</button></div></div>
      <div data-role="layers"></div>
      <div class="field" data-role="bottleneck-field"><label>Code size</label><input type="number" data-field="bottleneck" min="1" max="${limits.MAX_NEURONS}"></div>
      <div class="field" data-role="activation-field"><label>Activation</label><select data-field="activation">${options(choices.activations)}<option value="" hidden>no hidden layer</option></select></div>
      <div class="field"><label>Loss</label><select data-field="loss">${options(choices.losses)}</select></div>
      <div class="field"><label>Output</label><span data-role="output" class="muted"></span></div>
    </div>
    <div class="group">
      <div class="field"><label>Optimizer</label><select data-field="optimizer">${options(choices.optimizers)}</select></div>
      <div class="field"><label>Learning rate</label>
        <div class="slider"><input type="range" data-field="lr" min="-5" max="1" step="0.05" aria-label="learning rate (log scale)">
        <input type="number" data-role="lr" min="${limits.MIN_LR}" max="${limits.MAX_LR}" step="any" aria-label="learning rate"></div></div>
      <div class="field" data-role="lr-note-field" hidden><span></span><span class="muted" data-role="lr-note" style="font-size: 12px"></span></div>
      <div class="field"><label>Batch size</label><input type="number" data-field="batch_size" min="1" max="${limits.MAX_BATCH_SIZE}"></div>
      <div class="field" title="L2 adds l2·Σp² (as weight decay), L1 adds l1·Σ|p| to the loss: both pull weights towards 0 against overfitting; L1 makes some exactly 0">
        <label>L2 · L1</label><div class="pair"><input type="number" data-field="l2" min="0" max="${limits.MAX_L2}" step="0.0001" aria-label="L2">
        <input type="number" data-field="l1" min="0" max="${limits.MAX_L1}" step="0.0001" aria-label="L1"></div></div>
      <div class="field" title="Pause when the test loss (the training loss without a test split) has not improved for ${limits.EARLY_STOPPING_PATIENCE} epochs, and mark the best epoch">
        <label>Early stop</label><div class="pair"><label class="check"><input type="checkbox" data-field="early_stopping"> on</label>
        <button data-action="restore-best" disabled title="go back to the weights of the best epoch">Restore best</button></div></div>
      <div class="field"><label>Speed</label><div class="slider speed"><input type="range" data-field="speed" min="1" max="10" step="1" aria-label="training speed">
        <span class="muted" data-role="speed"></span></div></div>
      <div class="field"><label>Seed</label><span data-role="seed" class="muted"></span></div>
    </div>
    <div class="group exports">
      <div class="row"><span class="muted">Export</span>
        <button data-action="export" data-what="safetensors">Model</button>
        <button data-action="export" data-what="spec">JSON spec</button>
        <button data-action="export" data-what="python">Python</button>
        <button data-action="export" data-what="history">History</button>
      </div>
    </div>
    </div>`;

  const $ = (sel) => root.querySelector(sel);
  const field = (name) => root.querySelector(`[data-field="${name}"]`);
  const configure = (changes) => send('configure', { changes });

  // Space plays or pauses and S takes a step, as the buttons do, while nothing has the focus
  // (a focused field, cell or button keeps its own keys: Space on a button presses that one).
  document.addEventListener('keydown', (e) => {
    const idle = document.activeElement === document.body || document.activeElement === null;
    if (!idle || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const key = e.key === ' ' ? 'space' : e.key.toLowerCase();
    const target = key === 'space' ? $(`[data-action="${state.status.playing ? 'pause' : 'play'}"]`)
      : key === 's' ? $('[data-action="step"]') : null;
    if (!target || target.disabled || target.offsetParent === null) return;
    e.preventDefault();  // Space would scroll the page
    target.click();
  });
  $('[data-action="play"]').onclick = () => send('play');
  $('[data-action="pause"]').onclick = () => send('pause');
  $('[data-action="step-unit"]').onchange = (e) => { state.view.stepUnit = e.target.value; };
  $('[data-action="step"]').onclick = async () => {
    const reply = await send('step', { unit: state.view.stepUnit });
    if (reply && reply.steps && !reply.status.playing) update({ stepped: Date.now() });
  };
  $('[data-action="reset"]').onclick = () => send('reset');
  $('[data-action="reinit"]').onclick = () => send('reinit');
  for (const b of document.querySelectorAll('[data-action="mode"]')) {
    b.onclick = () => {
      const changes = { ...MODE_SETTINGS[b.dataset.mode] };
      if (changes.dataset) Object.assign(changes, choices.presets[changes.dataset]);
      if (b.dataset.mode === 'descent' && state.config.mode === 'autoencoder') {
        Object.assign(changes, MODE_SETTINGS.network, choices.presets.xor, { mode: 'descent' });
      }
      configure(changes);
    };
  }
  for (const b of root.querySelectorAll('[data-action="export"]')) {
    b.onclick = async () => saveExport(await request('export', { what: b.dataset.what }));
  }

  field('dataset').onchange = (e) => configure({ dataset: e.target.value, ...choices.presets[e.target.value] });
  $('[data-action="regenerate"]').onclick = () => configure({ data_seed: Math.floor(Math.random() * 2 ** 31 - 1) });
  // Toggles clicked before the server's config comes back build on each other, not on it.
  let pendingFeatures = null;
  for (const b of root.querySelectorAll('[data-feature]')) {
    b.onclick = () => {
      const on = new Set(pendingFeatures ?? state.config.features);
      if (on.has(b.dataset.feature)) on.delete(b.dataset.feature); else on.add(b.dataset.feature);
      if (!on.size) return;
      pendingFeatures = FEATURES.map(([n]) => n).filter((n) => on.has(n));
      configure({ features: pendingFeatures });
    };
  }
  for (const name of ['points', 'batch_size', 'bottleneck']) {
    field(name).onchange = (e) => configure({ [name]: parseInt(e.target.value, 10) || 0 });
  }
  for (const name of ['noise', 'test_fraction', 'l2', 'l1']) {
    field(name).onchange = (e) => configure({ [name]: parseFloat(e.target.value) || 0 });
  }
  for (const name of ['loss', 'optimizer']) {
    field(name).onchange = (e) => configure({ [name]: e.target.value });
  }
  // An activation comes with a learning rate it learns with (a deep ReLU net dies at tanh's
  // 0.5); a note says why the rate changed until the rate or the activation changes again.
  let lrNote = null;
  field('activation').onchange = (e) => {
    const activation = e.target.value;
    const preset = choices.activation_presets?.[activation] ?? {};
    lrNote = 'lr' in preset && preset.lr !== state.config.lr ? { activation, lr: preset.lr } : null;
    configure({ activation, ...preset });
  };
  field('early_stopping').onchange = (e) => configure({ early_stopping: e.target.checked });
  $('[data-action="restore-best"]').onclick = () => send('restore_best');
  field('lr').oninput = (e) => { $('[data-role="lr"]').value = lrText(10 ** e.target.value); };
  $('[data-role="lr"]').onchange = (e) => {
    const lr = parseFloat(e.target.value);
    if (Number.isFinite(lr)) configure({ lr }); else e.target.value = lrText(state.config.lr);
  };
  field('lr').onchange = (e) => configure({ lr: Number((10 ** e.target.value).toPrecision(3)) });
  // What a speed setting means, in steps per second ("max": as fast as the machine trains).
  const speedText = (speed) => {
    const rate = choices.speeds[speed - 1];
    return rate === null ? 'max' : `${rate} steps/s`;
  };
  field('speed').oninput = (e) => { $('[data-role="speed"]').textContent = speedText(Number(e.target.value)); };
  field('speed').onchange = (e) => configure({ speed: parseInt(e.target.value, 10) });
  $('[data-action="layer-add"]').onclick = () => {
    const hidden = state.config.hidden;
    if (hidden.length < limits.MAX_HIDDEN_LAYERS) configure({ hidden: [...hidden, hidden.at(-1) || 4] });
  };
  $('[data-action="layer-remove"]').onclick = () => configure({ hidden: state.config.hidden.slice(0, -1) });
  $('[data-role="layers"]').onchange = (e) => {
    const input = e.target.closest('input[data-role="neurons"]');
    if (!input) return;
    const hidden = [...state.config.hidden];
    hidden[Number(input.dataset.layer)] = parseInt(input.value, 10) || 0;  // the server refuses 0 or > the limit
    configure({ hidden });
  };
  $('[data-role="layers"]').onclick = (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    const hidden = [...state.config.hidden];
    const i = Number(b.dataset.layer);
    hidden[i] = Math.max(1, Math.min(limits.MAX_NEURONS, hidden[i] + Number(b.dataset.delta)));
    configure({ hidden });
  };

  on(['config'], (s) => {
    const c = s.config;
    const datasets = c.mode === 'autoencoder' ? choices.autoencoder_datasets : choices.datasets;
    const select = field('dataset');
    if (select.dataset.mode !== c.mode) {
      select.innerHTML = options(datasets);
      select.dataset.mode = c.mode;
    }
    datasetChoice(c);
    for (const name of ['dataset', 'points', 'noise', 'test_fraction', 'batch_size', 'l2', 'l1',
                        'activation', 'loss', 'optimizer', 'speed', 'bottleneck']) {
      if (document.activeElement !== field(name)) field(name).value = c[name];
    }
    // Only hidden layers use this activation: without one it applies to nothing, so the
    // control says so instead of showing a choice that has no effect (the config keeps it
    // for when a layer is added).
    const noHidden = c.hidden.length === 0;
    field('activation').disabled = noHidden;
    if (noHidden) field('activation').value = '';
    $('[data-role="activation-field"]').title = noHidden
      ? 'The network has no hidden layer, so no hidden activation applies; add a layer to use one.'
      : 'The activation of every hidden layer.';
    field('lr').value = Math.log10(c.lr);
    if (document.activeElement !== field('speed')) $('[data-role="speed"]').textContent = speedText(c.speed);
    if (lrNote && (lrNote.activation !== c.activation || lrNote.lr !== c.lr)) lrNote = null;
    $('[data-role="lr-note-field"]').hidden = !lrNote;
    $('[data-role="lr-note"]').textContent = lrNote ? `lr ${lrText(c.lr)}: suited to ${c.activation.replace('_', ' ')}` : '';
    if (document.activeElement !== $('[data-role="lr"]')) $('[data-role="lr"]').value = lrText(c.lr);
    field('early_stopping').checked = c.early_stopping;
    const descent = c.mode === 'descent';  // the network is not trained in this mode
    $('[data-role="network-controls"]').hidden = descent;
    $('[data-role="descent-note"]').hidden = !descent;
    $('[data-role="seed"]').textContent = c.seed;
    $('[data-role="layer-count"]').textContent = `${c.hidden.length}`;
    $('[data-role="bottleneck-field"]').hidden = c.mode !== 'autoencoder';
    $('[data-role="layers"]').innerHTML = c.hidden.map((n, i) => html`
      <div class="field layer-row" title="neurons in hidden layer ${i + 1}"><label>↳ layer ${i + 1}</label>
        <div class="stepper"><button data-layer="${i}" data-delta="-1" aria-label="fewer neurons in layer ${i + 1}">−</button>
        <input type="number" data-role="neurons" data-layer="${i}" value="${n}" min="1" max="${limits.MAX_NEURONS}" aria-label="neurons in layer ${i + 1}"><button data-layer="${i}" data-delta="1" aria-label="more neurons in layer ${i + 1}">+</button>
        <span class="muted">neurons</span></div></div>`).join('');
  });
  // The dataset choice: its summary (from the welcome), and the feature toggles where the
  // data has 2-D points to make features of.
  function datasetChoice(c) {
    pendingFeatures = null;
    const summary = $('[data-role="dataset-summary"]');
    summary.textContent = choices.summaries?.[c.dataset] ?? '';
    summary.title = summary.textContent;
    const flat = c.mode === 'autoencoder' || state.structure?.feature_names?.length !== 2;
    for (const b of root.querySelectorAll('[data-feature]')) {
      b.setAttribute('aria-pressed', String(c.features.includes(b.dataset.feature)));
      b.disabled = flat;
    }
    $('[data-role="features-field"]').title = flat
      ? 'features are made from 2-D points; this data is not 2-D'
      : "the network's inputs: click to add or remove a feature";
  }
  on(['structure'], (s) => { if (s.config) datasetChoice(s.config); });
  on(['structure'], (s) => { $('[data-role="output"]').textContent = `${s.structure.output_activation} → ${s.structure.loss.replace(/_/g, ' ')}`; });
  // Every frame carries the status; a button is written only when it changes (an attribute
  // set to its own value still restyles it).
  let shown = null;
  on(['status'], (s) => {
    const playing = Boolean(s.status.playing);
    const best = s.status.best_epoch;
    if (shown && shown.playing === playing && shown.best === best) return;
    shown = { playing, best };
    $('[data-action="play"]').disabled = playing;
    $('[data-action="pause"]').disabled = !playing;
    const restore = $('[data-action="restore-best"]');
    restore.disabled = best === null || best === undefined;
    restore.title = restore.disabled ? 'switch early stopping on and train: its best epoch can be restored'
      : `go back to the weights of epoch ${best}, the lowest test loss so far`;
  });
}

function lrText(lr) { return lr >= 0.01 ? Number(lr.toPrecision(2)).toString() : lr.toExponential(1); }
