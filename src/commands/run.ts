// `run --phase pre|post`: executes the hooks of one phase (flows/run.ts); with --dry-run, the plan.

import { Command, Option } from 'clipanion';
import { dryRun } from '../flows/preflight.ts';
import { runHooks } from '../flows/run.ts';
import { renderPlanAs } from '../output/run-report.ts';
import { ExecCommand } from './exec-base.ts';
import { phaseFlag } from './flags.ts';

export class RunCommand extends ExecCommand {
  static override paths = [['run']];
  static override usage = Command.Usage({
    category: 'Change Commands',
    description: 'Execute the pre or post hooks of the pods in scope, as Ark would',
    details: `
      Executes each hook through the pod exec API with Ark's parameters: stdout and stderr captured, no stdin, no TTY, the command exactly as resolved (no shell is added). The hooks of a pod run in order; a failure with on-error Fail skips that pod's remaining hooks, Continue goes on. A timeout closes the stream; the command may still be running in the container, and the result says so.

      Pods run in parallel (\`--parallel\`, default 4; \`--parallel 1\` is Ark's one-at-a-time order). \`--fail-fast\` starts no new pod after a Fail-mode failure. On a terminal you are asked to confirm; elsewhere pass \`--yes\`.

      Name pods after the flags to run only their hooks (this is the command \`wrap\` prints to thaw the pods it could not).

      Output: the report on stdout (a table, or \`-o json|yaml|name|jsonpath=|custom-columns=\`), progress on stderr. The hook output that \`--show-output\` asks for is data: stdout with the table, stderr with the other formats (stdout then holds the report only). \`-o name\` prints \`pod/NAME\` once per pod that had hooks; \`--sort-by\` and \`-o custom-columns=\` run over the pods of each phase (\`.phases[*].pods[*]\`).

      Ctrl-C (or SIGTERM, SIGHUP, SIGQUIT) stops starting hooks and waits for the running ones; a second one closes their streams. The report accounts for every hook; a closed output (\`| head\`) stops the printing, not the hooks.

      Exit status: 0 when every hook succeeded, 1 when any hook failed, whatever its on-error (Velero ends such a Backup PartiallyFailed; on-error only decides whether the pod's later hooks run), and 1 when you answer no at the prompt, 2 for usage or configuration errors, 129/130/131/143 when interrupted by SIGHUP/SIGINT/SIGQUIT/SIGTERM. Use \`wrap\` to run a command between the pre and post phases with the guarantee that post runs.
    `,
    examples: [
      ['Run the pre hooks of the pods in namespace shop', '$0 run --phase pre -n shop'],
      ['Run the post hooks that the Velero backup "nightly" would run, without asking', '$0 run --phase post --backup nightly --yes'],
      ['Ark order (one pod at a time) and each hook output shown', '$0 run --phase pre --parallel 1 --show-output'],
      ['Keep an audit trail as Kubernetes Events, report as JSON', '$0 run --phase pre --record-events --yes -o json'],
      ['Only show the plan', '$0 run --phase pre --dry-run'],
      [
        'The pods whose hooks failed, one per line',
        `$0 run --phase pre --yes -o jsonpath='{range .phases[*].pods[*]}{.pod}{" "}{.hooks[?(@.result!="succeeded")].result}{"\\n"}{end}'`,
      ],
      ['Thaw two pods', '$0 run --phase post -n shop --yes db-0 db-1'],
    ],
  });
  /** The `Usage:` lines of the help (and of the README's command table). */
  static synopsis = [
    'run --phase pre|post [-n NAMESPACE | -A] [-l SELECTOR] [--backup NAME | --backup-file FILE] [-y] [options] [POD...]',
    'run --phase pre|post --dry-run [options]',
  ];

  override phase = Option.String('--phase', {
    required: true,
    description: 'pre or post (wrap runs both phases around a command)',
    validator: phaseFlag(),
  });
  podNames = Option.Rest({ name: 'pod' });

  dryRun = Option.Boolean('--dry-run', false, {
    description: 'Show the plan and its problems instead of executing (same as the dry-run command)',
  });

  async run(): Promise<number> {
    const scope = this.scopeConfig();
    this.checkOutput();
    if (this.dryRun) {
      const report = await dryRun(scope, this.inventoryIO());
      this.context.stdout.write(renderPlanAs(report, this, this.style()));
      return report.wouldFail ? 1 : 0;
    }
    return runHooks({ scope, phase: this.phase, podNames: this.podNames, exec: this.execSettings() }, this.execIO());
  }
}
