// wrap: pre hooks, COMMAND, post hooks, with the promise that post runs for every pod whose pre
// phase started, whatever happens in between (signals, a closed terminal or pipe, failed writes,
// a dropped API connection). Only SIGKILL or a third signal during post can break it; for those the
// thaw command is printed (up front, and for the pods left when the post phase is abandoned).

import type { Guarded } from '../engine/guardian.ts';
import { inTerminalForeground, spawnGuarded } from '../engine/guardian.ts';
import type { HookSession } from '../engine/session.ts';
import type { SignalName } from '../engine/signals.ts';
import { Interrupts, SIGNAL_EXIT } from '../engine/signals.ts';
import type { PodPlan } from '../hooks/plan.ts';
import { hasHooksIn } from '../hooks/plan.ts';
import type { Inventory } from '../report/inventory.ts';
import type { CommandResult, PodResult } from '../report/run-report.ts';
import { anyFailed } from '../report/run-report.ts';
import { escapeLine } from '../output/escape.ts';
import { shellQuote } from '../output/term.ts';
import type { ExecIO, ExecSettings, ThawFlags } from './exec.ts';
import { checkOutputDir, countHooks, openSession, plural, requireCluster, thawCommands } from './exec.ts';
import type { ScopeConfig } from './inventory.ts';
import { collect } from './inventory.ts';

export const WRAP_EXIT = { preFailed: 3, commandFailed: 4, postFailed: 5 } as const;

export interface WrapRequest {
  scope: ScopeConfig;
  /** COMMAND: the words after `--`. */
  argv: string[];
  exec: ExecSettings;
  thaw: ThawFlags;
  /** COMMAND's stdout goes to our stderr (stdout holds a report for programs: -o json, yaml, name, jsonpath, custom-columns). */
  commandStdoutToStderr?: boolean;
}

export async function wrapCommand(req: WrapRequest, io: ExecIO): Promise<number> {
  requireCluster(req.scope.files);
  checkOutputDir(req.exec.outputDir);
  const { inventory, cluster } = await collect(req.scope, io);
  if (!cluster) throw new Error('running hooks needs a cluster');
  const { pods, hooks } = countHooks(inventory);
  const refused = await io.confirm(
    `run ${plural(hooks, 'hook')} in ${plural(pods, 'pod')} around "${req.argv.join(' ')}"`,
    inventory.source,
  );
  if (refused !== null) {
    io.say('Nothing was run.\n');
    return refused;
  }
  const wrap = new Wrap(req, inventory, io);
  wrap.interrupts.install();
  try {
    // Checks --output-dir before anything is frozen.
    const session = openSession(inventory, cluster, req.exec, io, wrap.interrupts);
    try {
      return await wrap.run(session);
    } finally {
      session.close();
    }
  } finally {
    wrap.interrupts.dispose();
  }
}

/** One wrap: its stage, the pods that may still be frozen, and what signals do at each stage. */
class Wrap {
  readonly interrupts: Interrupts;
  private stage: 'pre' | 'command' | 'post' = 'pre';
  private guarded: Guarded | null = null;
  private commandSignals = 0;
  private postSignals = 0;
  private firstSignal: SignalName | null = null;
  private readonly stillFrozen = new Map<string, PodPlan>();
  private readonly req: WrapRequest;
  private readonly inv: Inventory;
  private readonly io: ExecIO;

  constructor(req: WrapRequest, inv: Inventory, io: ExecIO) {
    this.req = req;
    this.inv = inv;
    this.io = io;
    this.interrupts = new Interrupts((name) => this.onSignal(name));
  }

  private say(text: string) {
    this.io.say(text);
  }

  private sayThaw(pods: readonly PodPlan[]) {
    for (const line of thawCommands(pods, this.req.thaw)) this.say(`  ${line}\n`);
  }

  private onSignal(name: SignalName) {
    this.firstSignal ??= name;
    if (this.stage === 'pre')
      this.say(`\n${name}: starting no new pre hooks; the post hooks will run for every pod whose pre phase started\n`);
    else if (this.stage === 'command') this.onCommandSignal(name);
    else this.onPostSignal(name);
  }

  private onCommandSignal(name: SignalName) {
    const n = ++this.commandSignals;
    // COMMAND shares our terminal: when we are its foreground, Ctrl-C and Ctrl-\ reached it already.
    const fromTerminal = (name === 'SIGINT' || name === 'SIGQUIT') && inTerminalForeground();
    const relay: NodeJS.Signals | null = n === 1 ? (fromTerminal ? null : name) : n === 2 ? 'SIGTERM' : 'SIGKILL';
    if (relay) this.guarded?.signal(relay);
    const again = n < 3 ? ` (again to send it ${n === 1 ? 'SIGTERM' : 'SIGKILL'})` : '';
    this.say(`\n${name}: ${relay ? `sent ${relay} to the command` : 'stopping the command'}; the post hooks run next${again}\n`);
  }

  private onPostSignal(name: SignalName) {
    const n = ++this.postSignals;
    if (n < 3) {
      const what = n === 1 ? 'they keep running (a third signal abandons them)' : 'press Ctrl-C once more to abandon them';
      this.say(`\n${name}: the post hooks are running to undo the pre hooks of ${plural(this.stillFrozen.size, 'pod')}; ${what}\n`);
      return;
    }
    this.say(`\n${name}: abandoning the post phase. These pods may still be frozen:\n`);
    const left = [...this.stillFrozen.values()];
    for (const p of left.map((x) => `${x.namespace}/${x.name}`).sort()) this.say(`  ${p}\n`);
    this.say('Thaw them with:\n');
    this.sayThaw(left);
    process.exit(SIGNAL_EXIT[name]);
  }

  async run(session: HookSession): Promise<number> {
    const started = new Date();
    const postPlanned = this.inv.plan.pods.filter((p) => hasHooksIn(p, 'post'));
    if (postPlanned.length > 0 && this.inv.plan.pods.some((p) => hasHooksIn(p, 'pre'))) {
      this.say('If this process is killed (SIGKILL) before the post phase ends, thaw the pods with:\n');
      this.sayThaw(postPlanned);
    }
    const pre = await this.pre(session);
    const command = await this.command(pre.failed);
    const post = await this.post(session, postPlanned, pre.started, command.skipped);
    const phases = [
      { phase: 'pre' as const, pods: pre.runs },
      { phase: 'post' as const, pods: post.runs },
    ];
    const report = { ...session.report(started, phases), command, interrupted: this.firstSignal };
    const printed = await this.io.render(report);
    if (post.failed || this.stillFrozen.size > 0) {
      const left = [...this.stillFrozen.values()];
      if (post.failed) this.say('error: a post hook failed; the pods above may still be frozen\n');
      if (left.length > 0) {
        this.say('To run their post hooks again:\n');
        this.sayThaw(left);
      }
      if (post.failed) return WRAP_EXIT.postFailed;
    }
    if (this.firstSignal) return SIGNAL_EXIT[this.firstSignal];
    if (pre.failed) return WRAP_EXIT.preFailed;
    if (command.skipped || command.exitCode !== 0) return WRAP_EXIT.commandFailed;
    return printed ? 0 : 1;
  }

  /** 1. pre. A pod counts as started as soon as a worker picks it up, even if the phase fails later. */
  private async pre(session: HookSession): Promise<{ runs: PodResult[]; started: Set<string>; failed: boolean }> {
    const started = new Set<string>();
    let runs: PodResult[] = [];
    let error = false;
    try {
      runs = await session.phase('pre', undefined, { onPodStart: (p) => started.add(`${p.namespace}/${p.name}`) });
    } catch (e) {
      error = true;
      this.say(`error: the pre phase failed: ${(e as Error)?.message ?? String(e)}\n`);
    }
    // Stricter than Velero on purpose: any failed pre hook, whatever its on-error, skips COMMAND (a snapshot
    // after a freeze that failed is not consistent; under Velero >= 1.9 an unset on-error means Continue).
    return { runs, started, failed: error || anyFailed(runs) };
  }

  /** 2. COMMAND, unless a pre hook failed or a signal came. */
  private async command(preFailed: boolean): Promise<CommandResult> {
    const { argv } = this.req;
    if (preFailed || this.interrupts.stop.signal.aborted) {
      const reason = preFailed ? 'a pre hook failed' : `interrupted by ${this.firstSignal}`;
      this.say(`Skipping "${argv.join(' ')}": ${reason}.\n`);
      return { argv, exitCode: null, signal: null, skipped: true, reason };
    }
    this.stage = 'command';
    this.say(`Running ${escapeLine(shellQuote(argv))}\n`);
    this.guarded = spawnGuarded(argv, { stdoutToStderr: this.req.commandStdoutToStderr === true });
    const res = await this.guarded.done;
    this.guarded = null;
    if (res.reason) this.say(`error: ${argv[0]}: ${res.reason}\n`);
    return { argv, exitCode: res.exitCode, signal: res.signal, skipped: false, ...(res.reason ? { reason: res.reason } : {}) };
  }

  /** 3. post, for every pod whose pre phase started (and, after the command ran, pods with only post hooks). */
  private async post(session: HookSession, planned: PodPlan[], preStarted: Set<string>, commandSkipped: boolean) {
    this.stage = 'post';
    const pods = planned.filter((p) => preStarted.has(`${p.namespace}/${p.name}`) || (!commandSkipped && !hasHooksIn(p, 'pre')));
    for (const p of pods) this.stillFrozen.set(`${p.namespace}/${p.name}`, p);
    let runs: PodResult[] = [];
    let error = false;
    try {
      runs = await session.phase('post', pods, {
        stop: new AbortController().signal,
        force: new AbortController().signal,
        startAttempts: 8,
        onPodDone: (run) => {
          if (run.hooks.every((h) => h.result === 'succeeded')) this.stillFrozen.delete(`${run.namespace}/${run.pod}`);
        },
      });
    } catch (e) {
      error = true;
      this.say(`error: the post phase failed: ${(e as Error)?.message ?? String(e)}\n`);
    }
    // Any failed post hook may have left its pod frozen, whatever its on-error.
    return { runs, failed: error || anyFailed(runs) };
  }
}
