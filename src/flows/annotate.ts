// `annotate`: writes hook annotations onto pods, or onto the pod templates of workloads, in a
// cluster (one merge patch per object holding only the hook keys) or in manifests (--local).

import { loadKube } from '../kube-loader.ts';
import { UsageError, UserError } from '../errors.ts';
import type { EditRequest, EditResult } from '../hooks/edit.ts';
import { NEWEST_VELERO, targetByName } from '../hooks/targets.ts';
import type { Target } from '../hooks/targets.ts';
import type { AnnotateFlags } from './annotate-request.ts';
import { editRequest } from './annotate-request.ts';
import { planAnnotationEdit } from '../hooks/edit.ts';
import { objectRef, podFromObject, TEMPLATE_PATHS } from '../hooks/workloads.ts';
import { OFFLINE_INDEX, resolveResource } from '../hooks/scope.ts';
import { matches, parseSelector } from '../hooks/selector.ts';
import type { Selector } from '../hooks/selector.ts';
import type { ClusterOptions, RawObject } from '../kube/cluster.ts';
import type { KindInfo } from '../kube/object-client.ts';
import { explicitTarget, objectName, outsideRequest } from './inventory.ts';
import { loadManifests } from '../manifests/load.ts';
import type { PlannedEdit } from './annotate-local.ts';
import { applyLocalEdits } from './annotate-local.ts';
import type { AnnotateOutcome, DryRun, TargetResult } from '../report/annotate-report.ts';

export const TARGET_KINDS: Record<string, KindInfo> = {
  pods: { kind: 'Pod', apiVersion: 'v1', display: 'pod' },
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1', display: 'deployment.apps' },
  statefulsets: { kind: 'StatefulSet', apiVersion: 'apps/v1', display: 'statefulset.apps' },
  daemonsets: { kind: 'DaemonSet', apiVersion: 'apps/v1', display: 'daemonset.apps' },
  replicasets: { kind: 'ReplicaSet', apiVersion: 'apps/v1', display: 'replicaset.apps' },
  replicationcontrollers: { kind: 'ReplicationController', apiVersion: 'v1', display: 'replicationcontroller' },
  jobs: { kind: 'Job', apiVersion: 'batch/v1', display: 'job.batch' },
  cronjobs: { kind: 'CronJob', apiVersion: 'batch/v1', display: 'cronjob.batch' },
};

function kindByKind(kind: string): KindInfo | undefined {
  return Object.values(TARGET_KINDS).find((k) => k.kind === kind);
}

/** The plural of a built-in resource name ("deploy" → "deployments"), or null. */
function builtinPlural(name: string): string | null {
  const res = resolveResource(name, OFFLINE_INDEX);
  return res.kind === 'resolved' ? (res.groupResource.split('.')[0] as string) : null;
}

export function resolveKind(name: string): KindInfo {
  const plural = builtinPlural(name);
  const info = plural ? TARGET_KINDS[plural] : undefined;
  if (!info) {
    throw new UsageError(
      `cannot annotate "${name}": hooks go on pods or on the pod templates of deployments, statefulsets, daemonsets, replicasets, jobs, cronjobs and replicationcontrollers`,
    );
  }
  return info;
}

export interface TargetRef {
  kind: KindInfo;
  name: string;
}

/** kubectl's target forms: `NAME` (a pod), `TYPE/NAME`, or `TYPE NAME…`; with -l, `[TYPE]`. */
export function parseTargets(args: readonly string[], hasSelector: boolean): { refs: TargetRef[]; selectorKind: KindInfo } {
  let selectorKind = TARGET_KINDS.pods as KindInfo;
  let rest = [...args];
  let typeForBare: KindInfo | null = null;
  const first = rest[0];
  if (first !== undefined && !first.includes('/') && builtinPlural(first) && (rest.length > 1 || hasSelector)) {
    typeForBare = resolveKind(first);
    selectorKind = typeForBare;
    rest = rest.slice(1);
  }
  const refs = rest.map((arg) => {
    const slash = arg.indexOf('/');
    if (slash < 0) return { kind: typeForBare ?? (TARGET_KINDS.pods as KindInfo), name: arg };
    const name = arg.slice(slash + 1);
    if (!name) throw new UsageError(`"${arg}" has no name after the slash`);
    return { kind: resolveKind(arg.slice(0, slash)), name };
  });
  if (hasSelector && refs.length > 0) throw new UsageError('give either names or --selector, not both');
  if (!hasSelector && refs.length === 0)
    throw new UsageError(
      'name what to annotate: POD, TYPE/NAME, or --selector (e.g. kubectl ark-hooks annotate deployment/db --phase pre --command \'["/bin/sync"]\')',
    );
  return { refs, selectorKind };
}

export interface AnnotateConfig {
  targets: string[];
  selector?: string | undefined;
  namespace?: string | undefined;
  allNamespaces: boolean;
  edit: EditRequest;
  dryRun: DryRun;
  local: boolean;
  /** --local: write the edited files back instead of printing them. */
  inPlace: boolean;
  files: string[];
  kube: ClusterOptions;
}

/** annotate's command line: the hook flags, what to annotate, and where. */
export interface AnnotateRequest extends Omit<AnnotateConfig, 'edit'> {
  flags: AnnotateFlags;
  /** --target / $ARK_HOOKS_TARGET and where it came from. */
  target?: string | undefined;
  targetSource?: string | undefined;
}

export interface AnnotateIO {
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  /** A warning for stderr; the command escapes it. */
  warn: (message: string) => void;
  /** One line for stderr (target detection). */
  note: (line: string) => void;
}

/** `annotate`: checks the flags, chooses the target, then edits the objects; `onResult` hears each one. */
export async function annotateObjects(req: AnnotateRequest, io: AnnotateIO, onResult: (r: TargetResult) => void): Promise<AnnotateOutcome> {
  editRequest(req.flags, NEWEST_VELERO); // usage errors before any request
  const edit = editRequest(req.flags, await chooseTarget(req, io), io.warn);
  return annotate({ ...req, edit }, io, onResult);
}

/** The target: --target / $ARK_HOOKS_TARGET, else detected from the cluster, else (--local) the newest Velero. */
async function chooseTarget(req: AnnotateRequest, io: AnnotateIO): Promise<Target> {
  const explicit = explicitTarget(req.target, req.targetSource);
  if (explicit) return explicit;
  if (req.local) return NEWEST_VELERO;
  const kube = await loadKube();
  const cluster = new kube.Cluster(req.kube, io.env);
  const detect = { namespace: io.env.VELERO_NAMESPACE, allowCreate: req.dryRun === 'none' };
  const d = await kube.detectTarget(cluster, new kube.Discovery(cluster), detect);
  io.note(d.line);
  // The cluster bundle has its own copy of the table: use this bundle's record of the same target.
  return targetByName(d.target.name) ?? NEWEST_VELERO;
}

function templatePath(kind: string): string[] {
  return kind === 'Pod' ? ['metadata'] : [...(TEMPLATE_PATHS[kind] ?? []), 'metadata'];
}

function decide(raw: RawObject, cfg: AnnotateConfig, ref: string, namespace: string): { result: TargetResult; edit?: EditResult } {
  const kind = String(raw.kind);
  const pod = podFromObject(raw);
  const result: TargetResult = { ref, namespace, template: kind !== 'Pod', status: 'failed', warnings: [], findings: [], changes: {} };
  if (!pod) {
    result.error = `${ref} has no pod template`;
    return { result };
  }
  const object = objectRef(kind, namespace, pod.name);
  const edit = planAnnotationEdit(pod, object, cfg.edit);
  result.findings = edit.findings;
  result.changes = edit.changes;
  if (edit.conflicts.length > 0) {
    const list = [...edit.conflicts]
      .sort((a, b) => Number(!a.key.endsWith('/command')) - Number(!b.key.endsWith('/command')))
      .map((c) => `'${c.key}' already has a value (${c.current})`)
      .join(', ');
    result.error = `${ref}: --overwrite is false but ${list}; pass --overwrite to replace the hook`;
    return { result };
  }
  const firstError = edit.findings.find((f) => f.severity === 'error');
  if (firstError) {
    result.error = `${ref}: ${firstError.field}: ${firstError.message}`;
    return { result };
  }
  result.warnings.push(...edit.findings.filter((f) => f.severity === 'warning').map((f) => `${ref}: ${f.field}: ${f.message}`));
  if (kind === 'Pod' && pod.owner && edit.changed) {
    result.warnings.push(
      `${ref} is managed by ${pod.owner.kind} "${pod.owner.name}": the next rollout replaces the pod and drops these annotations; annotate the owner's pod template instead`,
    );
  }
  if (kind !== 'Pod' && edit.changed && kind !== 'CronJob' && !cfg.local) {
    result.warnings.push(`${ref}: changing the pod template rolls out new pods`);
  }
  result.status = edit.changed ? 'annotated' : 'unchanged';
  return { result, edit };
}

function setAnnotations(obj: RawObject, path: readonly string[], after: Record<string, string>) {
  let cur: Record<string, unknown> = obj;
  for (const p of path) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur.annotations = after;
}

type AnnotateIOBase = { readStdin: () => Promise<string>; env: NodeJS.ProcessEnv; warn?: (message: string) => void };

export async function annotate(cfg: AnnotateConfig, io: AnnotateIOBase, onResult: (r: TargetResult) => void): Promise<AnnotateOutcome> {
  let selector: Selector | null = null;
  if (cfg.selector !== undefined) {
    const parsed = parseSelector(cfg.selector);
    if (!parsed.ok) throw new UsageError(`${parsed.reason}`);
    selector = parsed.selector;
  }
  if (cfg.local) return annotateLocal(cfg, selector, io, onResult);
  if (cfg.inPlace) throw new UsageError('--in-place writes edited manifests back: use it with --local -f FILE');
  if (cfg.files.length > 0)
    throw new UsageError('-f edits manifests only with --local (the result is printed, nothing is sent to a cluster)');
  const { refs, selectorKind } = parseTargets(cfg.targets, selector !== null);
  const kube = await loadKube();
  const cluster = new kube.Cluster(cfg.kube, io.env);
  const annotator = new ClusterAnnotator(cfg, cluster, new kube.ObjectClient(cluster), kube.canI, onResult);
  const work = selector ? await annotator.selected(selectorKind, selector, io) : annotator.named(refs);
  for (const w of work) await annotator.one(w);
  return { results: annotator.results };
}

type Kube = Awaited<ReturnType<typeof loadKube>>;
type Work = { kind: KindInfo; name: string; namespace: string; raw?: RawObject };

/** Edits objects in a cluster, one merge patch each; every object ends in one TargetResult. */
class ClusterAnnotator {
  readonly results: TargetResult[] = [];
  private readonly patchAccess = new Map<string, boolean>();
  private readonly namespace: string;
  private readonly cfg: AnnotateConfig;
  private readonly cluster: InstanceType<Kube['Cluster']>;
  private readonly client: InstanceType<Kube['ObjectClient']>;
  private readonly canI: Kube['canI'];
  private readonly onResult: (r: TargetResult) => void;

  constructor(
    cfg: AnnotateConfig,
    cluster: InstanceType<Kube['Cluster']>,
    client: InstanceType<Kube['ObjectClient']>,
    canI: Kube['canI'],
    onResult: (r: TargetResult) => void,
  ) {
    this.cfg = cfg;
    this.cluster = cluster;
    this.client = client;
    this.canI = canI;
    this.onResult = onResult;
    this.namespace = cluster.namespace;
  }

  private report(r: TargetResult) {
    this.results.push(r);
    this.onResult(r);
  }

  named(refs: readonly TargetRef[]): Work[] {
    if (this.cfg.allNamespaces) throw new UsageError('--all-namespaces needs --selector; name objects with -n NAMESPACE instead');
    return refs.map((r) => ({ ...r, namespace: this.namespace }));
  }

  /** What the selector matches; only what was asked for is patched, whatever the server answered. */
  async selected(kind: KindInfo, selector: Selector, io: AnnotateIOBase): Promise<Work[]> {
    const { cfg } = this;
    const ns = cfg.allNamespaces ? null : this.namespace;
    const listed = await this.client.list(kind, ns, cfg.selector);
    const objs = listed.filter((raw) => {
      const outside = outsideRequest(raw, ns, selector, cfg.selector);
      if (outside) io.warn?.(`ignoring ${kind.display} ${objectName(raw)}: ${outside}`);
      return !outside;
    });
    if (objs.length === 0) {
      throw new UserError(
        `no ${kind.display} matches the selector "${cfg.selector}" ${ns === null ? 'in any namespace' : `in namespace "${ns}"`}`,
      );
    }
    return objs.map((raw) => {
      const meta = (raw.metadata ?? {}) as { name?: string; namespace?: string };
      return {
        kind,
        name: meta.name ?? '',
        namespace: meta.namespace ?? this.namespace,
        raw: { ...raw, kind: kind.kind, apiVersion: kind.apiVersion },
      };
    });
  }

  async one(w: Work): Promise<void> {
    const ref = `${w.kind.display}/${w.name}`;
    const fail = (error: string) =>
      this.report({
        ref,
        namespace: w.namespace,
        template: w.kind.kind !== 'Pod',
        status: 'failed',
        error,
        warnings: [],
        findings: [],
        changes: {},
      });
    if (w.kind.kind === 'Job') {
      fail(`${ref}: the pod template of a Job cannot be changed once it exists; annotate its CronJob, or the Job's manifest with --local`);
      return;
    }
    let raw = w.raw;
    try {
      raw ??= await this.client.get(w.kind, w.namespace, w.name);
    } catch (e) {
      fail((e as Error).message);
      return;
    }
    const { cfg } = this;
    const { result, edit } = decide({ ...raw, kind: w.kind.kind }, cfg, ref, w.namespace);
    // A client dry run sends no patch, so ask the API server whether the patch would be allowed.
    if (cfg.dryRun === 'client' && edit && result.status === 'annotated') await this.checkPatchAccess(w, result, ref);
    if (!edit || result.status === 'failed' || result.status === 'unchanged' || cfg.dryRun === 'client') {
      if (edit && result.status !== 'failed') {
        const copy = structuredClone(raw);
        setAnnotations(copy, templatePath(w.kind.kind), edit.after);
        result.object = copy;
      }
      this.report(result);
      return;
    }
    try {
      result.object = await this.client.patchAnnotations(
        w.kind,
        w.namespace,
        w.name,
        templatePath(w.kind.kind),
        edit.changes,
        cfg.dryRun === 'server',
      );
    } catch (e) {
      result.status = 'failed';
      result.error = (e as Error).message;
    }
    this.report(result);
  }

  private async checkPatchAccess(w: Work, result: TargetResult, ref: string) {
    const plural = Object.entries(TARGET_KINDS).find(([, k]) => k === w.kind)?.[0] ?? 'pods';
    const group = w.kind.apiVersion.includes('/') ? (w.kind.apiVersion.split('/')[0] as string) : '';
    const key = `${w.namespace}/${group}/${plural}`;
    let allowed = this.patchAccess.get(key);
    if (allowed === undefined) {
      allowed = (await this.canI(this.cluster, w.namespace, 'patch', plural, undefined, group)).allowed;
      this.patchAccess.set(key, allowed);
    }
    if (!allowed) {
      result.status = 'failed';
      result.error = `${ref}: you may not patch ${plural}${group ? `.${group}` : ''} in namespace "${w.namespace}", so this change would be refused; ask for patch on ${plural}`;
    }
  }
}

async function annotateLocal(
  cfg: AnnotateConfig,
  selector: Selector | null,
  io: { readStdin: () => Promise<string> },
  onResult: (r: TargetResult) => void,
): Promise<AnnotateOutcome> {
  if (cfg.files.length === 0) throw new UsageError('--local needs the manifests to edit: -f FILE, -f DIR or -f -');
  if (cfg.dryRun === 'server') throw new UsageError('--dry-run=server needs a cluster; --local never contacts one');
  if (cfg.inPlace && cfg.files.includes('-'))
    throw new UsageError('--in-place cannot write back to stdin: give the files with -f FILE or -f DIR');
  const loaded = await loadManifests(cfg.files, io.readStdin, { keepText: true });
  const bad = loaded.findings.find((f) => f.severity === 'error');
  if (bad) throw new UserError(`${bad.object}: ${bad.message}`);
  const refs = cfg.targets.length > 0 ? parseTargets(cfg.targets, false).refs : null;
  const results: TargetResult[] = [];
  const planned: PlannedEdit[] = [];
  for (const doc of loaded.documents) {
    const kind = typeof doc.object.kind === 'string' ? doc.object.kind : '';
    const info = kindByKind(kind);
    if (!info) continue;
    const meta = (doc.object.metadata ?? {}) as { name?: unknown; namespace?: unknown; labels?: unknown };
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : 'default';
    if (refs && !refs.some((r) => r.kind.kind === kind && r.name === name)) continue;
    if (cfg.namespace && namespace !== cfg.namespace) continue;
    const labels = typeof meta.labels === 'object' && meta.labels !== null ? (meta.labels as Record<string, string>) : {};
    if (selector && !matches(selector, labels)) continue;
    const ref = `${info.display}/${name}`;
    const { result, edit } = decide(doc.object, cfg, ref, namespace);
    if (edit && result.status === 'annotated') planned.push({ doc, path: templatePath(kind), changes: edit.changes, ref });
    result.object = doc.object;
    result.file = loaded.streams[doc.stream ?? 0]?.origin;
    results.push(result);
  }
  if (results.length === 0) throw new UserError('nothing to annotate: no pod or workload in the files matches the targets given');
  // Every object is checked before any output: on an error only the errors are reported.
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    for (const r of failed) onResult(r);
    return { results };
  }
  const files = await applyLocalEdits(loaded, planned, cfg.inPlace && cfg.dryRun === 'none');
  for (const r of results) onResult(r);
  return { results, files, documents: files.flatMap((f) => f.roots) };
}
