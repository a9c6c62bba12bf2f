// Gathers the pods and Backups a command works on, from a cluster or from manifests, and builds
// the plan. This is the one pipeline behind list, validate, dry-run, run and wrap:
//   inputs (cluster or -f) → PodInput[] + BackupModel[] → buildPlan → Plan → Inventory
// The live Cluster (cluster mode) is returned beside the Inventory, for the flows that act on pods.

import { loadKube } from '../kube-loader.ts';
import { UserError, UsageError } from '../errors.ts';
import type { BackupContext, BackupModel, NamespaceInfo } from '../hooks/backup.ts';
import { backupCovers, entryApplies, readBackup } from '../hooks/backup.ts';
import { isBackupObject, podFromObject } from '../hooks/workloads.ts';
import type { Plan, PlanOptions } from '../hooks/plan.ts';
import { buildPlan, compareWithNewest } from '../hooks/plan.ts';
import type { ResourceIndex } from '../hooks/scope.ts';
import { OFFLINE_INDEX } from '../hooks/scope.ts';
import type { Selector } from '../hooks/selector.ts';
import { matches, parseSelector } from '../hooks/selector.ts';
import type { BackupGroup, Target } from '../hooks/targets.ts';
import { NEWEST_ARK, NEWEST_VELERO, describeTarget, resolveTargetName, targetByName } from '../hooks/targets.ts';
import type { Finding, Phase, PodInput } from '../hooks/types.ts';
import type { Cluster, ClusterOptions, RawObject } from '../kube/cluster.ts';
import type { DroppedObject, ScopeInfo } from '../report/common.ts';
import type { HookReport } from '../report/hook-report.ts';
import { buildReport } from '../report/hook-report.ts';
import type { Inventory } from '../report/inventory.ts';
import { InputRefused, loadManifests, parseManifestText, readTextBounded } from '../manifests/load.ts';
import { finding } from '../hooks/findings.ts';
import { isHookKey } from '../hooks/annotations.ts';

export interface ScopeConfig {
  files: string[];
  namespace?: string | undefined;
  allNamespaces: boolean;
  selector?: string | undefined;
  phases: Phase[];
  /** --target, else $ARK_HOOKS_TARGET; undefined means detect (cluster) or the newest Velero (offline). */
  target?: string | undefined;
  /** Where `target` came from, for messages: "--target" or "ARK_HOOKS_TARGET". */
  targetSource?: string | undefined;
  backupName?: string | undefined;
  backupFile?: string | undefined;
  backupNamespace?: string | undefined;
  /** Detection may create a ServerStatusRequest (false for dry-run). */
  allowCreate?: boolean;
  /**
   * Cluster pods that nothing can come of (no hook key, no finding, no spec hook, same coverage for
   * the target and the newest Velero) are counted, not kept: `list` and `validate` without --all.
   */
  countInert?: boolean;
  kube: ClusterOptions;
}

/**
 * Why an object the server returned is outside what was asked for, or null when it is inside: the
 * plan trusts the request, not the answer (a proxy or a broken server may ignore the namespace or
 * the selector).
 */
export function outsideRequest(
  raw: Record<string, unknown>,
  namespace: string | null,
  selector: Selector | null,
  selectorText?: string,
): string | null {
  const meta = (typeof raw.metadata === 'object' && raw.metadata !== null ? raw.metadata : {}) as { namespace?: unknown; labels?: unknown };
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  if (namespace !== null && ns !== namespace)
    return `the server returned it for a list of namespace "${namespace}", but it is in namespace "${ns}"`;
  if (selector) {
    const labels =
      typeof meta.labels === 'object' && meta.labels !== null && !Array.isArray(meta.labels) ? (meta.labels as Record<string, string>) : {};
    if (!matches(selector, labels)) return `the server returned it, but its labels do not match the selector "${selectorText ?? ''}"`;
  }
  return null;
}

export function objectName(raw: Record<string, unknown>): string {
  const meta = (typeof raw.metadata === 'object' && raw.metadata !== null ? raw.metadata : {}) as { namespace?: unknown; name?: unknown };
  return `${typeof meta.namespace === 'string' ? meta.namespace : ''}/${typeof meta.name === 'string' ? meta.name : ''}`;
}

export interface InventoryIO {
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  /** A warning for the user (stderr); the command escapes it. */
  warn?: (message: string) => void;
  /** One line for stderr (target detection). */
  note?: (line: string) => void;
}

function compileSelector(text: string | undefined): Selector | null {
  if (text === undefined) return null;
  const parsed = parseSelector(text);
  if (!parsed.ok) throw new UsageError(`${parsed.reason}`);
  return parsed.selector;
}

/** --target / ARK_HOOKS_TARGET, parsed; undefined when neither is given. */
export function explicitTarget(text: string | undefined, source = '--target'): Target | undefined {
  if (text === undefined || text === '') return undefined;
  const r = resolveTargetName(text);
  if (!r.ok) throw new UsageError(`invalid ${source} "${text}": ${r.reason}`);
  return r.target;
}

const groupOf = (raw: unknown): BackupGroup | null => {
  const v = typeof raw === 'object' && raw !== null ? (raw as { apiVersion?: unknown }).apiVersion : undefined;
  if (typeof v !== 'string') return null;
  return v.startsWith('ark.heptio.com/') ? 'ark.heptio.com' : v.startsWith('velero.io/') ? 'velero.io' : null;
};

/** An explicit target must be able to process the Backup's API group. */
function checkGroup(target: Target, group: BackupGroup | null, source: string, what: string) {
  if (group && group !== target.backupGroup) {
    const fit = group === 'ark.heptio.com' ? NEWEST_ARK : NEWEST_VELERO;
    throw new UsageError(
      `${what} is an ${group} Backup, which ${target.name} (${describeTarget(target)}) does not process: choose an ${group === 'ark.heptio.com' ? 'Ark' : 'Velero'} target with ${source} (e.g. ${fit.name})`,
    );
  }
}

function rawBackupFromFile(
  path: string,
  io: InventoryIO,
): Promise<{ raw: RawObject; origin: string }> | { raw: RawObject; origin: string } {
  const read = (text: string, origin: string) => {
    const { documents, findings } = parseManifestText(text, origin);
    const first = findings[0];
    if (first) throw new UserError(`--backup-file ${origin}: ${first.message}`);
    const backups = documents.filter((d) => isBackupObject(d.object));
    if (backups.length !== 1) {
      throw new UserError(
        `--backup-file ${origin} must hold exactly one ark.heptio.com/v1 or velero.io/v1 Backup; it holds ${backups.length}`,
      );
    }
    const only = backups[0] as (typeof backups)[number];
    return { raw: only.object, origin: only.origin };
  };
  if (path === '-') return io.readStdin().then((t) => read(t, '<stdin>'));
  let text: string;
  try {
    text = readTextBounded(path);
  } catch (e) {
    throw new UserError(
      `cannot read --backup-file "${path}": ${e instanceof InputRefused ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message)}`,
    );
  }
  return read(text, path);
}

/** `list` and `validate`: the hook report of the pods in scope; pods without hooks only with `all`. */
export async function hookReport(cfg: ScopeConfig, io: InventoryIO, all = false): Promise<HookReport> {
  if (cfg.files.length === 0) keepHeapNearLiveSet();
  const { inventory } = await collect({ ...cfg, countInert: !all }, io);
  return buildReport(inventory, all);
}

/**
 * A listing streams pages through a small live set (the kept pods, then the report): V8's adaptive
 * heap growing factor (up to 4x the live set between full collections) let the old generation reach
 * twice what was alive. Fixed at 1.2x for the rest of a list or validate (never a run or wrap, whose
 * exec phase keeps V8's default): 100k pods, `list --backup`, ~10 MB less peak RSS (bench/PROFILES.md).
 */
function keepHeapNearLiveSet(): void {
  // Loaded only here: -f runs, whose start-up is measured, do not need node:v8.
  process.getBuiltinModule('node:v8').setFlagsFromString('--heap-growing-percent=20');
}

/** The inventory, and in cluster mode the connection it was read from. */
export interface Collected {
  inventory: Inventory;
  cluster: Cluster | null;
}

export async function collect(cfg: ScopeConfig, io: InventoryIO): Promise<Collected> {
  const selector = compileSelector(cfg.selector);
  if (cfg.backupName && cfg.backupFile) throw new UsageError('--backup and --backup-file cannot be used together');
  if (cfg.allNamespaces && cfg.namespace) throw new UsageError('--namespace and --all-namespaces cannot be used together');
  if (cfg.files.includes('-') && cfg.backupFile === '-')
    throw new UsageError('stdin cannot be read twice: use a file for --backup-file or for -f');
  return cfg.files.length > 0 ? collectFromFiles(cfg, selector, io) : collectFromCluster(cfg, selector, io);
}

function namespaceInfo(raw: RawObject): NamespaceInfo | null {
  const meta = typeof raw.metadata === 'object' && raw.metadata !== null ? (raw.metadata as Record<string, unknown>) : {};
  if (typeof meta.name !== 'string') return null;
  const labels: Record<string, string> = {};
  if (typeof meta.labels === 'object' && meta.labels !== null) {
    for (const [k, v] of Object.entries(meta.labels as Record<string, unknown>)) if (typeof v === 'string') labels[k] = v;
  }
  return { name: meta.name, labels };
}

/** The plan of `pods`, which it takes over: without a comparison with the newest Velero, each pod is let go once planned. */
function finishPlan(pods: PodInput[], options: PlanOptions, ctx: Omit<BackupContext, 'target'>): Plan {
  const compare = options.target !== NEWEST_VELERO;
  const plan = buildPlan(pods, options, !compare);
  if (compare) compareWithNewest(plan, pods, options, ctx);
  return plan;
}

async function collectFromFiles(cfg: ScopeConfig, selector: Selector | null, io: InventoryIO): Promise<Collected> {
  const loaded = await loadManifests(cfg.files, io.readStdin);
  const pods: PodInput[] = [];
  const rawBackups: { raw: RawObject; origin: string }[] = [];
  const namespaces: NamespaceInfo[] = [];
  const extra: Finding[] = [...loaded.findings];
  for (const doc of loaded.documents) {
    if (isBackupObject(doc.object)) {
      rawBackups.push({ raw: doc.object, origin: doc.origin });
      continue;
    }
    if (doc.object.kind === 'Namespace' && doc.object.apiVersion === 'v1') {
      const ns = namespaceInfo(doc.object);
      if (ns) namespaces.push(ns);
      continue;
    }
    const pod = podFromObject(doc.object, doc.origin);
    if (pod) pods.push(pod);
  }
  let scopeRaw: { raw: RawObject; origin: string } | null = null;
  if (cfg.backupFile) scopeRaw = await rawBackupFromFile(cfg.backupFile, io);
  else if (cfg.backupName) {
    scopeRaw =
      rawBackups.find((b) => {
        const m = (b.raw.metadata ?? {}) as { name?: unknown; namespace?: unknown };
        return m.name === cfg.backupName && (!cfg.backupNamespace || m.namespace === cfg.backupNamespace);
      }) ?? null;
    if (!scopeRaw)
      throw new UserError(`backup "${cfg.backupName}" is not in the files given with -f; add its manifest, or use --backup-file`);
  }
  const source = cfg.targetSource ?? '--target';
  let target = explicitTarget(cfg.target, source);
  let chosenBy = source;
  const scopeGroup = scopeRaw ? groupOf(scopeRaw.raw) : null;
  if (target) checkGroup(target, scopeGroup, source, scopeRaw ? `backup ${scopeRaw.origin}` : '');
  else if (scopeGroup === 'ark.heptio.com') {
    target = NEWEST_ARK;
    chosenBy = 'default: the Backup is an ark.heptio.com Backup, judged by the newest Ark (offline; pass --target to choose)';
  } else {
    target = NEWEST_VELERO;
    chosenBy = 'default: the newest Velero (offline; pass --target to choose)';
  }
  // Namespaces known offline: the Namespace objects given, plus the namespaces of the pods.
  const known = new Map(namespaces.map((n) => [n.name, n]));
  for (const p of pods) if (!known.has(p.namespace)) known.set(p.namespace, { name: p.namespace, labels: {} });
  const ctx: BackupContext = { target, index: OFFLINE_INDEX, namespaces: [...known.values()] };
  const backups = rawBackups.map((b) => readBackup(b.raw, ctx, { origin: b.origin }));
  const scopeBackup = scopeRaw
    ? (backups.find((b) => b.raw === scopeRaw.raw) ?? readBackup(scopeRaw.raw, ctx, { origin: scopeRaw.origin }))
    : null;
  const inScope = pods.filter((p) => (!cfg.namespace || p.namespace === cfg.namespace) && (!selector || matches(selector, p.labels)));
  const plan = finishPlan(inScope, { target, phases: cfg.phases, scope: scopeBackup, backups }, ctx);
  plan.findings.unshift(...extra);
  const scope: ScopeInfo = {
    namespace: cfg.namespace ?? '*',
    phases: cfg.phases,
    target: { name: target.name, versions: describeTarget(target), chosenBy },
  };
  if (cfg.selector) scope.selector = cfg.selector;
  if (scopeBackup) scope.backup = { name: scopeBackup.name, namespace: scopeBackup.namespace, group: scopeBackup.group };
  const inv: Inventory = { plan, source: { type: 'files', files: loaded.files }, scope, target, podsSeen: pods.length };
  if (scopeBackup) inv.backup = scopeBackup;
  return { inventory: inv, cluster: null };
}

/** Whether a Backup names resources, so that discovery is needed to resolve them. */
function namesResources(raw: unknown): boolean {
  const spec = typeof raw === 'object' && raw !== null ? (raw as { spec?: unknown }).spec : undefined;
  if (typeof spec !== 'object' || spec === null) return false;
  const s = spec as Record<string, unknown>;
  const lists = ['includedResources', 'excludedResources', 'includedNamespaceScopedResources', 'excludedNamespaceScopedResources'].map(
    (k) => s[k],
  );
  const hooks = (s.hooks as { resources?: unknown } | undefined)?.resources;
  if (Array.isArray(hooks))
    for (const h of hooks)
      if (typeof h === 'object' && h !== null)
        lists.push((h as Record<string, unknown>).includedResources, (h as Record<string, unknown>).excludedResources);
  return lists.some((l) => Array.isArray(l) && l.some((x) => x !== '*'));
}

/** The detected target, bounded by the Backup's API group, and how it was chosen. */
function detected(d: { target: { name: string }; detected: boolean; line: string }, scopeGroup: BackupGroup | null) {
  // The cluster bundle has its own copy of the table: use this bundle's record of the same target.
  let target = targetByName(d.target.name) ?? NEWEST_VELERO;
  let chosenBy = d.detected ? `detected: ${d.line.replace(/^ark-hooks: /, '')}` : `default: ${d.line.replace(/^ark-hooks: /, '')}`;
  let line = d.line;
  if (scopeGroup && scopeGroup !== target.backupGroup) {
    target = scopeGroup === 'ark.heptio.com' ? NEWEST_ARK : NEWEST_VELERO;
    line += `; the Backup is an ${scopeGroup} Backup, so it is judged by ${target.name} (${describeTarget(target)})`;
    chosenBy += `; bounded by the Backup's API group: ${target.name}`;
  }
  return { target, chosenBy, line };
}

/** Which namespaces to list: -A, -n, or the Backup's own scope, else the context's namespace (null: all). */
function namespacesToList(cfg: ScopeConfig, backup: BackupModel | null, target: Target, contextNamespace: string): (string | null)[] {
  if (cfg.allNamespaces) return [null];
  if (cfg.namespace) return [cfg.namespace];
  if (!backup) return [contextNamespace];
  const inc = backup.includedNamespaces;
  const literal = inc.length > 0 && !inc.includes('*') && (target.backupNamespaces !== 'expand' || inc.every((n) => !/[*?[]/.test(n)));
  return literal && !backup.fatal ? [...new Set(inc)] : [null];
}

/**
 * A cluster pod as the model reads it, and nothing more: podFromObject's fields, with only the
 * annotations whose key is (or, in another case, looks like) a hook key; the model reads no other
 * annotation. Everything else in the page (spec, managedFields, status details) is left behind.
 */
export function reducePod(raw: RawObject): PodInput | null {
  const pod = podFromObject(raw);
  if (!pod) return null;
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(pod.annotations)) if (isHookKey(k.toLowerCase())) kept[k] = v;
  pod.annotations = kept;
  return pod;
}

/** A Backup and the target it is judged by: the scope as the target sees it, and as the newest Velero does. */
export interface Judge {
  backup: BackupModel | null;
  target: Target;
}

/**
 * Whether nothing can come of a (reduced) pod in any plan of these judges: no hook key, no finding
 * of its own, not terminating or finished (a skip the judges may disagree on), the same coverage for
 * every judge and no spec hook that applies. Such a pod only counts; `covered` says whether it is in scope.
 */
export function inertPod(pod: PodInput, judges: readonly Judge[]): { covered: boolean } | null {
  if (pod.findings.length > 0 || Object.keys(pod.annotations).length > 0) return null;
  if (pod.deletionTimestamp !== undefined || pod.phase === 'Succeeded' || pod.phase === 'Failed') return null;
  let covered: boolean | null = null;
  for (const { backup, target } of judges) {
    if (!backup) continue;
    const c = backupCovers(backup, pod).covered;
    if (covered !== null && c !== covered) return null;
    covered = c;
    if (c && backup.entries.some((e) => entryApplies(e, pod, target))) return null;
  }
  return { covered: covered ?? true };
}

interface Listed {
  pods: PodInput[];
  dropped: DroppedObject[];
  seen: number;
  /** Inert pods in scope, counted and not kept. */
  inert: number;
}

/**
 * Which pods were listed before: one pod, one plan entry (a server, or a scope, that lists a pod twice
 * must not run its hooks twice). An API server lists in key order (namespace/name), so while the keys
 * of a list keep increasing none can repeat and nothing needs remembering but the kept pods: at 100k
 * pods, remembering every key would cost ~8 MB. From the first key out of order on, every key is
 * remembered; an inert pod listed before that point and again after it is then counted twice, which
 * changes only the count of pods in scope, never what runs.
 */
export class Listing {
  private last = '';
  private ordered = true;
  private readonly keys = new Set<string>();

  /** A new list call: its keys start over (the lists are of different namespaces). */
  next(): void {
    this.last = '';
  }

  /** Whether `key` was listed before; `keep`: the pod is kept, so its key is remembered. */
  repeated(key: string, keep: boolean): boolean {
    if (this.ordered && key > this.last) {
      this.last = key;
      if (keep) this.keys.add(key);
      return false;
    }
    if (this.ordered) {
      this.ordered = false;
      if (key === this.last) return true;
    }
    if (this.keys.has(key)) return true;
    this.keys.add(key);
    return false;
  }
}

/** The pods of these namespaces; what the server sends outside the request is dropped and reported. */
async function listPods(
  cluster: Cluster,
  toList: (string | null)[],
  selectorText: string | undefined,
  selector: Selector | null,
  io: InventoryIO,
  judges: readonly Judge[] | null,
): Promise<Listed> {
  const out: Listed = { pods: [], dropped: [], seen: 0, inert: 0 };
  const listed = new Listing();
  for (const ns of toList) {
    listed.next();
    // Each pod is reduced as soon as it is picked, before the rest of its page: only the reduced
    // pods stay, and the picked ones die young (pick.ts Each).
    const take = (raw: unknown) => takePod(raw, ns, { selector, selectorText, io, judges, listed }, out);
    for await (const page of cluster.listPods(ns, selectorText, take)) out.seen += page.length;
  }
  return out;
}

function takePod(
  raw: unknown,
  ns: string | null,
  c: { selector: Selector | null; selectorText: string | undefined; io: InventoryIO; judges: readonly Judge[] | null; listed: Listing },
  out: Listed,
): void {
  const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  const item = (isObject ? raw : {}) as RawObject;
  const outside = isObject ? outsideRequest(item, ns, c.selector, c.selectorText) : 'the server returned an item that is not an object';
  if (outside) {
    const d = { object: isObject ? objectName(item) : '<not an object>', reason: outside };
    out.dropped.push(d);
    c.io.warn?.(`ignoring pod ${d.object}: ${d.reason}`);
    return;
  }
  const pod = reducePod(item);
  if (!pod) return;
  const inert = c.judges ? inertPod(pod, c.judges) : null;
  if (c.listed.repeated(`${pod.namespace}/${pod.name}`, !inert)) return;
  if (inert) out.inert += inert.covered ? 1 : 0;
  else out.pods.push(pod);
}

async function collectFromCluster(cfg: ScopeConfig, selector: Selector | null, io: InventoryIO): Promise<Collected> {
  const kube = await loadKube();
  const cluster = new kube.Cluster(cfg.kube, io.env);
  const discovery = new kube.Discovery(cluster);
  const source = cfg.targetSource ?? '--target';
  let target = explicitTarget(cfg.target, source);
  let chosenBy = source;

  // Said on stderr once the inputs are read, so that a failing command prints only its error.
  let detectionLine: string | null = null;
  let scopeRaw: { raw: RawObject; origin?: string } | null = null;
  if (cfg.backupFile) scopeRaw = await rawBackupFromFile(cfg.backupFile, io);
  else if (cfg.backupName) {
    const locations = [];
    if (!target || target.backupGroup === 'velero.io')
      locations.push({ group: 'velero.io' as const, namespace: cfg.backupNamespace ?? 'velero' });
    if (!target || target.backupGroup === 'ark.heptio.com')
      locations.push({ group: 'ark.heptio.com' as const, namespace: cfg.backupNamespace ?? 'heptio-ark' });
    scopeRaw = { raw: await cluster.getBackup(cfg.backupName, locations) };
  }
  const scopeGroup = scopeRaw ? groupOf(scopeRaw.raw) : null;
  if (target) checkGroup(target, scopeGroup, source, scopeRaw ? `backup "${cfg.backupName ?? scopeRaw.origin}"` : '');
  else {
    const detection = { namespace: cfg.backupNamespace ?? io.env.VELERO_NAMESPACE, allowCreate: cfg.allowCreate ?? true };
    ({ target, chosenBy, line: detectionLine } = detected(await kube.detectTarget(cluster, discovery, detection), scopeGroup));
  }

  let index: ResourceIndex = OFFLINE_INDEX;
  if (scopeRaw && namesResources(scopeRaw.raw)) index = await discovery.index();
  let namespaces: NamespaceInfo[] | null = null;
  // Needed by the target (v1.10+), or by the comparison with the newest Velero.
  let namespaceProblem: Finding | null = null;
  if (scopeRaw && (target.excludeLabelOnNamespaces || target !== NEWEST_VELERO)) {
    try {
      namespaces = await cluster.namespacesWithLabels('velero.io/exclude-from-backup=true');
    } catch (e) {
      namespaceProblem = finding({
        severity: 'warning',
        code: 'namespaces-unknown',
        object: 'namespaces',
        field: '',
        message: `cannot list namespaces (${(e as Error).message}), so namespaces labelled velero.io/exclude-from-backup=true are not taken into account`,
      });
    }
  }
  const ctx: BackupContext = { target, index, namespaces };
  const scopeBackup = scopeRaw ? readBackup(scopeRaw.raw, ctx, { origin: scopeRaw.origin }) : null;

  const toList = namespacesToList(cfg, scopeBackup, target, cluster.namespace);
  let judges: Judge[] | null = null;
  if (cfg.countInert) {
    judges = [{ backup: scopeBackup, target }];
    if (scopeBackup && target !== NEWEST_VELERO)
      judges.push({
        backup: readBackup(scopeBackup.raw, { ...ctx, target: NEWEST_VELERO }, { origin: scopeBackup.origin }),
        target: NEWEST_VELERO,
      });
  }
  const { pods, dropped, seen, inert } = await listPods(cluster, toList, cfg.selector, selector, io, judges);
  const plan = finishPlan(pods, { target, phases: cfg.phases, scope: scopeBackup }, { index, namespaces });
  if (namespaceProblem) plan.findings.unshift(namespaceProblem);
  if (detectionLine) io.note?.(detectionLine);
  const scope: ScopeInfo = {
    namespace: toList.includes(null) ? '*' : toList.join(','),
    phases: cfg.phases,
    target: { name: target.name, versions: describeTarget(target), chosenBy },
  };
  if (cfg.selector) scope.selector = cfg.selector;
  if (scopeBackup) scope.backup = { name: scopeBackup.name, namespace: scopeBackup.namespace, group: scopeBackup.group };
  if (dropped.length > 0) scope.dropped = dropped;
  const inv: Inventory = {
    plan,
    source: { type: 'cluster', context: cluster.config.contextName, server: cluster.config.server },
    scope,
    target,
    podsSeen: seen,
  };
  if (inert > 0) inv.inertPods = inert;
  if (scopeBackup) inv.backup = scopeBackup;
  return { inventory: inv, cluster };
}
