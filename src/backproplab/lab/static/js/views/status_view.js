// The status line (epoch, losses, accuracy, steps/s) and the divergence banner, which says
// what happened and what to do instead of showing NaNs.
import { send } from '../socket.js';
import { on } from '../state.js';
import { fmt } from '../palette.js';

export function mountStatus(root, banner) {
  on(['status', 'structure'], (s) => {
    const st = s.status;
    const parts = [`epoch <b>${st.epoch}</b>`, `step <b>${st.step}</b>`,
                   `train loss <b>${fmt(st.train_loss)}</b>`];
    if (st.test_loss !== null && st.test_loss !== undefined) parts.push(`test loss <b>${fmt(st.test_loss)}</b>`);
    if (st.accuracy !== null && st.accuracy !== undefined) parts.push(`accuracy <b>${(100 * st.accuracy).toFixed(0)}%</b>`);
    parts.push(`<b>${Math.round(st.steps_per_second)}</b> steps/s`);
    root.innerHTML = parts.join(' · ');
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
