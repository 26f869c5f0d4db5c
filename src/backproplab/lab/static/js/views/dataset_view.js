// Training dataset: # | Input 1 | Input 2 | Expected output | Prediction | Error, predictions
// live. Cells are editable, rows addable and deletable; CSV import and export. Selecting a
// row selects that sample for the step-by-step panel and highlights its point. Rows of more
// than two inputs (an autoencoder's) show each input vector in one cell, read-only.
import { report, request, send } from '../socket.js';
import { on, state, update } from '../state.js';
import { fmt } from '../palette.js';
import { saveExport } from '../downloads.js';

const PAGE = 100;

export function mountDataset(root) {
  root.innerHTML = `<h2>Training dataset</h2>
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

  function rows(s) {
    const d = s.data;
    if (!d) return;
    const editable = s.structure?.editable;
    const width = d.x[0]?.length ?? 0;
    const oneD = width === 1;
    const wide = width > 2;
    const autoencoder = s.structure?.task === 'autoencoder';
    head.innerHTML = (wide ? `<th>#</th><th class="vector">Inputs (${width})</th>`
      : `<th>#</th><th>Input 1</th><th>${oneD ? '' : 'Input 2'}</th>`) +
      '<th>Expected output</th><th>Prediction</th><th>Error</th><th></th>';
    const addRow = root.querySelector('[data-action="add-row"]');
    addRow.disabled = !editable;
    addRow.title = editable ? '' : 'the rows of this dataset cannot be edited by hand';
    const pages = Math.max(1, Math.ceil(d.x.length / PAGE));
    s.view.page = Math.min(s.view.page, pages - 1);
    const start = s.view.page * PAGE;
    const end = Math.min(d.x.length, start + PAGE);
    const cell = (i, k, v) => (editable
      ? `<td><input data-row="${i}" data-col="${k}" value="${v}" aria-label="row ${i} column ${k}"></td>`
      : `<td>${fmt(v)}</td>`);
    const inputs = (i, x) => (wide ? `<td class="vector" data-role="inputs">${x.map((v) => fmt(v)).join(' ')}</td>`
      : `${cell(i, 0, x[0])}${oneD ? '<td></td>' : cell(i, 1, x[1])}`);
    const expected = (i) => (autoencoder
      ? '<td data-role="expected" title="an autoencoder\'s expected output is its own input">= input</td>'
      : cell(i, 'y', d.y[i]));
    let html = '';
    for (let i = start; i < end; i += 1) {
      html += `<tr data-index="${i}" class="${d.test[i] ? 'test' : ''}"><td>${i}</td>${inputs(i, d.x[i])}` +
        `${expected(i)}<td data-role="pred"></td><td class="err" data-role="err"></td>` +
        `<td>${editable ? `<button data-action="delete-row" data-row="${i}" aria-label="delete row ${i}">×</button>` : ''}</td></tr>`;
    }
    body.innerHTML = html;
    pager.innerHTML = pages > 1 ? `rows ${start}–${end - 1} of ${d.x.length}
      <button data-page="-1">‹</button><button data-page="1">›</button>` : `${d.x.length} rows`;
    titleClipped();
    predictions(s);
    selection(s);
  }

  // A vector too long for its cell is cut short with an ellipsis; its title then holds every
  // value as sent (an image's pixels one image row per line).
  function titleClipped() {
    for (const td of body.querySelectorAll('td.vector')) {
      const x = state.data.x[Number(td.parentElement.dataset.index)];
      const side = Math.round(Math.sqrt(x.length));
      const perLine = side * side === x.length ? side : x.length;
      const lines = [];
      for (let k = 0; k < x.length; k += perLine) lines.push(x.slice(k, k + perLine).join(' '));
      td.title = td.scrollWidth > td.clientWidth ? lines.join('\n') : '';
    }
  }

  function predictions(s) {
    const p = s.predictions;
    if (!p || !s.data) return;
    for (const tr of body.rows) {
      const i = Number(tr.dataset.index);
      const pred = p.prediction ? p.prediction[i] : null;
      tr.querySelector('[data-role="pred"]').textContent = fmt(pred);
      const err = p.error[i];
      tr.querySelector('[data-role="err"]').innerHTML = `<i style="width:${Math.min(24, 24 * (err ?? 0))}px"></i>${fmt(err, 3)}`;
    }
  }

  function selection(s) {
    const index = s.selected?.index;
    for (const tr of body.rows) tr.classList.toggle('sel', Number(tr.dataset.index) === index);
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
  body.addEventListener('change', (e) => {
    const input = e.target.closest('input');
    if (!input) return;
    const i = Number(input.dataset.row);
    const tr = input.closest('tr');
    const values = [...tr.querySelectorAll('input')].map((el) => parseFloat(el.value));
    if (values.some((v) => !Number.isFinite(v))) return;
    const y = values.pop();
    send('set_row', { index: i, x: values, y });
  });
  pager.addEventListener('click', (e) => {
    const b = e.target.closest('[data-page]');
    if (!b) return;
    state.view.page += Number(b.dataset.page);
    rows(state);
  });

  new ResizeObserver(() => { if (state.data) titleClipped(); }).observe(root.querySelector('.table-wrap'));
  on(['data', 'structure'], rows);
  on(['predictions'], predictions);
  on(['selected'], selection);
}
