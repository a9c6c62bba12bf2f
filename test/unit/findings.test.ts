// The finding codes: one table (src/hooks/findings.ts) with a description per code; every finding in
// src/ is built with finding(), with a code of the table and a severity the table allows for it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import test from 'ava';
import { FINDING_CODES, FINDINGS, finding, severitiesOf } from '../../src/hooks/findings.ts';
import type { FindingCode } from '../../src/hooks/findings.ts';

const src = resolve(import.meta.dirname, '../../src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
const sources = files(src)
  .filter((f) => !f.endsWith('hooks/findings.ts'))
  .map((f) => ({ file: f.slice(src.length + 1), text: readFileSync(f, 'utf8') }));

/** (severity, code) pairs written at the sites: finding({ severity, code }), and the helpers f/at/err/warn/invalid. */
function sitePairs(): { file: string; severity: string; code: string }[] {
  const out: { file: string; severity: string; code: string }[] = [];
  const quoted = (s: string) => [...s.matchAll(/'([a-z-]+)'/g)].map((m) => m[1] as string);
  for (const { file, text } of sources) {
    for (const m of text.matchAll(/finding\(\{\s*severity: ([^,]+),\s*code: ([^\n]+?),\s*\n?/g)) {
      const sevs = quoted(m[1] as string);
      const perFamily = (m[2] as string).includes('${family}-keys-ignored');
      const codes = perFamily ? ['ark-keys-ignored', 'velero-keys-ignored'] : quoted(m[2] as string);
      // `c ? 'a' : 'b'` in both: the same condition picks both (zip); otherwise every pair is possible.
      if (!perFamily && sevs.length === codes.length)
        for (const [i, code] of codes.entries()) out.push({ file, severity: sevs[i] as string, code });
      else for (const severity of sevs) for (const code of codes) out.push({ file, severity, code });
    }
    for (const m of text.matchAll(/\b(?:at\(where, |f\()'(error|warning|info)', '([a-z-]+)'/g))
      out.push({ file, severity: m[1] as string, code: m[2] as string });
    for (const m of text.matchAll(/\b(err|warn|invalid)\([^,()]+, '([a-z-]+)'/g))
      out.push({ file, severity: m[1] === 'warn' ? 'warning' : 'error', code: m[2] as string });
  }
  return out;
}

test('every code has a one-sentence description and a severity', (t) => {
  t.true(FINDING_CODES.length > 60);
  for (const code of FINDING_CODES) {
    t.regex(code, /^[a-z]+(-[a-z]+)+$/);
    t.regex(FINDINGS[code].description, /^[A-Z"a-z].{10,160}\.$/, code);
  }
});

test('every site gives a code of the table a severity the table allows', (t) => {
  const pairs = sitePairs();
  t.true(pairs.length > 60, `${pairs.length} sites read`);
  const bad = pairs.filter(
    (p) => !(FINDING_CODES as string[]).includes(p.code) || !severitiesOf(p.code as FindingCode).includes(p.severity as never),
  );
  t.deepEqual(bad, []);
});

test('every code of the table is used in src/', (t) => {
  const all = sources.map((s) => s.text).join('\n');
  const unused = FINDING_CODES.filter(
    (c) => !all.includes(`'${c}'`) && !(c.endsWith('-keys-ignored') && all.includes('`${family}-keys-ignored`')),
  );
  t.deepEqual(unused, []);
});

test('no finding is built as a bare object literal', (t) => {
  const bare = sources.flatMap(({ file, text }) =>
    [...text.matchAll(/(.{0,12})\{\s*severity: '(error|warning|info)'/g)]
      .filter((m) => !(m[1] as string).endsWith('finding('))
      .map(() => file),
  );
  t.deepEqual(bare, []);
});

test('finding() takes the severity from the table unless given, and keeps the field order of the JSON reports', (t) => {
  const f = finding({ code: 'invalid-timeout', object: 'ns/p', field: 'timeout', message: 'm' });
  t.deepEqual(Object.keys(f), ['severity', 'code', 'object', 'field', 'message']);
  t.is(f.severity, 'error');
  t.is(finding({ code: 'no-containers', object: 'o', field: 'f', message: 'm', severity: 'warning' }).severity, 'warning');
});
