import { Command, Option } from 'clipanion';
import type { DryRun, TargetResult } from '../flows/annotate.ts';
import { annotate } from '../flows/annotate.ts';
import { UsageError } from '../errors.ts';
import type { EditRequest, HookWrite } from '../hooks/edit.ts';
import { checkTimeout, parseOnErrorFlag } from '../hooks/edit.ts';
import type { Target } from '../hooks/targets.ts';
import { NEWEST_VELERO, describeTarget, targetByName } from '../hooks/targets.ts';
import type { Family, Phase } from '../hooks/types.ts';
import { explicitTarget } from '../flows/inventory.ts';
import { loadKube } from '../kube-loader.ts';
import { serialize } from '../output/render.ts';
import { escapeLine } from '../output/escape.ts';
import { KubeCommand, TARGET_DESCRIPTION, parseOutput, readAll, targetChoice } from './base.ts';

export const PRESETS: Record<string, { needsPath: boolean; describe: string; hooks: (path: string) => Partial<Record<Phase, string[]>> }> = {
  fsfreeze: {
    needsPath: true,
    describe: 'freeze the filesystem at --path before the backup (pre) and thaw it after (post)',
    hooks: (path) => ({ pre: ['/sbin/fsfreeze', '--freeze', path], post: ['/sbin/fsfreeze', '--unfreeze', path] }),
  },
  sync: {
    needsPath: false,
    describe: 'flush dirty pages to disk before the backup (pre)',
    hooks: () => ({ pre: ['/bin/sync'] }),
  },
};

export class AnnotateCommand extends KubeCommand {
  static override paths = [['annotate']];
  static override usage = Command.Usage({
    description: 'Write backup hook annotations onto pods or workload pod templates, validated',
    details: `
      Writes the hook annotations Ark/Velero read, spelled exactly: the command as a JSON array, on-error as \`Fail\` or \`Continue\`, the timeout as a duration with a unit. The container is checked against the pod spec or the workload's pod template.

      Targets are pods (\`NAME\` or \`pod/NAME\`), or workloads (\`deployment/NAME\`, \`statefulset/NAME\`, \`daemonset/NAME\`, \`replicaset/NAME\`, \`job/NAME\`, \`cronjob/NAME\`, \`replicationcontroller/NAME\`), or everything a \`--selector\` matches (\`TYPE -l app=db\`). On a workload the annotations go into its pod template (\`spec.template.metadata\`, or \`spec.jobTemplate.spec.template.metadata\` for CronJobs), so every pod it creates carries them: only pod annotations count for Ark. Annotating a pod that a controller owns works until the next rollout replaces the pod; a warning names the owner to annotate instead. Changing a workload's pod template rolls out new pods.

      The command line of the hook comes from \`--command '["/bin/sync"]'\` (a JSON array), from \`--command\` repeated once per argument, or from everything after \`--\`. No shell is involved: use \`-- /bin/sh -c '...'\` for pipes or variables.

      An existing hook is only replaced with \`--overwrite\`. Each object gets one merge patch holding only the hook keys, so other annotations, even ones changed at the same moment, are left alone. \`--remove\` deletes a phase's hook keys. \`--dry-run=client\` shows what would change, \`--dry-run=server\` lets the API server validate the patch without saving it.

      With \`--local -f FILE|DIR|-\` the manifests are edited without a cluster and printed (YAML by default), for repositories that deploy with GitOps.

      Presets: \`--preset fsfreeze --path /data\` (the fsfreeze pre hook and its fsfreeze --unfreeze post hook), \`--preset sync\` (\`/bin/sync\` as a pre hook).
    `,
    examples: [
      ['Freeze /var/lib/mysql around the backup of a StatefulSet, in its freezer sidecar', '$0 annotate statefulset/mysql --preset fsfreeze --path /var/lib/mysql --container freezer'],
      ['A pre hook on one pod, command after --', '$0 annotate web-0 --phase pre --timeout 2m -- /bin/sh -c "pg_dump db > /backup/db.sql"'],
      ['Velero annotations on every deployment labelled tier=db', '$0 annotate deployments -l tier=db --phase post --flavor velero --command \'["/bin/sync"]\''],
      ['Replace an existing hook', '$0 annotate deployment/db --phase pre --overwrite --on-error continue --command /usr/bin/flush'],
      ['Remove the post hooks', '$0 annotate deployment/db --remove --phase post'],
      ['Add hooks to manifests in a repository', '$0 annotate --local -f k8s/db.yaml statefulset/db --preset fsfreeze --path /data > k8s/db.new.yaml'],
    ],
  });

  acceptsAfterDashes = true;
  targets = Option.Rest();
  phase = Option.String('--phase', { description: 'pre or post' });
  command = Option.Array('--command', { description: 'The hook command: a JSON array, or repeat once per argument (or give it after --)' });
  container = Option.String('-c,--container', { description: 'Container to run the hook in (default: the first container)' });
  onError = Option.String('--on-error', { description: 'Fail or Continue (any case; written as Ark spells it)' });
  timeout = Option.String('--timeout', { description: 'How long the hook may run, e.g. 30s, 5m (Go duration syntax)' });
  flavor = Option.String('--flavor', { description: 'Annotation family to write: ark or velero (default: the family the target reads); with --remove, the family to remove (default: both)' });
  target = Option.String('--target', { description: TARGET_DESCRIPTION });
  legacy = Option.Boolean('--legacy', false, { description: 'Write the deprecated un-prefixed pre keys (hook.backup.<domain>/…)' });
  preset = Option.String('--preset', { description: `A common hook pair: ${Object.keys(PRESETS).join(', ')}` });
  mountPath = Option.String('--path', { description: 'The mount point for --preset fsfreeze' });
  remove = Option.Boolean('--remove', false, { description: "Delete the phase's hook keys (both phases without --phase)" });
  overwrite = Option.Boolean('--overwrite', false, { description: 'Replace an existing hook' });
  dryRun = Option.String('--dry-run', { tolerateBoolean: true, description: 'none, client (show, change nothing) or server (validated by the API server, not saved)' });
  output = Option.String('-o,--output', { description: 'Print the resulting objects as json or yaml' });
  selector = Option.String('-l,--selector', { description: 'Annotate every object of the type that this label selector matches' });
  allNamespaces = Option.Boolean('-A,--all-namespaces', false, { description: 'With --selector: look in every namespace' });
  local = Option.Boolean('--local', false, { description: 'Edit the manifests given with -f and print them; never contacts a cluster' });
  files = Option.Array('-f,--filename', [], { description: 'With --local: files, directories or - (stdin) to edit' });

  /** The target: --target / $ARK_HOOKS_TARGET, else detected from the cluster, else (--local) the newest Velero. */
  private async chooseTarget(): Promise<Target> {
    const choice = targetChoice(this.target, this.context.env);
    const explicit = explicitTarget(choice.target, choice.targetSource);
    if (explicit) return explicit;
    if (this.local) return NEWEST_VELERO;
    const kube = await loadKube();
    const cluster = new kube.Cluster(this.kubeOptions(), this.context.env);
    const d = await kube.detectTarget(cluster, new kube.Discovery(cluster), { namespace: this.context.env.VELERO_NAMESPACE, allowCreate: this.dryRun === undefined || this.dryRun === 'none' || this.dryRun === false });
    this.context.stderr.write(`${d.line}\n`);
    // The cluster bundle has its own copy of the table: use this bundle's record of the same target.
    return targetByName(d.target.name) ?? NEWEST_VELERO;
  }

  private editRequest(target: Target, warn = true): EditRequest {
    const family = this.flavor === undefined ? (target.families[0] as Family) : this.flavor;
    if (family !== 'ark' && family !== 'velero') throw new UsageError(`error: invalid --flavor "${this.flavor}": use ark or velero`);
    let phase: Phase | undefined;
    if (this.phase !== undefined) {
      if (this.phase !== 'pre' && this.phase !== 'post') throw new UsageError(`error: invalid --phase "${this.phase}": use pre or post`);
      phase = this.phase;
    }
    const onError = this.onError === undefined ? undefined : parseOnErrorFlag(this.onError);
    if (onError === null) throw new UsageError(`error: invalid --on-error "${this.onError}": use Fail or Continue`);
    if (this.timeout !== undefined) {
      const problem = checkTimeout(this.timeout);
      if (problem) throw new UsageError(`error: ${problem}`);
    }
    if (this.legacy && phase === 'post') throw new UsageError('error: --legacy keys only exist for pre hooks');
    const afterDashes = this.context.afterDashes;
    if (warn && this.flavor !== undefined && !target.families.includes(family as Family)) {
      this.context.stderr.write(`warning: --flavor ${family}: ${target.name} (${describeTarget(target)}) does not read ${family === 'ark' ? 'ark.heptio.com' : 'velero.io'} keys, so hooks written now never run there\n`);
    }
    const base: EditRequest = { target, writes: [], removePhases: [], family: family as Family, removeFamilies: this.flavor ? [family as Family] : ['ark', 'velero'], legacy: this.legacy, overwrite: this.overwrite };
    if (this.remove) {
      if (this.command || afterDashes || this.preset) throw new UsageError('error: --remove deletes hooks; it takes no command or preset');
      return { ...base, removePhases: phase ? [phase] : ['pre', 'post'] };
    }
    const extra = { container: this.container, onError, timeout: this.timeout };
    if (this.preset !== undefined) {
      const preset = PRESETS[this.preset];
      if (!preset) throw new UsageError(`error: unknown --preset "${this.preset}": use one of ${Object.keys(PRESETS).join(', ')}`);
      if (this.command || afterDashes) throw new UsageError('error: --preset sets the command itself; drop --command');
      if (preset.needsPath && (!this.mountPath || !this.mountPath.startsWith('/'))) throw new UsageError(`error: --preset ${this.preset} needs --path with an absolute mount point, e.g. --path /var/lib/data`);
      const hooks = preset.hooks(this.mountPath ?? '');
      const writes: HookWrite[] = (Object.entries(hooks) as [Phase, string[]][]).filter(([p]) => !phase || p === phase).map(([p, command]) => ({ phase: p, command, ...extra }));
      if (writes.length === 0) throw new UsageError(`error: --preset ${this.preset} has no ${phase} hook`);
      return { ...base, writes };
    }
    if (!phase) throw new UsageError('error: --phase pre or --phase post is required (or use --preset)');
    let argv: string[];
    if (this.command && afterDashes) throw new UsageError('error: give the command with --command or after --, not both');
    if (afterDashes) argv = afterDashes;
    else if (this.command) {
      const only = this.command[0] as string;
      if (this.command.length === 1 && only.trimStart().startsWith('[')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(only);
        } catch (e) {
          throw new UsageError(`error: --command ${JSON.stringify(only)} is not valid JSON: ${(e as Error).message}`);
        }
        if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string')) throw new UsageError('error: --command must be a JSON array of strings, e.g. ["/sbin/fsfreeze","--freeze","/data"]');
        argv = parsed as string[];
      } else argv = this.command;
    } else throw new UsageError('error: the hook needs a command: --command \'["/bin/sync"]\', or the command after --');
    if (argv.length === 0 || argv[0] === '') throw new UsageError('error: the hook command is empty');
    return { ...base, writes: [{ phase, command: argv, ...extra }] };
  }

  async run(): Promise<number> {
    this.editRequest(NEWEST_VELERO, false); // usage errors before any request
    const edit = this.editRequest(await this.chooseTarget());
    let dryRun: DryRun = 'none';
    if (this.dryRun === true) dryRun = 'client';
    else if (typeof this.dryRun === 'string') {
      if (this.dryRun !== 'none' && this.dryRun !== 'client' && this.dryRun !== 'server') throw new UsageError(`error: invalid --dry-run "${this.dryRun}": use none, client or server`);
      dryRun = this.dryRun;
    }
    const format = this.output === undefined ? (this.local ? 'yaml' : undefined) : (parseOutput(this.output, ['json', 'yaml']) as 'json' | 'yaml');
    const statusOut = format ? this.context.stderr : this.context.stdout;
    const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
    const onResult = (r: TargetResult) => {
      for (const w of r.warnings) this.context.stderr.write(`warning: ${escapeLine(w)}\n`);
      if (r.status === 'failed') this.context.stderr.write(`error: ${escapeLine(r.error ?? '')}\n`);
      else statusOut.write(`${escapeLine(r.ref)} ${r.status}${r.template ? ' (pod template)' : ''}${r.status === 'annotated' ? suffix : ''}\n`);
    };
    const outcome = await annotate(
      {
        targets: this.targets,
        selector: this.selector,
        namespace: this.namespace,
        allNamespaces: this.allNamespaces,
        edit,
        dryRun,
        local: this.local,
        files: this.files ?? [],
        kube: this.kubeOptions(),
      },
      { readStdin: () => readAll(this.context.stdin), env: this.context.env, warn: (m: string) => void this.context.stderr.write(`warning: ${escapeLine(m)}\n`) },
      onResult,
    );
    if (format) {
      if (outcome.documents) {
        const docs = outcome.documents;
        if (format === 'yaml') this.context.stdout.write(docs.map((d) => serialize(d, 'yaml')).join('---\n'));
        else this.context.stdout.write(serialize(docs.length === 1 ? docs[0] : { apiVersion: 'v1', kind: 'List', items: docs }, 'json'));
      } else {
        const objs = outcome.results.filter((r) => r.object).map((r) => r.object);
        this.context.stdout.write(serialize(objs.length === 1 ? objs[0] : { apiVersion: 'v1', kind: 'List', items: objs }, format));
      }
    }
    return outcome.results.some((r) => r.status === 'failed') ? 1 : 0;
  }
}
