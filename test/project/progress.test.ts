// test/support/progress, the ticker that long Go builds (the test control plane) run under.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/cli.ts';

test('the progress helper reports the label, the seconds and the package being compiled, and passes output and status through', async (t) => {
  // The command starts a stand-in for Go's compiler (a process whose arguments say -p <package>)
  // and waits until a report naming that package has appeared: no timing assumptions.
  const dir = mkdtempSync(join(tmpdir(), 'ark-progress-'));
  const gate = join(dir, 'go');
  writeFileSync(
    join(dir, 'build.sh'),
    `bash -c 'exec -a "compile -o x.a -p example.com/demo/pkg" sleep 600' &
compiler=$!
while [ ! -e ${gate} ]; do sleep 0.05; done
kill $compiler
echo built
exit 7
`,
  );
  const child = spawn(join(ROOT, 'test', 'support', 'progress'), ['building things', '--', 'sh', join(dir, 'build.sh')], {
    env: { ...process.env, ARK_HOOKS_PROGRESS_SECONDS: '1' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (/^building things: \d+ s; compiling example\.com\/demo\/pkg$/m.test(err)) writeFileSync(gate, '');
  });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  t.is(code, 7);
  t.is(out, 'built\n');
  t.regex(err, /^building things: [1-9]\d* s; compiling example\.com\/demo\/pkg$/m);
});
