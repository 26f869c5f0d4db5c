// Lessons: the Lessons menu in the top bar, the lesson panel (what to do, what to watch, a
// question, live readouts of the run, Back/Next) and the page layout while a lesson is open.
// Everything a lesson says comes from its file on the server (welcome.choices.lessons) and
// its readouts from the frames; nothing here knows any particular lesson.
// URL: ?lesson=ID&stage=N (N from 1) opens a lesson; &classroom=1 also hides every panel the
// lesson does not list, for projecting a clean view.
import { send } from '../socket.js';
import { on, state, update } from '../state.js';

const LESSON_KEYS = ['lesson', 'stage', 'classroom'];
// The panels a lesson may place beside it, in the order they are placed.
const ORDER = ['network', 'data-space', 'error-history', 'dataset', 'steps', 'gradients'];
const AREA = { controls: 'controls', network: 'network', 'data-space': 'space', 'error-history': 'history',
               dataset: 'dataset', steps: 'steps', gradients: 'gradients', descent: 'descent',
               lesson: 'lesson' };
const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

// The page's query split into the experiment's (for configure) and the lesson's.
export function splitLessonParams(search) {
  const params = new URLSearchParams(search);
  const lesson = params.get('lesson');
  const stage = Math.max(1, parseInt(params.get('stage'), 10) || 1) - 1;
  const classroom = params.get('classroom') === '1';
  for (const key of LESSON_KEYS) params.delete(key);
  return { config: params.toString(), lesson: lesson ? { id: lesson, stage, classroom } : null };
}

let classroom = false;

// The lesson's part of the URL (empty without a lesson), appended after the config's query.
export function lessonQuery() {
  const open = state.lesson;
  if (!open) return '';
  return `lesson=${encodeURIComponent(open.id)}&stage=${open.stage + 1}${classroom ? '&classroom=1' : ''}`;
}

// The address bar shows these query parts. It is compared with the path and the query, so an
// unchanged address is never written again (a history entry rewritten 30 times a second costs
// the page a same-document navigation each time).
export function setAddress(parts) {
  const query = parts.filter(Boolean).join('&');
  const search = query ? `?${query}` : '';
  if (search !== location.search) history.replaceState(null, '', location.pathname + search);
}

function setUrl() { setAddress([state.config && state.config.query, lessonQuery()]); }

export async function openLesson(id, stage = 0, inClassroom = classroom) {
  classroom = inClassroom;
  const reply = await send('lesson', { lesson: id, stage });
  if (!reply) return;
  const def = state.welcome.choices.lessons.find((l) => l.id === id);
  update({ lesson: reply.lesson, descentPreset: def.stages[stage].descent || null });
}

export function mountLesson(root, menuRoot) {
  const lessons = state.welcome.choices.lessons;
  menuRoot.innerHTML = `<button data-action="lessons-menu" aria-haspopup="menu" aria-expanded="false">Lessons ▾</button>
    <div class="lesson-menu" role="menu" data-role="lesson-menu" hidden>${lessons.map((l, i) => `
      <button role="menuitem" data-lesson="${l.id}" title="${escape(l.summary)}"><b>${i + 1}.</b> ${escape(l.title)}</button>`).join('')}</div>`;
  const toggle = menuRoot.querySelector('[data-action="lessons-menu"]');
  const menu = menuRoot.querySelector('[data-role="lesson-menu"]');
  const showMenu = (open) => { menu.hidden = !open; toggle.setAttribute('aria-expanded', String(open)); };
  toggle.onclick = () => showMenu(menu.hidden);
  document.addEventListener('click', (e) => { if (!menuRoot.contains(e.target)) showMenu(false); });
  menu.onclick = (e) => {
    const entry = e.target.closest('[data-lesson]');
    if (!entry) return;
    showMenu(false);
    openLesson(entry.dataset.lesson, 0);
  };

  root.innerHTML = `<h2><span data-role="lesson-title"></span><span class="spacer"></span>
      <label class="muted" title="show only the panels this lesson needs, for projecting"><input type="checkbox" data-action="classroom"> classroom</label>
      <button data-action="lesson-close" title="close the lesson" aria-label="close the lesson">✕</button></h2>
    <div class="lesson-stages" data-role="lesson-stages"></div>
    <div class="lesson-body" data-role="lesson-body"></div>
    <ul class="readouts" data-role="readouts" aria-live="polite"></ul>
    <div class="muted" data-role="lesson-epochs" style="margin-bottom: 4px; font-variant-numeric: tabular-nums" title="Play pauses at the epoch this stage asks for; Play again goes on" hidden></div>
    <div class="lesson-nav">
      <button data-action="lesson-back">◀ Back</button>
      <span data-role="lesson-run">
        <button class="primary" data-action="lesson-play">▶ Play</button>
        <button data-action="lesson-pause" title="pause" aria-label="pause">❚❚</button>
        <button data-action="lesson-step">Step</button></span>
      <span class="spacer"></span>
      <button data-action="lesson-next">Next ▶</button>
    </div>`;
  const $ = (sel) => root.querySelector(sel);
  const current = () => state.lesson && lessons.find((l) => l.id === state.lesson.id);
  $('[data-action="lesson-close"]').onclick = () => send('lesson', {});
  $('[data-action="lesson-back"]').onclick = () => openLesson(state.lesson.id, state.lesson.stage - 1);
  $('[data-action="lesson-next"]').onclick = () => openLesson(state.lesson.id, state.lesson.stage + 1);
  $('[data-role="lesson-stages"]').onclick = (e) => {
    const b = e.target.closest('[data-stage]');
    if (b) openLesson(state.lesson.id, Number(b.dataset.stage));
  };
  // A gradient descent stage's Play and Step take the descent view's path, not training steps.
  const stageOn = () => current().stages[state.lesson.stage];
  $('[data-action="lesson-play"]').onclick = () => {
    if (stageOn().descent) update({ descentAsk: { what: 'play' } }); else send('play');
  };
  $('[data-action="lesson-pause"]').onclick = () => send('pause');
  $('[data-action="lesson-step"]').onclick = () => {
    const stage = stageOn();
    if (stage.descent) update({ descentAsk: { what: 'step' } }); else send('step', { unit: stage.step });
  };
  // ← and → go to the previous and next stage, as Back and Next do, while no field, cell or
  // menu has the focus (a field keeps its arrow keys; a button clicked last, Next itself,
  // has no use for them).
  document.addEventListener('keydown', (e) => {
    const key = { ArrowLeft: 'lesson-back', ArrowRight: 'lesson-next' }[e.key];
    const focus = document.activeElement;
    const idle = !focus || focus === document.body || (focus.tagName === 'BUTTON' && !focus.closest('[role="menu"]'));
    if (!key || !state.lesson || root.hidden || !idle || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
    const target = $(`[data-action="${key}"]`);
    if (target.disabled) return;
    e.preventDefault();
    target.click();
  });
  $('[data-action="classroom"]').onchange = (e) => { classroom = e.target.checked; layout(state); setUrl(); };

  let shown = null;  // "id:stage" of the text on show, so readouts alone do not redraw it
  function draw(s) {
    const lesson = current();
    if (root.hidden !== !lesson) root.hidden = !lesson;  // set to itself it still restyles
    layout(s);
    setUrl();
    if (!lesson) { shown = null; return; }
    const k = s.lesson.stage;
    const stage = lesson.stages[k];
    if (shown !== `${lesson.id}:${k}`) {
      shown = `${lesson.id}:${k}`;
      root.dataset.lesson = lesson.id;
      root.dataset.stage = String(k);
      $('[data-role="lesson-title"]').textContent = lesson.title;
      $('[data-role="lesson-title"]').title = `Lesson: ${lesson.title}. ${lesson.summary}`;
      $('[data-role="lesson-stages"]').innerHTML = lesson.stages.map((st, i) => `<button data-stage="${i}"
        class="${i === k ? 'on' : ''}" title="${escape(st.title)}">${i + 1}</button>`).join('')
        + `<span class="stage-title">Stage ${k + 1} of ${lesson.stages.length}: ${escape(stage.title)}</span>`;
      $('[data-role="lesson-body"]').innerHTML = `
        <p><b>Do</b> ${escape(stage.do)}</p>
        <p><b>Watch</b> ${escape(stage.watch)}</p>
        <p class="question"><b>Question</b> ${escape(stage.question)}</p>
        ${stage.answer ? `<details><summary>Answer</summary>${escape(stage.answer)}</details>` : ''}`;
      $('[data-action="lesson-back"]').disabled = k === 0;
      $('[data-action="lesson-next"]').disabled = k === lesson.stages.length - 1;
      $('[data-action="lesson-step"]').title = stage.descent ? 'one step of gradient descent'
        : `one step on 1 ${stage.step === 'sample' ? 'sample (the selected row)' : stage.step}`;
      $('[data-action="lesson-pause"]').hidden = !!stage.descent;
      $('[data-action="classroom"]').checked = classroom;
      // The readout box keeps room for two lines a readout, set once per stage, so it hardly
      // ever grows while training (and growing moves nothing: it is the last thing above the
      // buttons, which sit at the panel's foot).
      $('[data-role="readouts"]').style.minHeight = `${14 + 38 * stage.readouts.length}px`;
    }
    // A stage that says how far to train (its file's `epochs`): where the run is on the way.
    const epochs = $('[data-role="lesson-epochs"]');
    const progress = !stage.epochs ? ''
      : s.status.epoch <= stage.epochs ? `epoch ${s.status.epoch} of ${stage.epochs}: Play pauses at epoch ${stage.epochs}`
        : `epoch ${s.status.epoch}: played on past epoch ${stage.epochs}, where Play paused`;
    if (epochs.textContent !== progress) epochs.textContent = progress;
    if (epochs.hidden !== !progress) epochs.hidden = !progress;
    const playing = !!s.status.playing;
    $('[data-action="lesson-play"]').disabled = playing || !!s.status.diverged;
    $('[data-action="lesson-pause"]').disabled = !playing;
    // A descent stage's readouts say where the path ends: their text shows once the student
    // has run the path there (their value stays on the element, for the tests).
    const waiting = !!stage.descent && !s.descentDone;
    const html = s.lesson.readouts.map((r) => `<li data-readout="${r.name}" data-value="${escape(JSON.stringify(r.value))}"${waiting ? ' data-waiting="true"' : ''}>
      <span class="label">${escape(r.label)}</span> ${waiting ? '<span class="muted">press Play (or Step) to run the descent: this shows where it ends once it gets there</span>' : escape(r.text)}</li>`).join('');
    const list = $('[data-role="readouts"]');
    if (list.innerHTML !== html) list.innerHTML = html;
  }
  on(['lesson', 'status', 'config', 'descentDone'], draw);
}

// While a lesson is open the lesson panel is a column of the full height on the right, so its
// text and readouts never scroll, and the other panels share a 2×2 grid beside it: the
// lesson's own panels first, then the usual ones, up to four (no lesson lists more). In
// classroom view only the lesson's panels, spread over the grid's four places. Gradient
// descent: its plot takes the whole grid. One rule for every lesson: its list of panels decides.
let laidOut = null;  // what the grid was last laid out for, so status frames do not redo it

// The panels of the 2×2 grid in reading order: rows of two, a lone third spans its row, one or
// two panels take both rows.
function slots(names) {
  const [a, b = a, c, d = c] = names;
  if (names.length <= 2) return [[a, b], [a, b]];
  return [[a, b], [c, d]];
}

function layout(s) {
  const grid = document.querySelector('.grid');
  const lesson = s.lesson && s.welcome.choices.lessons.find((l) => l.id === s.lesson.id);
  const key = JSON.stringify([lesson && lesson.id, classroom, s.config && s.config.mode]);
  if (key === laidOut) return;
  laidOut = key;
  const panels = [...grid.querySelectorAll('[data-panel]')].filter((p) => p.dataset.panel !== 'descent');
  document.body.classList.toggle('classroom', !!lesson && classroom);
  grid.classList.toggle('lesson-open', !!lesson);
  // On the body too, for the banner: a body:has() rule would make every text written anywhere
  // on the page (30 times a second) check the body's style again.
  document.body.classList.toggle('lesson-open', !!lesson);
  if (!lesson) {
    grid.style.gridTemplateAreas = '';
    grid.style.gridTemplateColumns = '';
    for (const p of panels) p.hidden = p.dataset.panel === 'lesson';
    return;
  }
  const need = new Set(lesson.panels);
  const descent = s.config && s.config.mode === 'descent';
  let names = ORDER.filter((p) => need.has(p));
  if (!classroom) names = [...names, ...ORDER.filter((p) => !need.has(p))].slice(0, 4);
  names = ORDER.filter((p) => names.includes(p)).map((p) => AREA[p]);
  let rows = descent ? [['descent', 'descent'], ['descent', 'descent']] : slots(names);
  if (!rows[0][0]) rows = [['lesson', 'lesson'], ['lesson', 'lesson']];  // nothing but the lesson
  rows = rows.map((r) => [...r, 'lesson']);
  // In gradient descent the controls only say that the network waits: the plot takes their room.
  const controls = !descent && (!classroom || need.has('controls'));
  if (controls) rows = rows.map((r) => ['controls', ...r]);
  grid.style.gridTemplateColumns = `${controls ? 'clamp(260px, 16vw, 310px) ' : ''}minmax(0, 1fr) minmax(0, 1fr) var(--lesson-width)`;
  grid.style.gridTemplateAreas = rows.map((r) => `"${r.join(' ')}"`).join(' ');
  const placed = new Set(rows.flat());
  for (const p of panels) p.hidden = !placed.has(AREA[p.dataset.panel]);
}
