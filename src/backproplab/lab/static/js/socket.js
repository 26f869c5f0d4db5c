// The one WebSocket to the server: request(type, fields) resolves with the reply to that
// message; frames are merged into the state as they come.
import { emptyHistory, state, update, counters } from './state.js';
import { readNetwork, readPredictions } from './float32s.js';

let ws = null;
let nextId = 1;
const pending = new Map();
const errorHandlers = [];

export function onError(fn) { errorHandlers.push(fn); }

export function connect(onWelcome) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  ws = new WebSocket(`${scheme}://${location.host}/ws`);
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.type === 'frame') applyFrame(msg);
    else if (msg.type === 'welcome') { update({ welcome: msg }); onWelcome(msg); }
    else if (msg.id != null && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) resolve(msg); else reject(new Error(msg.error));
    } else if (msg.type === 'error') errorHandlers.forEach((fn) => fn(msg.error));
  };
  ws.onclose = () => errorHandlers.forEach((fn) => fn('The connection to the lab closed; reload the page.'));
}

export function request(type, fields = {}) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ type, id, ...fields }));
  });
}

// Like request, but a refusal is shown to the user instead of thrown.
export function send(type, fields = {}) {
  return request(type, fields).catch((err) => {
    errorHandlers.forEach((fn) => fn(err.message));
    return null;
  });
}

function applyFrame(frame) {
  counters.frames += 1;
  const patch = { status: frame.status };
  for (const key of ['config', 'structure', 'data', 'network', 'space', 'predictions',
                     'selected', 'autoencoder', 'lesson', 'neurons', 'gradients']) {
    if (key in frame) patch[key] = frame[key];
  }
  if (frame.network) patch.network = readNetwork(frame.network);
  if (frame.predictions) patch.predictions = readPredictions(frame.predictions);
  if (frame.history_reset) Object.assign(patch, { history: emptyHistory(), historyRun: frame.history_run });
  if (frame.history) {
    const history = patch.history || state.history;
    for (const [key, values] of Object.entries(frame.history)) history[key].push(...values);
    patch.history = history;
  }
  if ('events' in frame) patch.events = frame.events;
  if ('network' in frame || 'data' in frame) patch.trace = null;
  update(patch);
}

// Show a message from a view (e.g. a refused CSV upload) the same way as a refused request.
export function report(message) { errorHandlers.forEach((fn) => fn(message)); }
