// What tests/layout_checks.py asks the page: every clipped text, overlap or scrollbar that
// should not be there, one line each. Argument: [important control selectors, layers that fit].
([important, fitLayers]) => {
  const problems = [];
  const shown = (e) => e && e.offsetParent !== null;
  const rect = (e) => e.getBoundingClientRect();
  const name = (e) => e.closest('[data-panel]')?.dataset.panel ?? e.tagName;
  const words = (e) => e.textContent.replace(/\s+/g, ' ').trim().slice(0, 40);
  const overflows = (e, what) => {
    if (e.scrollHeight > e.clientHeight + 1) {
      problems.push(`${what}: text scrolls (${e.scrollHeight} > ${e.clientHeight} px)`);
    }
    if (e.scrollWidth > e.clientWidth + 1) {
      problems.push(`${what}: text is cut at the side (${e.scrollWidth} > ${e.clientWidth} px)`);
    }
  };

  // Headings: nothing pushed out of a panel's heading, no part of one cut short (a title
  // tooltip is no way to read a subtitle).
  const cut = (e) => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1
    && getComputedStyle(e).overflow !== 'visible';
  for (const h of document.querySelectorAll('.panel h2')) {
    if (!shown(h)) continue;
    const right = Math.min(rect(h).right, rect(h.closest('.panel')).right);
    for (const part of h.querySelectorAll('*')) {
      if (!shown(part)) continue;
      if (rect(part).right > right + 0.5) problems.push(`${name(h)} heading: "${words(part)}" sticks out`);
      if (cut(part)) problems.push(`${name(h)} heading: "${words(part)}" is cut`);
    }
  }
  // No text cut short with an ellipsis, but an autoencoder's long vectors (inputs and
  // reconstructions, their values in the cell's title under the pointer).
  for (const e of document.querySelectorAll('.panel *')) {
    if (!shown(e) || e.matches('td.vector:not([data-role="features"])') || !cut(e)) continue;
    if (getComputedStyle(e).textOverflow === 'ellipsis') problems.push(`${name(e)}: "${words(e)}" is cut`);
  }

  // The lesson panel: its text and readouts never scroll, the readouts never cover the text,
  // the buttons stay whole at the panel's foot.
  const lesson = document.querySelector('[data-panel="lesson"]');
  if (shown(lesson)) {
    const body = lesson.querySelector('[data-role="lesson-body"]');
    const readouts = lesson.querySelector('[data-role="readouts"]');
    const nav = lesson.querySelector('.lesson-nav');
    overflows(body, 'lesson text');
    overflows(readouts, 'lesson readouts');
    overflows(lesson, 'lesson panel');
    if (rect(body).bottom > rect(readouts).top + 0.5) problems.push('lesson: the readouts cover the text');
    if (rect(readouts).bottom > rect(nav).top + 0.5) problems.push('lesson: the readouts cover the buttons');
    if (rect(nav).bottom > rect(lesson).bottom + 0.5) problems.push('lesson: the buttons are cut');
    for (const b of nav.querySelectorAll('button')) {
      if (shown(b) && rect(b).height > 34) problems.push(`lesson: button "${words(b)}" wraps`);
    }
  }

  // The controls: all of them in view up to a few hidden layers, the important ones always.
  const controls = document.querySelector('[data-panel="controls"]');
  if (shown(controls) && shown(controls.querySelector('[data-role="network-controls"]'))) {
    const layers = controls.querySelectorAll('.layer-row').length;
    if (layers <= fitLayers && controls.scrollHeight > controls.clientHeight + 1) {
      problems.push(`controls scroll with ${layers} hidden layers `
                    + `(${controls.scrollHeight} > ${controls.clientHeight} px)`);
    }
    for (const selector of important) {
      const e = controls.querySelector(selector);
      if (!e || rect(e).bottom > rect(controls).bottom - 2) {
        problems.push(`controls: ${selector} is below the fold`);
      }
    }
    if (controls.scrollWidth > controls.clientWidth) problems.push('controls are cut at the side');
  }

  // The dataset table: every column in view, the pager on one line, the buttons whole.
  const dataset = document.querySelector('[data-panel="dataset"]');
  if (shown(dataset)) {
    const wrap = dataset.querySelector('.table-wrap');
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      problems.push(`dataset table: columns cut (${wrap.scrollWidth} > ${wrap.clientWidth} px)`);
    }
    const pager = dataset.querySelector('[data-role="pager"]');
    const range = document.createRange();
    range.selectNodeContents(pager);
    const bottoms = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.bottom);
    if (Math.max(...bottoms) - Math.min(...bottoms) > 8) problems.push(`dataset pager "${words(pager)}" wraps`);
    for (const b of dataset.querySelectorAll('.table-foot button')) {
      if (rect(b).right > rect(dataset).right - 4) problems.push(`dataset: "${words(b)}" is cut`);
    }
  }

  // The error history's legend keeps to its lines; the typed learning rate shows whole.
  const legend = document.querySelector('[data-panel="error-history"] .legend');
  if (shown(legend)) overflows(legend, 'error history legend');
  const lr = document.querySelector('[data-role="lr"]');
  if (shown(lr) && lr.scrollWidth > lr.clientWidth) problems.push(`learning rate "${lr.value}" is cut`);

  // A banner (divergence, errors) floats over panel contents, but never over a heading or the
  // lesson's text, readouts and buttons.
  const banner = document.querySelector('[data-role="banner"]');
  if (banner && !banner.hidden) {
    const b = rect(banner);
    const covers = (e) => {
      const r = rect(e);
      return r.width > 0 && b.left < r.right && r.left < b.right && b.top < r.bottom && r.top < b.bottom;
    };
    const guarded = [...document.querySelectorAll('.panel h2, [data-panel="lesson"] [data-role="lesson-body"],'
                                                  + ' [data-role="readouts"] li, .lesson-nav button')];
    for (const e of guarded.filter(shown)) {
      if (covers(e)) problems.push(`the banner covers "${words(e)}"`);
    }
    // With a lesson open it has the lesson column's free room, and covers no other panel.
    if (shown(document.querySelector('[data-panel="lesson"]'))) {
      for (const p of document.querySelectorAll('.panel:not([data-panel="lesson"])')) {
        if (shown(p) && covers(p)) problems.push(`the banner covers the ${p.dataset.panel} panel`);
      }
    }
  }

  // The descent summary: each run's line (where it is, f, the gradient) whole.
  const summary = document.querySelector('[data-role="descent-summary"]');
  if (shown(summary) && summary.scrollWidth > summary.clientWidth + 1) {
    problems.push(`descent summary: a line is cut (${summary.scrollWidth} > ${summary.clientWidth} px)`);
  }

  const root = document.documentElement;
  if (root.scrollHeight > innerHeight || root.scrollWidth > innerWidth) problems.push('the page scrolls');
  return problems;
}
