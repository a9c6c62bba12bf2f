// `list`: one row per hook of the pods in scope, with the values Ark/Velero would use.

import { Command, Option } from 'clipanion';
import { hookReport } from '../flows/inventory.ts';
import { hookReportItems } from '../output/items.ts';
import { escapeLine } from '../output/escape.ts';
import { hookReportNotes, jsonChunks, severityText, writeChunks, writeHookReport } from '../output/render.ts';
import { hasInputErrors, INPUT_ERRORS } from '../report/hook-report.ts';
import { ScopeCommand } from './base.ts';
import { allowMissingKeysOption, noHeadersOption, outputOption, sortByOption } from './flags.ts';
import { parseFormat, scripted, terminalWidth } from '../output/formats.ts';

export class ListCommand extends ScopeCommand {
  static override paths = [['list'], ['ls']];
  static override usage = Command.Usage({
    category: 'Inspect Commands',
    description: 'List the backup hooks of pods, with the values Ark/Velero would use',
    details: `
      Lists one row per hook: the pod, the phase (pre or post), where the hook comes from (a pod annotation or a Backup's spec.hooks), the effective container, command, on-error and timeout, and a status. Problems found in the hooks are printed below the table.

      Reads pods from the current kubectl context, or from manifests with \`-f\` (Pods and the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and ReplicationControllers, plus Backup objects), with no cluster needed.

      With \`--backup\` or \`--backup-file\`, only the pods that Backup would back up are listed, together with the Backup's own spec hooks; annotation hooks replace spec hooks per pod and phase, as in Ark.

      The table is the only thing on stdout; the findings, "No hooks found" and the target it judged by go to stderr. On a terminal COMMAND is cut to the terminal's width; piped or with \`-o wide\` it is whole. \`-o name\` prints one \`pod/NAME\` line per pod with hooks (\`--all\`: every pod in scope), without the namespace, as kubectl does. \`-o jsonpath=\` and \`-o json\` see the same report object; \`-o custom-columns=\` and \`--sort-by\` run over each of its \`.pods\`.

      Exit status: 0, or 1 when a file given with \`-f\` is not YAML or JSON or cannot be read (its error is on stderr).
    `,
    examples: [
      ['List the hooks of the pods in the current namespace', '$0 list'],
      ['List the hooks in every namespace as JSON', '$0 list -A -o json'],
      ['List what the Velero backup "nightly" would run', '$0 list --backup nightly'],
      ['Check manifests before deploying them (no cluster needed)', '$0 list -f k8s/ -o wide'],
      ['Only pre hooks of the pods labelled app=db', '$0 list --phase pre -l app=db'],
      ['The pods that have hooks, for xargs', '$0 list -A -o name'],
      ['Pod and hook commands, one line each', `$0 list -o jsonpath='{range .pods[*]}{.name}{"\\t"}{.hooks[*].command}{"\\n"}{end}'`],
      ['Chosen columns, sorted', '$0 list -A -o custom-columns=NAMESPACE:.namespace,POD:.name,PHASES:.hooks[*].phase --sort-by=.name'],
    ],
  });
  /** The `Usage:` lines of the help (and of the README's command table). */
  static synopsis = [
    'list [-n NAMESPACE | -A] [-l SELECTOR] [--phase pre|post] [--backup NAME | --backup-file FILE] [-o FORMAT] [options]',
    'list -f FILE|DIR|- [-l SELECTOR] [--phase pre|post] [-o FORMAT] [options]',
  ];

  output = Option.String('-o,--output', 'table', outputOption('list'));
  all = Option.Boolean('--all', false, { description: 'Also list pods in scope that have no hooks (in every output format)' });

  noHeaders = noHeadersOption();
  sortBy = sortByOption();
  allowMissingKeys = allowMissingKeysOption();

  async run(): Promise<number> {
    const format = parseFormat(this.output);
    const report = await hookReport(this.scopeConfig(), this.inventoryIO(), this.all);
    const text = scripted(report, hookReportItems(report, this.all), format, this);
    const { stdout, stderr } = this.context;
    const table = format.kind === 'table' || format.kind === 'wide';
    if (text !== undefined) stdout.write(text);
    // JSON is written as it is serialised (64 KiB chunks, each waiting for a slow reader where stdout
    // is asynchronous): at 100k pods the report is megabytes, and serialize()'s round trip held three
    // copies of it at once.
    else if (format.kind === 'json') await writeChunks(jsonChunks(report), stdout);
    else {
      const opts = { format: format.kind as 'table', showAll: this.all, style: this.style(), noHeaders: this.noHeaders };
      // Written in chunks too: the rows and one string of the whole table were two copies.
      writeHookReport(report, { ...opts, width: terminalWidth(stdout) }, (chunk) => stdout.write(chunk));
    }
    const errStyle = this.style(stderr as unknown as { isTTY?: boolean });
    if (table) stderr.write(hookReportNotes(report, { wide: format.kind === 'wide', showAll: this.all, style: errStyle }));
    else
      for (const f of report.findings.filter((x) => INPUT_ERRORS.has(x.code)))
        stderr.write(`${severityText(f.severity, errStyle)}: ${escapeLine(`${f.object}: ${f.message}`)}\n`);
    return hasInputErrors(report) ? 1 : 0;
  }
}
