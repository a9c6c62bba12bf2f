// Discovery (which API groups and resources the cluster serves, fetched once per run) and target
// detection: which Ark or Velero version the cluster runs, from its CRDs, a ServerStatusRequest
// (what `velero version` does) or the image tag of the server's Deployment.

import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { ResourceIndex, ResourceInfo } from '../hooks/scope.ts';
import type { Target } from '../hooks/targets.ts';
import { NEWEST_ARK, NEWEST_VELERO, describeTarget, parseVersion, targetForVersion } from '../hooks/targets.ts';
import type { Cluster, RawObject } from './cluster.ts';
import { isObject } from '../hooks/json.ts';
import { apiClient, getDocument } from './http.ts';

/** GET a JSON document from the API server, through the transport every REST call uses (kube/http.ts). */
export function getJson(cluster: Cluster, path: string, accept = 'application/json'): Promise<unknown> {
  return getDocument(cluster.kc, path, accept, cluster.requestTimeoutMs);
}

interface GroupVersion {
  group: string;
  version: string;
}

/** Aggregated discovery (Kubernetes 1.30+): every group's resources in one document; plain JSON otherwise. */
const AGGREGATED =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

/** The resources of an APIGroupDiscoveryList, or null when the document is not one. */
function aggregatedResources(doc: unknown): { groups: GroupVersion[]; resources: ResourceInfo[] } | null {
  if (!isObject(doc) || doc.kind !== 'APIGroupDiscoveryList' || !Array.isArray(doc.items)) return null;
  const groups: GroupVersion[] = [];
  const resources: ResourceInfo[] = [];
  for (const item of doc.items) {
    if (!isObject(item)) continue;
    const group = isObject(item.metadata) && typeof item.metadata.name === 'string' ? item.metadata.name : '';
    const versions = Array.isArray(item.versions) ? item.versions.filter(isObject) : [];
    const preferred = versions[0];
    if (!preferred || typeof preferred.version !== 'string') continue;
    groups.push({ group, version: preferred.version });
    for (const r of Array.isArray(preferred.resources) ? preferred.resources : []) {
      if (!isObject(r) || typeof r.resource !== 'string') continue;
      resources.push({
        plural: r.resource.toLowerCase(),
        singular:
          typeof r.singularResource === 'string' && r.singularResource ? r.singularResource.toLowerCase() : r.resource.toLowerCase(),
        group,
        namespaced: r.scope === 'Namespaced',
        shortNames: Array.isArray(r.shortNames)
          ? r.shortNames.filter((x): x is string => typeof x === 'string').map((x) => x.toLowerCase())
          : [],
      });
    }
  }
  return { groups, resources };
}

/** Discovery results, fetched on first use and kept for the run. */
export class Discovery {
  private groupsP: Promise<GroupVersion[]> | undefined;
  private resourcesP: Promise<ResourceIndex> | undefined;
  private readonly versions = new Map<string, Promise<ResourceInfo[]>>();
  /** Requests sent, for tests and reports. */
  requests = 0;
  private readonly cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  private get(path: string, accept?: string): Promise<unknown> {
    this.requests++;
    return this.cluster.read(`read the API discovery document ${path}`, () => getJson(this.cluster, path, accept));
  }

  /** Set when the server answered /apis with aggregated discovery. */
  private aggregated: ResourceInfo[] | null = null;

  /** The API groups served, with their preferred versions (GET /apis). */
  groups(): Promise<GroupVersion[]> {
    this.groupsP ??= this.get('/apis', AGGREGATED).then((doc) => {
      const agg = aggregatedResources(doc);
      if (agg) {
        this.aggregated = agg.resources;
        return agg.groups;
      }
      const out: GroupVersion[] = [];
      const groups = isObject(doc) && Array.isArray(doc.groups) ? doc.groups : [];
      for (const g of groups) {
        if (!isObject(g) || typeof g.name !== 'string') continue;
        const pref =
          isObject(g.preferredVersion) && typeof g.preferredVersion.version === 'string' ? g.preferredVersion.version : undefined;
        const first =
          Array.isArray(g.versions) && isObject(g.versions[0]) && typeof g.versions[0].version === 'string'
            ? g.versions[0].version
            : undefined;
        const version = pref ?? first;
        if (version) out.push({ group: g.name, version });
      }
      return out;
    });
    return this.groupsP;
  }

  /** The resources of one group version (GET /api/v1 or /apis/G/V). */
  resourcesOf(group: string, version: string): Promise<ResourceInfo[]> {
    if (this.aggregated && group !== '') return Promise.resolve(this.aggregated.filter((r) => r.group === group));
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    let p = this.versions.get(path);
    if (!p) {
      p = this.get(path).then((doc) => {
        const list = isObject(doc) && Array.isArray(doc.resources) ? doc.resources : [];
        const out: ResourceInfo[] = [];
        for (const r of list) {
          if (!isObject(r) || typeof r.name !== 'string' || r.name.includes('/')) continue;
          out.push({
            plural: r.name.toLowerCase(),
            singular: typeof r.singularName === 'string' && r.singularName ? r.singularName.toLowerCase() : r.name.toLowerCase(),
            group,
            namespaced: r.namespaced === true,
            shortNames: Array.isArray(r.shortNames)
              ? r.shortNames.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase())
              : [],
          });
        }
        return out;
      });
      this.versions.set(path, p);
    }
    return p;
  }

  /** Every served resource: the index that resolves Backup resource names as Ark/Velero would. */
  index(): Promise<ResourceIndex> {
    this.resourcesP ??= (async () => {
      const groups = await this.groups();
      if (this.aggregated) {
        // Two documents in all: /apis (already read) and the core group at /api.
        const core = aggregatedResources(await this.get('/api', AGGREGATED));
        const coreResources = core ? core.resources : await this.resourcesOf('', 'v1');
        return { resources: [...coreResources, ...this.aggregated], complete: true };
      }
      const lists = await Promise.all([this.resourcesOf('', 'v1'), ...groups.map((g) => this.resourcesOf(g.group, g.version))]);
      return { resources: lists.flat(), complete: true };
    })();
    return this.resourcesP;
  }
}

export interface Detection {
  target: Target;
  /** True when the version was found; false means the fallback (newest Velero) is used. */
  detected: boolean;
  /** One line for stderr: what was detected and from what. */
  line: string;
}

export interface DetectOptions {
  /** Velero's (or Ark's) namespace; default velero / heptio-ark. */
  namespace?: string | undefined;
  /** Whether a ServerStatusRequest may be created (not in dry-run). */
  allowCreate: boolean;
  /** How many times to read the ServerStatusRequest back before giving up. */
  polls?: number;
  pollIntervalMs?: number;
}

/** A version tag of an image reference: "velero/velero:v1.12.3" → "v1.12.3"; digests and "latest" → null. */
export function versionFromImage(image: string): string | null {
  if (image.includes('@')) return null;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return null;
  const tag = image.slice(colon + 1);
  return parseVersion(tag) ? tag : null;
}

const sanitize = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);

async function fromServerStatus(
  cluster: Cluster,
  discovery: Discovery,
  ns: string,
  o: DetectOptions,
): Promise<{ version?: string; why: string }> {
  const velero = (await discovery.groups()).find((g) => g.group === 'velero.io');
  if (!velero) return { why: 'no velero.io API' };
  const res = await discovery.resourcesOf('velero.io', velero.version).catch(() => [] as ResourceInfo[]);
  if (!res.some((r) => r.plural === 'serverstatusrequests')) return { why: 'the cluster has no serverstatusrequests.velero.io' };
  if (!o.allowCreate) return { why: 'a dry run does not create a ServerStatusRequest' };
  const api = apiClient(cluster.kc, CustomObjectsApi);
  const coords = { group: 'velero.io', version: velero.version, namespace: ns, plural: 'serverstatusrequests' };
  let created: RawObject;
  try {
    created = (await api.createNamespacedCustomObject(
      {
        ...coords,
        body: { apiVersion: `velero.io/${velero.version}`, kind: 'ServerStatusRequest', metadata: { generateName: 'ark-hooks-' } },
      },
      cluster.callOptions(),
    )) as RawObject;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return {
      why:
        code === 403
          ? `no permission to create serverstatusrequests.velero.io in namespace "${ns}"`
          : code === 404
            ? `namespace "${ns}" does not exist`
            : 'creating a ServerStatusRequest failed',
    };
  }
  const name = isObject(created.metadata) && typeof created.metadata.name === 'string' ? created.metadata.name : '';
  const polls = o.polls ?? 20;
  const interval = o.pollIntervalMs ?? 250;
  let version: string | undefined;
  for (let i = 0; i < polls && name; i++) {
    const got = (await api.getNamespacedCustomObject({ ...coords, name }, cluster.callOptions()).catch(() => null)) as RawObject | null;
    const status = got && isObject(got.status) ? got.status : undefined;
    if (status?.phase === 'Processed' && typeof status.serverVersion === 'string') {
      version = status.serverVersion;
      break;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  // The server deletes processed requests itself after a while; remove ours now.
  if (name) await api.deleteNamespacedCustomObject({ ...coords, name }, cluster.callOptions()).catch(() => undefined);
  if (!version) return { why: `the Velero server did not answer a ServerStatusRequest in namespace "${ns}" (is it running?)` };
  return { version, why: '' };
}

async function fromImage(cluster: Cluster, ns: string, deployment: string, container: string): Promise<{ version?: string; why: string }> {
  const api = apiClient(cluster.kc, AppsV1Api);
  let dep: unknown;
  try {
    dep = await api.readNamespacedDeployment({ name: deployment, namespace: ns }, cluster.callOptions());
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return {
      why:
        code === 404
          ? `no Deployment "${deployment}" in namespace "${ns}"`
          : code === 403
            ? `no permission to read Deployment "${deployment}" in namespace "${ns}"`
            : `reading Deployment "${deployment}" failed`,
    };
  }
  const containers =
    (dep as { spec?: { template?: { spec?: { containers?: { name?: string; image?: string }[] } } } }).spec?.template?.spec?.containers ??
    [];
  const c = containers.find((x) => x.name === container);
  if (!c || typeof c.image !== 'string') return { why: `Deployment "${deployment}" has no container "${container}"` };
  const tag = versionFromImage(c.image);
  if (!tag) return { why: `the image ${JSON.stringify(sanitize(c.image))} of Deployment "${deployment}" has no version tag` };
  return { version: tag, why: `image ${sanitize(c.image)}` };
}

/** Which Ark/Velero version the cluster runs. Never throws for a missing piece: falls back with a reason. */
export async function detectTarget(cluster: Cluster, discovery: Discovery, o: DetectOptions): Promise<Detection> {
  const fallback = (why: string): Detection => ({
    target: NEWEST_VELERO,
    detected: false,
    line: `ark-hooks: cannot tell which Ark/Velero version this cluster runs (${why}); judging by the newest Velero: ${NEWEST_VELERO.name} (${describeTarget(NEWEST_VELERO)}); pass --target to choose`,
  });
  // A cluster that cannot be reached or refuses us fails here with the same one-line error a list would.
  const groups = await discovery.groups();
  const hasVelero = groups.some((g) => g.group === 'velero.io');
  const hasArk = groups.some((g) => g.group === 'ark.heptio.com');
  if (!hasVelero && !hasArk) return fallback('no velero.io or ark.heptio.com CRDs are installed');
  const product = hasVelero ? 'velero' : 'ark';
  const ns = o.namespace ?? (product === 'velero' ? 'velero' : 'heptio-ark');
  const found = (version: string, from: string): Detection | null => {
    const parsed = parseVersion(version);
    if (!parsed) return null;
    const t = targetForVersion(parsed, product);
    if (!t.ok) return null;
    return {
      target: t.target,
      detected: true,
      line: `ark-hooks: target ${t.target.name} (${describeTarget(t.target)}): ${product === 'velero' ? 'Velero' : 'Ark'} server ${sanitize(version)} detected from ${from}${t.note ? `; ${t.note}` : ''}`,
    };
  };
  const reasons: string[] = [];
  if (product === 'velero') {
    const ssr = await fromServerStatus(cluster, discovery, ns, o).catch(
      () => ({ why: 'a ServerStatusRequest failed' }) as { version?: string; why: string },
    );
    if (ssr.version) {
      const d = found(ssr.version, `a ServerStatusRequest in namespace "${ns}"`);
      if (d) return d;
      reasons.push(`the server reported the version ${JSON.stringify(sanitize(ssr.version))}`);
    } else reasons.push(ssr.why);
  }
  const img = await fromImage(cluster, ns, product === 'velero' ? 'velero' : 'ark', product === 'velero' ? 'velero' : 'ark').catch(
    () => ({ why: 'reading the server Deployment failed' }) as { version?: string; why: string },
  );
  if (img.version) {
    const d = found(img.version, `the ${img.why} of Deployment "${product === 'velero' ? 'velero' : 'ark'}" in namespace "${ns}"`);
    if (d) return d;
  }
  reasons.push(img.why);
  if (product === 'ark') {
    return {
      target: NEWEST_ARK,
      detected: false,
      line: `ark-hooks: the cluster serves ark.heptio.com (Ark) but its version is unknown (${reasons.join('; ')}); judging by ${NEWEST_ARK.name} (${describeTarget(NEWEST_ARK)}); pass --target to choose`,
    };
  }
  return fallback(`velero.io CRDs are installed, but ${reasons.join('; ')}`);
}
