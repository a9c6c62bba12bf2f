// wrap: pre hooks, COMMAND, post hooks, with the promise that post runs for every pod whose pre
// phase started, whatever happens in between (signals, a closed terminal or pipe, failed writes,
// a dropped API connection). Only SIGKILL or a third signal during post can break it; for those the
// thaw command is printed (up front, and for the pods left when the post phase is abandoned).
import { Command } from 'clipanion';
import { UsageError } from '../errors.ts';
import { collect } from '../inventory.ts';
import type { PodPlan } from '../hooks/plan.ts';
import type { PodRun } from '../run/engine.ts';
import { FAILURES } from '../run/engine.ts';
import type { Guarded } from '../run/guardian.ts';
import { inTerminalForeground, spawnGuarded } from '../run/guardian.ts';
import type { RunReport } from '../run/session.ts';
import { HookSession } from '../run/session.ts';
import type { SignalName } from '../run/signals.ts';
import { Interrupts, SIGNAL_EXIT } from '../run/signals.ts';
import { escapeLine } from '../output/escape.ts';
import { shellQuote } from '../output/term.ts';
import { countHooks, ExecCommand } from './exec-base.ts';

export const WRAP_EXIT = { preFailed: 3, commandFailed: 4, postFailed: 5 } as const;

export class WrapCommand extends ExecCommand {
  static override paths = [['wrap']];
  static override usage = Command.Usage({
    description: 'Run the pre hooks, a local command (a snapshot, say), then the post hooks, always',
    details: `
      Runs the pre phase on every pod in scope, then COMMAND on this machine, then the post phase. The post phase runs for every pod whose pre phase started, also when a pre hook failed (COMMAND is then skipped), when COMMAND fails, when the process gets SIGINT (Ctrl-C), SIGTERM, SIGHUP (the terminal closed) or SIGQUIT, when the output is closed, when --output-dir cannot be written, and when the API connection drops (post hooks that could not start are retried): a filesystem frozen by a pre hook must be thawed. This deliberately differs from Ark, which skips the post hooks of a pod whose pre hook failed.

      COMMAND keeps the terminal and gets your Ctrl-C; a signal sent to the plugin alone is passed on, a second one sends SIGTERM, a third SIGKILL. COMMAND never outlives the plugin.

      During the post phase signals only warn; the third one abandons it and prints the pods that may still be frozen with the command that thaws them. SIGKILL cannot be caught: for that case the thaw command is printed before the first pre hook runs.

      Exit status: 0 when everything succeeded; 3 when a pre hook failed, whatever its on-error (COMMAND skipped: a snapshot after a failed freeze is not consistent); 4 when COMMAND failed; 5 when a post hook failed (check the pods it lists); 129/130/131/143 when interrupted by SIGHUP/SIGINT/SIGQUIT/SIGTERM; 1 when you answer no at the prompt; 2 for usage errors.
    `,
    examples: [
      ['Freeze, snapshot a volume, thaw', '$0 wrap -n shop -l app=mysql --yes -- ./snapshot-volume.sh mysql-data'],
      ['Around a Velero backup of the same scope', '$0 wrap --backup nightly --yes -- velero backup create nightly-manual --from-schedule nightly --wait'],
    ],
  });

  acceptsAfterDashes = true;

  async run(): Promise<number> {
    const argv = this.context.afterDashes ?? [];
    if (argv.length === 0 || argv[0] === '') throw new UsageError('error: wrap needs a command after --, e.g. kubectl ark-hooks wrap -n shop -- ./snapshot.sh');
    if (this.phase !== undefined) throw new UsageError('error: wrap runs both phases; --phase does not apply');
    this.requireCluster();
    this.parallelism();
    this.checkOutputDir();
    const inv = await collect(this.scopeConfig(), this.inventoryIO());
    const { pods, hooks } = countHooks(inv, ['pre', 'post']);
    const refused = await this.confirm(`run ${hooks} hook${hooks === 1 ? '' : 's'} in ${pods} pod${pods === 1 ? '' : 's'} around "${argv.join(' ')}"`, inv);
    if (refused !== null) {
      this.context.stderr.write('Nothing was run.\n');
      return refused;
    }
    const err = this.context.stderr;
    const say = (text: string) => {
      try {
        err.write(text);
      } catch {
        // a closed stderr must not cost the post phase
      }
    };
    let stage: 'pre' | 'command' | 'post' = 'pre';
    let guarded: Guarded | null = null;
    let commandSignals = 0;
    let postSignals = 0;
    const stillFrozen = new Map<string, PodPlan>();
    let firstSignal: SignalName | null = null;
    const interrupts = new Interrupts((name) => {
      firstSignal ??= name;
      if (stage === 'pre') say(`\n${name}: starting no new pre hooks; the post hooks will run for every pod whose pre phase started\n`);
      else if (stage === 'command') {
        commandSignals++;
        // COMMAND shares our terminal: when we are its foreground, Ctrl-C and Ctrl-\ reached it already.
        const fromTerminal = (name === 'SIGINT' || name === 'SIGQUIT') && inTerminalForeground();
        const relay: NodeJS.Signals | null = commandSignals === 1 ? (fromTerminal ? null : name) : commandSignals === 2 ? 'SIGTERM' : 'SIGKILL';
        if (relay) guarded?.signal(relay);
        say(`\n${name}: ${relay ? `sent ${relay} to the command` : 'stopping the command'}; the post hooks run next${commandSignals < 3 ? ' (again to send it ' + (commandSignals === 1 ? 'SIGTERM' : 'SIGKILL') + ')' : ''}\n`);
      } else {
        postSignals++;
        if (postSignals < 3) {
          say(`\n${name}: the post hooks are running to undo the pre hooks of ${stillFrozen.size} pod(s); ${postSignals === 1 ? 'they keep running (a third signal abandons them)' : 'press Ctrl-C once more to abandon them'}\n`);
        } else {
          say(`\n${name}: abandoning the post phase. These pods may still be frozen:\n`);
          const left = [...stillFrozen.values()];
          for (const p of left.map((x) => `${x.namespace}/${x.name}`).sort()) say(`  ${p}\n`);
          say('Thaw them with:\n');
          for (const line of this.thawCommands(left)) say(`  ${line}\n`);
          process.exit(SIGNAL_EXIT[name]);
        }
      }
    }).install();
    try {
      // Checks --output-dir before anything is frozen.
      const session = new HookSession(inv, this.sessionOptions(interrupts));
      const started = new Date();
      const postPlanned = inv.plan.pods.filter((p) => p.hooks.some((h) => h.phase === 'post'));
      if (postPlanned.length > 0 && inv.plan.pods.some((p) => p.hooks.some((h) => h.phase === 'pre'))) {
        say('If this process is killed (SIGKILL) before the post phase ends, thaw the pods with:\n');
        for (const line of this.thawCommands(postPlanned)) say(`  ${line}\n`);
      }

      // 1. pre. A pod counts as started as soon as a worker picks it up, even if the phase fails later.
      const preStarted = new Set<string>();
      let pre: PodRun[] = [];
      let preError: string | null = null;
      try {
        pre = await session.phase('pre', undefined, { onPodStart: (p) => preStarted.add(`${p.namespace}/${p.name}`) });
      } catch (e) {
        preError = (e as Error)?.message ?? String(e);
        say(`error: the pre phase failed: ${preError}\n`);
      }
      // Stricter than Velero on purpose: any failed pre hook, whatever its on-error, skips COMMAND (a snapshot
      // after a freeze that failed is not consistent; under Velero >= 1.9 an unset on-error means Continue).
      const preFailed = preError !== null || pre.some((r) => r.hooks.some((h) => FAILURES.includes(h.result)));

      // 2. the command
      let command: NonNullable<RunReport['command']>;
      if (preFailed || interrupts.stop.signal.aborted) {
        const reason = preFailed ? 'a pre hook failed' : `interrupted by ${firstSignal}`;
        say(`Skipping "${argv.join(' ')}": ${reason}.\n`);
        command = { argv, exitCode: null, signal: null, skipped: true, reason };
      } else {
        stage = 'command';
        say(`Running ${escapeLine(shellQuote(argv))}\n`);
        guarded = spawnGuarded(argv);
        const res = await guarded.done;
        guarded = null;
        command = { argv, exitCode: res.exitCode, signal: res.signal, skipped: false, ...(res.reason ? { reason: res.reason } : {}) };
        if (res.reason) say(`error: ${argv[0]}: ${res.reason}\n`);
      }

      // 3. post, for every pod whose pre phase started (and, after the command ran, pods with only post hooks)
      stage = 'post';
      const postPods = postPlanned.filter((p) => {
        const key = `${p.namespace}/${p.name}`;
        if (preStarted.has(key)) return true;
        return !command.skipped && !p.hooks.some((h) => h.phase === 'pre');
      });
      for (const p of postPods) stillFrozen.set(`${p.namespace}/${p.name}`, p);
      let post: PodRun[] = [];
      let postError: string | null = null;
      try {
        post = await session.phase('post', postPods, {
          stop: new AbortController().signal,
          force: new AbortController().signal,
          startAttempts: 8,
          onPodDone: (run) => {
            if (run.hooks.every((h) => h.result === 'succeeded')) stillFrozen.delete(`${run.namespace}/${run.pod}`);
          },
        });
      } catch (e) {
        postError = (e as Error)?.message ?? String(e);
        say(`error: the post phase failed: ${postError}\n`);
      }
      // Any failed post hook may have left its pod frozen, whatever its on-error.
      const postFailed = postError !== null || post.some((r) => r.hooks.some((h) => FAILURES.includes(h.result)));

      const report = { ...session.report(started, [{ phase: 'pre', pods: pre }, { phase: 'post', pods: post }]), command, interrupted: firstSignal };
      const printed = this.printReport(report);
      if (postFailed || stillFrozen.size > 0) {
        const left = [...stillFrozen.values()];
        if (postFailed) say('error: a post hook failed; the pods above may still be frozen\n');
        if (left.length > 0) {
          say('To run their post hooks again:\n');
          for (const line of this.thawCommands(left)) say(`  ${line}\n`);
        }
        if (postFailed) return WRAP_EXIT.postFailed;
      }
      if (firstSignal) return SIGNAL_EXIT[firstSignal as SignalName];
      if (preFailed) return WRAP_EXIT.preFailed;
      if (command.skipped || command.exitCode !== 0) return WRAP_EXIT.commandFailed;
      return printed ? 0 : 1;
    } finally {
      interrupts.dispose();
    }
  }
}
