// The table writer (src/output/columns.ts) prints what cli-table3 printed with the settings the
// list and run tables used: the reference here is cli-table3 itself, configured the old way.
import test from 'ava';
import Table from 'cli-table3';
import { renderColumns } from '../../src/output/columns.ts';
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
