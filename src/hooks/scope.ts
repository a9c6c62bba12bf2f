// Include/exclude matching (collections.IncludesExcludes of each target) and resource name
// resolution (what discovery's ResourceFor would answer). Pure: a cluster's discovery data comes in
// as a ResourceIndex built by the caller; offline, the built-in table below stands in for it.

/** Ark matches include/exclude lists literally; Velero (>= v1.0.1) matches gobwas globs. */
export type MatchMode = 'exact' | 'glob';

const globCache = new Map<string, RegExp | null>();

/**
 * gobwas/glob without separators: `*`, `?`, `[abc]`, `[!a-z]`, `{a,b}`, `\` escapes. Returns null
 * where glob.Compile fails (an unclosed `[` or `{`, an empty class).
 */
export function compileGlob(pattern: string): RegExp | null {
  if (globCache.has(pattern)) return globCache.get(pattern) as RegExp | null;
  let re = '';
  let depth = 0;
  let ok = true;
  for (let i = 0; i < pattern.length && ok; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      if (i + 1 >= pattern.length) ok = false;
      else re += escapeRe(pattern[++i] as string);
    } else if (c === '*') {
      re += '.*';
    } else if (c === '?') {
      re += '.';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        ok = false;
        break;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      if (body === '') {
        ok = false;
        break;
      }
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => '\\' + m)}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) {
      re += '|';
    } else {
      re += escapeRe(c);
    }
  }
  let compiled: RegExp | null = null;
  if (ok && depth === 0) {
    try {
      compiled = new RegExp('^' + re + '$', 's');
    } catch {
      compiled = null;
    }
  }
  globCache.set(pattern, compiled);
  return compiled;
}

/** Whether a glob matches; a pattern that does not compile matches nothing. */
export function globMatches(pattern: string, value: string): boolean {
  return compileGlob(pattern)?.test(value) ?? false;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * globStringSet.match (pkg/util/collections@v1.0.1): the set is walked in sorted order and the first
 * pattern that fails to compile ends the walk with "no match".
 */
function globSetMatch(list: readonly string[], value: string): boolean {
  for (const p of [...new Set(list)].sort()) {
    const g = compileGlob(p);
    if (g === null) return false;
    if (g.test(value)) return true;
  }
  return false;
}

export function listHas(list: readonly string[], value: string, mode: MatchMode): boolean {
  return mode === 'exact' ? list.includes(value) : globSetMatch(list, value);
}

/** IncludesExcludes.ShouldInclude: excludes win; empty includes or a literal "*" include everything. */
export function shouldInclude(includes: readonly string[], excludes: readonly string[], value: string, mode: MatchMode): boolean {
  if (listHas(excludes, value, mode)) return false;
  return includes.length === 0 || includes.includes('*') || listHas(includes, value, mode);
}

// ---------------------------------------------------------------------------------------------
// Resource names

export interface ResourceInfo {
  /** Plural resource name, lower case. */
  plural: string;
  singular: string;
  group: string;
  namespaced: boolean;
  shortNames: string[];
}

/** What discovery knows: the served resources. `complete` is false for the offline table. */
export interface ResourceIndex {
  resources: readonly ResourceInfo[];
  /** True when built from the cluster's discovery; false for the built-in table (CRDs unknown). */
  complete: boolean;
}

const r = (plural: string, singular: string, group: string, namespaced: boolean, ...shortNames: string[]): ResourceInfo => ({
  plural,
  singular,
  group,
  namespaced,
  shortNames,
});

/** The built-in API of Kubernetes (v1.35), for offline runs. CRDs are not in it. */
export const BUILTIN_RESOURCES: readonly ResourceInfo[] = [
  r('pods', 'pod', '', true, 'po'),
  r('services', 'service', '', true, 'svc'),
  r('configmaps', 'configmap', '', true, 'cm'),
  r('secrets', 'secret', '', true),
  r('serviceaccounts', 'serviceaccount', '', true, 'sa'),
  r('persistentvolumeclaims', 'persistentvolumeclaim', '', true, 'pvc'),
  r('persistentvolumes', 'persistentvolume', '', false, 'pv'),
  r('namespaces', 'namespace', '', false, 'ns'),
  r('nodes', 'node', '', false, 'no'),
  r('endpoints', 'endpoints', '', true, 'ep'),
  r('events', 'event', '', true, 'ev'),
  r('limitranges', 'limitrange', '', true, 'limits'),
  r('resourcequotas', 'resourcequota', '', true, 'quota'),
  r('replicationcontrollers', 'replicationcontroller', '', true, 'rc'),
  r('podtemplates', 'podtemplate', '', true),
  r('componentstatuses', 'componentstatus', '', false, 'cs'),
  r('bindings', 'binding', '', true),
  r('deployments', 'deployment', 'apps', true, 'deploy'),
  r('statefulsets', 'statefulset', 'apps', true, 'sts'),
  r('daemonsets', 'daemonset', 'apps', true, 'ds'),
  r('replicasets', 'replicaset', 'apps', true, 'rs'),
  r('controllerrevisions', 'controllerrevision', 'apps', true),
  r('jobs', 'job', 'batch', true),
  r('cronjobs', 'cronjob', 'batch', true, 'cj'),
  r('horizontalpodautoscalers', 'horizontalpodautoscaler', 'autoscaling', true, 'hpa'),
  r('poddisruptionbudgets', 'poddisruptionbudget', 'policy', true, 'pdb'),
  r('roles', 'role', 'rbac.authorization.k8s.io', true),
  r('rolebindings', 'rolebinding', 'rbac.authorization.k8s.io', true),
  r('clusterroles', 'clusterrole', 'rbac.authorization.k8s.io', false),
  r('clusterrolebindings', 'clusterrolebinding', 'rbac.authorization.k8s.io', false),
  r('ingresses', 'ingress', 'networking.k8s.io', true, 'ing'),
  r('ingressclasses', 'ingressclass', 'networking.k8s.io', false),
  r('networkpolicies', 'networkpolicy', 'networking.k8s.io', true, 'netpol'),
  r('ipaddresses', 'ipaddress', 'networking.k8s.io', false, 'ip'),
  r('servicecidrs', 'servicecidr', 'networking.k8s.io', false),
  r('storageclasses', 'storageclass', 'storage.k8s.io', false, 'sc'),
  r('volumeattachments', 'volumeattachment', 'storage.k8s.io', false),
  r('csidrivers', 'csidriver', 'storage.k8s.io', false),
  r('csinodes', 'csinode', 'storage.k8s.io', false),
  r('csistoragecapacities', 'csistoragecapacity', 'storage.k8s.io', true),
  r('volumeattributesclasses', 'volumeattributesclass', 'storage.k8s.io', false, 'vac'),
  r('customresourcedefinitions', 'customresourcedefinition', 'apiextensions.k8s.io', false, 'crd', 'crds'),
  r('mutatingwebhookconfigurations', 'mutatingwebhookconfiguration', 'admissionregistration.k8s.io', false),
  r('validatingwebhookconfigurations', 'validatingwebhookconfiguration', 'admissionregistration.k8s.io', false),
  r('validatingadmissionpolicies', 'validatingadmissionpolicy', 'admissionregistration.k8s.io', false),
  r('validatingadmissionpolicybindings', 'validatingadmissionpolicybinding', 'admissionregistration.k8s.io', false),
  r('certificatesigningrequests', 'certificatesigningrequest', 'certificates.k8s.io', false, 'csr'),
  r('leases', 'lease', 'coordination.k8s.io', true),
  r('endpointslices', 'endpointslice', 'discovery.k8s.io', true),
  r('events', 'event', 'events.k8s.io', true, 'ev'),
  r('flowschemas', 'flowschema', 'flowcontrol.apiserver.k8s.io', false),
  r('prioritylevelconfigurations', 'prioritylevelconfiguration', 'flowcontrol.apiserver.k8s.io', false),
  r('runtimeclasses', 'runtimeclass', 'node.k8s.io', false),
  r('priorityclasses', 'priorityclass', 'scheduling.k8s.io', false, 'pc'),
  r('apiservices', 'apiservice', 'apiregistration.k8s.io', false),
  r('resourceclaims', 'resourceclaim', 'resource.k8s.io', true),
  r('resourceclaimtemplates', 'resourceclaimtemplate', 'resource.k8s.io', true),
  r('deviceclasses', 'deviceclass', 'resource.k8s.io', false),
  r('resourceslices', 'resourceslice', 'resource.k8s.io', false),
];

export const OFFLINE_INDEX: ResourceIndex = { resources: BUILTIN_RESOURCES, complete: false };

export type Resolution =
  | { kind: 'resolved'; groupResource: string; namespaced: boolean }
  /** Discovery does not know the name. */
  | { kind: 'unknown' }
  /** Offline: not a built-in resource; a CRD in the cluster may or may not have this name. */
  | { kind: 'unsure' };

/**
 * discovery.Helper.ResourceFor(schema.ParseGroupResource(name)): the name is lower-cased, split at
 * its first dot into resource and group, and matched against plural, singular and short names;
 * with no group, the core group wins.
 */
export function resolveResource(name: string, index: ResourceIndex): Resolution {
  // A glob or an empty name is never a resource name, in a cluster or offline.
  if (name === '' || /[*?[\]{}\\]/.test(name)) return { kind: 'unknown' };
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const resource = dot < 0 ? lower : lower.slice(0, dot);
  const group = dot < 0 ? null : lower.slice(dot + 1);
  const hits = index.resources.filter(
    (x) =>
      (group === null || x.group === group) &&
      (x.plural === resource || x.singular === resource || (group === null && x.shortNames.includes(resource))),
  );
  const hit = hits.find((x) => x.group === '') ?? hits[0];
  if (hit) return { kind: 'resolved', groupResource: hit.group ? `${hit.plural}.${hit.group}` : hit.plural, namespaced: hit.namespaced };
  return index.complete ? { kind: 'unknown' } : { kind: 'unsure' };
}

export interface ResourceFilterOptions {
  mode: MatchMode;
  /** What happens to a name discovery cannot resolve. */
  unresolvable: 'drop' | 'keep';
  index: ResourceIndex;
  /** Scoped filters (v1.11): drop names of the other scope. */
  scope?: 'namespaced';
}

export interface ResourceCheck {
  includesPods: boolean;
  /** Names that discovery does not know (dropped or kept per target). */
  unknown: string[];
  /** Offline only: names that may be CRDs; `includesPods` assumes they exist. */
  unsure: string[];
  /** Whether pods are included if the unsure names do not exist in the cluster. */
  includesPodsIfMissing: boolean;
  /** Cluster-scoped names dropped from a namespace-scoped list (v1.11). */
  wrongScope: string[];
}

/**
 * Whether an include/exclude pair of resource names lets pods through (GenerateIncludesExcludes
 * with discovery's mapping; "*" in excludes is dropped: v1.4 does so explicitly, older versions
 * because discovery cannot resolve "*").
 */
export function resourcesIncludePods(includes: readonly string[], excludes: readonly string[], o: ResourceFilterOptions): ResourceCheck {
  const unknown: string[] = [];
  const unsure: string[] = [];
  const wrongScope: string[] = [];
  const map = (list: readonly string[], isExclude: boolean, unsureExists: boolean): string[] => {
    const out: string[] = [];
    for (const n of list) {
      if (n === '*') {
        if (!isExclude) out.push('*');
        else if (o.scope === 'namespaced') out.push('*');
        continue;
      }
      const res = resolveResource(n, o.index);
      if (res.kind === 'resolved') {
        if (o.scope === 'namespaced' && !res.namespaced) {
          if (!wrongScope.includes(n)) wrongScope.push(n);
          continue;
        }
        out.push(res.groupResource);
        continue;
      }
      if (res.kind === 'unsure') {
        if (!unsure.includes(n)) unsure.push(n);
        // Assume the name exists as some resource that is not pods (a CRD), or that it does not.
        if (unsureExists) out.push(`${n}\u0000crd`);
        else if (o.unresolvable === 'keep' || o.scope === 'namespaced') out.push(n);
        continue;
      }
      if (!unknown.includes(n)) unknown.push(n);
      if (o.unresolvable === 'keep' || o.scope === 'namespaced') out.push(n);
    }
    return out;
  };
  const decide = (exists: boolean) => {
    const inc = map(includes, false, exists);
    const exc = map(excludes, true, exists);
    if (o.scope === 'namespaced') {
      // ScopeIncludesExcludes.ShouldInclude@v1.11.0: a literal "*" exclude excludes every namespaced type.
      if (
        exc.includes('*') ||
        listHas(
          exc.filter((x) => x !== '*'),
          'pods',
          o.mode,
        )
      )
        return false;
      return inc.length === 0 || inc.includes('*') || listHas(inc, 'pods', o.mode);
    }
    return shouldInclude(inc, exc, 'pods', o.mode);
  };
  const includesPods = decide(true);
  const includesPodsIfMissing = unsure.length > 0 ? decide(false) : includesPods;
  return { includesPods, unknown, unsure, includesPodsIfMissing, wrongScope };
}
