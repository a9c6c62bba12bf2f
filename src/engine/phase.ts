// Runs one phase of a plan with Ark's semantics (hooks-spec A6): the hooks of a pod run in order,
// a failure with on-error Fail skips that pod's remaining hooks of the phase, Continue goes on.
// Pods run in parallel up to --parallel; --fail-fast stops starting pods after a Fail-mode
// failure; `stop` stops starting hooks, `force` closes the streams of the running ones. Nothing a
// callback or the executor throws ends a phase: it becomes that hook's error, and the rest runs.

import type { PodPlan } from '../hooks/plan.ts';
import { hooksOf } from '../hooks/plan.ts';
import type { Phase, ResolvedHook } from '../hooks/types.ts';
import type { ExecResult } from '../kube/exec.ts';
import { timeoutText } from '../hooks/duration.ts';
import type { HookOutcome, HookResult, PodResult } from '../report/run-report.ts';
import { FAILURES } from '../report/run-report.ts';

export type HookExecutor = (pod: PodPlan, hook: ResolvedHook, signal: AbortSignal, run: HookResult) => Promise<ExecResult>;

export interface EngineOptions {
  parallel: number;
  failFast: boolean;
  /** Aborted: start no new hook. */
  stop: AbortSignal;
  /** Aborted: close the streams of the hooks that are running. */
  force: AbortSignal;
  /** A worker picked the pod up: its hooks of this phase are about to be attempted. */
  onPodStart?: (pod: PodPlan) => void;
  onHookStart?: (pod: PodPlan, hook: ResolvedHook) => void;
  onHookDone?: (run: HookResult, pod: PodPlan) => void | Promise<void>;
  onPodDone?: (run: PodResult, done: number, total: number) => void;
}

/** Problems that make Ark fail a hook without executing it, or that make exec fail for sure. */
const BLOCKING = new Set([
  'container-not-found',
  'sticky-container-not-found',
  'no-containers',
  'invalid-container',
  'command-empty',
  'command-not-string-array',
  'empty-hook-name',
  'pod-not-running',
  'container-not-running',
]);

export function blockingProblem(pod: PodPlan, hook: ResolvedHook): string | null {
  const f = [...pod.findings, ...hook.findings].find(
    (x) => BLOCKING.has(x.code) && (x.code !== 'command-not-string-array' || hook.source.type === 'spec'),
  );
  if (f) return f.message;
  if (hook.container === null) return 'no container to run in';
  if (hook.command.length === 0) return 'command is required';
  return null;
}

function baseRun(pod: PodPlan, hook: ResolvedHook, index: number): HookResult {
  return {
    namespace: pod.namespace,
    pod: pod.name,
    phase: hook.phase,
    index,
    name: hook.name,
    source: hook.source,
    container: hook.container,
    command: hook.command,
    onError: hook.onError,
    timeout: timeoutText(hook.timeoutNanos),
    result: 'not-run',
    exitCode: null,
    message: '',
    durationMs: null,
    stdout: '',
    stderr: '',
    outputTruncated: false,
  };
}

const OUTCOME: Record<ExecResult['outcome'], HookOutcome> = {
  succeeded: 'succeeded',
  'exit-code': 'failed',
  timeout: 'timeout',
  error: 'error',
  refused: 'error',
  'connection-lost': 'error',
  interrupted: 'interrupted',
};

function guard(fn: () => void) {
  try {
    fn();
  } catch {
    // a progress line that cannot be printed must not cost a hook
  }
}

/** Runs one hook through the executor and records the result; what the executor throws is the hook's error. */
async function execute(pod: PodPlan, hook: ResolvedHook, r: HookResult, exec: HookExecutor, force: AbortSignal): Promise<void> {
  let res: ExecResult;
  try {
    res = await exec(pod, hook, force, r);
  } catch (e) {
    const message = `could not run the hook: ${(e as Error)?.message ?? String(e)}`;
    res = {
      outcome: 'error',
      exitCode: null,
      message,
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      stdoutTruncated: false,
      stderrTruncated: false,
    };
  }
  r.result = OUTCOME[res.outcome];
  r.exitCode = res.exitCode;
  r.message = res.message;
  r.stdout = res.stdout.toString('utf8');
  r.stderr = res.stderr.toString('utf8');
  r.outputTruncated = res.stdoutTruncated || res.stderrTruncated;
}

export async function runPhase(pods: readonly PodPlan[], phase: Phase, exec: HookExecutor, o: EngineOptions): Promise<PodResult[]> {
  const runs: PodResult[] = pods.map((p) => ({ namespace: p.namespace, pod: p.name, phase, started: false, hooks: [] }));
  let next = 0;
  let done = 0;
  let failFastTripped = false;

  async function runPod(i: number) {
    const pod = pods[i] as PodPlan;
    const run = runs[i] as PodResult;
    run.started = true;
    guard(() => o.onPodStart?.(pod));
    const hooks = hooksOf(pod, phase);
    let skipRest: string | null = pod.skip ? `skipped: ${pod.skip}` : null;
    for (const [k, hook] of hooks.entries()) {
      const r = baseRun(pod, hook, k + 1);
      run.hooks.push(r);
      if (skipRest) {
        r.result = pod.skip ? 'skipped' : 'not-run';
        r.message = skipRest;
        continue;
      }
      if (o.stop.aborted) {
        r.message = 'not started: interrupted';
        continue;
      }
      const blocked = blockingProblem(pod, hook);
      const started = Date.now();
      r.startedAt = new Date(started).toISOString();
      if (blocked) {
        r.result = 'error';
        r.message = blocked;
        // The on-error that applies to a hook rejected before exec (it differs up to Velero 1.8).
        r.onError = hook.onErrorIfRejected;
      } else {
        guard(() => o.onHookStart?.(pod, hook));
        await execute(pod, hook, r, exec, o.force);
      }
      const finished = Date.now();
      r.finishedAt = new Date(finished).toISOString();
      r.durationMs = finished - started;
      try {
        await o.onHookDone?.(r, pod);
      } catch {
        // reporting a hook never stops the hooks
      }
      // A hook rejected before exec follows the target's on-error for that case (Ark and Velero <= 1.8
      // wrote the default Fail only after validating the hook).
      const decisive = blocked ? hook.onErrorIfRejected : hook.onError;
      if (FAILURES.includes(r.result) && decisive === 'Fail') {
        skipRest = `not run: hook ${k + 1} failed with on-error Fail`;
        if (o.failFast) failFastTripped = true;
      }
    }
    done++;
    guard(() => o.onPodDone?.(run, done, pods.length));
  }

  async function worker() {
    for (;;) {
      if (o.stop.aborted || failFastTripped) return;
      const i = next++;
      if (i >= pods.length) return;
      await runPod(i);
    }
  }
  const workers = Array.from({ length: Math.max(1, Math.min(o.parallel, pods.length)) }, () => worker());
  await Promise.all(workers);
  // Pods never started: account for their hooks too.
  for (const [i, run] of runs.entries()) {
    if (run.started) continue;
    const pod = pods[i] as PodPlan;
    const why = o.stop.aborted ? 'not started: interrupted' : 'not started: --fail-fast after an earlier failure';
    run.hooks = hooksOf(pod, phase).map((h, k) => ({ ...baseRun(pod, h, k + 1), message: why }));
  }
  return runs;
}
