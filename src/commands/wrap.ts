import { spawn } from 'node:child_process';
import { Command } from 'clipanion';
import { UsageError } from '../errors.ts';
import { collect } from '../inventory.ts';
import type { PodRun } from '../run/engine.ts';
import { HookSession } from '../run/session.ts';
import type { SignalName } from '../run/signals.ts';
import { Interrupts, SIGNAL_EXIT } from '../run/signals.ts';
import { countHooks, ExecCommand } from './exec-base.ts';

export const WRAP_EXIT = { preFailed: 3, commandFailed: 4, postFailed: 5 } as const;

export class WrapCommand extends ExecCommand {
  static override paths = [['wrap']];
  static override usage = Command.Usage({
    description: 'Run the pre hooks, a local command (a snapshot, say), then the post hooks, always',
    details: `
      Runs the pre phase on every pod in scope, then COMMAND on this machine, then the post phase. The post phase runs for every pod whose pre phase started, also when a pre hook failed (COMMAND is then skipped), when COMMAND fails, and when you press Ctrl-C or the process gets SIGTERM: a filesystem frozen by a pre hook must be thawed. This deliberately differs from Ark, which skips the post hooks of a pod whose pre hook failed.

      During the post phase Ctrl-C only warns; a second Ctrl-C lists the pods that may still be frozen and exits.

      Exit status: 0 when everything succeeded; 3 when a pre hook with on-error Fail failed (COMMAND skipped); 4 when COMMAND failed; 5 when a post hook with on-error Fail failed (check the pods it lists); 130/143 when interrupted; 2 for usage errors.
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
    const inv = await collect(this.scopeConfig(), this.inventoryIO());
    const { pods, hooks } = countHooks(inv, ['pre', 'post']);
    if (!(await this.confirm(`run ${hooks} hook${hooks === 1 ? '' : 's'} in ${pods} pod${pods === 1 ? '' : 's'} around "${argv.join(' ')}"`, inv))) {
      this.context.stderr.write('Nothing was run.\n');
      return 1;
    }
    const err = this.context.stderr;
    let stage: 'pre' | 'command' | 'post' = 'pre';
    let child: ReturnType<typeof spawn> | null = null;
    let postSignals = 0;
    const stillFrozen = new Set<string>();
    let firstSignal: SignalName | null = null;
    const interrupts = new Interrupts((name) => {
      firstSignal ??= name;
      if (stage === 'pre') err.write(`\n${name}: starting no new pre hooks; the post hooks will run for every pod whose pre phase started\n`);
      else if (stage === 'command') {
        err.write(`\n${name}: stopping the command; the post hooks run next\n`);
        // The command runs in its own process group: signal all of it (a shell and its children).
        if (child?.pid) {
          try {
            process.kill(-child.pid, name);
          } catch {
            child.kill(name);
          }
        }
      } else {
        postSignals++;
        if (postSignals === 1) {
          err.write(`\n${name}: the post hooks are running to undo the pre hooks of ${stillFrozen.size} pod(s); press Ctrl-C again to abandon them\n`);
        } else {
          err.write(`\n${name}: abandoning the post phase. These pods may still be frozen; run \`kubectl ark-hooks run --phase post\` for them:\n`);
          for (const p of [...stillFrozen].sort()) err.write(`  ${p}\n`);
          process.exit(SIGNAL_EXIT[name]);
        }
      }
    }).install();
    const session = new HookSession(inv, this.sessionOptions(interrupts));
    const started = new Date();
    try {
      // 1. pre
      const pre = await session.phase('pre');
      const preFailed = pre.some((r) => r.hooks.some((h) => ['failed', 'timeout', 'error', 'interrupted'].includes(h.result) && h.onError === 'Fail'));
      const preStarted = new Set(pre.filter((r) => r.started).map((r) => `${r.namespace}/${r.pod}`));

      // 2. the command
      let command: NonNullable<ReturnType<HookSession['report']>['command']>;
      if (preFailed || interrupts.stop.signal.aborted) {
        const reason = preFailed ? 'a pre hook failed' : `interrupted by ${firstSignal}`;
        err.write(`Skipping "${argv.join(' ')}": ${reason}.\n`);
        command = { argv, exitCode: null, signal: null, skipped: true, reason };
      } else {
        stage = 'command';
        err.write(`Running ${argv.join(' ')}\n`);
        command = await new Promise((resolve) => {
          child = spawn(argv[0] as string, argv.slice(1), { stdio: ['inherit', 'inherit', 'inherit'], detached: true });
          child.on('error', (e) => resolve({ argv, exitCode: null, signal: null, skipped: false, reason: `cannot start: ${e.message}` }));
          child.on('exit', (code, signal) => resolve({ argv, exitCode: code, signal, skipped: false }));
        });
        child = null;
        if (command.reason) err.write(`error: ${argv[0]}: ${command.reason}\n`);
      }

      // 3. post, for every pod whose pre phase started (and, after the command ran, pods with only post hooks)
      stage = 'post';
      const postPods = inv.plan.pods.filter((p) => {
        const key = `${p.namespace}/${p.name}`;
        if (!p.hooks.some((h) => h.phase === 'post')) return false;
        if (preStarted.has(key)) return true;
        return !command.skipped && !p.hooks.some((h) => h.phase === 'pre');
      });
      for (const p of postPods) stillFrozen.add(`${p.namespace}/${p.name}`);
      const post: PodRun[] = await session.phase('post', postPods, {
        stop: new AbortController().signal,
        force: new AbortController().signal,
        onPodDone: (run) => stillFrozen.delete(`${run.namespace}/${run.pod}`),
      });
      const postFailed = post.some((r) => r.hooks.some((h) => ['failed', 'timeout', 'error', 'interrupted'].includes(h.result) && h.onError === 'Fail'));

      const report = { ...session.report(started, [{ phase: 'pre', pods: pre }, { phase: 'post', pods: post }]), command, interrupted: firstSignal };
      this.printReport(report);
      if (postFailed) {
        err.write('error: a post hook failed; the pods above may still be frozen\n');
        return WRAP_EXIT.postFailed;
      }
      if (firstSignal) return SIGNAL_EXIT[firstSignal as SignalName];
      if (preFailed) return WRAP_EXIT.preFailed;
      if (command.skipped || command.exitCode !== 0) return WRAP_EXIT.commandFailed;
      return 0;
    } finally {
      interrupts.dispose();
    }
  }
}
