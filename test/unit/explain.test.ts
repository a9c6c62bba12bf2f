// `explain` reads the finding table bundled in the plugin: every code in src/hooks/findings.ts has an
// explanation, the table of docs/findings.md lists exactly the same codes, and the bundled versions
// and fixes say what the docs say (a krew install ships no docs/, so the two must not drift).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { EXPLANATIONS, FINDING_CODES, FINDINGS } from '../../src/hooks/findings.ts';
import { suggest } from '../../src/commands/explain.ts';

const docs = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');
/** The rows of the "All codes" table: code (in backticks), severity, in short, versions. */
const rows = [...docs.matchAll(/^\| `([^`]+)` \|(.*)\|$/gm)].map((m) => ({
  code: m[1] as string,
  cells: (m[2] as string).split('|').map((c) => c.trim()),
}));
const plain = (s: string) => s.replace(/`/g, '').replace(/\s+/g, ' ').trim();

test('every code in findings.ts has a description, versions and a fix', (t) => {
  t.true(FINDING_CODES.length > 0);
  for (const code of FINDING_CODES) {
    t.true(FINDINGS[code].description.length > 0, code);
    t.true((EXPLANATIONS[code]?.versions ?? '').length > 0, code);
    t.true((EXPLANATIONS[code]?.fix ?? '').length > 0, code);
  }
  t.deepEqual(Object.keys(EXPLANATIONS).sort(), [...FINDING_CODES].sort());
});

test("the docs' table of codes and findings.ts list the same codes", (t) => {
  const documented = rows.map((r) => r.code);
  t.deepEqual(
    documented.filter((c) => !FINDING_CODES.includes(c as never)),
    [],
    'documented but not in findings.ts',
  );
  t.deepEqual(
    FINDING_CODES.filter((c) => !documented.includes(c)),
    [],
    'in findings.ts but not in the docs table',
  );
  t.is(new Set(documented).size, documented.length, 'each code once');
});

test("the bundled versions and fix say what the docs' table and sections say", (t) => {
  for (const { code, cells } of rows) {
    const e = EXPLANATIONS[code as keyof typeof EXPLANATIONS];
    t.is(e.versions, plain(cells[2] as string), `${code}: versions`);
    const section = docs.split(`### \`${code}\``)[1]?.split(/^### /m)[0] ?? '';
    const fix = /^- Fix: (.*(?:\n {2}.*)*)/m.exec(section)?.[1];
    t.truthy(fix, `${code}: the docs have a Fix line`);
    t.is(e.fix, plain(fix ?? ''), `${code}: fix`);
  }
});

test('a near miss suggests the code; an unrelated word suggests nothing', (t) => {
  const codes = ['command-empty', 'command-empty-program', 'invalid-timeout', 'zero-timeout'];
  t.is(suggest('comand-empty', codes), 'command-empty');
  t.is(suggest('invalid-timout', codes), 'invalid-timeout');
  t.is(suggest('INVALID-TIMEOUT', codes), 'invalid-timeout');
  t.is(suggest('empty-program', codes), 'command-empty-program');
  t.is(suggest('kubernetes', codes), null);
  t.is(suggest('x', codes), null);
});
