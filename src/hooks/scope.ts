// Include/exclude matching (hooks-spec A5 "ShouldInclude", A7) and resource name resolution.

/** Ark matches include/exclude lists literally; Velero (>= v1.0.1) matches globs. */
export type MatchMode = 'exact' | 'glob';

const globCache = new Map<string, RegExp>();

/** gobwas/glob syntax without separators: `*`, `?`, `[abc]`, `[!a-z]`, `{a,b}`, `\` escapes. */
export function globToRegExp(pattern: string): RegExp {
  const cached = globCache.get(pattern);
  if (cached) return cached;
  let re = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[++i] as string);
    } else if (c === '*') {
      re += '.*';
    } else if (c === '?') {
      re += '.';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
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
  let compiled: RegExp;
  try {
    compiled = new RegExp('^' + re + ')'.repeat(depth) + '$', 's');
  } catch {
    compiled = new RegExp('^' + escapeRe(pattern) + '$');
  }
  globCache.set(pattern, compiled);
  return compiled;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function listHas(list: readonly string[], value: string, mode: MatchMode): boolean {
  return mode === 'exact' ? list.includes(value) : list.some((p) => globToRegExp(p).test(value));
}

/** Ark's IncludesExcludes.ShouldInclude. */
export function shouldInclude(includes: readonly string[], excludes: readonly string[], value: string, mode: MatchMode): boolean {
  if (listHas(excludes, value, mode)) return false;
  return includes.length === 0 || includes.includes('*') || listHas(includes, value, mode);
}

// Names that discovery resolves for the resources people put in Backups. Only whether a name means
// "pods" matters for hooks; the rest tell a known-but-not-pods name apart from an unknown one.
const KNOWN_RESOURCES: Record<string, string[]> = {
  pods: ['pod', 'po'],
  persistentvolumeclaims: ['persistentvolumeclaim', 'pvc'],
  persistentvolumes: ['persistentvolume', 'pv'],
  deployments: ['deployment', 'deploy', 'deployments.apps'],
  statefulsets: ['statefulset', 'sts', 'statefulsets.apps'],
  daemonsets: ['daemonset', 'ds', 'daemonsets.apps'],
  replicasets: ['replicaset', 'rs', 'replicasets.apps'],
  replicationcontrollers: ['replicationcontroller', 'rc'],
  jobs: ['job', 'jobs.batch'],
  cronjobs: ['cronjob', 'cj', 'cronjobs.batch'],
  services: ['service', 'svc'],
  configmaps: ['configmap', 'cm'],
  secrets: ['secret'],
  serviceaccounts: ['serviceaccount', 'sa'],
  namespaces: ['namespace', 'ns'],
  endpoints: ['endpoint', 'ep'],
  events: ['event', 'ev'],
  ingresses: ['ingress', 'ing', 'ingresses.networking.k8s.io'],
  nodes: ['node', 'no'],
  storageclasses: ['storageclass', 'sc'],
  volumesnapshots: ['volumesnapshot', 'vs'],
  customresourcedefinitions: ['customresourcedefinition', 'crd', 'crds'],
  roles: ['role'],
  rolebindings: ['rolebinding'],
  clusterroles: ['clusterrole'],
  clusterrolebindings: ['clusterrolebinding'],
  horizontalpodautoscalers: ['horizontalpodautoscaler', 'hpa'],
  poddisruptionbudgets: ['poddisruptionbudget', 'pdb'],
  networkpolicies: ['networkpolicy', 'netpol'],
  limitranges: ['limitrange', 'limits'],
  resourcequotas: ['resourcequota', 'quota'],
};

const ALIASES = new Map<string, string>();
for (const [plural, aliases] of Object.entries(KNOWN_RESOURCES)) {
  ALIASES.set(plural, plural);
  for (const a of aliases) ALIASES.set(a, plural);
}
ALIASES.set('pods.', 'pods');

/** The canonical plural resource a name resolves to, or null when discovery would not know it. */
export function resolveResource(name: string): string | null {
  return ALIASES.get(name.toLowerCase()) ?? null;
}

export interface ResourceCheck {
  includesPods: boolean;
  /** Names that were dropped (Ark) or kept literally (Velero) because no resource has that name. */
  unknown: string[];
}

/**
 * Whether an include/exclude pair of resource names lets pods through. Ark (exact mode) drops
 * names discovery cannot resolve, so a list of only unknown names matches everything (#2461);
 * Velero keeps them, so they match nothing.
 */
export function resourcesIncludePods(includes: readonly string[], excludes: readonly string[], mode: MatchMode): ResourceCheck {
  const unknown: string[] = [];
  const norm = (list: readonly string[]) => {
    const out: string[] = [];
    for (const n of list) {
      if (n === '*') {
        out.push('*');
        continue;
      }
      const r = resolveResource(n);
      if (r) out.push(r);
      else {
        unknown.push(n);
        if (mode === 'glob') out.push(n);
      }
    }
    return out;
  };
  const inc = norm(includes);
  const exc = norm(excludes);
  return { includesPods: shouldInclude(inc, exc, 'pods', mode), unknown };
}
