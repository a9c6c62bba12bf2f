// Backup objects (ark.heptio.com/v1 and velero.io/v1): their scope (hooks-spec A7) and their
// spec.hooks.resources (A5), read from untrusted JSON into a validated model.

import type { MatchMode, ResourceCheck } from './scope.ts';
import { resourcesIncludePods, shouldInclude } from './scope.ts';
import type { Selector } from './selector.ts';
import { matches, selectorFromStruct } from './selector.ts';
import type { Finding, Phase, PodInput } from './types.ts';

export type BackupGroup = 'ark.heptio.com' | 'velero.io';

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
  /** "velero/nightly" */
  object: string;
  name: string;
  namespace: string;
  group: BackupGroup;
  mode: MatchMode;
  includedNamespaces: string[];
  excludedNamespaces: string[];
  resources: ResourceCheck;
  selector: Selector | null;
  orSelectors: Selector[] | null;
  entries: SpecEntry[];
  findings: Finding[];
  /** Ark/Velero would fail this Backup before running any hook (invalid selector, failed validation). */
  fatal: boolean;
}

const SPEC_FIELDS = new Set([
  'includedNamespaces', 'excludedNamespaces', 'includedResources', 'excludedResources',
  'includedClusterScopedResources', 'excludedClusterScopedResources', 'includedNamespaceScopedResources',
  'excludedNamespaceScopedResources', 'labelSelector', 'orLabelSelectors', 'snapshotVolumes', 'ttl',
  'includeClusterResources', 'hooks', 'storageLocation', 'volumeSnapshotLocations', 'defaultVolumesToRestic',
  'defaultVolumesToFsBackup', 'orderedResources', 'csiSnapshotTimeout', 'itemOperationTimeout', 'resourcePolicy',
  'snapshotMoveData', 'datamover', 'uploaderConfig', 'metadata', 'volumeGroupSnapshotLabelKey',
]);
const ENTRY_FIELDS = new Set([
  'name', 'includedNamespaces', 'excludedNamespaces', 'includedResources', 'excludedResources', 'labelSelector', 'hooks', 'pre', 'post',
]);
const EXEC_FIELDS = new Set(['container', 'command', 'onError', 'timeout']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a Backup from untrusted JSON. Never throws; problems become findings. */
export function readBackup(raw: unknown, origin?: string): BackupModel {
  const findings: Finding[] = [];
  const meta = isObject(raw) && isObject(raw.metadata) ? raw.metadata : {};
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : '<unnamed>';
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  const object = `backup ${namespace ? namespace + '/' : ''}${name}${origin ? ` (${origin})` : ''}`;
  let fatal = false;
  const err = (field: string, code: string, message: string, isFatal = true) => {
    findings.push({ severity: 'error', code, object, field, message });
    if (isFatal) fatal = true;
  };
  const warn = (field: string, code: string, message: string) => findings.push({ severity: 'warning', code, object, field, message });

  const apiVersion = isObject(raw) && typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
  let group: BackupGroup = 'velero.io';
  if (apiVersion.startsWith('ark.heptio.com/')) group = 'ark.heptio.com';
  else if (!apiVersion.startsWith('velero.io/')) {
    warn('apiVersion', 'backup-api-version', `apiVersion ${JSON.stringify(apiVersion)} is neither ark.heptio.com/v1 nor velero.io/v1; reading it as velero.io/v1`);
  }
  const mode: MatchMode = group === 'ark.heptio.com' ? 'exact' : 'glob';

  const spec = isObject(raw) ? raw.spec : undefined;
  const model: BackupModel = {
    object, name, namespace, group, mode,
    includedNamespaces: [], excludedNamespaces: [],
    resources: { includesPods: true, unknown: [] },
    selector: null, orSelectors: null, entries: [], findings, fatal: false,
  };
  if (spec === undefined || spec === null) {
    model.fatal = false;
    return model;
  }
  if (!isObject(spec)) {
    err('spec', 'backup-spec-type', 'spec must be an object');
    model.fatal = fatal;
    return model;
  }
  for (const k of Object.keys(spec)) {
    if (!SPEC_FIELDS.has(k)) warn(`spec.${k}`, 'unknown-field', `unknown field "${k}" in the Backup spec; Velero ignores it (check the spelling)`);
  }

  const stringList = (v: unknown, field: string): string[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      err(field, 'invalid-field-type', `${field} must be a list of strings`);
      return [];
    }
    return v as string[];
  };

  model.includedNamespaces = stringList(spec.includedNamespaces, 'spec.includedNamespaces');
  model.excludedNamespaces = stringList(spec.excludedNamespaces, 'spec.excludedNamespaces');
  validateIncludesExcludes(model.includedNamespaces, model.excludedNamespaces, 'spec.includedNamespaces', err);

  const oldRes = [stringList(spec.includedResources, 'spec.includedResources'), stringList(spec.excludedResources, 'spec.excludedResources')] as const;
  const newRes = [
    stringList(spec.includedNamespaceScopedResources, 'spec.includedNamespaceScopedResources'),
    stringList(spec.excludedNamespaceScopedResources, 'spec.excludedNamespaceScopedResources'),
  ] as const;
  const usesNew = newRes[0].length + newRes[1].length > 0 || spec.includedClusterScopedResources !== undefined || spec.excludedClusterScopedResources !== undefined;
  if (usesNew && oldRes[0].length + oldRes[1].length > 0) {
    err('spec.includedResources', 'mixed-resource-filters', 'includedResources/excludedResources cannot be combined with the *ScopedResources fields; Velero fails the Backup validation: use one style');
  }
  const [inc, exc] = usesNew ? newRes : oldRes;
  validateIncludesExcludes(inc, exc, usesNew ? 'spec.includedNamespaceScopedResources' : 'spec.includedResources', err);
  model.resources = resourcesIncludePods(inc, exc, mode);
  if (!model.resources.includesPods) {
    warn(usesNew ? 'spec.includedNamespaceScopedResources' : 'spec.includedResources', 'backup-excludes-pods',
      'this Backup does not back up pods, so no pod hook runs (#3240): include "pods" in the resource filters');
  }

  if (spec.labelSelector !== undefined && spec.labelSelector !== null) {
    const sel = selectorFromStruct(spec.labelSelector, 'spec.labelSelector');
    if (sel.ok) model.selector = sel.selector;
    else err('spec.labelSelector', 'invalid-selector', `${sel.reason}; the Backup fails before any hook runs`);
  }
  if (spec.orLabelSelectors !== undefined && spec.orLabelSelectors !== null) {
    if (!Array.isArray(spec.orLabelSelectors)) err('spec.orLabelSelectors', 'invalid-field-type', 'spec.orLabelSelectors must be a list of label selectors');
    else {
      if (model.selector) err('spec.orLabelSelectors', 'selector-and-or-selectors', 'labelSelector and orLabelSelectors cannot both be set; Velero fails the Backup validation');
      model.orSelectors = [];
      spec.orLabelSelectors.forEach((s, i) => {
        const sel = selectorFromStruct(s, `spec.orLabelSelectors[${i}]`);
        if (sel.ok) model.orSelectors?.push(sel.selector);
        else err(`spec.orLabelSelectors[${i}]`, 'invalid-selector', `${sel.reason}; the Backup fails before any hook runs`);
      });
    }
  }

  const hooks = spec.hooks;
  if (hooks !== undefined && hooks !== null) {
    if (!isObject(hooks)) err('spec.hooks', 'invalid-field-type', 'spec.hooks must be an object with a "resources" list');
    else if (hooks.resources !== undefined && hooks.resources !== null) {
      if (!Array.isArray(hooks.resources)) err('spec.hooks.resources', 'invalid-field-type', 'spec.hooks.resources must be a list');
      else hooks.resources.forEach((e, i) => {
        const entry = readEntry(e, i, group, mode, object, findings, (isFatal) => (fatal ||= isFatal));
        if (entry) model.entries.push(entry);
      });
    }
  }
  model.fatal = fatal;
  if (fatal) {
    findings.push({ severity: 'error', code: 'backup-would-fail', object, field: 'spec',
      message: `${group === 'ark.heptio.com' ? 'Ark' : 'Velero'} would fail this Backup before running any hook; fix the errors above` });
  }
  return model;
}

function validateIncludesExcludes(inc: string[], exc: string[], field: string, err: (field: string, code: string, message: string) => void) {
  if (inc.includes('*') && inc.length > 1) err(field, 'invalid-includes', `${field} mixes "*" with other names; the Backup fails validation: use "*" alone`);
  if (exc.includes('*')) err(field.replace('included', 'excluded'), 'invalid-excludes', `${field.replace('included', 'excluded')} contains "*"; the Backup fails validation`);
  const both = inc.filter((x) => x !== '*' && exc.includes(x));
  if (both.length > 0) err(field, 'included-and-excluded', `${both.join(', ')} is both included and excluded; the Backup fails validation`);
}

function readEntry(
  raw: unknown,
  index: number,
  group: BackupGroup,
  mode: MatchMode,
  object: string,
  findings: Finding[],
  markFatal: (fatal: boolean) => void,
): SpecEntry | null {
  const field = `spec.hooks.resources[${index}]`;
  const err = (f: string, code: string, message: string, fatal = false) => {
    findings.push({ severity: 'error', code, object, field: f, message });
    markFatal(fatal);
  };
  const warn = (f: string, code: string, message: string) => findings.push({ severity: 'warning', code, object, field: f, message });
  if (!isObject(raw)) {
    err(field, 'invalid-field-type', `${field} must be an object`, true);
    return null;
  }
  for (const k of Object.keys(raw)) {
    if (!ENTRY_FIELDS.has(k)) warn(`${field}.${k}`, 'unknown-field', `unknown field "${k}" in a hook spec; it is ignored (check the spelling)`);
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
  if (mode === 'exact' && excludedNamespaces.includes('*')) {
    warn(`${field}.excludedNamespaces`, 'literal-star', 'Ark matches "*" literally here, so it excludes nothing (Velero would exclude every namespace)');
  }
  const resources = resourcesIncludePods(list(raw.includedResources, `${field}.includedResources`), list(raw.excludedResources, `${field}.excludedResources`), mode);
  if (resources.unknown.length > 0) {
    warn(`${field}.includedResources`, 'unknown-resource',
      mode === 'exact'
        ? `no resource is named ${resources.unknown.join(', ')}; Ark drops unknown names, and a list left empty matches every pod (#2461)`
        : `no resource is named ${resources.unknown.join(', ')}; these names match nothing`);
  }
  if (!resources.includesPods) {
    warn(`${field}.includedResources`, 'hook-excludes-pods', 'hooks only run on pods, so this hook spec never applies: include "pods" (hooks on workloads are never run, #6043)');
  }
  let selector: Selector | null = null;
  if (raw.labelSelector !== undefined && raw.labelSelector !== null) {
    const sel = selectorFromStruct(raw.labelSelector, `${field}.labelSelector`);
    if (sel.ok) selector = sel.selector;
    else err(`${field}.labelSelector`, 'invalid-selector', `${sel.reason}; the whole Backup fails before any hook runs`, true);
  }

  const hookList = (v: unknown, f: string): SpecHook[] => {
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
        warn(hf, 'hook-without-exec', `${hf} has no exec; Ark skips it silently (exec is the only hook type)`);
        return;
      }
      if (!isObject(h.exec)) {
        err(`${hf}.exec`, 'invalid-field-type', `${hf}.exec must be an object`, true);
        return;
      }
      for (const k of Object.keys(h.exec)) {
        if (!EXEC_FIELDS.has(k)) warn(`${hf}.exec.${k}`, 'unknown-field', `unknown field "${k}" in an exec hook; it is ignored (fields: container, command, onError, timeout)`);
      }
      out.push({ field: `${hf}.exec`, container: h.exec.container, command: h.exec.command, onError: h.exec.onError, timeout: h.exec.timeout });
    });
    return out;
  };
  let pre = hookList(raw.pre, `${field}.pre`);
  const post = hookList(raw.post, `${field}.post`);
  if (raw.hooks !== undefined && raw.hooks !== null) {
    if (group === 'velero.io') {
      warn(`${field}.hooks`, 'deprecated-hooks-field', 'the "hooks" field was removed in Velero v1.0 and is ignored: move these hooks to "pre"');
    } else {
      const old = hookList(raw.hooks, `${field}.hooks`);
      if (pre.length === 0) {
        pre = old;
        warn(`${field}.hooks`, 'deprecated-hooks-field', 'the "hooks" field is deprecated; Ark runs it as pre hooks because "pre" is empty: rename it to "pre"');
      } else if (old.length > 0) {
        warn(`${field}.hooks`, 'deprecated-hooks-field', 'the deprecated "hooks" field is ignored because "pre" is set');
      }
    }
  }
  return { index, name, field, includedNamespaces, excludedNamespaces, resources, selector, hooks: { pre, post } };
}

/** Whether a spec entry applies to a pod (resourceHook.applicableTo). */
export function entryApplies(entry: SpecEntry, pod: PodInput, mode: MatchMode): boolean {
  if (!shouldInclude(entry.includedNamespaces, entry.excludedNamespaces, pod.namespace, mode)) return false;
  if (!entry.resources.includesPods) return false;
  return entry.selector === null || matches(entry.selector, pod.labels);
}

/** Whether the Backup backs this pod up, and if not, why. */
export function backupCovers(backup: BackupModel, pod: PodInput): { covered: true } | { covered: false; reason: string } {
  if (backup.fatal) return { covered: false, reason: 'the Backup would fail before processing any item' };
  if (!shouldInclude(backup.includedNamespaces, backup.excludedNamespaces, pod.namespace, backup.mode)) {
    return { covered: false, reason: `namespace "${pod.namespace}" is not in the Backup's namespaces` };
  }
  if (!backup.resources.includesPods) return { covered: false, reason: 'the Backup does not include pods' };
  if (backup.selector && !matches(backup.selector, pod.labels)) {
    return { covered: false, reason: `the pod's labels do not match the Backup's labelSelector "${backup.selector.text}"` };
  }
  if (backup.orSelectors && backup.orSelectors.length > 0 && !backup.orSelectors.some((s) => matches(s, pod.labels))) {
    return { covered: false, reason: "the pod's labels match none of the Backup's orLabelSelectors" };
  }
  if (backup.group === 'velero.io' && pod.labels['velero.io/exclude-from-backup'] === 'true') {
    return { covered: false, reason: 'the pod is labelled velero.io/exclude-from-backup=true' };
  }
  return { covered: true };
}
