// The -o formats for scripts (src/output/formats.ts): parsing of custom-columns, --sort-by's order,
// -o name, and the terminal-only cut of a table column.
import test from 'ava';
import { acceptsOutput, OUTPUTS } from '../../src/commands/flags.ts';
import {
  alignColumns,
  parseCustomColumns,
  parseCustomColumnsFile,
  parseFormat,
  renderCustomColumns,
  renderNames,
  sortItems,
} from '../../src/output/formats.ts';
import { fitColumn } from '../../src/output/render.ts';

test('the -o table takes jsonpath=… and the other prefixes, and nothing else', (t) => {
  t.true(acceptsOutput(OUTPUTS.list, 'jsonpath={.pods}'));
  t.true(acceptsOutput(OUTPUTS.list, 'custom-columns-file=cols.txt'));
  t.true(acceptsOutput(OUTPUTS.list, 'name'));
  t.false(acceptsOutput(OUTPUTS.list, 'jsonpath'), 'kubectl needs the = and a template');
  t.false(acceptsOutput(OUTPUTS.list, 'names'));
  t.false(acceptsOutput(OUTPUTS.validate, 'name'));
  t.false(acceptsOutput(OUTPUTS.annotate, 'jsonpath={.x}'));
});

test('custom-columns: HEADER:PATH pairs in the relaxed form, errors in kubectl words', (t) => {
  t.deepEqual(parseCustomColumns('POD:.name,PHASES:{.hooks[*].phase},NS:namespace'), [
    { header: 'POD', path: '{.name}' },
    { header: 'PHASES', path: '{.hooks[*].phase}' },
    { header: 'NS', path: '{.namespace}' },
  ]);
  t.throws(() => parseCustomColumns(''), { message: 'custom-columns format specified but no custom columns given' });
  t.throws(() => parseCustomColumns('POD'), { message: 'unexpected custom-columns spec: POD, expected <header>:<json-path-expr>' });
  t.deepEqual(parseCustomColumnsFile('A   B\n.a  .b\n'), [
    { header: 'A', path: '{.a}' },
    { header: 'B', path: '{.b}' },
  ]);
  t.throws(() => parseCustomColumnsFile('A B\n.a\n'), { message: "number of headers (2) and field specifications (1) don't match" });
  t.throws(() => parseFormat('jsonpath={.a'), { message: 'error parsing jsonpath {.a, unclosed action' });
});

test('custom-columns rows: <none> for nothing, commas between several values, Go %v for maps and lists (kubectl)', (t) => {
  const out = renderCustomColumns([{ a: 1, l: ['x', 'y'], m: { k: 'v' } }, {}], parseCustomColumns('A:.a,L:.l[*],M:.m'), false);
  t.deepEqual(
    out.split('\n').map((l) => l.split(/\s{2,}/)),
    [['A', 'L', 'M'], ['1', 'x,y', 'map[k:v]'], ['<none>', '<none>', '<none>'], ['']],
  );
  t.is(renderCustomColumns([{ a: 1 }], parseCustomColumns('A:.a'), true), '1\n');
});

test('--sort-by: numbers by value, text in natural order, stable, items without the field first', (t) => {
  const pods = ['db-10', 'db-9', 'web-0', 'db-1'].map((name, i) => ({ name, n: [3, 20, 1, 3][i] }));
  sortItems(pods, '.name');
  t.deepEqual(
    pods.map((p) => p.name),
    ['db-1', 'db-9', 'db-10', 'web-0'],
  );
  sortItems(pods, '{.n}');
  t.deepEqual(
    pods.map((p) => p.name),
    ['web-0', 'db-1', 'db-10', 'db-9'],
    '1, 3, 3 (in their previous order), 20',
  );
  const some: { name: string; x?: string }[] = [{ name: 'a', x: 'b' }, { name: 'b' }, { name: 'c', x: 'a' }];
  sortItems(some, '.x');
  t.deepEqual(
    some.map((p) => p.name),
    ['b', 'c', 'a'],
  );
  t.throws(() => sortItems(some, '.nope'), { message: 'couldn\'t find any field with path "{.nope}" in the list of objects' });
});

test('-o name: kind/name, no namespace, each object once, control characters escaped', (t) => {
  t.is(
    renderNames([
      { namespace: 'a', kind: 'Pod', name: 'web-0' },
      { namespace: 'b', kind: 'Pod', name: 'web-0' },
      { namespace: 'a', kind: 'Pod', name: 'web-0' },
      { namespace: 'a', kind: 'StatefulSet', name: 'db\u001b[2J' },
    ]),
    'pod/web-0\npod/web-0\nstatefulset/db^[[2J\n',
  );
});

test('fitColumn cuts one column to the terminal width, never below 20, and not at all without a width', (t) => {
  const head = ['A', 'COMMAND', 'B'];
  const long = 'x'.repeat(200);
  const rows = [['aaaa', long, 'bb']];
  fitColumn(head, rows, 1, undefined);
  t.is(rows[0]?.[1], long, 'piped: whole');
  fitColumn(head, rows, 1, 80);
  t.is(rows[0]?.[1]?.length, 80 - 4 - 2 - 6);
  t.true(rows[0]?.[1]?.endsWith('…'));
  const narrow = [['aaaa', long, 'bb']];
  fitColumn(head, narrow, 1, 10);
  t.is(narrow[0]?.[1]?.length, 20);
});

test("custom-columns align as kubectl's tabwriter: widest cell plus 3, at least 6, counted in code points", (t) => {
  t.is(alignColumns(['A', 'B'], [['x', 'y']], false), 'A     B\nx     y\n');
  t.is(alignColumns(['NAMESPACE', 'B'], [['é', 'y']], true), 'é     y\n', 'no header: only the rows set the widths');
});
