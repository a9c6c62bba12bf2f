// bin/kubectl-ark_hooks, the launcher for a checkout: what it says when dist/ has not been built.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/cli.ts';

test('without dist/ the launcher says in one line to run npm run build', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ark-launcher-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'kubectl-ark_hooks'), join(root, 'bin', 'kubectl-ark_hooks'));
  const r = spawnSync('sh', [join(root, 'bin', 'kubectl-ark_hooks'), 'list'], { encoding: 'utf8' });
  t.is(r.status, 1);
  t.is(r.stdout, '');
  t.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /dist\/kubectl-ark_hooks\.cjs is missing: run `npm run build`/);
  t.notRegex(r.stderr, /^\s+at /m, 'no stack trace');
});
