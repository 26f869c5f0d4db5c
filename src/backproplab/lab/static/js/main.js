// Boots the page: one socket, one state, one module per view.
import { connect, onError, send } from './socket.js';
import { counters, on, state } from './state.js';
import { mountControls } from './views/controls_view.js';
import { mountNetwork } from './views/network_view.js';
import { mountDataSpace } from './views/data_space_view.js';
import { mountHistory } from './views/history_view.js';
import { mountDataset } from './views/dataset_view.js';
import { mountSteps } from './views/steps_view.js';
import { mountStatus } from './views/status_view.js';
import { mountDescent } from './views/descent_view.js';
import { mountGradients } from './views/gradient_view.js';
import { lessonQuery, mountLesson, openLesson, setAddress, splitLessonParams } from './views/lesson_view.js';

const panel = (name) => document.querySelector(`[data-panel="${name}"]`);

connect(async () => {
  mountStatus(panel('status'), document.querySelector('[data-role="banner"]'));
  mountControls(panel('controls'));
  mountNetwork(panel('network'));
  mountDataSpace(panel('data-space'));
  mountHistory(panel('error-history'));
  mountDataset(panel('dataset'));
  mountSteps(panel('steps'));
  mountGradients(panel('gradients'));
  mountDescent(panel('descent'));
  mountLesson(panel('lesson'), document.querySelector('[data-role="lessons-menu"]'));
  const { config, lesson } = splitLessonParams(location.search);
  if (config) await send('configure', { query: config });
  if (lesson) await openLesson(lesson.id, lesson.stage, lesson.classroom);
  document.body.dataset.ready = 'true';
});

// The address bar always holds the running experiment, so a link shares it.
on(['config'], (s) => {
  setAddress([s.config.query, lessonQuery()]);
  for (const b of document.querySelectorAll('[data-action="mode"]')) {
    b.classList.toggle('on', b.dataset.mode === s.config.mode);
  }
  document.querySelector('.grid').classList.toggle('descent-mode', s.config.mode === 'descent');
  panel('descent').hidden = s.config.mode !== 'descent';
});

onError((message) => {
  const banner = document.querySelector('[data-role="banner"]');
  banner.hidden = false;
  banner.dataset.kind = 'error';
  banner.textContent = message;
  clearTimeout(banner.timer);
  banner.timer = setTimeout(() => { if (banner.dataset.kind === 'error') banner.hidden = true; }, 6000);
});

// For the benchmark and the tests: counters of frames received and page updates drawn.
window.__lab = { state, counters };
