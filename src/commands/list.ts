// `list`: one row per hook of the pods in scope, with the values Ark/Velero would use.

import { Command, Option } from 'clipanion';
import { hookReport } from '../flows/inventory.ts';
import { renderHookReport, writeJson } from '../output/render.ts';
import { ScopeCommand } from './base.ts';
import { outputOption } from './flags.ts';

export class ListCommand extends ScopeCommand {
  static override paths = [['list'], ['ls']];
  static override usage = Command.Usage({
    description: 'List the backup hooks of pods, with the values Ark/Velero would use',
    details: `
      Lists one row per hook: the pod, the phase (pre or post), where the hook comes from (a pod annotation or a Backup's spec.hooks), the effective container, command, on-error and timeout, and a status. Problems found in the hooks are printed below the table.

      Reads pods from the current kubectl context, or from manifests with \`-f\` (Pods and the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and ReplicationControllers, plus Backup objects), with no cluster needed.

      With \`--backup\` or \`--backup-file\`, only the pods that Backup would back up are listed, together with the Backup's own spec hooks; annotation hooks replace spec hooks per pod and phase, as in Ark.
    `,
    examples: [
      ['List the hooks of the pods in the current namespace', '$0 list'],
      ['List the hooks in every namespace as JSON', '$0 list -A -o json'],
      ['List what the Velero backup "nightly" would run', '$0 list --backup nightly'],
      ['Check manifests before deploying them (no cluster needed)', '$0 list -f k8s/ -o wide'],
      ['Only pre hooks of the pods labelled app=db', '$0 list --phase pre -l app=db'],
    ],
  });

  output = Option.String('-o,--output', 'table', outputOption('list'));
  all = Option.Boolean('--all', false, { description: 'Also list pods in scope that have no hooks (in every output format)' });

  async run(): Promise<number> {
    const report = await hookReport(this.scopeConfig(), this.inventoryIO(), this.all);
    // JSON is written as it is serialised (64 KiB chunks): at 100k pods the report is megabytes, and
    // serialize()'s round trip held three copies of it at once.
    if (this.output === 'json') writeJson(report, (chunk) => this.context.stdout.write(chunk));
    else this.context.stdout.write(renderHookReport(report, { format: this.output, showAll: this.all, style: this.style() }));
    return 0;
  }
}
