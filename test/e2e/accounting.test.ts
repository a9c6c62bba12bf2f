// The run report against the test API server's own logs (test/support/accounting.ts): exit codes as
// the server sent them, frames the client must tolerate, and the stop signal between the hooks of a
// pod that already started. Each test here was first run against the mutation it names (see
// bench/MUTATION.md) and failed on it.
import test from 'ava';
import { accountFromExecLog } from '../support/accounting.ts';
import type { TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks, start } from '../support/cli.ts';

let server: TestApiServer;
let kc: string;
const V = 'hook.backup.velero.io';
const ann = (argv: string[], extra: Record<string, string> = {}) => ({
  [`pre.${V}/command`]: JSON.stringify(argv),
  ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`pre.${V}/${k}`, v])),
});
const json = (s: string) => JSON.parse(s);

test.before(async () => {
  server = await startApiServer();
  server.execHandler = (r) => (r.command[0] === 'exit' ? { exitCode: Number(r.command[1]) } : {});
  kc = server.writeKubeconfig();
});
test.after.always(() => server.stop());

const plan = async (ns: string, extra: string[] = []) =>
  json((await arkHooks(['dry-run', '--kubeconfig', kc, '-n', ns, '--phase', 'pre', '-o', 'json', ...extra])).stdout);

test('run reports each failed hook with the exit code the server sent (not a generic 1)', async (t) => {
  for (const code of [3, 42, 255])
    server.addPod('x1', `p-${code}`, { annotations: ann(['exit', String(code)], { 'on-error': 'Continue' }) });
  server.addPod('x1', 'p-ok', { annotations: ann(['ok']) });
  const p = await plan('x1');
  const r = await arkHooks(['run', '--kubeconfig', kc, '-n', 'x1', '--phase', 'pre', '--yes', '-o', 'json']);
  t.is(r.code, 1, 'a failed hook fails the run, whatever its on-error (Continue only lets the next hooks run)');
  const report = json(r.stdout);
  const a = accountFromExecLog(server, p, report);
  t.deepEqual(a.lost, [], 'the report agrees with the server on every hook and exit code');
  t.deepEqual([a.planned, a.ran], [4, 4]);
  const codes = Object.fromEntries(
    report.phases[0].pods.map((x: { pod: string; hooks: { exitCode: number }[] }) => [x.pod, x.hooks[0]?.exitCode]),
  );
  t.deepEqual(codes, { 'p-3': 3, 'p-42': 42, 'p-255': 255, 'p-ok': 0 });
});

test('v5 close frames and frames on unknown channels never fail a hook', async (t) => {
  server.addPod('x2', 'p-0', { annotations: ann(['frames']) });
  const before = server.execHandler;
  server.execHandler = (r) =>
    r.command[0] === 'frames'
      ? {
          stdout: 'out\n',
          frames: [Buffer.from([255, 1]), Buffer.from([255, 2]), Buffer.from([9, 0x41, 0x42]), Buffer.from([4])],
          pauseAfterFramesMs: 100,
        }
      : before(r);
  const p = await plan('x2');
  const r = await arkHooks(['run', '--kubeconfig', kc, '-n', 'x2', '--phase', 'pre', '--yes', '-o', 'json']);
  const hook = json(r.stdout).phases[0].pods[0].hooks[0];
  t.is(r.code, 0, `${hook.result}: ${hook.message}`);
  t.like(hook, { result: 'succeeded', exitCode: 0, stdout: 'out\n' });
  t.deepEqual(accountFromExecLog(server, p, json(r.stdout)).lost, []);
});

test('a signal between two hooks of a started pod: the running one finishes, the next never starts', async (t) => {
  server.addBackup('velero.io', 'velero', 'two-hooks', {
    includedNamespaces: ['x3'],
    hooks: { resources: [{ name: 'both', pre: [{ exec: { command: ['hold'] } }, { exec: { command: ['second'] } }] }] },
  });
  server.addPod('x3', 'p-0');
  let open = () => {};
  const gate = new Promise<void>((r) => (open = r));
  const before = server.execHandler;
  server.execHandler = async (r) => (r.command[0] === 'hold' ? (await gate, {}) : before(r));
  const p = await plan('x3', ['--backup', 'two-hooks']);
  const child = start('kubectl', [
    'ark-hooks',
    'run',
    '--kubeconfig',
    kc,
    '-n',
    'x3',
    '--phase',
    'pre',
    '--backup',
    'two-hooks',
    '--yes',
    '-o',
    'json',
  ]);
  while (!server.execs.some((e) => e.namespace === 'x3')) await new Promise((r) => setTimeout(r, 20));
  child.child.kill('SIGINT');
  await Promise.race([child.waitFor(/starting no new hooks/), child.done]);
  open();
  const r = await child.done;
  t.is(r.code, 130, r.stderr);
  t.deepEqual(
    server.execs.filter((e) => e.namespace === 'x3').map((e) => e.command[0]),
    ['hold'],
    'the server never saw the second hook',
  );
  const hooks = json(r.stdout).phases[0].pods[0].hooks;
  t.deepEqual(
    hooks.map((h: { result: string; message: string }) => [h.result, h.message]),
    [
      ['succeeded', 'exit code 0'],
      ['not-run', 'not started: interrupted'],
    ],
  );
  const a = accountFromExecLog(server, p, json(r.stdout));
  t.deepEqual(a.lost, []);
  t.deepEqual([a.planned, a.ran, a.notRun], [2, 1, 1]);
});
