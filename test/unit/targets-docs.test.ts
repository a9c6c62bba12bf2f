// docs/targets.md lists every target with the versions it stands for, and nothing else.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { TARGETS, describeTarget } from '../../src/hooks/targets.ts';

test('the table in docs/targets.md matches the target table', (t) => {
  const doc = readFileSync(new URL('../../docs/targets.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z0-9.-]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], (m[2] as string).trim()]);
  t.deepEqual(
    rows,
    TARGETS.map((x) => [x.name, describeTarget(x)]),
  );
});
