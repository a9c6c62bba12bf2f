// Wires the engine to the cluster and to the terminal: exec, progress lines, hook output
// (--show-output, --output-dir), audit events (--record-events) and the run report. Nothing here
// may stop a phase: a failed print, file write or event is a warning, never an exception.

import { loadKube } from '../kube-loader.ts';
import type { PodPlan } from '../hooks/plan.ts';
import type { Phase } from '../hooks/types.ts';
import type { Inventory, ScopeInfo, SourceInfo } from '../flows/inventory.ts';
import type { Cluster } from '../kube/cluster.ts';
import { escapeLine, escapeTerminal } from '../output/escape.ts';
import type { Style } from '../output/term.ts';
import type { HookExecutor, HookRun, PodRun, RunSummary } from './phase.ts';
import { FAILURES, runPhase, summarize } from './phase.ts';
import type { HookFiles } from './output-dir.ts';
import { OutputDir } from './output-dir.ts';
import type { Interrupts } from './signals.ts';

export interface SessionOptions {
  parallel: number;
  failFast: boolean;
  recordEvents: boolean;
  /** Put the hook's argv into Event messages (it may hold secrets, so only when asked). */
  recordEventsWithCommand?: boolean;
  showOutput: boolean;
  outputDir?: string | undefined;
  /** Bytes of each stream kept in memory and in the report (the tail); --output-dir gets all. */
  maxOutputBytes: number;
  stderr: NodeJS.WritableStream;
  style: Style;
  interrupts: Interrupts;
}

export interface RunReport {
  apiVersion: string;
  kind: 'HookRun';
  source: SourceInfo;
  scope: ScopeInfo;
  startedAt: string;
  finishedAt: string;
  phases: { phase: Phase; pods: PodRun[]; summary: RunSummary }[];
  command?: { argv: string[]; exitCode: number | null; signal: string | null; skipped: boolean; reason?: string };
  interrupted: string | null;
  summary: RunSummary;
}

export class HookSession {
  readonly inventory: Inventory;
  readonly cluster: Cluster;
  private readonly o: SessionOptions;
  private readonly outputDir: OutputDir | null;
  /** Hooks whose output files the executor wrote. */
  private readonly filed = new WeakSet<HookRun>();

  /** Throws a UsageError (exit 2) for an unusable --output-dir: checked before anything runs. */
  constructor(inventory: Inventory, options: SessionOptions) {
    if (!inventory.cluster) throw new Error('running hooks needs a cluster');
    this.inventory = inventory;
    this.cluster = inventory.cluster;
    this.o = options;
    this.outputDir = options.outputDir ? new OutputDir(options.outputDir, (m) => this.say(`${m}\n`)) : null;
  }

  /** Writes to stderr; a closed stderr is not our problem to die of. */
  private say(text: string) {
    try {
      this.o.stderr.write(text);
    } catch {
      // nowhere to print
    }
  }

  private executorFor(startAttempts: number | undefined): Promise<HookExecutor> {
    const make = (this.executorPromise ??= (async () => {
      const { Executor } = await loadKube();
      return new Executor(this.cluster.kc, this.cluster.requestTimeoutMs ?? 30_000);
    })());
    const ping = Number(process.env.ARK_HOOKS_PING_INTERVAL_MS ?? '') || 30_000;
    return make.then((ex) => async (pod, hook, signal, run) => {
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
          ...(files ? { onOutput: (stream: 1 | 2, chunk: Buffer) => files.write(stream, chunk) } : {}),
          pingIntervalMs: ping,
          ...(startAttempts ? { startAttempts } : {}),
        });
      } finally {
        files?.close();
      }
    });
  }

  private executorPromise: Promise<import('../kube/exec.ts').Executor> | undefined;

  private async hookDone(r: HookRun, pod: PodPlan) {
    const who = `${r.namespace}/${r.pod}/${r.container ?? '-'}`;
    if (this.o.showOutput) {
      for (const [stream, text] of [['', r.stdout], [' stderr', r.stderr]] as const) {
        if (r.outputTruncated && text) this.say(`[${escapeLine(who)}${stream}] (the last ${this.o.maxOutputBytes / 1024} KiB)\n`);
        for (const line of text.split('\n')) if (line !== '') this.say(`[${escapeLine(who)}${stream}] ${escapeTerminal(line)}\n`);
      }
    }
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
          message: escapeLine(`${r.phase} hook (${source}) in container ${r.container}: ${r.message} after ${r.durationMs} ms${this.o.recordEventsWithCommand ? `: ${JSON.stringify(r.command)}` : ''}`),
          warning: failed,
        });
      } catch (e) {
        this.say(`warning: ${escapeLine(`could not record an event on ${r.namespace}/${r.pod}: ${(e as Error).message}`)}\n`);
      }
    }
  }

  private podDone(run: PodRun, done: number, total: number) {
    const s = this.o.style;
    const failed = run.hooks.filter((h) => FAILURES.includes(h.result));
    const ok = run.hooks.filter((h) => h.result === 'succeeded').length;
    const first = failed[0];
    const skipped = run.hooks.every((h) => h.result === 'skipped' || h.result === 'not-run');
    const verdict = first ? s.red('failed') : skipped ? s.dim('skipped') : s.green('ok');
    const detail = first ? `hook ${first.index}: ${first.message}` : skipped ? (run.hooks[0]?.message ?? '') : `${ok} hook${ok === 1 ? '' : 's'}`;
    this.say(`[${done}/${total}] ${run.phase} ${escapeLine(`${run.namespace}/${run.pod}`)}: ${verdict} (${escapeLine(detail)})\n`);
  }

  /** Runs one phase on the given pods (default: every pod of the plan with hooks in that phase). */
  async phase(
    phase: Phase,
    pods?: readonly PodPlan[],
    extra: { stop?: AbortSignal; force?: AbortSignal; startAttempts?: number; onPodStart?: (pod: PodPlan) => void; onPodDone?: (run: PodRun) => void } = {},
  ): Promise<PodRun[]> {
    const targets = (pods ?? this.inventory.plan.pods).filter((p) => p.hooks.some((h) => h.phase === phase));
    if (targets.length === 0) return [];
    const exec = await this.executorFor(extra.startAttempts);
    return runPhase(targets, phase, exec, {
      parallel: this.o.parallel,
      failFast: this.o.failFast,
      stop: extra.stop ?? this.o.interrupts.stop.signal,
      force: extra.force ?? this.o.interrupts.force.signal,
      ...(extra.onPodStart ? { onPodStart: extra.onPodStart } : {}),
      onHookDone: (r, pod) => this.hookDone(r, pod),
      onPodDone: (run, done, total) => {
        this.podDone(run, done, total);
        extra.onPodDone?.(run);
      },
    });
  }

  report(startedAt: Date, phases: { phase: Phase; pods: PodRun[] }[]): RunReport {
    const all = phases.flatMap((p) => p.pods);
    return {
      apiVersion: 'ark-hooks.kubectl.dev/v1alpha1',
      kind: 'HookRun',
      source: this.inventory.source,
      scope: this.inventory.scope,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      phases: phases.map((p) => ({ ...p, summary: summarize(p.pods) })),
      interrupted: this.o.interrupts.first,
      summary: summarize(all),
    };
  }
}
