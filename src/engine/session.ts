// Wires the engine to the cluster: exec, hook output files (--output-dir), audit events
// (--record-events) and the run report; progress and --show-output go to the observers it is given
// (output/progress.ts). Nothing here may stop a phase: a failed print, file write or event is a
// warning, never an exception.

import { loadKube } from '../kube-loader.ts';
import type { PodPlan } from '../hooks/plan.ts';
import { hasHooksIn, hooksOf } from '../hooks/plan.ts';
import type { Phase } from '../hooks/types.ts';
import type { Cluster } from '../kube/cluster.ts';
import { escapeLine } from '../output/escape.ts';
import type { Inventory } from '../report/inventory.ts';
import type { HookResult, PodResult, RunReport } from '../report/run-report.ts';
import { FAILURES, buildRunReport } from '../report/run-report.ts';
import type { Executor } from '../kube/exec.ts';
import type { HookExecutor } from './phase.ts';
import { blockingProblem, runPhase } from './phase.ts';
import type { HookFiles } from './output-dir.ts';
import { OutputDir } from './output-dir.ts';
import type { Interrupts } from './signals.ts';
import { OutputReclaimer } from './reclaim.ts';
import { SPOOL_MIN_BYTES, TailSpool } from './tail-spool.ts';

export interface SessionOptions {
  parallel: number;
  failFast: boolean;
  recordEvents: boolean;
  /** Put the hook's argv into Event messages (it may hold secrets, so only when asked). */
  recordEventsWithCommand?: boolean;
  outputDir?: string | undefined;
  /** Bytes of each stream kept in memory and in the report (the tail); --output-dir gets all. */
  maxOutputBytes: number;
  /** Writes to stderr (warnings); must not throw. */
  say: (text: string) => void;
  interrupts: Interrupts;
  /** Observers (progress lines, --show-output); what they throw is ignored. */
  onHookDone?: (run: HookResult) => void;
  onPodDone?: (run: PodResult, done: number, total: number) => void;
}

export class HookSession {
  readonly inventory: Inventory;
  readonly cluster: Cluster;
  private readonly o: SessionOptions;
  private readonly outputDir: OutputDir | null;
  /** Hooks whose output files the executor wrote. */
  private readonly filed = new WeakSet<HookResult>();
  /** Where the hooks' tails wait for the report (a private temporary file); null when none could be made. */
  private spool: TailSpool | null | undefined;
  private readonly reclaimer = new OutputReclaimer();

  /** Throws a UsageError (exit 2) for an unusable --output-dir: checked before anything runs. */
  constructor(inventory: Inventory, cluster: Cluster, options: SessionOptions) {
    this.inventory = inventory;
    this.cluster = cluster;
    this.o = options;
    this.outputDir = options.outputDir ? new OutputDir(options.outputDir, (m) => this.say(`${m}\n`)) : null;
  }

  private say(text: string) {
    this.o.say(text);
  }

  private executor(): Promise<Executor> {
    this.executorPromise ??= (async () => {
      const { Executor } = await loadKube();
      return new Executor(this.cluster.kc, this.cluster.requestTimeoutMs ?? 30_000);
    })();
    return this.executorPromise;
  }

  private hookExecutor(ex: Executor, startAttempts: number | undefined): HookExecutor {
    const ping = Number(process.env.ARK_HOOKS_PING_INTERVAL_MS ?? '') || 30_000;
    return async (pod, hook, signal, run) => {
      const files: HookFiles | null = this.outputDir?.open(pod.namespace, pod.name, hook.phase, run.index, hook.container) ?? null;
      if (files) this.filed.add(run);
      try {
        return await ex.run({
          namespace: pod.namespace,
          pod: pod.name,
          container: hook.container as string,
          command: hook.command,
          timeoutNanos: hook.timeoutNanos,
          signal,
          maxOutputBytes: this.o.maxOutputBytes,
          onOutput: (stream: 1 | 2, chunk: Buffer) => {
            files?.write(stream, chunk);
            this.reclaimer.add(chunk.length);
          },
          pingIntervalMs: ping,
          ...(startAttempts ? { startAttempts } : {}),
        });
      } finally {
        files?.close();
      }
    };
  }

  private executorPromise: Promise<Executor> | undefined;

  private async hookDone(r: HookResult, pod: PodPlan) {
    try {
      this.o.onHookDone?.(r);
    } catch {
      // printing a hook's output never stops the hooks
    }
    this.stashOutput(r);
    if (this.outputDir && r.startedAt && !this.filed.has(r)) {
      // A hook that never reached the executor (blocked): empty files say it was attempted.
      this.outputDir.open(r.namespace, r.pod, r.phase, r.index, r.container).close();
    }
    if (this.o.recordEvents && r.startedAt) {
      const { recordEvent } = await loadKube();
      const failed = FAILURES.includes(r.result);
      const source = r.source.type === 'annotation' ? 'annotation' : `spec hook "${r.name}"`;
      try {
        await recordEvent(this.cluster, {
          namespace: r.namespace,
          pod: r.pod,
          uid: pod.uid,
          reason: failed ? 'BackupHookFailed' : 'BackupHookSucceeded',
          message: escapeLine(
            `${r.phase} hook (${source}) in container ${r.container}: ${r.message} after ${r.durationMs} ms${this.o.recordEventsWithCommand ? `: ${JSON.stringify(r.command)}` : ''}`,
          ),
          warning: failed,
        });
      } catch (e) {
        this.say(`warning: ${escapeLine(`could not record an event on ${r.namespace}/${r.pod}: ${(e as Error).message}`)}\n`);
      }
    }
  }

  /** Moves a finished hook's tails out of memory until the report is printed (#18); never throws. */
  private stashOutput(r: HookResult) {
    if (r.stdout.length < SPOOL_MIN_BYTES && r.stderr.length < SPOOL_MIN_BYTES) return;
    if (this.spool === undefined) this.spool = TailSpool.open(); // once: null when it cannot be made, or after close
    const held = r.stdout.length + r.stderr.length;
    this.spool?.stash(r, 'stdout');
    this.spool?.stash(r, 'stderr');
    this.reclaimer.tails(held);
  }

  /** Ends the session once its report is printed: the hooks' tails can no longer be read. */
  close(): void {
    this.spool?.close();
    this.spool = null;
  }

  /** Runs one phase on the given pods (default: every pod of the plan with hooks in that phase). */
  async phase(
    phase: Phase,
    pods?: readonly PodPlan[],
    extra: {
      stop?: AbortSignal;
      force?: AbortSignal;
      startAttempts?: number;
      onPodStart?: (pod: PodPlan) => void;
      onPodDone?: (run: PodResult) => void;
    } = {},
  ): Promise<PodResult[]> {
    const targets = (pods ?? this.inventory.plan.pods).filter((p) => hasHooksIn(p, phase));
    if (targets.length === 0) return [];
    const ex = await this.executor();
    // The execs this phase will open, at most (a Fail can skip some), and how many can run at once
    // (a pod's hooks run one after another): while one runs, the connection of the next is made
    // (kube/exec-connections.ts). Once the phase is told to stop, no more are made.
    const due = execsDue(targets, phase);
    ex.expect(due.execs, Math.min(this.o.parallel, due.pods));
    const stop = extra.stop ?? this.o.interrupts.stop.signal;
    const noMore = () => ex.expect(0, 1);
    stop.addEventListener('abort', noMore, { once: true });
    try {
      return await runPhase(targets, phase, this.hookExecutor(ex, extra.startAttempts), {
        parallel: this.o.parallel,
        failFast: this.o.failFast,
        stop,
        force: extra.force ?? this.o.interrupts.force.signal,
        ...(extra.onPodStart ? { onPodStart: extra.onPodStart } : {}),
        onHookDone: (r, pod) => this.hookDone(r, pod),
        onPodDone: (run, done, total) => {
          try {
            this.o.onPodDone?.(run, done, total);
          } catch {
            // a progress line that cannot be printed must not cost a hook
          }
          extra.onPodDone?.(run);
        },
      });
    } finally {
      stop.removeEventListener('abort', noMore);
      ex.expect(0, 1);
    }
  }

  report(startedAt: Date, phases: { phase: Phase; pods: PodResult[] }[]): RunReport {
    return buildRunReport(this.inventory, startedAt, phases, this.o.interrupts.first);
  }
}

/**
 * The hooks of a phase that reach exec if every exec succeeds (runPhase's rules: a skipped pod runs
 * none; a hook rejected before exec with on-error Fail ends its pod's phase), and the pods they are in.
 */
export function execsDue(pods: readonly PodPlan[], phase: Phase): { execs: number; pods: number } {
  let execs = 0;
  let withExecs = 0;
  for (const pod of pods) {
    if (pod.skip) continue;
    let n = 0;
    for (const hook of hooksOf(pod, phase)) {
      if (!blockingProblem(pod, hook)) n++;
      else if (hook.onErrorIfRejected === 'Fail') break;
    }
    execs += n;
    if (n > 0) withExecs++;
  }
  return { execs, pods: withExecs };
}
