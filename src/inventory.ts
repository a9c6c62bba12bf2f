// Gathers the pods and Backups a command works on, from a cluster or from manifests, and builds
// the plan. This is the one pipeline behind list, validate, dry-run and run:
//   inputs (cluster or -f) → PodInput[] + BackupModel[] → buildPlan → Plan

import { loadKube } from './kube-loader.ts';
import { UserError, UsageError } from './errors.ts';
import type { BackupModel } from './hooks/backup.ts';
import { readBackup } from './hooks/backup.ts';
import { isBackupObject, podFromObject } from './hooks/objects.ts';
import type { Plan } from './hooks/plan.ts';
import { buildPlan } from './hooks/plan.ts';
import type { Selector } from './hooks/selector.ts';
import { matches, parseSelector } from './hooks/selector.ts';
import type { Finding, Flavor, Phase, PodInput } from './hooks/types.ts';
import type { Cluster, ClusterOptions } from './kube/cluster.ts';
import { InputRefused, loadManifests, parseManifestText, readTextBounded } from './manifests/load.ts';

export interface ScopeConfig {
  files: string[];
  namespace?: string | undefined;
  allNamespaces: boolean;
  selector?: string | undefined;
  phases: Phase[];
  flavor: Flavor;
  backupName?: string | undefined;
  backupFile?: string | undefined;
  backupNamespace?: string | undefined;
  kube: ClusterOptions;
}

export interface SourceInfo {
  type: 'cluster' | 'files';
  context?: string;
  server?: string;
  files?: number;
}

export interface ScopeInfo {
  namespace: string;
  selector?: string;
  /** Objects the server sent that the request did not ask for (another namespace, a non-matching label): never acted on. */
  dropped?: DroppedObject[];
  phases: Phase[];
  flavor: Flavor;
  backup?: { name: string; namespace: string; group: string };
}

export interface DroppedObject {
  object: string;
  reason: string;
}

/**
 * Why an object the server returned is outside what was asked for, or null when it is inside: the
 * plan trusts the request, not the answer (a proxy or a broken server may ignore the namespace or
 * the selector).
 */
export function outsideRequest(raw: Record<string, unknown>, namespace: string | null, selector: Selector | null, selectorText?: string): string | null {
  const meta = (typeof raw.metadata === 'object' && raw.metadata !== null ? raw.metadata : {}) as { namespace?: unknown; labels?: unknown };
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  if (namespace !== null && ns !== namespace) return `the server returned it for a list of namespace "${namespace}", but it is in namespace "${ns}"`;
  if (selector) {
    const labels = typeof meta.labels === 'object' && meta.labels !== null && !Array.isArray(meta.labels) ? (meta.labels as Record<string, string>) : {};
    if (!matches(selector, labels)) return `the server returned it, but its labels do not match the selector "${selectorText ?? ''}"`;
  }
  return null;
}

export function objectName(raw: Record<string, unknown>): string {
  const meta = (typeof raw.metadata === 'object' && raw.metadata !== null ? raw.metadata : {}) as { namespace?: unknown; name?: unknown };
  return `${typeof meta.namespace === 'string' ? meta.namespace : ''}/${typeof meta.name === 'string' ? meta.name : ''}`;
}

export interface Inventory {
  plan: Plan;
  source: SourceInfo;
  scope: ScopeInfo;
  /** Set in cluster mode, for commands that go on to act on the pods. */
  cluster?: Cluster;
  podsSeen: number;
}

export interface InventoryIO {
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  /** A warning for the user (stderr); the command escapes it. */
  warn?: (message: string) => void;
}

function compileSelector(text: string | undefined): Selector | null {
  if (text === undefined) return null;
  const parsed = parseSelector(text);
  if (!parsed.ok) throw new UsageError(`error: ${parsed.reason}`);
  return parsed.selector;
}

function backupFromFile(path: string, io: InventoryIO): Promise<BackupModel> | BackupModel {
  const read = (text: string, origin: string) => {
    const { documents, findings } = parseManifestText(text, origin);
    const first = findings[0];
    if (first) throw new UserError(`error: --backup-file ${origin}: ${first.message}`);
    const backups = documents.filter((d) => isBackupObject(d.object));
    if (backups.length !== 1) {
      throw new UserError(`error: --backup-file ${origin} must hold exactly one ark.heptio.com/v1 or velero.io/v1 Backup; it holds ${backups.length}`);
    }
    const only = backups[0] as (typeof backups)[number];
    return readBackup(only.object, only.origin);
  };
  if (path === '-') return io.readStdin().then((t) => read(t, '<stdin>'));
  let text: string;
  try {
    text = readTextBounded(path);
  } catch (e) {
    throw new UserError(`error: cannot read --backup-file "${path}": ${e instanceof InputRefused ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message)}`);
  }
  return read(text, path);
}

export async function collect(cfg: ScopeConfig, io: InventoryIO): Promise<Inventory> {
  const selector = compileSelector(cfg.selector);
  if (cfg.backupName && cfg.backupFile) throw new UsageError('error: --backup and --backup-file cannot be used together');
  if (cfg.allNamespaces && cfg.namespace) throw new UsageError('error: --namespace and --all-namespaces cannot be used together');
  if (cfg.files.includes('-') && cfg.backupFile === '-') throw new UsageError('error: stdin cannot be read twice: use a file for --backup-file or for -f');
  return cfg.files.length > 0 ? collectFromFiles(cfg, selector, io) : collectFromCluster(cfg, selector, io);
}

async function collectFromFiles(cfg: ScopeConfig, selector: Selector | null, io: InventoryIO): Promise<Inventory> {
  const loaded = await loadManifests(cfg.files, io.readStdin);
  const pods: PodInput[] = [];
  const backups: BackupModel[] = [];
  const extra: Finding[] = [...loaded.findings];
  for (const doc of loaded.documents) {
    if (isBackupObject(doc.object)) {
      backups.push(readBackup(doc.object, doc.origin));
      continue;
    }
    const pod = podFromObject(doc.object, doc.origin);
    if (pod) pods.push(pod);
  }
  let scopeBackup: BackupModel | null = null;
  if (cfg.backupFile) scopeBackup = await backupFromFile(cfg.backupFile, io);
  else if (cfg.backupName) {
    scopeBackup = backups.find((b) => b.name === cfg.backupName && (!cfg.backupNamespace || b.namespace === cfg.backupNamespace)) ?? null;
    if (!scopeBackup) throw new UserError(`error: backup "${cfg.backupName}" is not in the files given with -f; add its manifest, or use --backup-file`);
  }
  const inScope = pods.filter((p) => (!cfg.namespace || p.namespace === cfg.namespace) && (!selector || matches(selector, p.labels)));
  const plan = buildPlan(inScope, { flavor: cfg.flavor, phases: cfg.phases, scope: scopeBackup, backups });
  plan.findings = [...extra, ...plan.findings];
  const scope: ScopeInfo = { namespace: cfg.namespace ?? '*', phases: cfg.phases, flavor: cfg.flavor };
  if (cfg.selector) scope.selector = cfg.selector;
  if (scopeBackup) scope.backup = { name: scopeBackup.name, namespace: scopeBackup.namespace, group: scopeBackup.group };
  return { plan, source: { type: 'files', files: loaded.files }, scope, podsSeen: pods.length };
}

async function collectFromCluster(cfg: ScopeConfig, selector: Selector | null, io: InventoryIO): Promise<Inventory> {
  const { Cluster } = await loadKube();
  const cluster = new Cluster(cfg.kube, io.env);
  let scopeBackup: BackupModel | null = null;
  if (cfg.backupFile) scopeBackup = await backupFromFile(cfg.backupFile, io);
  else if (cfg.backupName) {
    const locations = [];
    if (cfg.flavor !== 'ark') locations.push({ group: 'velero.io' as const, namespace: cfg.backupNamespace ?? 'velero' });
    if (cfg.flavor !== 'velero') locations.push({ group: 'ark.heptio.com' as const, namespace: cfg.backupNamespace ?? 'heptio-ark' });
    scopeBackup = readBackup(await cluster.getBackup(cfg.backupName, locations));
  }
  // Which namespaces to list: -A, -n, or the Backup's own scope, else the context's namespace.
  let namespaces: (string | null)[];
  if (cfg.allNamespaces) namespaces = [null];
  else if (cfg.namespace) namespaces = [cfg.namespace];
  else if (scopeBackup) {
    const inc = scopeBackup.includedNamespaces;
    const literal = inc.length > 0 && !inc.includes('*') && (scopeBackup.mode === 'exact' || inc.every((n) => !/[*?[{]/.test(n)));
    namespaces = literal && !scopeBackup.fatal ? [...new Set(inc)] : [null];
  } else namespaces = [cluster.namespace];

  const pods: PodInput[] = [];
  // One pod, one plan entry: a server (or a scope) that lists a pod twice must not run its hooks twice.
  const listed = new Set<string>();
  const dropped: DroppedObject[] = [];
  let seen = 0;
  for (const ns of namespaces) {
    for await (const page of cluster.listPods(ns, cfg.selector)) {
      seen += page.length;
      for (const raw of page) {
        const outside = outsideRequest(raw, ns, selector, cfg.selector);
        if (outside) {
          const d = { object: objectName(raw), reason: outside };
          dropped.push(d);
          io.warn?.(`ignoring pod ${d.object}: ${d.reason}`);
          continue;
        }
        const pod = podFromObject(raw);
        if (!pod) continue;
        const key = `${pod.namespace}/${pod.name}`;
        if (listed.has(key)) continue;
        listed.add(key);
        pods.push(pod);
      }
    }
  }
  const plan = buildPlan(pods, { flavor: cfg.flavor, phases: cfg.phases, scope: scopeBackup });
  const scope: ScopeInfo = {
    namespace: namespaces.includes(null) ? '*' : namespaces.join(','),
    phases: cfg.phases,
    flavor: cfg.flavor,
  };
  if (cfg.selector) scope.selector = cfg.selector;
  if (scopeBackup) scope.backup = { name: scopeBackup.name, namespace: scopeBackup.namespace, group: scopeBackup.group };
  if (dropped.length > 0) scope.dropped = dropped;
  return {
    plan,
    source: { type: 'cluster', context: cluster.config.contextName, server: cluster.config.server },
    scope,
    cluster,
    podsSeen: seen,
  };
}
