// `kubectl ark-hooks explain` through the built plugin: the list of codes, one code in text and JSON,
// and a one-line error with exit 2 (and a suggestion for a typo) for an unknown code.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { arkHooks } from '../support/cli.ts';

test('explain alone lists every code with its severity and one line', async (t) => {
  const r = await arkHooks(['explain']);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  t.regex(lines[0] ?? '', /^CODE\s+SEVERITY\s+DESCRIPTION$/);
  t.regex(r.stdout, /^command-not-json-array\s+error\s+The command is not a JSON array/m);
  t.regex(r.stdout, /^zero-timeout\s+info\s+/m);
  // Every code of the docs' table (first column, in backticks) has its line.
  const documented = [...readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8').matchAll(/^\| `([^`]+)` \|/gm)].map(
    (m) => m[1],
  );
  t.true(documented.length > 0);
  t.deepEqual(
    lines
      .slice(1)
      .map((l) => l.split(/\s+/)[0])
      .sort(),
    documented.sort(),
  );
  t.is(r.stderr, '');
});

test('explain CODE says what it means, where it applies and how to fix it; -o json has the same', async (t) => {
  const r = await arkHooks(['explain', 'sticky-on-error']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^CODE: {6}sticky-on-error\nSEVERITY: {2}info\nVERSIONS: {2}Ark, Velero ≤ v1\.8\n/);
  t.regex(r.stdout, /\nFIX:\n {2}Set onError explicitly\.\n$/);
  const j = await arkHooks(['explain', 'ark-keys-ignored', '-ojson']);
  t.is(j.code, 0, j.stderr);
  const e = JSON.parse(j.stdout);
  t.is(e.code, 'ark-keys-ignored');
  t.deepEqual(e.severity, ['warning', 'error']);
  t.is(e.versions, 'Velero v1.0+');
  t.regex(e.fix, /annotate/);
});

test('an unknown code is one line and exit 2, with a suggestion for a near miss', async (t) => {
  const typo = await arkHooks(['explain', 'comand-empty']);
  t.is(typo.code, 2);
  t.is(typo.stdout, '');
  t.is(
    typo.stderr,
    `error: unknown finding code "comand-empty" (did you mean "command-empty"?); run 'kubectl ark-hooks explain' for the list\n`,
  );
  const far = await arkHooks(['explain', 'x\u001b[31m']);
  t.is(far.code, 2);
  t.is(far.stderr.split('\n').length, 2, 'one line');
  t.notRegex(far.stderr, /\u001b/, 'the word is escaped before it reaches the terminal');
  t.regex(far.stderr, /^error: unknown finding code "x.*"; run 'kubectl ark-hooks explain' for the list\n$/);
});

test('explain --help has examples, and the overview lists explain', async (t) => {
  const help = await arkHooks(['explain', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /^  # Explain one code\n  kubectl ark-hooks explain command-not-json-array$/m);
  const overview = await arkHooks(['--help']);
  t.regex(overview.stdout, /^  explain +Explain a finding code/m);
});
