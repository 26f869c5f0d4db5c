"""What "the page looks right" means, measured in the browser: the checks the layout tests run
on every lesson and network configuration at 1280×720 and 1920×1080.

``clipping_problems(page)`` returns one line per defect (an empty list when there is none), so
a failing test names every clipped panel at once instead of the first.
"""

# Controls that must be in view without scrolling the controls panel, whatever the network.
IMPORTANT_CONTROLS = ('[data-action="play"]', '[data-action="step"]', '[data-field="dataset"]',
                      '[data-action="layer-add"]', '[data-field="activation"]',
                      '[data-field="optimizer"]', '[data-role="lr"]')
# With up to this many hidden layers the whole controls panel fits; with more it scrolls, by
# design, below the learning rate (speed, seed, exports).
CONTROLS_FIT_UP_TO_LAYERS = 3

_PROBLEMS = """([important, fitLayers]) => {
  const problems = [];
  const shown = (e) => e && e.offsetParent !== null;
  const rect = (e) => e.getBoundingClientRect();
  const name = (e) => e.closest('[data-panel]')?.dataset.panel ?? e.tagName;
  const overflows = (e, what) => {
    if (e.scrollHeight > e.clientHeight + 1) problems.push(`${what}: text scrolls (${e.scrollHeight} > ${e.clientHeight} px)`);
    if (e.scrollWidth > e.clientWidth + 1) problems.push(`${what}: text is cut at the side (${e.scrollWidth} > ${e.clientWidth} px)`);
  };
  // Headers: nothing pushed out of a panel's heading; a part cut short on purpose carries an
  // ellipsis (text-overflow) and a title with the whole text.
  for (const h of document.querySelectorAll('.panel h2')) {
    if (!shown(h)) continue;
    const box = rect(h);
    const panel = rect(h.closest('.panel'));
    for (const part of h.querySelectorAll('*')) {
      if (!shown(part)) continue;
      const r = rect(part);
      if (r.right > Math.min(box.right, panel.right) + 0.5) problems.push(`${name(h)} heading: "${part.textContent.trim().slice(0, 30)}" sticks out`);
      const cut = getComputedStyle(part).textOverflow === 'ellipsis';
      if (part.scrollWidth > part.clientWidth + 1 && part.clientWidth > 0 && !(cut && (part.title || h.title)) && getComputedStyle(part).overflow !== 'visible') {
        problems.push(`${name(h)} heading: "${part.textContent.trim().slice(0, 30)}" is cut`);
      }
    }
  }
  // The lesson panel: its text and readouts never scroll, the readouts never cover the text,
  // and nothing is pushed out of the panel.
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
      if (shown(b) && rect(b).height > 34) problems.push(`lesson: button "${b.textContent.trim()}" wraps`);
    }
  }
  // The controls: all of them in view up to a few hidden layers, the important ones always.
  const controls = document.querySelector('[data-panel="controls"]');
  if (shown(controls) && shown(controls.querySelector('[data-role="network-controls"]'))) {
    const layers = controls.querySelectorAll('.layer-row').length;
    if (layers <= fitLayers && controls.scrollHeight > controls.clientHeight + 1) {
      problems.push(`controls scroll with ${layers} hidden layers (${controls.scrollHeight} > ${controls.clientHeight} px)`);
    }
    const bottom = rect(controls).bottom;
    for (const selector of important) {
      const e = controls.querySelector(selector);
      if (!e || rect(e).bottom > bottom - 2) problems.push(`controls: ${selector} is below the fold`);
    }
    if (controls.scrollWidth > controls.clientWidth) problems.push('controls are cut at the side');
  }
  // The dataset table: every column in view, the pager on one line.
  const dataset = document.querySelector('[data-panel="dataset"]');
  if (shown(dataset)) {
    const wrap = dataset.querySelector('.table-wrap');
    if (wrap.scrollWidth > wrap.clientWidth + 1) problems.push(`dataset table: columns cut (${wrap.scrollWidth} > ${wrap.clientWidth} px)`);
    const pager = dataset.querySelector('[data-role="pager"]');
    const range = document.createRange();
    range.selectNodeContents(pager);
    const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom)));
    if (Math.max(...lines) - Math.min(...lines) > 8) {
      problems.push(`dataset pager "${pager.textContent.replace(/\\s+/g, ' ').trim()}" wraps`);
    }
    const foot = dataset.querySelector('.table-foot');
    if (foot.scrollWidth > foot.clientWidth + 1 || rect(foot).right > rect(dataset).right) problems.push('dataset buttons are cut');
    for (const b of foot.querySelectorAll('button')) if (rect(b).right > rect(dataset).right - 4) problems.push(`dataset: "${b.textContent}" is cut`);
  }
  // The error history's legend keeps its lines; the number inputs show their whole value.
  const legend = document.querySelector('[data-panel="error-history"] .legend');
  if (shown(legend)) overflows(legend, 'error history legend');
  const lr = document.querySelector('[data-role="lr"]');
  if (shown(lr) && lr.scrollWidth > lr.clientWidth) problems.push(`learning rate "${lr.value}" is cut`);
  const root = document.documentElement;
  if (root.scrollHeight > innerHeight || root.scrollWidth > innerWidth) problems.push('the page scrolls');
  return problems;
}"""


def clipping_problems(page) -> list[str]:
    """Every clipped text, overlap or scrollbar-that-should-not-be on the page, in words."""
    return page.evaluate(_PROBLEMS, [list(IMPORTANT_CONTROLS), CONTROLS_FIT_UP_TO_LAYERS])
