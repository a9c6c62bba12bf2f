// RBAC pre-flight checks (SelfSubjectAccessReview) and the audit trail (core/v1 Events).

import { AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { AccessCheck } from '../report/plan-report.ts';
import type { Cluster } from './cluster.ts';
import { apiClient } from './http.ts';

export type { AccessCheck };

export async function canI(
  cluster: Cluster,
  namespace: string,
  verb: string,
  resource: string,
  subresource?: string,
  group = '',
): Promise<AccessCheck> {
  const api = apiClient(cluster.kc, AuthorizationV1Api);
  const res = await cluster.read(
    `check access to ${verb} ${resource}${subresource ? '/' + subresource : ''} in namespace "${namespace}"`,
    () =>
      api.createSelfSubjectAccessReview(
        { body: { spec: { resourceAttributes: { namespace, verb, resource, group, ...(subresource ? { subresource } : {}) } } } },
        cluster.callOptions(),
      ),
  );
  const check: AccessCheck = { namespace, verb, resource, allowed: res.status?.allowed === true };
  if (subresource) check.subresource = subresource;
  const reason = res.status?.reason ?? res.status?.evaluationError;
  if (reason) check.reason = reason;
  return check;
}

/** What running hooks needs per namespace: the WebSocket upgrade is a GET, newer clusters also want create. */
export async function execAccess(cluster: Cluster, namespaces: readonly string[]): Promise<AccessCheck[]> {
  const checks: AccessCheck[] = [];
  for (const ns of namespaces) {
    for (const verb of ['get', 'create']) checks.push(await canI(cluster, ns, verb, 'pods', 'exec'));
  }
  return checks;
}

export interface HookEvent {
  namespace: string;
  pod: string;
  uid?: string | undefined;
  reason: string;
  message: string;
  warning: boolean;
}

export async function recordEvent(cluster: Cluster, e: HookEvent): Promise<void> {
  const api = apiClient(cluster.kc, CoreV1Api);
  const now = new Date();
  await cluster.call(`record an event on pod "${e.pod}"`, () =>
    api.createNamespacedEvent(
      {
        namespace: e.namespace,
        body: {
          metadata: { generateName: `${e.pod}.ark-hooks-`, namespace: e.namespace },
          involvedObject: { kind: 'Pod', apiVersion: 'v1', name: e.pod, namespace: e.namespace, ...(e.uid ? { uid: e.uid } : {}) },
          reason: e.reason,
          message: e.message.slice(0, 1024),
          type: e.warning ? 'Warning' : 'Normal',
          source: { component: 'kubectl-ark-hooks' },
          reportingComponent: 'kubectl-ark-hooks',
          reportingInstance: 'kubectl-ark-hooks',
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      },
      cluster.callOptions(),
    ),
  );
}
