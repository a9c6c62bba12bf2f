// The table writer (src/output/columns.ts) prints what cli-table3 printed with the settings the
// list and run tables used: the reference here is cli-table3 itself, configured the old way.
import test from 'ava';
import Table from 'cli-table3';
import { renderColumns, writeColumns } from '../../src/output/columns.ts';
import { rng } from '../support/realistic-pods.ts';

const chars = Object.fromEntries(
  [
    'top',
    'top-mid',
    'top-left',
    'top-right',
    'bottom',
    'bottom-mid',
    'bottom-left',
    'bottom-right',
    'left',
    'left-mid',
    'mid',
    'mid-mid',
    'right',
    'right-mid',
    'middle',
  ].map((k) => [k, '']),
);

function reference(head: string[], rows: string[][]): string {
  const table = new Table({ head, chars, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 3, compact: true } });
  for (const row of rows) table.push(row);
  return `${table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .join('\n')}\n`;
}

const PIECES = [
  'a',
  'pod-1',
  'team-000',
  '',
  ' ',
  'x y',
  '\u001b[31merror: bad\u001b[39m',
  '\u001b[2mskipped\u001b[22m',
  'ünïcødé',
  '日本語',
  '🙂',
  'e\u0301',
  '…',
  'a\tb',
  '-',
];

test('the same text as cli-table3 for ASCII, colours, wide and combining characters, empty cells', (t) => {
  const r = rng(7);
  for (let round = 0; round < 200; round++) {
    const cols = 1 + Math.floor(r() * 6);
    const head = Array.from({ length: cols }, (_, i) => ['NAMESPACE', 'POD', 'PHASE', 'STATUS', 'X', ''][i] as string);
    const rows = Array.from({ length: Math.floor(r() * 8) }, () =>
      Array.from({ length: cols }, () => {
        let s = '';
        for (let k = Math.floor(r() * 3); k > 0; k--) s += PIECES[Math.floor(r() * PIECES.length)];
        return s;
      }),
    );
    t.is(renderColumns(head, rows), reference(head, rows), JSON.stringify({ head, rows }));
  }
});

test('a cell of several lines and a ragged row are laid out as cli-table3 does', (t) => {
  const head = ['A', 'B'];
  t.is(renderColumns(head, [['one\ntwo', 'x']]), reference(head, [['one\ntwo', 'x']]));
  t.is(renderColumns(head, [['only']]), reference(head, [['only']]));
});

test('columns are three spaces apart, without trailing blanks', (t) => {
  t.is(
    renderColumns(
      ['NAME', 'STATUS'],
      [
        ['a', 'ok'],
        ['longer-name', ''],
      ],
    ),
    'NAME          STATUS\na             ok\nlonger-name\n',
  );
});

test('--no-headers: the header row is neither printed nor measured, as cli-table3 with no head', (t) => {
  const head = ['NAMESPACE', 'POD'];
  const rows = [
    ['a', 'b'],
    ['ccc', '\u001b[31md\u001b[39m'],
  ];
  const table = new Table({ head: [], chars, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 3, compact: true } });
  for (const row of rows) table.push(row);
  const want = `${table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .join('\n')}\n`;
  t.is(renderColumns(head, rows, true), want);
  t.is(renderColumns(head, [], true), '\n');
});

test('a large table is written in chunks of about 64 KiB that join to the text cli-table3 printed', (t) => {
  const head = ['NAMESPACE', 'POD', 'COMMAND'];
  const rows = Array.from({ length: 1500 }, (_, i) => [`team-${i % 7}`, `pod-${i}`, `/bin/sh -c ${'x'.repeat(i % 50)}`]);
  const chunks: string[] = [];
  writeColumns(head, rows, false, (c) => chunks.push(c));
  t.true(chunks.length > 1, `${chunks.length} chunk(s)`);
  for (const c of chunks.slice(0, -1)) t.true(c.length >= 64 * 1024 && c.length < 64 * 1024 + 200, `${c.length}`);
  t.is(chunks.join(''), reference(head, rows));
  const few: string[] = [];
  writeColumns(head, rows.slice(0, 3), true, (c) => few.push(c));
  t.deepEqual(few, [renderColumns(head, rows.slice(0, 3), true)], 'a small table is one write');
});
