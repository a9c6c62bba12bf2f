// Runs one phase of a plan with Ark's semantics (hooks-spec A6): the hooks of a pod run in order,
// a failure with on-error Fail skips that pod's remaining hooks of the phase, Continue goes on.
// Pods run in parallel up to --parallel; --fail-fast stops starting pods after a Fail-mode
// failure; `stop` stops starting hooks, `force` closes the streams of the running ones. Nothing a
// callback or the executor throws ends a phase: it becomes that hook's error, and the rest runs.

import type { PodPlan } from '../hooks/plan.ts';
import type { HookSource, OnError, Phase, ResolvedHook } from '../hooks/types.ts';
import type { ExecResult } from '../kube/exec.ts';
import { timeoutText } from '../report/hook-report.ts';

export type HookOutcome = 'succeeded' | 'failed' | 'timeout' | 'error' | 'interrupted' | 'skipped' | 'not-run';

export interface HookRun {
  namespace: string;
  pod: string;
  phase: Phase;
  /** 1-based position among the pod's hooks of this phase. */
  index: number;
  name: string;
  source: HookSource;
  container: string | null;
  command: string[];
  onError: OnError;
  timeout: string;
  result: HookOutcome;
  exitCode: number | null;
  message: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs: number | null;
  stdout: string;
  stderr: string;
  outputTruncated: boolean;
}

export interface PodRun {
  namespace: string;
  pod: string;
  phase: Phase;
  /** The worker picked the pod up: its phase was attempted. */
  started: boolean;
  hooks: HookRun[];
}

export type HookExecutor = (pod: PodPlan, hook: ResolvedHook, signal: AbortSignal, run: HookRun) => Promise<ExecResult>;

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
  onHookDone?: (run: HookRun, pod: PodPlan) => void | Promise<void>;
  onPodDone?: (run: PodRun, done: number, total: number) => void;
}

export const FAILURES: readonly HookOutcome[] = ['failed', 'timeout', 'error', 'interrupted'];

/** Problems that make Ark fail a hook without executing it, or that make exec fail for sure. */
const BLOCKING = new Set(['container-not-found', 'sticky-container-not-found', 'no-containers', 'invalid-container', 'command-empty', 'command-not-string-array', 'empty-hook-name', 'pod-not-running', 'container-not-running']);

export function blockingProblem(pod: PodPlan, hook: ResolvedHook): string | null {
  const f = [...pod.findings, ...hook.findings].find((x) => BLOCKING.has(x.code) && (x.code !== 'command-not-string-array' || hook.source.type === 'spec'));
  if (f) return f.message;
  if (hook.container === null) return 'no container to run in';
  if (hook.command.length === 0) return 'command is required';
  return null;
}

function baseRun(pod: PodPlan, hook: ResolvedHook, index: number): HookRun {
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

export async function runPhase(pods: readonly PodPlan[], phase: Phase, exec: HookExecutor, o: EngineOptions): Promise<PodRun[]> {
  const runs: PodRun[] = pods.map((p) => ({ namespace: p.namespace, pod: p.name, phase, started: false, hooks: [] }));
  let next = 0;
  let done = 0;
  let failFastTripped = false;

  async function runPod(i: number) {
    const pod = pods[i] as PodPlan;
    const run = runs[i] as PodRun;
    run.started = true;
    guard(() => o.onPodStart?.(pod));
    const hooks = pod.hooks.filter((h) => h.phase === phase);
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
        let res: ExecResult;
        try {
          res = await exec(pod, hook, o.force, r);
        } catch (e) {
          res = { outcome: 'error', exitCode: null, message: `could not run the hook: ${(e as Error)?.message ?? String(e)}`, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), stdoutTruncated: false, stderrTruncated: false };
        }
        r.result = OUTCOME[res.outcome];
        r.exitCode = res.exitCode;
        r.message = res.message;
        r.stdout = res.stdout.toString('utf8');
        r.stderr = res.stderr.toString('utf8');
        r.outputTruncated = res.stdoutTruncated || res.stderrTruncated;
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
    run.hooks = pod.hooks.filter((h) => h.phase === phase).map((h, k) => ({ ...baseRun(pod, h, k + 1), message: why }));
  }
  return runs;
}

export interface RunSummary {
  pods: number;
  hooks: number;
  succeeded: number;
  failed: number;
  skipped: number;
  notRun: number;
  interrupted: number;
  /** Failures of hooks with on-error Fail: these decide the exit code. */
  failModeFailures: number;
}

export function summarize(runs: readonly PodRun[]): RunSummary {
  const hooks = runs.flatMap((r) => r.hooks);
  return {
    pods: runs.filter((r) => r.hooks.length > 0).length,
    hooks: hooks.length,
    succeeded: hooks.filter((h) => h.result === 'succeeded').length,
    failed: hooks.filter((h) => h.result === 'failed' || h.result === 'timeout' || h.result === 'error').length,
    skipped: hooks.filter((h) => h.result === 'skipped').length,
    notRun: hooks.filter((h) => h.result === 'not-run').length,
    interrupted: hooks.filter((h) => h.result === 'interrupted').length,
    failModeFailures: hooks.filter((h) => FAILURES.includes(h.result) && h.onError === 'Fail').length,
  };
}
