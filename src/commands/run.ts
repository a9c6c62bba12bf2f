import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.ts';
import { collect } from '../inventory.ts';
import { serialize } from '../output/render.ts';
import { renderPlan } from '../output/run.ts';
import { preflight } from '../run/preflight.ts';
import { HookSession } from '../run/session.ts';
import { Interrupts } from '../run/signals.ts';
import { countHooks, ExecCommand } from './exec-base.ts';

export class RunCommand extends ExecCommand {
  static override paths = [['run']];
  static override usage = Command.Usage({
    description: 'Execute the pre or post hooks of the pods in scope, as Ark would',
    details: `
      Executes each hook through the pod exec API with Ark's parameters: stdout and stderr captured, no stdin, no TTY, the command exactly as resolved (no shell is added). The hooks of a pod run in order; a failure with on-error Fail skips that pod's remaining hooks, Continue goes on. A timeout closes the stream; the command may still be running in the container, and the result says so.

      Pods run in parallel (\`--parallel\`, default 4; \`--parallel 1\` is Ark's one-at-a-time order). \`--fail-fast\` starts no new pod after a Fail-mode failure. On a terminal you are asked to confirm; elsewhere pass \`--yes\`.

      Name pods after the flags to run only their hooks (this is the command \`wrap\` prints to thaw the pods it could not).

      Ctrl-C (or SIGTERM, SIGHUP, SIGQUIT) stops starting hooks and waits for the running ones; a second one closes their streams. The report accounts for every hook; a closed output (\`| head\`) stops the printing, not the hooks.

      Exit status: 0 when every hook succeeded, 1 when any hook failed, whatever its on-error (Velero ends such a Backup PartiallyFailed; on-error only decides whether the pod's later hooks run), and 1 when you answer no at the prompt, 2 for usage or configuration errors, 129/130/131/143 when interrupted by SIGHUP/SIGINT/SIGQUIT/SIGTERM. Use \`wrap\` to run a command between the pre and post phases with the guarantee that post runs.
    `,
    examples: [
      ['Run the pre hooks of the pods in namespace shop', '$0 run --phase pre -n shop'],
      ['Run the post hooks that the Velero backup "nightly" would run, without asking', '$0 run --phase post --backup nightly --yes'],
      ['Ark order (one pod at a time) and each hook output shown', '$0 run --phase pre --parallel 1 --show-output'],
      ['Keep an audit trail as Kubernetes Events, report as JSON', '$0 run --phase pre --record-events --yes -o json'],
      ['Only show the plan', '$0 run --phase pre --dry-run'],
      ['Thaw two pods', '$0 run --phase post -n shop --yes db-0 db-1'],
    ],
  });

  podNames = Option.Rest({ name: 'pod' });

  dryRun = Option.Boolean('--dry-run', false, { description: 'Show the plan and its problems instead of executing (same as the dry-run command)' });

  async run(): Promise<number> {
    const cfg = this.scopeConfig();
    const phases = this.phase === undefined ? [] : cfg.phases;
    if (phases.length !== 1) throw new UsageError('error: run needs --phase pre or --phase post (use wrap to run both around a command)');
    const format = this.format();
    if (this.dryRun) {
      // A dry run creates nothing, not even a ServerStatusRequest to detect the Velero version.
      const inv = await collect({ ...cfg, allowCreate: false }, this.inventoryIO());
      const report = await preflight(inv, phases);
      this.context.stdout.write(format === 'table' ? renderPlan(report, this.style()) : serialize(report, format));
      return report.wouldFail ? 1 : 0;
    }
    this.requireCluster();
    this.parallelism();
    this.checkOutputDir();
    const inv = await collect(cfg, this.inventoryIO());
    if (this.podNames.length > 0) {
      const want = new Set(this.podNames);
      const kept = inv.plan.pods.filter((p) => want.has(p.name));
      for (const name of [...want].filter((n) => !kept.some((p) => p.name === n)).sort()) this.context.stderr.write(`warning: pod "${name}" is not in scope\n`);
      inv.plan.pods.splice(0, inv.plan.pods.length, ...kept);
    }
    const phase = phases[0] as 'pre' | 'post';
    const { pods, hooks } = countHooks(inv, phases);
    if (hooks === 0) {
      this.context.stderr.write(`No ${phase} hooks in scope.\n`);
      return 0;
    }
    const refused = await this.confirm(`run ${hooks} ${phase} hook${hooks === 1 ? '' : 's'} in ${pods} pod${pods === 1 ? '' : 's'}`, inv);
    if (refused !== null) {
      this.context.stderr.write('Nothing was run.\n');
      return refused;
    }
    const interrupts = new Interrupts((name, count) => {
      this.context.stderr.write(count === 1 ? `\n${name}: starting no new hooks; waiting for the running ones (again to close their streams)\n` : `\n${name}: closing the running hooks' streams\n`);
    }).install();
    try {
      const session = new HookSession(inv, this.sessionOptions(interrupts));
      const started = new Date();
      const runs = await session.phase(phase);
      const report = session.report(started, [{ phase, pods: runs }]);
      const printed = this.printReport(report);
      // Any failed hook is a failure, whatever its on-error: Velero ends such a Backup PartiallyFailed,
      // and `run --phase pre && snapshot` must not go on after a freeze that failed. on-error decides
      // only whether the pod's later hooks run.
      return interrupts.exitCode ?? (report.summary.failed > 0 || !printed ? 1 : 0);
    } finally {
      interrupts.dispose();
    }
  }
}
