// The reconciliation helper itself (test/support/accounting.ts), on synthetic server logs and
// reports: each way of losing a hook or leaving a pod frozen must show up in `lost`.
import test from 'ava';
import { accountFromExecLog } from '../support/accounting.ts';
import type { ExecRequest } from '../support/apiserver.ts';

const plan = {
  pods: ['a', 'b'].map((pod) => ({
    namespace: 'n',
    pod,
    hooks: [
      { phase: 'pre', index: 1, container: 'c', command: ['freeze'] },
      { phase: 'post', index: 1, container: 'c', command: ['thaw'] },
    ],
  })),
};
const session = (pod: string, cmd: string, extra: Partial<ExecRequest> = {}): ExecRequest => ({
  namespace: 'n',
  pod,
  container: 'c',
  command: [cmd],
  stdout: true,
  stderr: true,
  stdin: false,
  tty: false,
  protocol: 'v5.channel.k8s.io',
  user: 'admin',
  startedAt: 1,
  finishedAt: 2,
  pings: 0,
  openAtStart: 1,
  ended: 'status',
  exitCode: 0,
  ...extra,
});
const hook = (pod: string, phase: string, cmd: string, result = 'succeeded', exitCode: number | null = 0, message = 'exit code 0') => ({
  namespace: 'n',
  pod,
  phase,
  index: 1,
  container: 'c',
  command: [cmd],
  result,
  exitCode,
  message,
});
const report = (...hooks: ReturnType<typeof hook>[]) => ({
  phases: ['pre', 'post'].map((phase) => ({
    phase,
    pods: hooks.filter((h) => h.phase === phase).map((h) => ({ pod: h.pod, hooks: [h] })),
  })),
});

test('a clean wrap: every hook ran, both pods thawed', (t) => {
  const a = accountFromExecLog(
    { execs: [session('a', 'freeze'), session('b', 'freeze'), session('a', 'thaw'), session('b', 'thaw')] },
    plan,
    report(hook('a', 'pre', 'freeze'), hook('b', 'pre', 'freeze'), hook('a', 'post', 'thaw'), hook('b', 'post', 'thaw')),
    { wrap: true },
  );
  t.deepEqual([a.planned, a.ran, a.accounted, a.lost, a.thawed, a.frozen, a.unplanned], [4, 4, 4, [], ['n/a', 'n/b'], [], []]);
});

test('post never ran for a frozen pod: the hook and the pod are lost', (t) => {
  const a = accountFromExecLog(
    { execs: [session('a', 'freeze'), session('b', 'freeze'), session('a', 'thaw')] },
    plan,
    report(hook('a', 'pre', 'freeze'), hook('b', 'pre', 'freeze'), hook('a', 'post', 'thaw')),
    { wrap: true },
  );
  t.is(a.planned - a.accounted, 1);
  t.deepEqual(a.frozen, ['n/b']);
  t.is(a.lost.length, 2);
});

test('the report lies: a wrong exit code, "not-run" for a hook that ran, "succeeded" for one that never ran', (t) => {
  const a = accountFromExecLog(
    { execs: [session('a', 'freeze', { exitCode: 3 }), session('b', 'freeze')] },
    { pods: plan.pods.map((p) => ({ ...p, hooks: p.hooks.slice(0, 1) })) },
    report(hook('a', 'pre', 'freeze', 'failed', 1, 'exit 1'), hook('b', 'pre', 'freeze', 'not-run', null, 'not started')),
  );
  t.is(a.lost.length, 2);
  t.regex(a.lost[0] as string, /server reported exit code 3, the report says failed \(exit code 1\)/);
  t.regex(a.lost[1] as string, /reported not-run but the server ran it/);
  const ghost = accountFromExecLog(
    { execs: [] },
    { pods: plan.pods.slice(0, 1).map((p) => ({ ...p, hooks: p.hooks.slice(0, 1) })) },
    report(hook('a', 'pre', 'freeze')),
  );
  t.regex(ghost.lost[0] as string, /reported succeeded but the server never ran it/);
});

test('not run with a reason is accounted; without a reason, or a session that never finished, is lost', (t) => {
  const one = { pods: plan.pods.slice(0, 1).map((p) => ({ ...p, hooks: p.hooks.slice(0, 1) })) };
  t.is(accountFromExecLog({ execs: [] }, one, report(hook('a', 'pre', 'freeze', 'error', null, 'forbidden'))).notRun, 1);
  t.is(accountFromExecLog({ execs: [] }, one, report(hook('a', 'pre', 'freeze', 'not-run', null, ''))).lost.length, 1);
  t.is(
    accountFromExecLog({ execs: [session('a', 'freeze', { finishedAt: undefined })] }, one, report(hook('a', 'pre', 'freeze'))).lost.length,
    1,
  );
  t.is(accountFromExecLog({ execs: [] }, one, null).lost.length, 1, 'no report: nothing is accounted');
});

test('wrap: post hooks of a pod whose pre never started are not due; unplanned sessions are listed', (t) => {
  const a = accountFromExecLog(
    { execs: [session('a', 'freeze'), session('a', 'thaw'), session('z', 'rogue')] },
    plan,
    report(hook('a', 'pre', 'freeze'), hook('b', 'pre', 'freeze', 'not-run', null, 'not started: interrupted'), hook('a', 'post', 'thaw')),
    { wrap: true },
  );
  t.deepEqual([a.ran, a.notRun, a.notDue, a.lost], [2, 1, 1, []]);
  t.deepEqual(a.unplanned, ['n/z c: ["rogue"]']);
  const other = accountFromExecLog(
    { execs: [session('a', 'freeze'), session('a', 'thaw'), { ...session('q', 'x'), namespace: 'elsewhere' }] },
    plan,
    report(hook('a', 'pre', 'freeze'), hook('b', 'pre', 'freeze', 'not-run', null, 'x'), hook('a', 'post', 'thaw')),
    { wrap: true },
  );
  t.deepEqual(other.unplanned, [], "sessions outside the plan's namespaces belong to other tests");
});
