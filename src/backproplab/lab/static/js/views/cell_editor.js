// The dataset table's one cell editor. Its cells show their values as text: a page of 300
// <input>s, each its own scrolling box, cost the compositor ~8 ms a frame while training
// plays. The cell being edited gets the one <input>, laid over it: a click, Enter, F2 or
// typing opens it (typing replaces the value), Enter and leaving it commit, Escape cancels,
// Tab and Shift+Tab commit and go on to the next or previous cell.
//
// `commit(cell, value)` is told the number typed into a cell (called only when its text
// changed and reads as a number); text that is no number goes to `refuse(message)` and the
// cell keeps its value.
export function mountCellEditor(body, commit, refuse) {
  const input = document.createElement('input');
  input.className = 'cell-editor';
  let cell = null;   // the cell being edited
  let shown = '';    // the text it showed when opened
  let moving = false;

  const cells = () => [...body.querySelectorAll('td[data-col]')];
  const key = (td) => `${td.dataset.row}:${td.dataset.col}`;

  function open(td, typed = null) {
    if (cell === td) return;
    if (cell) close(true);
    cell = td;
    shown = td.textContent.replace(/−/g, '-');  // typed back as the keyboard's minus
    input.value = typed ?? shown;
    // A cell is read as its text under its column's header; its editor says what it edits.
    input.setAttribute('aria-label', `row ${td.dataset.row} column ${td.dataset.col}: a number, Enter keeps it, Escape cancels`);
    td.classList.add('editing');
    td.append(input);
    input.focus();
    if (typed === null) input.select();
  }

  // Ends the edit, committing the text or not; the cell keeps the focus when `focusCell`.
  function close(keep, focusCell = false) {
    const td = cell;
    cell = null;
    moving = true;
    input.remove();
    moving = false;
    td.classList.remove('editing');
    if (focusCell) td.focus();
    const text = input.value.trim();
    if (!keep || text === shown) return;
    const value = text === '' ? NaN : Number(text);
    if (!Number.isFinite(value)) {
      refuse(`"${text}" is not a number: row ${td.dataset.row} keeps ${shown}`);
      return;
    }
    commit(td, value);
  }

  body.addEventListener('click', (e) => {
    const td = e.target.closest('td[data-col]');
    if (td && td !== cell) open(td);
  });
  body.addEventListener('keydown', (e) => {
    if (e.target === input) { editing(e); return; }
    const td = e.target.closest('td[data-col]');
    if (!td || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Enter' || e.key === 'F2') { e.preventDefault(); open(td); } else if (e.key.length === 1) {
      e.preventDefault();
      open(td, e.key);
    }
  });
  function editing(e) {
    if (e.key === 'Enter') close(true, true);
    else if (e.key === 'Escape') close(false, true);
    else if (e.key === 'Tab') {
      const all = cells();
      const next = all[all.indexOf(cell) + (e.shiftKey ? -1 : 1)];
      close(true, true);
      if (next) { e.preventDefault(); open(next); }  // at either end, Tab leaves the table
    } else return;
    e.stopPropagation();
  }
  input.addEventListener('blur', () => { if (cell && !moving) close(true); });

  // The table's rows are rewritten when its data changes (an edit's own frame among them):
  // the cell being edited, or the focused cell, is found again in the new rows and keeps its
  // text, caret and focus.
  return {
    beforeRewrite() {
      const focused = body.contains(document.activeElement) ? document.activeElement : null;
      const td = cell ?? focused?.closest('td[data-col]');
      const kept = td && { at: key(td), editing: Boolean(cell), value: input.value,
                           from: input.selectionStart, to: input.selectionEnd, shown };
      if (cell) {
        moving = true;
        input.remove();
        moving = false;
        cell = null;
      }
      return kept;
    },
    afterRewrite(kept) {
      if (!kept) return;
      const td = cells().find((c) => key(c) === kept.at);
      if (!td) return;
      if (!kept.editing) { td.focus(); return; }
      open(td, kept.value);
      shown = kept.shown;
      input.setSelectionRange(kept.from, kept.to);
    },
  };
}
