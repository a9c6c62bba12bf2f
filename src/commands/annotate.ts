// `annotate`: writes backup hook annotations onto pods or workload pod templates (flows/annotate.ts).

import { Command, Option } from 'clipanion';
import type { AnnotateRequest } from '../flows/annotate.ts';
import { annotateObjects } from '../flows/annotate.ts';
import { PRESET_NAMES } from '../hooks/presets.ts';
import { UsageError } from '../errors.ts';
import { renderAnnotated, renderLocal, resultLines } from '../output/annotate.ts';
import { escapeLine } from '../output/escape.ts';
import type { DryRun } from '../report/annotate-report.ts';
import { DRY_RUN_MODES } from '../report/annotate-report.ts';
import { KubeCommand, TARGET_DESCRIPTION, readAll, targetChoice } from './base.ts';
import { oneOf, outputOption, phaseFlag, targetFlag } from './flags.ts';

export class AnnotateCommand extends KubeCommand {
  static override paths = [['annotate']];
  static override usage = Command.Usage({
    category: 'Change Commands',
    description: 'Write backup hook annotations onto pods or workload pod templates, validated',
    details: `
      Writes the hook annotations Ark/Velero read, spelled exactly: the command as a JSON array, on-error as \`Fail\` or \`Continue\`, the timeout as a duration with a unit. The container is checked against the pod spec or the workload's pod template.

      Targets are pods (\`NAME\` or \`pod/NAME\`), or workloads (\`deployment/NAME\`, \`statefulset/NAME\`, \`daemonset/NAME\`, \`replicaset/NAME\`, \`job/NAME\`, \`cronjob/NAME\`, \`replicationcontroller/NAME\`), or everything a \`--selector\` matches (\`TYPE -l app=db\`). On a workload the annotations go into its pod template (\`spec.template.metadata\`, or \`spec.jobTemplate.spec.template.metadata\` for CronJobs), so every pod it creates carries them: only pod annotations count for Ark. Annotating a pod that a controller owns works until the next rollout replaces the pod; a warning names the owner to annotate instead. Changing a workload's pod template rolls out new pods.

      The command line of the hook comes from \`--command '["/bin/sync"]'\` (a JSON array), from \`--command\` repeated once per argument, or from everything after \`--\`. No shell is involved: use \`-- /bin/sh -c '...'\` for pipes or variables.

      An existing hook is only replaced with \`--overwrite\`. Each object gets one merge patch holding only the hook keys, so other annotations, even ones changed at the same moment, are left alone. \`--remove\` deletes a phase's hook keys. \`--dry-run=client\` shows what would change, \`--dry-run=server\` lets the API server validate the patch without saving it.

      With \`--local -f FILE|DIR|-\` the manifests are edited without a cluster, for repositories that deploy with GitOps: only the annotation lines change (comments, quoting and layout stay byte for byte), and the files are printed as they were read (YAML as YAML, JSON as JSON), or written back with \`--in-place\`, none of them when any object fails.

      Presets: \`--preset fsfreeze --path /data\` (the fsfreeze pre hook and its fsfreeze --unfreeze post hook), \`--preset sync\` (\`/bin/sync\` as a pre hook).
    `,
    examples: [
      [
        'Freeze /var/lib/mysql around the backup of a StatefulSet, in its freezer sidecar',
        '$0 annotate statefulset/mysql --preset fsfreeze --path /var/lib/mysql --container freezer',
      ],
      ['A pre hook on one pod, command after --', '$0 annotate web-0 --phase pre --timeout 2m -- /bin/sh -c "pg_dump db > /backup/db.sql"'],
      [
        'Velero annotations on every deployment labelled tier=db',
        '$0 annotate deployments -l tier=db --phase post --flavor velero --command \'["/bin/sync"]\'',
      ],
      ['Replace an existing hook', '$0 annotate deployment/db --phase pre --overwrite --on-error continue --command /usr/bin/flush'],
      ['Remove the post hooks', '$0 annotate deployment/db --remove --phase post'],
      [
        'Add hooks to the manifests of a repository, in place: only the annotation lines change',
        '$0 annotate --local --in-place -f k8s/db.yaml statefulset/db --preset fsfreeze --path /data',
      ],
      ['Print a manifest with its post hooks removed', '$0 annotate --local -f k8s/db.yaml --remove --phase post'],
    ],
  });
  /** The `Usage:` lines of the help (and of the README's command table). */
  static synopsis = [
    'annotate (TYPE/NAME | NAME)... --phase pre|post [-c CONTAINER] [options] -- COMMAND [args...]',
    'annotate (TYPE/NAME | NAME)... --phase pre|post --command \'["COMMAND", "ARG"...]\' [options]',
    'annotate (TYPE/NAME | NAME)... --preset NAME [--path PATH] [options]',
    'annotate TYPE -l SELECTOR [-A] --phase pre|post [options] -- COMMAND [args...]',
    'annotate (TYPE/NAME | NAME)... --remove [--phase pre|post] [options]',
    'annotate --local -f FILE|DIR|- (TYPE/NAME | NAME)... [--in-place] [options] ...',
  ];

  acceptsAfterDashes = true;
  targets = Option.Rest();
  phase = Option.String('--phase', { description: 'pre or post (required unless --preset or --remove)', validator: phaseFlag() });
  command = Option.Array('--command', { description: 'The hook command: a JSON array, or repeat once per argument (or give it after --)' });
  container = Option.String('-c,--container', { description: 'Container to run the hook in (default: the first container)' });
  onError = Option.String('--on-error', { description: 'Fail or Continue (any case; written as Ark spells it)' });
  timeout = Option.String('--timeout', { description: 'How long the hook may run, e.g. 30s, 5m (Go duration syntax)' });
  flavor = Option.String('--flavor', {
    description:
      'Annotation family to write: ark or velero (default: the family the target reads); with --remove, the family to remove (default: both)',
    validator: oneOf('--flavor', ['ark', 'velero'] as const),
  });
  target = Option.String('--target', { description: TARGET_DESCRIPTION, validator: targetFlag() });
  legacy = Option.Boolean('--legacy', false, { description: 'Write the deprecated un-prefixed pre keys (hook.backup.<domain>/…)' });
  preset = Option.String('--preset', { description: `A common hook pair: ${PRESET_NAMES.join(', ')}` });
  mountPath = Option.String('--path', { description: 'The mount point for --preset fsfreeze' });
  remove = Option.Boolean('--remove', false, { description: "Delete the phase's hook keys (both phases without --phase)" });
  overwrite = Option.Boolean('--overwrite', false, { description: 'Replace an existing hook' });
  dryRun = Option.String('--dry-run', {
    tolerateBoolean: true,
    description: 'none, client (show, change nothing) or server (validated by the API server, not saved)',
    validator: oneOf('--dry-run', DRY_RUN_MODES),
  });
  output = Option.String('-o,--output', outputOption('annotate', 'Print the resulting objects as'));
  selector = Option.String('-l,--selector', { description: 'Annotate every object of the type that this label selector matches' });
  allNamespaces = Option.Boolean('-A,--all-namespaces', false, { description: 'With --selector: look in every namespace' });
  local = Option.Boolean('--local', false, { description: 'Edit the manifests given with -f and print them; never contacts a cluster' });
  files = Option.Array('-f,--filename', [], { description: 'With --local: files, directories or - (stdin) to edit' });
  inPlace = Option.Boolean('--in-place', false, {
    description: 'With --local: write the edited files back (each atomically; none when any object fails) instead of printing them',
  });

  private dryRunMode(): DryRun {
    return this.dryRun === undefined || this.dryRun === false ? 'none' : this.dryRun === true ? 'client' : this.dryRun;
  }

  request(): AnnotateRequest {
    const flags = {
      phase: this.phase,
      command: this.command,
      afterDashes: this.context.afterDashes,
      container: this.container,
      onError: this.onError,
      timeout: this.timeout,
      flavor: this.flavor,
      legacy: this.legacy,
      preset: this.preset,
      mountPath: this.mountPath,
      remove: this.remove,
      overwrite: this.overwrite,
    };
    const { targets, selector, namespace, allNamespaces, local, inPlace } = this;
    const where = { targets, selector, namespace, allNamespaces, local, inPlace, files: this.files ?? [], kube: this.kubeOptions() };
    return { flags, ...targetChoice(this.target, this.context.env), ...where, dryRun: this.dryRunMode() };
  }

  async run(): Promise<number> {
    const req = this.request();
    if (this.inPlace && this.output) throw new UsageError('--in-place writes the files back; drop -o, or drop --in-place to print');
    const { stdout, stderr } = this.context;
    const io = {
      readStdin: () => readAll(this.stdin),
      env: this.context.env,
      warn: (m: string) => void stderr.write(`warning: ${escapeLine(m)}\n`),
      note: (line: string) => void stderr.write(`${line}\n`),
    };
    // --local prints the edited manifests on stdout, so the status lines go to stderr.
    const statusToStderr = this.output !== undefined || this.local;
    const outcome = await annotateObjects(req, io, (r) => {
      const lines = resultLines(r, req.dryRun, this.inPlace);
      if (lines.stderr) stderr.write(lines.stderr);
      if (lines.status) (statusToStderr ? stderr : stdout).write(lines.status);
    });
    const failed = outcome.results.some((r) => r.status === 'failed');
    if (outcome.files) {
      if (!failed && !this.inPlace) stdout.write(renderLocal(outcome.files, this.output));
    } else if (this.output) stdout.write(renderAnnotated(outcome, this.output));
    return failed ? 1 : 0;
  }
}
