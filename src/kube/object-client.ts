// Generic reads and annotation patches of pods and workloads (KubernetesObjectApi, so one code
// path serves every kind). Patches are merge patches holding only the hook keys.

import { PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { objectApi } from './http.ts';
import type { KubernetesObject } from '@kubernetes/client-node';
import { UserError } from '../errors.ts';
import type { Cluster, RawObject } from './cluster.ts';
import { checkContinue } from './cluster.ts';

export interface KindInfo {
  kind: string;
  apiVersion: string;
  /** kubectl's name for output: "pod", "deployment.apps". */
  display: string;
}

export class ObjectClient {
  private readonly api: KubernetesObjectApi;
  private readonly cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.api = objectApi(cluster.kc);
  }

  async get(kind: KindInfo, namespace: string, name: string): Promise<RawObject> {
    const obj = await this.cluster.read(`get ${kind.display} "${name}" in namespace "${namespace}"`, () =>
      this.api.read({ apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name, namespace } }),
    );
    return JSON.parse(JSON.stringify(obj)) as RawObject;
  }

  async list(kind: KindInfo, namespace: string | null, labelSelector: string | undefined): Promise<RawObject[]> {
    const out: RawObject[] = [];
    let cont: string | undefined;
    const tokens = new Set<string>();
    const action = `list ${kind.display} ${namespace ? `in namespace "${namespace}"` : 'in all namespaces'}`;
    do {
      const page = await this.cluster.read(action, () =>
        this.api.list(
          kind.apiVersion,
          kind.kind,
          namespace ?? undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          labelSelector,
          500,
          cont,
        ),
      );
      if (!Array.isArray(page?.items)) throw new UserError(`the API server answered the request to ${action} without a list of items`);
      for (const item of JSON.parse(JSON.stringify(page.items)) as RawObject[]) out.push(item);
      cont =
        (page.metadata as { _continue?: string; continue?: string } | undefined)?._continue ||
        (page.metadata as { continue?: string } | undefined)?.continue ||
        undefined;
      checkContinue(tokens, cont, action);
    } while (cont);
    return out;
  }

  /** Merge-patches annotations at `path` (["metadata"] or a pod template's metadata path). */
  async patchAnnotations(
    kind: KindInfo,
    namespace: string,
    name: string,
    path: readonly string[],
    changes: Record<string, string | null>,
    dryRun: boolean,
  ): Promise<RawObject> {
    let body: Record<string, unknown> = { annotations: changes };
    for (const p of [...path].reverse()) body = { [p]: body };
    const metadata = { ...((body.metadata as Record<string, unknown> | undefined) ?? {}), name, namespace };
    const spec = { apiVersion: kind.apiVersion, kind: kind.kind, ...body, metadata } as KubernetesObject;
    const obj = await this.cluster.call(`patch ${kind.display} "${name}" in namespace "${namespace}"`, () =>
      this.api.patch(spec, undefined, dryRun ? 'All' : undefined, 'kubectl-ark-hooks', undefined, PatchStrategy.MergePatch),
    );
    return JSON.parse(JSON.stringify(obj)) as RawObject;
  }
}
