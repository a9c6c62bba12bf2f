// The kubectl-looking table (upper-case headers, columns separated by three spaces, no borders),
// written directly: the same text cli-table3 gives with render.ts's former settings, in linear
// time. cli-table3 lays a table out by checking every cell against every other for spans
// (layout-manager's cellsConflict): ~120 ms for 2,000 rows, quadratic beyond, where this is a few ms.
// Widths are cli-table3's own (its strlen: ANSI codes stripped, East Asian wide characters count
// two); printable ASCII, nearly every cell, is measured by its length.

import Table from 'cli-table3';
import utils from 'cli-table3/src/utils.js';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The width a terminal gives a cell, as cli-table3 measures it. */
export function cellWidth(s: string): number {
  return PRINTABLE_ASCII.test(s) ? s.length : utils.strlen(s);
}

const NO_BORDER = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '',
};

/** cli-table3 itself, for what the writer does not lay out (a cell of several lines, a ragged row). */
function viaCliTable3(head: string[], rows: string[][], noHeaders: boolean): string {
  const table = new Table({
    head: noHeaders ? [] : head,
    chars: NO_BORDER,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 3, compact: true },
  });
  for (const row of rows) table.push(row);
  return (
    table
      .toString()
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l !== '')
      .join('\n') + '\n'
  );
}

/**
 * A table as kubectl prints one: each column as wide as its widest cell, then three spaces; no
 * trailing blanks. `noHeaders` (--no-headers): the header row is neither printed nor measured.
 */
export function renderColumns(head: string[], rows: string[][], noHeaders = false): string {
  const out: string[] = [];
  writeColumns(head, rows, noHeaders, (chunk) => out.push(chunk));
  return out.join('');
}

/**
 * renderColumns's text, written in chunks of about 64 KiB: at 100k pods a table of 10,000 hooks
 * is megabytes, and its lines joined into one string were a copy held beside the rows.
 */
export function writeColumns(head: string[], rows: string[][], noHeaders: boolean, write: (chunk: string) => void): void {
  const n = head.length;
  const widths = noHeaders ? head.map(() => 0) : head.map(cellWidth);
  for (const row of rows) {
    if (row.length !== n) {
      write(viaCliTable3(head, rows, noHeaders));
      return;
    }
    for (let i = 0; i < n; i++) {
      const cell = row[i] as string;
      if (cell.includes('\n')) {
        write(viaCliTable3(head, rows, noHeaders));
        return;
      }
      const w = cellWidth(cell);
      if (w > (widths[i] as number)) widths[i] = w;
    }
  }
  const line = (cells: string[]) => {
    let s = '';
    for (let i = 0; i < n; i++) {
      const cell = cells[i] as string;
      s += i < n - 1 ? cell + ' '.repeat((widths[i] as number) - cellWidth(cell) + 3) : cell;
    }
    return s.trimEnd();
  };
  let buf = '';
  let any = false;
  const emit = (cells: string[]) => {
    const l = line(cells);
    if (l === '') return;
    buf += any ? `\n${l}` : l;
    any = true;
    if (buf.length >= 64 * 1024) {
      write(buf);
      buf = '';
    }
  };
  if (!noHeaders) emit(head);
  for (const cells of rows) emit(cells);
  write(`${buf}\n`);
}
