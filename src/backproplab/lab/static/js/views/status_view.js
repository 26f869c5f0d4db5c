// The status line — epoch, step, speed, then the training and the test loss and accuracy side by
// side (a growing gap between them is overfitting) and early stopping's best epoch — and the
// divergence banner, which says what happened and what to do instead of showing NaNs.
import { send } from '../socket.js';
import { on } from '../state.js';
import { fmt } from '../palette.js';

const given = (v) => v !== null && v !== undefined;
const percent = (v) => `${(100 * v).toFixed(0)}%`;

export function mountStatus(root, banner) {
  // Each frame changes the bold numbers, rarely the words around them: while the words stay,
  // only the numbers that changed are written, so the line is not rebuilt 30 times a second.
  let words = null;
  let bolds = [];
  function show(html) {
    const values = [...html.matchAll(/<b>([^<]*)<\/b>/g)].map((m) => m[1]);
    const shape = html.replace(/<b>[^<]*<\/b>/g, '<b></b>');
    if (shape !== words) {
      root.innerHTML = html;
      words = shape;
      bolds = [...root.querySelectorAll('b')];
      return;
    }
    bolds.forEach((b, k) => { if (b.textContent !== values[k]) b.textContent = values[k]; });
  }
  on(['status', 'structure', 'config'], (s) => {
    const st = s.status;
    if (s.config?.mode === 'descent') {  // the network waits; its numbers would only confuse
      show('<div class="row1">gradient descent on a function: the network is not training</div>');
      return;
    }
    const progress = [`epoch <b>${st.epoch}</b>`, `step <b>${st.step}</b>`,
                      `<b>${Math.round(st.steps_per_second)}</b> steps/s`];
    if (given(st.best_epoch)) progress.push(`<span class="best" data-role="best-epoch">best epoch <b>${st.best_epoch}</b></span>`);
    // "loss train 0.21 test 0.35 · accuracy train 96% test 88%": short enough for the top bar
    let numbers = `loss <span data-role="train-loss">train <b>${fmt(st.train_loss, 3)}</b></span>`;
    if (given(st.test_loss)) numbers += ` <span class="test" data-role="test-loss">test <b>${fmt(st.test_loss, 3)}</b></span>`;
    if (given(st.accuracy)) {
      numbers += ` · accuracy <span data-role="train-accuracy">train <b>${percent(st.accuracy)}</b></span>`;
      if (given(st.test_accuracy)) numbers += ` <span class="test" data-role="test-accuracy">test <b>${percent(st.test_accuracy)}</b></span>`;
    }
    show(`<div class="row1">${progress.join(' · ')}</div><div class="row2">${numbers}</div>`);
    if (st.diverged) {
      banner.hidden = false;
      banner.dataset.kind = 'diverged';
      banner.innerHTML = '';
      const text = document.createElement('span');
      text.textContent = st.diverged;
      const reset = document.createElement('button');
      reset.textContent = 'Reset';
      reset.dataset.action = 'reset-diverged';
      reset.onclick = () => send('reset');
      banner.append(text, reset);
    } else if (banner.dataset.kind === 'diverged') {
      banner.hidden = true;
      banner.dataset.kind = '';
    }
  });
}
