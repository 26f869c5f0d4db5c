// The page's one state object. Views read it and subscribe to the keys they draw; the socket
// writes server frames into it; user choices that only affect the page live here too.

export const state = {
  welcome: null,        // choices and limits from the server
  config: null,         // the server's config (plus its URL query)
  structure: null,      // layer sizes, activations, task
  status: {},           // epoch, losses, steps/s, playing, diverged
  data: null,           // rows: x, y, test; extent
  network: null,        // weights, grads, last updates, gradient magnitudes
  gradients: null,      // per-layer gradient norms, gradient health flags, the initialisation
  space: null,          // heatmap or curve
  predictions: null,    // per-row prediction (an autoencoder's: reconstructions of the table page) and error
  selected: null,       // selected row and its forward pass
  history: emptyHistory(),
  historyRun: null,     // the server's number of the run the history belongs to
  ghosts: [],           // earlier runs' training loss, faint in the error history: { label, epoch, train_loss }
  lesson: null,         // the open lesson: { id, stage, readouts } from the frames
  events: [],
  autoencoder: null,
  neurons: null,        // every neuron's map (frame key `neurons`), drawn in the network view
  neuronView: null,     // {layer, index}: the neuron hovered or focused, shown in the data space
  probe: null,          // a clicked point of the data space and its forward pass
  trace: null,          // bp.explain.trace_step of the selected sample
  highlight: null,      // what the step-by-step panel points at in the network
  stepped: 0,           // when the user last took a single step (the network animates it)
  descent: null,        // the gradient descent mode's paths, as the server computed them
  descentPreset: null,  // {function, start, lr, optimizer, steps}: a lesson asks the descent view to run this
  descentHeld: false,   // the paths wait at their start for Play or Step (a lesson's preset)
  descentDone: false,   // the descent view shows the paths' last step
  descentAsk: null,     // {what: 'play' | 'step'}: the lesson panel's Play or Step, for the descent view
  view: { stepUnit: 'batch', addClass: 1, logScale: true, discrete: false, page: 0, showTest: true },
};

export function emptyHistory() {
  return { epoch: [], train_loss: [], test_loss: [], accuracy: [], test_accuracy: [], grad_norms: [] };
}

const listeners = new Map();
const dirty = new Set();
let scheduled = false;
export const counters = { renders: 0, frames: 0 };

// Subscribe fn to some keys; it runs once per animation frame when any of them changed.
export function on(keys, fn) {
  for (const key of keys) {
    if (!listeners.has(key)) listeners.set(key, new Set());
    listeners.get(key).add(fn);
  }
}

// Merge patch into the state and schedule the views that read the changed keys.
export function update(patch) {
  for (const [key, value] of Object.entries(patch)) {
    state[key] = value;
    dirty.add(key);
  }
  schedule();
}

export function touch(key) {
  dirty.add(key);
  schedule();
}

function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(render);
}

function render() {
  scheduled = false;
  const run = new Set();
  for (const key of dirty) for (const fn of listeners.get(key) || []) run.add(fn);
  dirty.clear();
  for (const fn of run) {
    try { fn(state); } catch (err) { console.error(err); }
  }
  if (run.size) counters.renders += 1;
}
