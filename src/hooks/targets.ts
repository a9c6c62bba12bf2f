// Version targets: one record per Ark/Velero behaviour set that the upstream source shows. Every
// decision the hook model takes that differs between versions reads a switch of the active target
// from this table; nothing else in src/hooks compares version numbers. Pure data plus lookups.
// The citations (file@tag) are the source each switch was read from; test/unit/targets-*.test.ts
// check each switch against cases taken from that source.

import type { Family } from './types.ts';

export type Product = 'ark' | 'velero';
export type BackupGroup = 'ark.heptio.com' | 'velero.io';

/** How the Backup-level includedNamespaces select pods. */
export type BackupNamespaceMode =
  /** Exact names (IncludesExcludes with a string set). */
  | 'exact'
  /** Excludes are globs; an include other than "*" is listed literally, so a glob include selects nothing. */
  | 'literal-includes'
  /** `*`, `?` and `[…]` in includes and excludes are expanded against the cluster's namespaces. */
  | 'expand';

/** How Backup-level namespace names are validated (FailedValidation when they fail). */
export type NamespaceValidation =
  /** Only the include/exclude list rules ("*" alone, no "*" in excludes, no overlap). */
  | 'lists-only'
  /** RFC 1123 label; a bare "*" include is allowed (pkg/util/collections@v1.7.0). */
  | 'rfc1123'
  /** RFC 1123 after replacing "*" with "x"; "" allowed (v1.7.1). */
  | 'rfc1123-star'
  /** The wildcard rules of v1.18 plus RFC 1123 after replacing * ? [ ] with "x". */
  | 'wildcard';

export interface Target {
  /** e.g. "velero-1.18"; the first version of the range. */
  name: string;
  product: Product;
  /** First release with this behaviour, "1.18.0". */
  from: string;
  /** The last release checked against (a tag in the mirror). */
  lastChecked: string;
  /** Annotation families read, in the order a prefixed set wins (legacy sets follow in the same order). */
  families: Family[];
  /** API group of the Backups this server processes. */
  backupGroup: BackupGroup;
  /** Namespace the server runs in by default. */
  serverNamespace: string;
  /** spec.hooks.resources[].hooks (deprecated) runs as pre when pre is empty. */
  deprecatedHooksField: boolean;
  /** Hook-entry include/exclude lists and Backup-level exclude lists: exact strings or gobwas globs. */
  listMatch: 'exact' | 'glob';
  backupNamespaces: BackupNamespaceMode;
  namespaceValidation: NamespaceValidation;
  /** A resource name discovery cannot resolve: dropped (a list left empty matches all) or kept (matches nothing). */
  unresolvableResource: 'drop' | 'keep';
  /** Unset or invalid on-error: 'exec-fail' = Fail after an exec failure, Continue when the executor rejects the hook
   *  (the default was written after validation); 'continue' = always Continue (localHook copy, v1.9). */
  onErrorDefault: 'exec-fail' | 'continue';
  /** The executor wrote defaults (container, on-error) into the shared spec hook (#4499). */
  stickySpecHooks: boolean;
  /** Pods with a deletionTimestamp are skipped. */
  skipTerminating: boolean;
  /** Items labelled velero.io/exclude-from-backup=true are not backed up (pods included). */
  excludeLabelOnItems: boolean;
  /** Namespaces labelled velero.io/exclude-from-backup=true are added to excludedNamespaces. */
  excludeLabelOnNamespaces: boolean;
  /** includedNamespaceScopedResources / includedClusterScopedResources exist. */
  scopedResourceFilters: boolean;
  /** orLabelSelectors exist. */
  orLabelSelectors: boolean;
  /** Pods in phase Succeeded or Failed: the executor returns success without running the hook. */
  skipFinishedPods: boolean;
  /** status.hookStatus.{hooksAttempted,hooksFailed}. */
  hookStatus: boolean;
  /** Pre hooks of an ItemBlock's pods run before any of its items are backed up, post hooks after. */
  itemBlocks: boolean;
  /** Backup phase when a hook or a list fails but the backup goes on. */
  errorPhase: 'Failed' | 'PartiallyFailed';
  /** One line: what this target changes compared with the previous one. */
  change: string;
  /** Where each switch was read: file@tag. */
  sources: string[];
}

const ARK_BASE = {
  product: 'ark' as const,
  families: ['ark'] as Family[],
  backupGroup: 'ark.heptio.com' as const,
  serverNamespace: 'heptio-ark',
  deprecatedHooksField: true,
  listMatch: 'exact' as const,
  backupNamespaces: 'exact' as const,
  namespaceValidation: 'lists-only' as const,
  unresolvableResource: 'drop' as const,
  onErrorDefault: 'exec-fail' as const,
  stickySpecHooks: true,
  excludeLabelOnItems: false,
  excludeLabelOnNamespaces: false,
  scopedResourceFilters: false,
  orLabelSelectors: false,
  skipFinishedPods: false,
  hookStatus: false,
  itemBlocks: false,
  errorPhase: 'Failed' as const,
};

/** Every target, oldest first. Each record spells out every switch (no inheritance to misread). */
export const TARGETS: readonly Target[] = (() => {
  const out: Target[] = [];
  const add = (t: Partial<Target> & Pick<Target, 'name' | 'from' | 'lastChecked' | 'change' | 'sources'>) => {
    const prev = out[out.length - 1];
    out.push({ ...(prev ?? (ARK_BASE as unknown as Target)), ...t });
  };
  add({
    ...ARK_BASE,
    name: 'ark-0.7',
    from: '0.7.0',
    lastChecked: '0.8.3',
    skipTerminating: false,
    change: 'pre and post phases; un-prefixed keys are a pre hook used only when pre.…/command is absent',
    sources: [
      'pkg/backup/item_hook_handler.go@v0.7.0',
      'pkg/backup/pod_command_executor.go@v0.7.0',
      'pkg/util/collections/includes_excludes.go@v0.7.0',
      'pkg/backup/backup.go@v0.7.0',
    ],
  });
  add({
    name: 'ark-0.9',
    from: '0.9.0',
    lastChecked: '0.10.2',
    skipTerminating: true,
    change: 'pods being deleted are skipped',
    sources: ['pkg/backup/item_backupper.go@v0.9.0 ("being deleted")', 'pkg/backup/item_hook_handler_test.go@v0.10.0'],
  });
  add({
    name: 'velero-0.11',
    from: '0.11.0',
    lastChecked: '0.11.1',
    product: 'velero',
    families: ['velero', 'ark'],
    backupGroup: 'velero.io',
    serverNamespace: 'velero',
    change: 'velero.io API; both annotation families read, velero.io first',
    sources: ['pkg/backup/item_hook_handler.go@v0.11.0 (getPodExecHookFromAnnotations)', 'docs/migrating-to-velero.md@v0.11.0'],
  });
  add({
    name: 'velero-1.0',
    from: '1.0.0',
    lastChecked: '1.0.0',
    families: ['velero'],
    deprecatedHooksField: false,
    errorPhase: 'PartiallyFailed',
    change: 'ark.heptio.com keys and the deprecated spec "hooks" field no longer read; PartiallyFailed',
    sources: ['pkg/backup/item_hook_handler.go@v1.0.0', 'pkg/apis/velero/v1/backup.go@v1.0.0'],
  });
  add({
    name: 'velero-1.0.1',
    from: '1.0.1',
    lastChecked: '1.1.0',
    listMatch: 'glob',
    backupNamespaces: 'literal-includes',
    change: 'globs in include/exclude lists (hook entries; Backup-level excludes)',
    sources: [
      'pkg/util/collections/includes_excludes.go@v1.0.1 (globStringSet)',
      'pkg/backup/item_collector.go@v1.17.0 (getNamespacesToList)',
    ],
  });
  add({
    name: 'velero-1.2',
    from: '1.2.0',
    lastChecked: '1.3.2',
    excludeLabelOnItems: true,
    change: 'pods labelled velero.io/exclude-from-backup=true are not backed up',
    sources: ['pkg/backup/item_backupper.go@v1.2.0'],
  });
  add({
    name: 'velero-1.4',
    from: '1.4.0',
    lastChecked: '1.6.3',
    unresolvableResource: 'keep',
    change: 'a resource name discovery cannot resolve is kept (matches nothing) instead of dropped (#2461)',
    sources: ['pkg/backup/backup.go@v1.4.0 (getResourceIncludesExcludes)', 'pkg/util/collections/includes_excludes.go@v1.4.0'],
  });
  add({
    name: 'velero-1.7',
    from: '1.7.0',
    lastChecked: '1.7.0',
    namespaceValidation: 'rfc1123',
    change: 'Backup namespaces must be RFC 1123 labels (a bare "*" include allowed)',
    sources: ['pkg/util/collections/includes_excludes.go@v1.7.0 (ValidateNamespaceIncludesExcludes)'],
  });
  add({
    name: 'velero-1.7.1',
    from: '1.7.1',
    lastChecked: '1.8.1',
    namespaceValidation: 'rfc1123-star',
    change: 'namespace validation replaces "*" with "x" first, so globs with "*" pass',
    sources: ['pkg/util/collections/includes_excludes.go@v1.7.1 (validateNamespaceName)'],
  });
  add({
    name: 'velero-1.9',
    from: '1.9.0',
    lastChecked: '1.9.7',
    onErrorDefault: 'continue',
    stickySpecHooks: false,
    orLabelSelectors: true,
    change: 'unset or invalid on-error acts as Continue; spec hook defaults no longer stick across pods (#4499); orLabelSelectors',
    sources: [
      'pkg/podexec/pod_command_executor.go@v1.9.0 (localHook := *hook)',
      'pkg/podexec/pod_command_executor.go@v1.8.0',
      'internal/hook/item_hook_handler.go@v1.9.0',
      'pkg/apis/velero/v1/backup.go@v1.9.0 (OrLabelSelectors)',
    ],
  });
  add({
    name: 'velero-1.10',
    from: '1.10.0',
    lastChecked: '1.10.3',
    excludeLabelOnNamespaces: true,
    change: 'namespaces labelled velero.io/exclude-from-backup=true become excluded namespaces',
    sources: ['pkg/controller/backup_controller.go@v1.10.0 (prepareBackupRequest)'],
  });
  add({
    name: 'velero-1.11',
    from: '1.11.0',
    lastChecked: '1.12.4',
    scopedResourceFilters: true,
    change: 'includedNamespaceScopedResources/includedClusterScopedResources; a name of the wrong scope is dropped',
    sources: ['pkg/util/collections/includes_excludes.go@v1.11.0 (GetScopeResourceIncludesExcludes)'],
  });
  add({
    name: 'velero-1.13',
    from: '1.13.0',
    lastChecked: '1.15.0',
    skipFinishedPods: true,
    hookStatus: true,
    change: 'status.hookStatus; pods in phase Succeeded or Failed are skipped without running hooks',
    sources: ['pkg/podexec/pod_command_executor.go@v1.13.0', 'internal/hook/hook_tracker.go@v1.13.0'],
  });
  add({
    // The ItemBlock hook order shipped in v1.16.0 and was backported to v1.15.1 (#8509/#8517).
    name: 'velero-1.15.1',
    from: '1.15.1',
    lastChecked: '1.17.2',
    itemBlocks: true,
    change: 'pre hooks of all pods of an ItemBlock run before its items are backed up, post hooks after (v1.16, backported to v1.15.1)',
    sources: ['pkg/backup/backup.go@v1.15.1 (handleItemBlockPreHooks)', 'pkg/backup/backup.go@v1.16.0'],
  });
  add({
    name: 'velero-1.18',
    from: '1.18.0',
    lastChecked: '1.18.1',
    backupNamespaces: 'expand',
    namespaceValidation: 'wildcard',
    change: 'Backup namespace globs (* ? […]) expanded against the cluster and validated',
    sources: ['pkg/util/wildcard/expand.go@v1.18.0', 'pkg/util/collections/includes_excludes.go@v1.18.0'],
  });
  return out;
})();

export const NEWEST_VELERO: Target = TARGETS[TARGETS.length - 1] as Target;
export const NEWEST_ARK: Target = [...TARGETS].reverse().find((t) => t.product === 'ark') as Target;

export function targetByName(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

/** "v1.12.3", "1.12", "1.12.3-rc.1" → {1,12,3}; anything else → null. */
export function parseVersion(text: string): Version | null {
  const m = /^v?([0-9]{1,4})\.([0-9]{1,4})(?:\.([0-9]{1,4}))?(?:[-+][0-9A-Za-z.-]*)?$/.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

const fromOf = (t: Target) => parseVersion(t.from) as Version;

export type TargetLookup = { ok: true; target: Target; note?: string } | { ok: false; reason: string };

/** The target whose range holds a version. */
export function targetForVersion(version: Version, product?: Product): TargetLookup {
  const text = `${version.major}.${version.minor}.${version.patch}`;
  const first = TARGETS[0] as Target;
  if (compareVersions(version, fromOf(first)) < 0) {
    return { ok: false, reason: `version ${text} is older than Ark v${first.from}, the first release with pre and post hooks` };
  }
  let found = first;
  for (const t of TARGETS) if (compareVersions(fromOf(t), version) <= 0) found = t;
  if (product && found.product !== product) {
    return {
      ok: false,
      reason: `${product === 'ark' ? 'Ark' : 'Velero'} has no version ${text} (Ark ends at 0.10, Velero starts at 0.11)`,
    };
  }
  const last = parseVersion(found.lastChecked) as Version;
  if (found === NEWEST_VELERO && compareVersions(version, last) > 0) {
    return {
      ok: true,
      target: found,
      note: `version ${text} is newer than the newest release checked (v${found.lastChecked}); using ${found.name}`,
    };
  }
  return { ok: true, target: found };
}

/** `--target`: a target name ("velero-1.18"), a product and version ("velero-1.12.3", "ark-0.10"), or a version ("1.12.3"). */
export function resolveTargetName(text: string): TargetLookup {
  const exact = targetByName(text);
  if (exact) return { ok: true, target: exact };
  if (text === 'velero') return { ok: true, target: NEWEST_VELERO };
  if (text === 'ark') return { ok: true, target: NEWEST_ARK };
  const m = /^(ark|velero)-(.*)$/.exec(text);
  const version = parseVersion(m ? (m[2] as string) : text);
  if (!version) {
    return {
      ok: false,
      reason: `unknown target "${text}": use a version such as 1.12.3, or one of ${TARGETS.map((t) => t.name).join(', ')}`,
    };
  }
  return targetForVersion(version, m ? (m[1] as Product) : undefined);
}

/** "Velero v1.18.0+" / "Ark v0.9.0–v0.10.2": the range a target stands for, for messages. */
export function describeTarget(t: Target): string {
  const product = t.product === 'ark' ? 'Ark' : 'Velero';
  return t === NEWEST_VELERO
    ? `${product} v${t.from}+`
    : t.from === t.lastChecked
      ? `${product} v${t.from}`
      : `${product} v${t.from}–v${t.lastChecked}`;
}

/** The first target (after `t`) that no longer reads a family: "Velero v1.0.0" for ark keys. */
export function stoppedReading(family: Family, t: Target): Target | undefined {
  const i = TARGETS.indexOf(t);
  let readBefore = false;
  for (let k = 0; k <= i; k++) {
    const cur = TARGETS[k] as Target;
    if (cur.families.includes(family)) readBefore = true;
    else if (readBefore) return cur;
  }
  return undefined;
}
