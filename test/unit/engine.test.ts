// The scheduling logic of runPhase with an in-memory executor (the real one is tested end to end).
import test from 'ava';
import type { PodPlan } from '../../src/hooks/plan.ts';
import type { ResolvedHook } from '../../src/hooks/types.ts';
import type { ExecResult } from '../../src/kube/exec.ts';
import { runPhase, summarize } from '../../src/run/engine.ts';

const hook = (cmd: string, onError: 'Fail' | 'Continue' = 'Fail'): ResolvedHook => ({
  phase: 'pre', source: { type: 'annotation', family: 'velero', legacy: false, key: 'k' }, name: 'n', container: 'c', containerDefaulted: false, command: [cmd], onError, timeoutNanos: 1_000_000_000n, findings: [],
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
  const missing = { ...hook('x'), findings: [{ severity: 'error' as const, code: 'container-not-found', object: 'o', field: 'f', message: 'no such container' }] };
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

test('stop during a hook: the pod\'s next hooks are not started, and say why', async (t) => {
  const s = signals();
  const ran: string[] = [];
  const exec = async (_p: PodPlan, h: ResolvedHook) => {
    ran.push(h.command[0] as string);
    if (h.command[0] === 'first') s.stop.abort();
    return result('succeeded', 0);
  };
  const runs = await runPhase([pod('a', [hook('first'), hook('second'), hook('third')])], 'pre', exec, { parallel: 1, failFast: false, stop: s.stop.signal, force: s.force.signal });
  t.deepEqual(ran, ['first']);
  t.deepEqual(runs[0]?.hooks.map((h) => [h.result, h.message]), [['succeeded', 'succeeded'], ['not-run', 'not started: interrupted'], ['not-run', 'not started: interrupted']]);
});
