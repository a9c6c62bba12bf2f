// `wrap -- COMMAND`: pre hooks, COMMAND, post hooks, with the promise that post runs (flows/wrap.ts).
import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.ts';
import { wrapCommand } from '../flows/wrap.ts';
import { ExecCommand } from './exec-base.ts';
import { phaseFlag } from './flags.ts';

export class WrapCommand extends ExecCommand {
  static override paths = [['wrap']];
  static override usage = Command.Usage({
    category: 'Change Commands',
    description: 'Run the pre hooks, a local command (a snapshot, say), then the post hooks, always',
    details: `
      Runs the pre phase on every pod in scope, then COMMAND on this machine, then the post phase. The post phase runs for every pod whose pre phase started, also when a pre hook failed (COMMAND is then skipped), when COMMAND fails, when the process gets SIGINT (Ctrl-C), SIGTERM, SIGHUP (the terminal closed) or SIGQUIT, when the output is closed, when --output-dir cannot be written, and when the API connection drops (post hooks that could not start are retried): a filesystem frozen by a pre hook must be thawed. This deliberately differs from Ark, which skips the post hooks of a pod whose pre hook failed.

      Output: with the table, COMMAND's stdout is on stdout before the report. With \`-o json|yaml|name|jsonpath=|custom-columns=\`, COMMAND's stdout goes to stderr (and so does \`--show-output\`), so that stdout holds the report only and \`| jq\` reads it; COMMAND's stderr is always stderr.

      COMMAND keeps the terminal and gets your Ctrl-C; a signal sent to the plugin alone is passed on, a second one sends SIGTERM, a third SIGKILL. COMMAND never outlives the plugin.

      During the post phase signals only warn; the third one abandons it and prints the pods that may still be frozen with the command that thaws them. SIGKILL cannot be caught: for that case the thaw command is printed before the first pre hook runs.

      Exit status: 0 when everything succeeded; 3 when a pre hook failed, whatever its on-error (COMMAND skipped: a snapshot after a failed freeze is not consistent); 4 when COMMAND failed; 5 when a post hook failed (check the pods it lists); 129/130/131/143 when interrupted by SIGHUP/SIGINT/SIGQUIT/SIGTERM; 1 when you answer no at the prompt; 2 for usage errors.
    `,
    examples: [
      ['Freeze, snapshot a volume, thaw', '$0 wrap -n shop -l app=mysql --yes -- ./snapshot-volume.sh mysql-data'],
      [
        'Around a Velero backup of the same scope',
        '$0 wrap --backup nightly --yes -- velero backup create nightly-manual --from-schedule nightly --wait',
      ],
      ['The report for jq (the snapshot script prints to stderr)', "$0 wrap -n shop --yes -o json -- ./snapshot.sh | jq '.summary'"],
    ],
  });
  /** The `Usage:` lines of the help (and of the README's command table). */
  static synopsis = ['wrap [-n NAMESPACE | -A] [-l SELECTOR] [--backup NAME | --backup-file FILE] [-y] [options] -- COMMAND [args...]'];

  acceptsAfterDashes = true;
  /** Not a flag of wrap (it runs both phases): hidden, and refused with a sentence that says so. */
  override phase = Option.String('--phase', { hidden: true, validator: phaseFlag() });

  async run(): Promise<number> {
    const argv = this.context.afterDashes ?? [];
    if (argv.length === 0 || argv[0] === '')
      throw new UsageError('wrap needs a command after --, e.g. kubectl ark-hooks wrap -n shop -- ./snapshot.sh');
    if (this.phase !== undefined) throw new UsageError('wrap runs both phases; --phase does not apply');
    const exec = this.execSettings();
    const commandStdoutToStderr = this.reportOnlyOnStdout();
    return wrapCommand({ scope: this.scopeConfig(), argv, exec, thaw: this.thawFlags(), commandStdoutToStderr }, this.execIO());
  }
}
