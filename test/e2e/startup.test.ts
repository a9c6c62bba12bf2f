// What `list -f` loads at start-up (issue #18: start-up within 2x `node -e 0`): Node's modules that
// only other commands need, or only a command that reads stdin, are not loaded. The built bundle is
// run as the benchmark runs it (node dist/kubectl-ark_hooks.cjs), stdin /dev/null and the output to
// a file, so that nothing but our code decides which of Node's modules load.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { BUNDLE, ROOT, baseEnv } from '../support/cli.ts';

/** Runs the bundle with ARGS; its stdout and the list of Node's modules it loaded. */
function loaded(args: string[], input = '/dev/null'): { code: number | null; stdout: string; modules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ark-startup-'));
  const preload = join(dir, 'modules.cjs');
  const list = join(dir, 'modules.txt');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`,
  );
  const stdin = openSync(input, 'r');
  const out = openSync(join(dir, 'stdout'), 'w');
  const r = spawnSync(process.execPath, ['--require', preload, BUNDLE, ...args], {
    cwd: ROOT,
    env: baseEnv({ XDG_CACHE_HOME: join(dir, 'cache') }),
    stdio: [stdin, out, out],
  });
  closeSync(stdin);
  closeSync(out);
  return { code: r.status, stdout: readFileSync(join(dir, 'stdout'), 'utf8'), modules: readFileSync(list, 'utf8').split('\n') };
}

const NOT_AT_START = [
  'NativeModule crypto', // annotate --local --in-place, run/wrap --output-dir
  'NativeModule readline', // run's confirmation
  'NativeModule child_process', // wrap
  'NativeModule tty', // the terminal: stdout here is a file
  'NativeModule net',
  'NativeModule internal/fs/streams', // process.stdin, a file stream for /dev/null
  'NativeModule os', // the code cache's folder comes from $HOME
];

test('list -f loads none of the Node.js modules only other commands or stdin need, with or without the code cache', (t) => {
  for (const run of ['first run (writes the code cache)', 'second run (reads it)']) {
    const r = loaded(['list', '-f', 'examples/']);
    t.is(r.code, 0, run);
    t.regex(r.stdout, /mysql-0 +pre +velero annotation/, run);
    t.true(r.modules.includes('NativeModule vm'), `${run}: the module list is read`);
    for (const m of NOT_AT_START) t.false(r.modules.includes(m), `${run}: ${m}`);
  }
});

test('list -f - still reads stdin (created when read)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ark-startup-in-'));
  writeFileSync(join(dir, 'pod.yaml'), readFileSync(join(ROOT, 'examples', 'pods', 'mysql-fsfreeze.yaml')));
  const r = loaded(['list', '-f', '-'], join(dir, 'pod.yaml'));
  t.is(r.code, 0);
  t.regex(r.stdout, /mysql-0 +pre +velero annotation +fsfreeze/);
  t.true(r.modules.includes('NativeModule internal/fs/streams'));
});
