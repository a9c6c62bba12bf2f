// test/support/progress, the ticker that long Go builds (the test control plane) run under.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/cli.ts';

test('the progress helper reports the label and seconds while a command runs, and passes its output and status through', async (t) => {
  // The command waits until the first report has appeared (no timing assumptions).
  const gate = join(mkdtempSync(join(tmpdir(), 'ark-progress-')), 'go');
  const child = spawn(join(ROOT, 'test', 'support', 'progress'), ['building things', '--', 'sh', '-c', `while [ ! -e ${gate} ]; do sleep 0.05; done; echo built; exit 7`], {
    env: { ...process.env, ARK_HOOKS_PROGRESS_SECONDS: '1' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (/^building things: \d+ s/m.test(err)) writeFileSync(gate, '');
  });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  t.is(code, 7);
  t.is(out, 'built\n');
  t.regex(err, /^building things: [1-9]\d* s$/m);
});
