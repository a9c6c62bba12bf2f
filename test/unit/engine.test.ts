// The scheduling logic of runPhase with an in-memory executor (the real one is tested end to end).
import test from 'ava';
import type { PodPlan } from '../../src/hooks/plan.ts';
import type { ResolvedHook } from '../../src/hooks/types.ts';
import type { ExecResult } from '../../src/kube/exec.ts';
import { runPhase } from '../../src/engine/phase.ts';
import { summarize } from '../../src/report/run-report.ts';

const hook = (cmd: string, onError: 'Fail' | 'Continue' = 'Fail'): ResolvedHook => ({
  phase: 'pre', source: { type: 'annotation', family: 'velero', legacy: false, key: 'k' }, name: 'n', container: 'c', containerDefaulted: false, command: [cmd], onError, onErrorIfRejected: onError, timeoutNanos: 1_000_000_000n, findings: [],
});
const pod = (name: string, hooks: ResolvedHook[], extra: Partial<PodPlan> = {}): PodPlan => ({ object: `ns/${name}`, kind: 'Pod', namespace: 'ns', name, hooks, findings: [], ...extra });
const result = (outcome: ExecResult['outcome'], exitCode: number | null): ExecResult => ({ outcome, exitCode, message: outcome, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), stdoutTruncated: false, stderrTruncated: false });
const signals = () => ({ stop: new AbortController(), force: new AbortController() });

test('skipped pods, blocked hooks, Fail and Continue', async (t) => {
  const ran: string[] = [];
  const exec = async (p: PodPlan, h: ResolvedHook) => {
    ran.push(`${p.name}:${h.command[0]}`);
    return h.command[0] === 'bad' ? result('exit-code', 1) : result('succeeded', 0);
  };
  const s = signals();
  const missing = { ...hook('x'), findings: [{ severity: 'error' as const, code: 'container-not-found' as const, object: 'o', field: 'f', message: 'no such container' }] };
  const runs = await runPhase(
    [pod('a', [hook('bad', 'Continue'), hook('ok')]), pod('b', [hook('bad'), hook('never')]), pod('c', [missing, hook('after')]), pod('d', [hook('ok')], { skip: 'terminating' })],
    'pre', exec, { parallel: 1, failFast: false, stop: s.stop.signal, force: s.force.signal },
  );
  t.deepEqual(ran, ['a:bad', 'a:ok', 'b:bad']);
  t.deepEqual(runs.map((r) => r.hooks.map((h) => h.result)), [['failed', 'succeeded'], ['failed', 'not-run'], ['error', 'not-run'], ['skipped']]);
  t.is(runs[2]?.hooks[0]?.message, 'no such container');
  const sum = summarize(runs);
  t.deepEqual([sum.hooks, sum.succeeded, sum.failed, sum.skipped, sum.notRun, sum.failModeFailures], [7, 1, 3, 1, 2, 2]);
});

test('stop before start: every hook is accounted for as not-run', async (t) => {
  const s = signals();
  s.stop.abort();
  const runs = await runPhase([pod('a', [hook('x')]), pod('b', [hook('y'), hook('z')])], 'pre', async () => result('succeeded', 0), { parallel: 2, failFast: false, stop: s.stop.signal, force: s.force.signal });
  t.deepEqual(runs.flatMap((r) => r.hooks.map((h) => h.result)), ['not-run', 'not-run', 'not-run']);
});

test('a hook rejected before exec follows onErrorIfRejected (Ark and Velero <= 1.8 with on-error unset)', async (t) => {
  // pod_command_executor.go@v1.8.0 writes the default Fail only after the container check, so a
  // rejected hook with on-error unset lets the next hook run; an exec failure stops them.
  const ran: string[] = [];
  const exec = async (p: PodPlan, h: ResolvedHook) => {
    ran.push(`${p.name}:${h.command[0]}`);
    return h.command[0] === 'bad' ? result('exit-code', 1) : result('succeeded', 0);
  };
  const s = signals();
  const unset = (cmd: string): ResolvedHook => ({ ...hook(cmd, 'Fail'), onErrorIfRejected: 'Continue' });
  const rejected = { ...unset('x'), findings: [{ severity: 'error' as const, code: 'container-not-found' as const, object: 'o', field: 'f', message: 'no such container' }] };
  const runs = await runPhase([pod('a', [rejected, unset('next')]), pod('b', [unset('bad'), unset('never')])], 'pre', exec, { parallel: 1, failFast: false, stop: s.stop.signal, force: s.force.signal });
  t.deepEqual(ran, ['a:next', 'b:bad']);
  t.deepEqual(runs.map((r) => r.hooks.map((h) => h.result)), [['error', 'succeeded'], ['failed', 'not-run']]);
  t.deepEqual(runs.map((r) => r.hooks.map((h) => h.onError)), [['Continue', 'Fail'], ['Fail', 'Fail']], 'the report shows the on-error that applied');
  t.is(summarize(runs).failModeFailures, 1, 'only the exec failure counts as a Fail-mode failure');
});
