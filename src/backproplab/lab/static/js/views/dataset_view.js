// Dataset (training and test rows): # | Input 1 | Input 2 | Expected output | Prediction |
// Off by, predictions live. Cells are editable (text, with the table's one editor: cell_editor.js), rows addable
// and deletable; CSV import and export. Selecting a row selects that sample for the
// step-by-step panel and highlights its point. Rows of more than two inputs (an autoencoder's)
// show each input vector in one cell, read-only, and an autoencoder's prediction is its
// reconstruction, one vector per row; the server sends those for the page on show, so the
// view tells it which page that is.
import { report, request, send } from '../socket.js';
import { on, state, update } from '../state.js';
import { fmt, minus } from '../palette.js';
import { saveExport } from '../downloads.js';
import { float32s } from '../float32s.js';
import { mountCellEditor } from './cell_editor.js';

export function mountDataset(root) {
  const PAGE = state.welcome.limits.TABLE_PAGE_ROWS;
  let serverPage = 0;  // the page the server sends reconstructions for
  root.innerHTML = `<h2>Dataset</h2>
    <div class="table-wrap"><table>
      <thead><tr></tr></thead>
      <tbody></tbody></table></div>
    <div class="row table-foot"><span class="muted" data-role="pager"></span><span class="spacer"></span>
      <button data-action="add-row">+ row</button>
      <input type="file" accept=".csv,text/csv" data-action="import-csv" hidden><button data-action="import-csv-button">Import CSV</button>
      <button data-action="export-csv">Export CSV</button></div>`;
  const head = root.querySelector('thead tr');
  const body = root.querySelector('tbody');
  const pager = root.querySelector('[data-role="pager"]');
  const fileInput = root.querySelector('[data-action="import-csv"]');
  root.querySelector('[data-action="import-csv-button"]').onclick = () => fileInput.click();
  fileInput.onchange = async () => {
    const file = fileInput.files[0];
    if (!file) return;
    const response = await fetch(`/api/csv?session=${state.welcome.session}`, { method: 'POST', body: await file.text() });
    const result = await response.json();
    if (!result.ok) report(result.error);
    fileInput.value = '';
  };
  root.querySelector('[data-action="export-csv"]').onclick = async () => saveExport(await request('export', { what: 'csv' }));
  root.querySelector('[data-action="add-row"]').onclick = () => {
    const d = state.data;
    const width = d.x[0]?.length || 2;
    send('add_row', { x: Array(width).fill(0), y: 0 });
  };

  // A cell shows its value short (its title in full): the row is sent with the exact values
  // of the cells not typed in and the one typed. One the server refuses is shown again as
  // the data still is.
  const editor = mountCellEditor(body, (td, value) => {
    td.dataset.value = String(value);
    td.title = String(value);
    td.textContent = cellText(value);
    const values = [...td.parentElement.querySelectorAll('td[data-col]')].map((c) => Number(c.dataset.value));
    const y = values.pop();
    send('set_row', { index: Number(td.dataset.row), x: values, y }).then((reply) => { if (!reply) rows(state); });
  }, report);

  function rows(s) {
    const d = s.data;
    if (!d) return;
    const editable = s.structure?.editable;
    const width = d.x[0]?.length ?? 0;
    const oneD = width === 1;
    const wide = width > 2;
    const autoencoder = s.structure?.task === 'autoencoder';
    // With features, the network's inputs are the features of each point: shown beside it.
    const names = s.structure?.input_names ?? [];
    const featured = Boolean(d.inputs);
    // Rows count from 0, as the exported code's x[i] and y[i] index them (neurons are named h1,
    // o1 as in a textbook; a row is an index into the data).
    const rowHead = '<th title="row number, from 0: the exported code\'s x[i], y[i]">#</th>';
    head.innerHTML = (wide ? `${rowHead}<th class="vector">Inputs (${width})</th>`
      : `${rowHead}<th>Input 1</th><th>${oneD ? '' : 'Input 2'}</th>`) +
      (featured ? `<th class="vector features-col" title="what the network is fed: ${names.join(', ')}">Network inputs: ${names.join(', ')}</th>` : '') +
      `<th>Expected output</th>${autoencoder
        ? '<th class="vector" title="the network\'s output for the row: its reconstruction of the inputs">Prediction</th>'
        : '<th>Prediction</th>'}${errorHead(s.structure?.task)}<th></th>`;
    const addRow = root.querySelector('[data-action="add-row"]');
    addRow.disabled = !editable;
    addRow.title = editable ? '' : 'the rows of this dataset cannot be edited by hand';
    const pages = Math.max(1, Math.ceil(d.x.length / PAGE));
    s.view.page = Math.min(s.view.page, pages - 1);
    if (s.view.page !== serverPage) {
      serverPage = s.view.page;
      send('table_page', { page: serverPage });
    }
    const start = s.view.page * PAGE;
    const end = Math.min(d.x.length, start + PAGE);
    const cell = (i, k, v) => (editable
      ? `<td class="cell" tabindex="0" data-row="${i}" data-col="${k}" data-value="${v}" title="${v}">${cellText(v)}</td>`
      : `<td>${fmt(v)}</td>`);
    // An input vector of up to 16 characters (the encoder's eight bits) is never cut; longer
    // ones share the room left with the reconstruction.
    const inputs = (i, x) => {
      if (!wide) return `${cell(i, 0, x[0])}${oneD ? '<td></td>' : cell(i, 1, x[1])}`;
      const text = x.map((v) => fmt(v)).join(' ');
      return `<td class="vector${text.length <= 16 ? ' whole' : ''}" data-role="inputs">${text}</td>`;
    };
    const expected = (i) => (autoencoder
      ? '<td data-role="expected" title="an autoencoder\'s expected output is its own input">= input</td>'
      : cell(i, 'y', d.y[i]));
    let html = '';
    for (let i = start; i < end; i += 1) {
      const fed = featured ? `<td class="vector" data-role="features">${d.inputs[i].map((v) => fmt(v, 3)).join(' ')}</td>` : '';
      html += `<tr data-index="${i}" class="${d.test[i] ? 'test' : ''}"><td>${i}</td>${inputs(i, d.x[i])}${fed}` +
        `${expected(i)}<td${autoencoder ? ' class="vector"' : ''} data-role="pred"></td><td class="err" data-role="err"><i></i><span></span></td>` +
        `<td>${editable ? `<button data-action="delete-row" data-row="${i}" aria-label="delete row ${i}">×</button>` : ''}</td></tr>`;
    }
    const kept = editor.beforeRewrite();
    body.innerHTML = html;
    editor.afterRewrite(kept);
    pager.innerHTML = pages > 1 ? `rows ${start}–${end - 1} of ${d.x.length}
      <button data-page="-1">‹</button><button data-page="1">›</button>` : rowCount(d);
    titleClipped(inputCells());
    watchRows();
    predictions(s, true);
    selection(s);
  }

  // A vector too long for its cell is cut short with an ellipsis; its title then holds every
  // value (inputs as sent, a reconstruction as printed), an image's one image row per line.
  // All widths are read before any title is written, so the table is laid out once.
  function titleClipped(cells) {
    const cut = cells.map((td) => td.scrollWidth > td.clientWidth || td.textContent.endsWith('…'));
    cells.forEach((td, k) => {
      const i = Number(td.parentElement.dataset.index);
      const values = (td.dataset.role === 'inputs' ? state.data.x[i] : reconstructionOf(i)) ?? [];
      const side = Math.round(Math.sqrt(values.length));
      const perLine = side * side === values.length ? side : values.length;
      const lines = [];
      for (let j = 0; j < values.length; j += perLine) lines.push(values.slice(j, j + perLine).join(' '));
      td.title = cut[k] ? lines.join('\n') : '';
    });
  }
  const inputCells = () => [...body.querySelectorAll('td.vector[data-role="inputs"]')];

  // A reconstruction arrives as the model's float32 outputs for the rows of the page on show
  // and reads to two significant digits. Its cell prints the first SHOWN values (more do not
  // fit it even in a 2560-pixel window, and a page of digits would be 6,400 numbers to print
  // 30 times a second), its title all of them.
  const SHOWN = 16;
  let recon = null;
  const twoDigits = (v) => (Number.isFinite(v) ? minus(String(Number(v.toPrecision(2)))) : '—');
  function reconstructionOf(i, count = Infinity) {  // null until the row's page has come
    const k = recon ? i - recon.start : -1;
    if (k < 0 || (k + 1) * recon.width > recon.values.length) return null;
    const from = k * recon.width;
    return Array.from(recon.values.subarray(from, from + Math.min(count, recon.width)), twoDigits);
  }
  function reconstructionText(i) {
    const shown = reconstructionOf(i, SHOWN);
    if (!shown) return '—';
    return shown.join(' ') + (shown.length < recon.width ? ' …' : '');
  }

  // A cell retyped with the text it already shows still costs the table a layout.
  const write = (el, text) => { if (el.textContent !== text) el.textContent = text; };

  // While training plays only the rows in or near the table's view are written (a page of 100
  // rows costs a layout of the whole table); a row coming near the view is written then, from
  // the same predictions, before it is scrolled in. Paused, every row is written.
  let drawn = null;
  const near = new Set();
  const watcher = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) { near.delete(e.target); continue; }
      near.add(e.target);
      if (drawn) writeRow(e.target, drawn);
    }
  }, { root: root.querySelector('.table-wrap'), rootMargin: '100% 0px' });
  function watchRows() {
    watcher.disconnect();
    near.clear();
    for (const tr of body.rows) watcher.observe(tr);
  }

  function predictions(s, every = !s.status.playing) {
    const p = s.predictions;
    if (!p || !s.data) return;
    const rec = p.reconstruction;
    recon = rec && { ...rec, values: float32s(rec.values) };
    drawn = p;
    partial = !every;
    for (const tr of every ? body.rows : near) writeRow(tr, p);
  }
  let partial = false;
  function pausedEverywhere(s) { if (partial && !s.status.playing) predictions(s, true); }

  function writeRow(tr, p) {
    const i = Number(tr.dataset.index);
    const k = i - (p.start ?? 0);  // the frame carries the rows of the page on show
    write(tr.querySelector('[data-role="pred"]'), p.reconstruction ? reconstructionText(i) : fmt(p.prediction?.[k]));
    const err = p.error[k];
    const [bar, text] = tr.querySelector('[data-role="err"]').children;
    const width = `${Math.min(24, 24 * (err ?? 0))}px`;
    if (bar.shownWidth !== width) { bar.shownWidth = width; bar.style.width = width; }
    write(text, fmt(err, 3));
  }

  // While training plays the numbers change faster than anyone reads them and a table of 100
  // rows costs the page a layout each time: it is redrawn at most every TABLE_INTERVAL ms then,
  // and at once when paused.
  const TABLE_INTERVAL = 250;
  let tableTimer = null;
  let tableAt = 0;
  function predictionsSoon(s) {
    clearTimeout(tableTimer);
    const draw = () => { tableAt = performance.now(); predictions(state); };
    const wait = s.status.playing ? tableAt + TABLE_INTERVAL - performance.now() : 0;
    if (wait <= 0) draw(); else tableTimer = setTimeout(draw, wait);
  }

  // Every frame brings the selected row again: only the rows whose mark changes are touched.
  function selection(s) {
    const index = s.selected?.index;
    for (const tr of body.querySelectorAll('tr.sel')) if (Number(tr.dataset.index) !== index) tr.classList.remove('sel');
    body.querySelector(`tr[data-index="${index}"]`)?.classList.add('sel');
  }

  body.addEventListener('click', (e) => {
    const del = e.target.closest('[data-action="delete-row"]');
    if (del) { send('delete_row', { index: Number(del.dataset.row) }); return; }
    const tr = e.target.closest('tr');
    if (tr) {
      update({ probe: null });
      send('select', { index: Number(tr.dataset.index) });
    }
  });
  // A reconstruction changes with every frame, so its title is written when the pointer comes
  // to it instead of measuring a page of cells 30 times a second.
  body.addEventListener('mouseover', (e) => {
    const td = e.target.closest('td.vector[data-role="pred"]');
    if (td) titleClipped([td]);
  });
  pager.addEventListener('click', (e) => {
    const b = e.target.closest('[data-page]');
    if (!b) return;
    state.view.page += Number(b.dataset.page);
    rows(state);
  });

  new ResizeObserver(() => {
    if (!state.data) return;
    titleClipped(inputCells());
  }).observe(root.querySelector('.table-wrap'));
  on(['data', 'structure'], rows);
  on(['predictions'], predictionsSoon);
  on(['selected'], selection);
  on(['status'], pausedEverywhere);
}

// The last column is how far each prediction is off, which is not the row's loss (a
// prediction of 0.5 is off by 0.5 and its loss is 0.693): named so, and its title says what
// it is. An autoencoder's is the row's loss.
function errorHead(task) {
  const title = {
    multiclass: '1 − the probability given to the expected class: how far the prediction is off. Not the loss (the step-by-step panel shows the row\'s loss)',
    autoencoder: 'the row\'s loss: the loss of a step on this row alone',
  }[task] ?? '|expected output − prediction|: how far the prediction is off. Not the loss (the step-by-step panel shows the row\'s loss)';
  return `<th title="${title}">${task === 'autoencoder' ? 'Loss' : 'Off by'}</th>`;
}

// The panel lists every row, the test rows (marked) too.
function rowCount(d) {
  const test = d.test.filter(Boolean).length;
  return test ? `<span title="${d.x.length - test} training rows and ${test} test rows (marked: never trained on)">${d.x.length} rows (${test} test)</span>` : `${d.x.length} rows`;
}

// An editable cell is about 6 characters wide: a value shows with 3 decimals at most (3
// significant digits from 1 up, a tiny one as a power of ten); its title holds it in full.
function cellText(v) {
  const a = Math.abs(v);
  if (a >= 1) return fmt(v, 3);
  if (a !== 0 && a < 5e-4) return minus(v.toExponential(0));
  return minus(String(Number(v.toFixed(3))));
}
