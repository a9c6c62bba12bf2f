// Backup objects (ark.heptio.com/v1 and velero.io/v1): their scope (which pods they back up) and
// their spec.hooks.resources, read from untrusted JSON and judged by one target's rules: its
// validation (FailedValidation means no hook runs), its namespace matching, its resource filters.

import type { ResourceCheck, ResourceIndex } from './scope.ts';
import { compileGlob, globMatches, resourcesIncludePods, shouldInclude } from './scope.ts';
import type { Selector } from './selector.ts';
import { matches, selectorFromStruct } from './selector.ts';
import type { BackupGroup, Target } from './targets.ts';
import { describeTarget } from './targets.ts';
import type { Finding, Phase, PodInput } from './types.ts';
import { isObject } from './json.ts';
import { finding } from './findings.ts';
import type { FindingCode } from './findings.ts';

export type { BackupGroup } from './targets.ts';

export const EXCLUDE_LABEL = 'velero.io/exclude-from-backup';

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}

/** What a Backup is judged against. */
export interface BackupContext {
  target: Target;
  /** Discovery's resources (cluster) or the built-in table (offline). */
  index: ResourceIndex;
  /** The cluster's namespaces with their labels, or the Namespace objects read with -f; null when unknown. */
  namespaces: readonly NamespaceInfo[] | null;
}

export interface SpecHook {
  /** e.g. spec.hooks.resources[0].pre[1] */
  field: string;
  container: unknown;
  command: unknown;
  onError: unknown;
  timeout: unknown;
}

export interface SpecEntry {
  index: number;
  name: string;
  field: string;
  includedNamespaces: string[];
  excludedNamespaces: string[];
  resources: ResourceCheck;
  selector: Selector | null;
  hooks: Record<Phase, SpecHook[]>;
}

export interface BackupModel {
  /** The object as read, to judge it again by another target. */
  raw: unknown;
  origin?: string;
  /** "backup velero/nightly" */
  object: string;
  name: string;
  namespace: string;
  group: BackupGroup;
  target: Target;
  includedNamespaces: string[];
  /** spec.excludedNamespaces plus, from v1.10, the namespaces labelled velero.io/exclude-from-backup=true. */
  excludedNamespaces: string[];
  /** Namespaces added to the excludes because of their label. */
  labelExcludedNamespaces: string[];
  resources: ResourceCheck;
  selector: Selector | null;
  orSelectors: Selector[] | null;
  /** Every list request fails (a selector that formats as "<none>"): no pod is backed up. */
  listsFail: string | null;
  entries: SpecEntry[];
  findings: Finding[];
  /** The server would reject the Backup (FailedValidation) or fail it before any item: no hook runs. */
  fatal: boolean;
  /** Messages of the validation errors the server would record. */
  validationErrors: string[];
}

const SPEC_FIELDS = new Set([
  'includedNamespaces',
  'excludedNamespaces',
  'includedResources',
  'excludedResources',
  'includedClusterScopedResources',
  'excludedClusterScopedResources',
  'includedNamespaceScopedResources',
  'excludedNamespaceScopedResources',
  'labelSelector',
  'orLabelSelectors',
  'snapshotVolumes',
  'ttl',
  'includeClusterResources',
  'hooks',
  'storageLocation',
  'volumeSnapshotLocations',
  'defaultVolumesToRestic',
  'defaultVolumesToFsBackup',
  'orderedResources',
  'csiSnapshotTimeout',
  'itemOperationTimeout',
  'resourcePolicy',
  'snapshotMoveData',
  'datamover',
  'uploaderConfig',
  'metadata',
  'volumeGroupSnapshotLabelKey',
]);
const ENTRY_FIELDS = new Set([
  'name',
  'includedNamespaces',
  'excludedNamespaces',
  'includedResources',
  'excludedResources',
  'labelSelector',
  'hooks',
  'pre',
  'post',
]);
const EXEC_FIELDS = new Set(['container', 'command', 'onError', 'timeout']);
const SELECTOR_FIELDS = new Set(['matchLabels', 'matchExpressions']);

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function rfc1123(ns: string): string | null {
  if (ns.length > 63) return 'must be no more than 63 characters';
  if (!RFC1123_LABEL.test(ns))
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  return null;
}

/** pkg/util/wildcard ValidateNamespaceName@v1.18.0. */
export function wildcardPatternError(pattern: string): string | null {
  if (/[|(){}!,]/.test(pattern)) return 'wildcard pattern contains unsupported characters: |, (, ), !, {, }, ,';
  if (pattern.includes('**')) return 'wildcard pattern contains consecutive asterisks (only single * allowed)';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return "wildcard pattern contains unclosed bracket '['";
      if (end === i + 1) return "wildcard pattern contains empty bracket pattern '[]'";
      i = end;
    } else if (pattern[i] === ']') return "wildcard pattern contains unmatched closing bracket ']'";
  }
  return null;
}

/** One namespace name of a Backup's lists, as the target's validateNamespaceName judges it. */
export function namespaceNameError(ns: string, t: Target, isInclude: boolean): string | null {
  switch (t.namespaceValidation) {
    case 'lists-only':
      return null;
    case 'rfc1123':
      // pkg/util/collections@v1.7.0: "*" is skipped; everything else, "" included, must be a label.
      if (ns === '*') return null;
      return rfc1123(ns);
    case 'rfc1123-star':
      if (ns === '') return null;
      return rfc1123(ns.replaceAll('*', 'x'));
    case 'wildcard': {
      if (ns === '') return null;
      const w = wildcardPatternError(ns);
      if (w) return w;
      return rfc1123(ns.replace(/[*?[\]]/g, 'x'));
    }
  }
  void isInclude;
  return null;
}

/** ValidateIncludesExcludes: the list rules every version checks. */
function listRuleErrors(inc: readonly string[], exc: readonly string[]): string[] {
  const errs: string[] = [];
  const incSet = new Set(inc);
  const excSet = new Set(exc);
  if (incSet.size > 1 && incSet.has('*')) errs.push("includes list must either contain '*' only, or a non-empty list of items");
  if (excSet.has('*')) errs.push("excludes list cannot contain '*'");
  for (const x of [...excSet].sort()) if (incSet.has(x)) errs.push(`excludes list cannot contain an item in the includes list: ${x}`);
  return errs;
}

/** Whether the v1.18 expansion applies (wildcard.ShouldExpandWildcards). */
function shouldExpand(inc: readonly string[], exc: readonly string[]): boolean {
  if (inc.includes('*')) return false;
  return [...inc, ...exc].some((p) => /[*?[]/.test(p));
}

/** Whether the Backup's namespace filters take in a namespace, by the target's rules. */
export function namespaceCovered(backup: Pick<BackupModel, 'includedNamespaces' | 'excludedNamespaces' | 'target'>, ns: string): boolean {
  const inc = backup.includedNamespaces;
  const exc = backup.excludedNamespaces;
  switch (backup.target.backupNamespaces) {
    case 'exact':
      return shouldInclude(inc, exc, ns, 'exact');
    case 'literal-includes':
      // getNamespacesToList@v1.17.0: all namespaces when ShouldInclude("*"), else each include literally.
      if (shouldInclude(inc, exc, '*', 'glob')) return shouldInclude(inc, exc, ns, 'glob');
      return inc.includes(ns) && shouldInclude(inc, exc, ns, 'glob');
    case 'expand': {
      if (!shouldExpand(inc, exc)) return shouldInclude(inc, exc, ns, 'glob');
      // ExpandIncludesExcludes@v1.18.0: patterns become the namespaces they match; an empty include
      // list after expansion includes nothing (NamespaceIncludesExcludes.ShouldInclude).
      const expand = (list: readonly string[]) => list.some((p) => (/[*?[]/.test(p) ? globMatches(p, ns) : p === ns));
      if (inc.length === 0) return false;
      return expand(inc) && !expand(exc);
    }
  }
}

export interface ReadOptions {
  origin?: string | undefined;
}

/** What the sections of readBackup share: the target, where findings go, and the helpers that file them. */
interface Reader {
  target: Target;
  ctx: BackupContext;
  server: string;
  object: string;
  spec: Record<string, unknown>;
  findings: Finding[];
  err: (field: string, code: FindingCode, message: string, isFatal?: boolean) => void;
  /** A FailedValidation error: the server rejects the Backup. */
  invalid: (field: string, code: FindingCode, what: string) => void;
  warn: (field: string, code: FindingCode, message: string) => void;
  stringList: (v: unknown, field: string) => string[];
  /** Warns about a field the target does not have yet; true when it is set. */
  notInTarget: (k: string, since: string) => boolean;
  selectorOf: (v: unknown, field: string) => { selector: Selector | null; empty: boolean };
  markFatal: (isFatal: boolean) => void;
  isFatal: () => boolean;
  /** A Backup-level selector Velero cannot convert (every list then fails), or null. */
  invalidSpecSelector: () => string | null;
}

function makeReader(
  ctx: BackupContext,
  object: string,
  spec: Record<string, unknown>,
  findings: Finding[],
  validationErrors: string[],
): Reader {
  const { target } = ctx;
  const server = describeTarget(target);
  let fatal = false;
  const err = (field: string, code: FindingCode, message: string, isFatal = true) => {
    findings.push(finding({ severity: 'error', code, object, field, message }));
    if (isFatal) fatal = true;
  };
  const invalid = (field: string, code: FindingCode, what: string) => {
    validationErrors.push(what);
    err(field, code, `${what}: ${server} rejects the Backup (FailedValidation) and runs no hook`);
  };
  const warn = (field: string, code: FindingCode, message: string) =>
    findings.push(finding({ severity: 'warning', code, object, field, message }));
  const notInTarget = (k: string, since: string) => {
    if (spec[k] !== undefined && spec[k] !== null) {
      warn(`spec.${k}`, 'field-not-in-target', `spec.${k} exists only from Velero ${since}; ${server} ignores it`);
      return true;
    }
    return false;
  };
  const stringList = (v: unknown, field: string): string[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      err(field, 'invalid-field-type', `${field} must be a list of strings`);
      return [];
    }
    return v as string[];
  };
  let invalidSpecSelector: string | null = null;
  const selectorOf = (v: unknown, field: string): { selector: Selector | null; empty: boolean } => {
    if (v === undefined || v === null) return { selector: null, empty: false };
    let effective = v;
    if (isObject(v)) {
      const unknown = Object.keys(v).filter((k) => !SELECTOR_FIELDS.has(k));
      if (unknown.length > 0) {
        effective = Object.fromEntries(Object.entries(v).filter(([k]) => SELECTOR_FIELDS.has(k)));
        const hint = unknown.map((k) =>
          k.toLowerCase().startsWith('matchlabel')
            ? `"${k}" (did you mean matchLabels?)`
            : k.toLowerCase().startsWith('matchexpression')
              ? `"${k}" (did you mean matchExpressions?)`
              : `"${k}"`,
        );
        warn(
          field,
          'selector-unknown-key',
          `unknown key ${hint.join(', ')} in ${field}: the API server prunes it (and ${server} would ignore it), so it selects nothing by itself; kubectl's strict validation rejects it at create time: fix the spelling`,
        );
      }
    }
    const sel = selectorFromStruct(effective, field);
    if (!sel.ok) {
      if (target.backupGroup === 'velero.io' && (field === 'spec.labelSelector' || field.startsWith('spec.orLabelSelectors'))) {
        // Velero validates neither selector: the item collector fails (v1.0-v1.13: getResourceItems
        // returns "invalid label selector") or logs "Fail to convert backup LabelSelector" (v1.14+,
        // pkg/backup/item_collector.go), for every resource, so nothing is listed and the Backup ends
        // PartiallyFailed (seen on Velero v1.18.3 by test:velero x24).
        invalidSpecSelector ??= `${field} is invalid (${sel.reason})`;
        err(
          field,
          'invalid-selector',
          `${sel.reason}; ${server} does not validate it: every list of the Backup fails, so no pod is backed up, no hook runs and the Backup ends ${target.errorPhase}: fix the selector`,
          false,
        );
        return { selector: null, empty: false };
      }
      err(field, 'invalid-selector', `${sel.reason}; the Backup fails before any hook runs`);
      return { selector: null, empty: false };
    }
    return { selector: sel.selector, empty: sel.selector.requirements.length === 0 };
  };
  const markFatal = (isFatal: boolean) => {
    fatal ||= isFatal;
  };
  return {
    target,
    ctx,
    server,
    object,
    spec,
    findings,
    err,
    invalid,
    warn,
    stringList,
    notInTarget,
    selectorOf,
    markFatal,
    isFatal: () => fatal,
    invalidSpecSelector: () => invalidSpecSelector,
  };
}

/** Reads a Backup from untrusted JSON and judges it by a target. Never throws; problems become findings. */
export function readBackup(raw: unknown, ctx: BackupContext, options: ReadOptions = {}): BackupModel {
  const { target } = ctx;
  const origin = options.origin;
  const findings: Finding[] = [];
  const meta = isObject(raw) && isObject(raw.metadata) ? raw.metadata : {};
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : '<unnamed>';
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  const object = `backup ${namespace ? namespace + '/' : ''}${name}${origin ? ` (${origin})` : ''}`;
  const validationErrors: string[] = [];
  const spec = isObject(raw) ? raw.spec : undefined;
  const r = makeReader(ctx, object, isObject(spec) ? spec : {}, findings, validationErrors);
  const { server, warn, err } = r;

  const apiVersion = isObject(raw) && typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
  let group: BackupGroup = target.backupGroup;
  if (apiVersion.startsWith('ark.heptio.com/')) group = 'ark.heptio.com';
  else if (apiVersion.startsWith('velero.io/')) group = 'velero.io';
  else
    warn(
      'apiVersion',
      'backup-api-version',
      `apiVersion ${JSON.stringify(apiVersion)} is neither ark.heptio.com/v1 nor velero.io/v1; reading it as ${target.backupGroup}/v1`,
    );
  if (group !== target.backupGroup) {
    warn(
      'apiVersion',
      'backup-group-not-read',
      `${server} processes ${target.backupGroup} Backups, not ${group} ones; this Backup is judged as if it had been migrated`,
    );
  }

  const model: BackupModel = {
    raw,
    object,
    name,
    namespace,
    group,
    target,
    includedNamespaces: [],
    excludedNamespaces: [],
    labelExcludedNamespaces: [],
    resources: { includesPods: true, unknown: [], unsure: [], includesPodsIfMissing: true, wrongScope: [] },
    selector: null,
    orSelectors: null,
    listsFail: null,
    entries: [],
    findings,
    fatal: false,
    validationErrors,
  };
  if (origin) model.origin = origin;
  if (spec === undefined || spec === null) return model;
  if (!isObject(spec)) {
    err('spec', 'backup-spec-type', 'spec must be an object');
    model.fatal = r.isFatal();
    return model;
  }
  for (const k of Object.keys(spec)) {
    if (!SPEC_FIELDS.has(k))
      warn(`spec.${k}`, 'unknown-field', `unknown field "${k}" in the Backup spec; it is ignored (check the spelling)`);
  }
  readNamespaces(model, r);
  readResources(model, r);
  readSelectors(model, r);
  readHookSpecs(model, r);
  model.fatal = r.isFatal();
  if (model.fatal) {
    findings.push(
      finding({
        severity: 'error',
        code: 'backup-would-fail',
        object,
        field: 'spec',
        message: `${server} would ${validationErrors.length > 0 ? 'reject this Backup (FailedValidation)' : 'fail this Backup'} before running any hook; fix the errors above`,
      }),
    );
  }
  return model;
}

/** backup_controller prepareBackupRequest: label excludes, then validation. */
function readNamespaces(model: BackupModel, r: Reader): void {
  const { spec, ctx, target, server, object, findings, warn, invalid, stringList } = r;
  model.includedNamespaces = stringList(spec.includedNamespaces, 'spec.includedNamespaces');
  const specExcluded = stringList(spec.excludedNamespaces, 'spec.excludedNamespaces');
  model.excludedNamespaces = [...specExcluded];
  if (target.excludeLabelOnNamespaces && ctx.namespaces) {
    for (const ns of ctx.namespaces) {
      if (ns.labels[EXCLUDE_LABEL] === 'true') {
        model.excludedNamespaces.push(ns.name);
        model.labelExcludedNamespaces.push(ns.name);
      }
    }
  }
  for (const e of listRuleErrors(model.includedNamespaces, model.excludedNamespaces)) {
    const labelled = model.labelExcludedNamespaces.find((n) => e.endsWith(`: ${n}`));
    invalid(
      'spec.includedNamespaces',
      'invalid-namespace-lists',
      `Invalid included/excluded namespace lists: ${e}${labelled ? ` (namespace "${labelled}" is labelled ${EXCLUDE_LABEL}=true, which adds it to the excludes)` : ''}`,
    );
  }
  const seen = new Set<string>();
  for (const [list, isInclude] of [
    [model.includedNamespaces, true],
    [specExcluded, false],
  ] as const) {
    for (const ns of [...new Set(list)].sort()) {
      if (seen.has(ns + isInclude)) continue;
      seen.add(ns + isInclude);
      const problem = namespaceNameError(ns, target, isInclude);
      if (problem)
        invalid(
          isInclude ? 'spec.includedNamespaces' : 'spec.excludedNamespaces',
          'invalid-namespace-name',
          `invalid namespace ${JSON.stringify(ns)}: ${problem}`,
        );
    }
  }
  if (target.backupNamespaces === 'literal-includes') {
    const globs = model.includedNamespaces.filter((n) => n !== '*' && /[*?[{]/.test(n));
    if (globs.length > 0 && !shouldInclude(model.includedNamespaces, model.excludedNamespaces, '*', 'glob')) {
      warn(
        'spec.includedNamespaces',
        'namespace-glob-literal',
        `${server} lists the included namespaces by name, so ${globs.map((g) => JSON.stringify(g)).join(', ')} select no namespace (only excludes are matched as globs; Velero v1.18 expands include globs): name the namespaces`,
      );
    }
  } else if (target.backupNamespaces === 'exact') {
    const globs = [...model.includedNamespaces, ...specExcluded].filter((n) => n !== '*' && /[*?[{]/.test(n));
    if (globs.length > 0)
      warn(
        'spec.includedNamespaces',
        'literal-star',
        `${server} matches namespace names exactly, so ${globs.map((g) => JSON.stringify(g)).join(', ')} match only a namespace with that literal name`,
      );
  } else if (target.backupNamespaces === 'expand' && model.includedNamespaces.length === 0 && shouldExpand([], model.excludedNamespaces)) {
    warn(
      'spec.includedNamespaces',
      'expanded-includes-empty',
      `${server} expands the glob in excludedNamespaces and then treats the empty includedNamespaces as "nothing" (NamespaceIncludesExcludes.ShouldInclude): no namespace is backed up; add includedNamespaces: ["*"]`,
    );
  }
  if (model.labelExcludedNamespaces.length > 0) {
    findings.push(
      finding({
        severity: 'info',
        code: 'namespaces-excluded-by-label',
        object,
        field: 'spec.excludedNamespaces',
        message: `${server} adds the namespaces labelled ${EXCLUDE_LABEL}=true to the excludes: ${model.labelExcludedNamespaces.join(', ')}`,
      }),
    );
  }
}

function readResources(model: BackupModel, r: Reader): void {
  const { spec, ctx, target, server, object, findings, warn, invalid, stringList, notInTarget } = r;
  const oldRes = [
    stringList(spec.includedResources, 'spec.includedResources'),
    stringList(spec.excludedResources, 'spec.excludedResources'),
  ] as const;
  let usesNew = false;
  let newRes: readonly [string[], string[]] = [[], []];
  if (target.scopedResourceFilters) {
    newRes = [
      stringList(spec.includedNamespaceScopedResources, 'spec.includedNamespaceScopedResources'),
      stringList(spec.excludedNamespaceScopedResources, 'spec.excludedNamespaceScopedResources'),
    ] as const;
    const clusterInc = stringList(spec.includedClusterScopedResources, 'spec.includedClusterScopedResources');
    const clusterExc = stringList(spec.excludedClusterScopedResources, 'spec.excludedClusterScopedResources');
    usesNew = newRes[0].length + newRes[1].length + clusterInc.length + clusterExc.length > 0;
    if (
      usesNew &&
      (oldRes[0].length + oldRes[1].length > 0 || (spec.includeClusterResources !== undefined && spec.includeClusterResources !== null))
    ) {
      invalid(
        'spec.includedResources',
        'mixed-resource-filters',
        'include-resources, exclude-resources and include-cluster-resources are old filter parameters; they cannot be used with the new *ScopedResources filters',
      );
    }
  } else {
    for (const k of [
      'includedNamespaceScopedResources',
      'excludedNamespaceScopedResources',
      'includedClusterScopedResources',
      'excludedClusterScopedResources',
    ])
      notInTarget(k, 'v1.11.0');
  }
  const resField = usesNew ? 'spec.includedNamespaceScopedResources' : 'spec.includedResources';
  if (usesNew) {
    const [inc, exc] = newRes;
    const errs: string[] = [];
    if (new Set(inc).size > 1 && inc.includes('*')) errs.push("includes list must either contain '*' only, or a non-empty list of items");
    if (new Set(exc).size > 1 && exc.includes('*')) errs.push("excludes list must either contain '*' only, or a non-empty list of items");
    if (inc.length > 0 && exc.includes('*')) errs.push("when exclude is '*', include cannot have value");
    for (const x of [...new Set(exc)].sort())
      if (inc.includes(x)) errs.push(`excludes list cannot contain an item in the includes list: ${x}`);
    for (const e of errs) invalid(resField, 'invalid-resource-lists', `Invalid included/excluded namespace-scoped resource lists: ${e}`);
    model.resources = resourcesIncludePods(inc, exc, { mode: 'glob', unresolvable: 'keep', index: ctx.index, scope: 'namespaced' });
    if (model.resources.wrongScope.length > 0) {
      warn(
        resField,
        'wrong-scope-resource',
        `${model.resources.wrongScope.join(', ')} ${model.resources.wrongScope.length > 1 ? 'are' : 'is'} cluster-scoped; ${server} drops ${model.resources.wrongScope.length > 1 ? 'them' : 'it'} from the namespace-scoped list${newRes[0].length > 0 && newRes[0].every((n) => model.resources.wrongScope.includes(n)) ? ', which leaves the list empty: every namespace-scoped resource, pods included, is backed up' : ''}: move it to includedClusterScopedResources`,
      );
    }
  } else {
    const [inc, exc] = oldRes;
    for (const e of listRuleErrors(inc, exc)) invalid(resField, 'invalid-resource-lists', `Invalid included/excluded resource lists: ${e}`);
    model.resources = resourcesIncludePods(inc, exc, {
      mode: target.listMatch,
      unresolvable: target.unresolvableResource,
      index: ctx.index,
    });
  }
  reportResourceNames(model.resources, resField, target, server, warn, (m) =>
    findings.push(finding({ severity: 'info', code: 'resource-unknown-offline', object, field: resField, message: m })),
  );
  if (!model.resources.includesPods) {
    warn(
      resField,
      'backup-excludes-pods',
      'this Backup does not back up pods, so no pod hook runs (#3240): include "pods" in the resource filters',
    );
  }
}

function readSelectors(model: BackupModel, r: Reader): void {
  const { spec, target, server, err, invalid, notInTarget, selectorOf } = r;
  const single = selectorOf(spec.labelSelector, 'spec.labelSelector');
  model.selector = single.selector;
  if (single.empty) {
    model.listsFail = 'spec.labelSelector has no matchLabels or matchExpressions';
  }
  if (
    spec.orLabelSelectors !== undefined &&
    spec.orLabelSelectors !== null &&
    (target.orLabelSelectors || !notInTarget('orLabelSelectors', 'v1.9.0'))
  ) {
    if (!Array.isArray(spec.orLabelSelectors))
      err('spec.orLabelSelectors', 'invalid-field-type', 'spec.orLabelSelectors must be a list of label selectors');
    else {
      if (spec.labelSelector !== undefined && spec.labelSelector !== null) {
        invalid(
          'spec.orLabelSelectors',
          'selector-and-or-selectors',
          'encountered labelSelector as well as orLabelSelectors in backup spec, only one can be specified',
        );
      }
      model.orSelectors = [];
      spec.orLabelSelectors.forEach((s, i) => {
        const sel = selectorOf(s, `spec.orLabelSelectors[${i}]`);
        if (sel.selector) model.orSelectors?.push(sel.selector);
        if (sel.empty) model.listsFail ??= `spec.orLabelSelectors[${i}] has no matchLabels or matchExpressions`;
      });
    }
  }
  const invalidSelector = r.invalidSpecSelector();
  if (invalidSelector) model.listsFail ??= invalidSelector;
  else if (model.listsFail) {
    // metav1.FormatLabelSelector turns an empty selector into "<none>", which the API server rejects
    // (pkg/backup/item_collector.go@v1.18.0, resource_backupper.go@v0.7.0).
    err(
      single.empty ? 'spec.labelSelector' : 'spec.orLabelSelectors',
      'selector-formats-as-none',
      `${model.listsFail}; ${server} lists items with the selector "<none>", which the API server rejects, so every list fails: no pod is backed up, no hook runs and the Backup ends ${target.errorPhase}: give the selector matchLabels or remove it`,
      false,
    );
  }
}

function readHookSpecs(model: BackupModel, r: Reader): void {
  const { spec, ctx, object, findings, err, selectorOf } = r;
  const hooks = spec.hooks;
  if (hooks !== undefined && hooks !== null) {
    if (!isObject(hooks)) err('spec.hooks', 'invalid-field-type', 'spec.hooks must be an object with a "resources" list');
    else if (hooks.resources !== undefined && hooks.resources !== null) {
      if (!Array.isArray(hooks.resources)) err('spec.hooks.resources', 'invalid-field-type', 'spec.hooks.resources must be a list');
      else
        hooks.resources.forEach((e, i) => {
          const entry = readEntry(e, i, ctx, object, findings, r.markFatal, selectorOf);
          if (entry) model.entries.push(entry);
        });
    }
  }
}

function reportResourceNames(
  res: ResourceCheck,
  field: string,
  target: Target,
  server: string,
  warn: (field: string, code: FindingCode, message: string) => void,
  info: (message: string) => void,
) {
  if (res.unknown.length > 0) {
    warn(
      field,
      'unknown-resource',
      target.unresolvableResource === 'drop'
        ? `no resource is named ${res.unknown.join(', ')}; ${server} drops names discovery cannot resolve, and a list left empty matches every pod (#2461)`
        : `no resource is named ${res.unknown.join(', ')}; ${server} keeps the name, which matches nothing`,
    );
  }
  if (res.unsure.length > 0) {
    const differs = res.includesPods !== res.includesPodsIfMissing;
    const msg = `cannot tell offline whether ${res.unsure.join(', ')} ${res.unsure.length > 1 ? 'are resources' : 'is a resource'} of your cluster (not a built-in resource; maybe a CRD)${differs ? `: if ${res.unsure.length > 1 ? 'they exist' : 'it exists'}, pods are ${res.includesPods ? '' : 'not '}included (assumed here); if not, ${server} drops the name and pods are ${res.includesPodsIfMissing ? '' : 'not '}included (#2461)` : ''}; run against the cluster to resolve it`;
    if (differs) warn(field, 'resource-unknown-offline', msg);
    else info(msg);
  }
}

/** A hook entry's namespace lists as the target matches them: literal stars, excluding everything, broken globs. */
function checkEntryNamespaces(
  includedNamespaces: string[],
  excludedNamespaces: string[],
  field: string,
  target: Target,
  server: string,
  warn: (f: string, code: FindingCode, message: string) => void,
): void {
  if (target.listMatch === 'exact' && [...includedNamespaces, ...excludedNamespaces].some((n) => n !== '*' && /[*?[{]/.test(n))) {
    warn(
      `${field}.includedNamespaces`,
      'literal-star',
      `${server} matches hook namespaces exactly, so a glob matches only a namespace with that literal name`,
    );
  }
  if (excludedNamespaces.includes('*')) {
    warn(
      `${field}.excludedNamespaces`,
      target.listMatch === 'exact' ? 'literal-star' : 'hook-excludes-all-namespaces',
      target.listMatch === 'exact'
        ? `${server} matches "*" literally here, so it excludes nothing (Velero v1.0.1+ would exclude every namespace)`
        : `"*" in a hook's excludedNamespaces is a glob that excludes every namespace, so this hook never runs`,
    );
  }
  if (target.listMatch === 'glob') {
    const broken = [...includedNamespaces, ...excludedNamespaces].filter((n) => compileGlob(n) === null);
    if (broken.length > 0)
      warn(
        `${field}.includedNamespaces`,
        'invalid-glob',
        `${broken.map((b) => JSON.stringify(b)).join(', ')} is not a valid glob; ${server} stops matching the list at it (pkg/util/collections globStringSet)`,
      );
  }
}

/** A list of spec hooks (pre, post, or the deprecated hooks): only exec hooks, each with its raw values. */
function readHookList(
  v: unknown,
  f: string,
  err: (f: string, code: FindingCode, message: string, fatal?: boolean) => void,
  warn: (f: string, code: FindingCode, message: string) => void,
): SpecHook[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    err(f, 'invalid-field-type', `${f} must be a list of hooks`, true);
    return [];
  }
  const out: SpecHook[] = [];
  v.forEach((h, i) => {
    const hf = `${f}[${i}]`;
    if (!isObject(h)) {
      err(hf, 'invalid-field-type', `${hf} must be an object with an "exec" hook`, true);
      return;
    }
    if (h.exec === undefined || h.exec === null) {
      warn(hf, 'hook-without-exec', `${hf} has no exec; it is skipped silently (exec is the only hook type)`);
      return;
    }
    if (!isObject(h.exec)) {
      err(`${hf}.exec`, 'invalid-field-type', `${hf}.exec must be an object`, true);
      return;
    }
    for (const k of Object.keys(h.exec)) {
      if (!EXEC_FIELDS.has(k))
        warn(
          `${hf}.exec.${k}`,
          'unknown-field',
          `unknown field "${k}" in an exec hook; it is ignored (fields: container, command, onError, timeout)`,
        );
    }
    out.push({
      field: `${hf}.exec`,
      container: h.exec.container,
      command: h.exec.command,
      onError: h.exec.onError,
      timeout: h.exec.timeout,
    });
  });
  return out;
}

/** A hook entry's labelSelector; one that cannot be read fails the Backup, an emptied one matches every pod. */
function entrySelector(
  raw: unknown,
  field: string,
  selectorOf: (v: unknown, field: string) => { selector: Selector | null; empty: boolean },
  markFatal: (fatal: boolean) => void,
  warn: (f: string, code: FindingCode, message: string) => void,
): Selector | null {
  if (raw === undefined || raw === null) return null;
  const sel = selectorOf(raw, `${field}.labelSelector`);
  if (!sel.selector && !sel.empty) markFatal(true);
  if (sel.empty && isObject(raw) && Object.keys(raw).length > 0) {
    warn(
      `${field}.labelSelector`,
      'hook-selector-empty',
      `what is left of this labelSelector is {}, which matches every pod: the hook runs on every pod the Backup and the hook's namespaces take in`,
    );
  }
  return sel.selector;
}

function readEntry(
  raw: unknown,
  index: number,
  ctx: BackupContext,
  object: string,
  findings: Finding[],
  markFatal: (fatal: boolean) => void,
  selectorOf: (v: unknown, field: string) => { selector: Selector | null; empty: boolean },
): SpecEntry | null {
  const { target } = ctx;
  const server = describeTarget(target);
  const field = `spec.hooks.resources[${index}]`;
  const err = (f: string, code: FindingCode, message: string, fatal = false) => {
    findings.push(finding({ severity: 'error', code, object, field: f, message }));
    markFatal(fatal);
  };
  const warn = (f: string, code: FindingCode, message: string) =>
    findings.push(finding({ severity: 'warning', code, object, field: f, message }));
  if (!isObject(raw)) {
    err(field, 'invalid-field-type', `${field} must be an object`, true);
    return null;
  }
  for (const k of Object.keys(raw)) {
    if (!ENTRY_FIELDS.has(k))
      warn(`${field}.${k}`, 'unknown-field', `unknown field "${k}" in a hook spec; it is ignored (check the spelling)`);
  }
  let name = '';
  if (typeof raw.name === 'string') name = raw.name;
  else if (raw.name !== undefined && raw.name !== null) err(`${field}.name`, 'invalid-field-type', 'name must be a string', true);

  const list = (v: unknown, f: string): string[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      err(f, 'invalid-field-type', `${f} must be a list of strings`, true);
      return [];
    }
    return v as string[];
  };
  const includedNamespaces = list(raw.includedNamespaces, `${field}.includedNamespaces`);
  const excludedNamespaces = list(raw.excludedNamespaces, `${field}.excludedNamespaces`);
  checkEntryNamespaces(includedNamespaces, excludedNamespaces, field, target, server, warn);
  const resInc = list(raw.includedResources, `${field}.includedResources`);
  const resExc = list(raw.excludedResources, `${field}.excludedResources`);
  const resources = resourcesIncludePods(resInc, resExc, {
    mode: target.listMatch,
    unresolvable: target.unresolvableResource,
    index: ctx.index,
  });
  reportResourceNames(resources, `${field}.includedResources`, target, server, warn, (m) =>
    findings.push(finding({ severity: 'info', code: 'resource-unknown-offline', object, field: `${field}.includedResources`, message: m })),
  );
  if (resExc.includes('*')) {
    findings.push(
      finding({
        severity: 'info',
        code: 'exclude-star-dropped',
        object,
        field: `${field}.excludedResources`,
        message: `"*" in excludedResources is dropped (wildcards are invalid for excludes), so it excludes nothing`,
      }),
    );
  }
  if (!resources.includesPods) {
    warn(
      `${field}.includedResources`,
      'hook-excludes-pods',
      'hooks only run on pods, so this hook spec never applies: include "pods" (hooks on workloads are never run, #6043)',
    );
  }
  const selector = entrySelector(raw.labelSelector, field, selectorOf, markFatal, warn);

  const hookList = (v: unknown, f: string) => readHookList(v, f, err, warn);
  let pre = hookList(raw.pre, `${field}.pre`);
  const post = hookList(raw.post, `${field}.post`);
  if (raw.hooks !== undefined && raw.hooks !== null) {
    if (!target.deprecatedHooksField) {
      warn(
        `${field}.hooks`,
        'deprecated-hooks-field',
        `the "hooks" field was removed in Velero v1.0 and ${server} ignores it: move these hooks to "pre"`,
      );
    } else {
      const old = hookList(raw.hooks, `${field}.hooks`);
      if (pre.length === 0) {
        pre = old;
        warn(
          `${field}.hooks`,
          'deprecated-hooks-field',
          `the "hooks" field is deprecated; ${server} runs it as pre hooks because "pre" is empty: rename it to "pre"`,
        );
      } else if (old.length > 0) {
        warn(`${field}.hooks`, 'deprecated-hooks-field', 'the deprecated "hooks" field is ignored because "pre" is set');
      }
    }
  }
  return { index, name, field, includedNamespaces, excludedNamespaces, resources, selector, hooks: { pre, post } };
}

/** Whether a spec entry applies to a pod (resourceHook.applicableTo). */
export function entryApplies(entry: SpecEntry, pod: PodInput, target: Target): boolean {
  if (!shouldInclude(entry.includedNamespaces, entry.excludedNamespaces, pod.namespace, target.listMatch)) return false;
  if (!entry.resources.includesPods) return false;
  return entry.selector === null || matches(entry.selector, pod.labels);
}

/** Whether the Backup backs this pod up, and if not, why. */
export function backupCovers(backup: BackupModel, pod: PodInput): { covered: true } | { covered: false; reason: string } {
  const t = backup.target;
  if (backup.fatal) return { covered: false, reason: 'the Backup would fail validation before processing any item' };
  if (backup.listsFail) return { covered: false, reason: `every list fails (${backup.listsFail}; the selector formats as "<none>")` };
  if (!namespaceCovered(backup, pod.namespace)) {
    const byLabel = backup.labelExcludedNamespaces.includes(pod.namespace);
    return {
      covered: false,
      reason: byLabel
        ? `namespace "${pod.namespace}" is labelled ${EXCLUDE_LABEL}=true`
        : `namespace "${pod.namespace}" is not in the Backup's namespaces`,
    };
  }
  if (!backup.resources.includesPods) return { covered: false, reason: 'the Backup does not include pods' };
  if (backup.selector && !matches(backup.selector, pod.labels)) {
    return { covered: false, reason: `the pod's labels do not match the Backup's labelSelector "${backup.selector.text}"` };
  }
  if (backup.orSelectors && backup.orSelectors.length > 0 && !backup.orSelectors.some((s) => matches(s, pod.labels))) {
    return { covered: false, reason: "the pod's labels match none of the Backup's orLabelSelectors" };
  }
  if (t.excludeLabelOnItems && pod.labels[EXCLUDE_LABEL] === 'true') {
    return { covered: false, reason: `the pod is labelled ${EXCLUDE_LABEL}=true` };
  }
  return { covered: true };
}
