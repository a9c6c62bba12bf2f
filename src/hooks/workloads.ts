// Turns untrusted Kubernetes objects (from the API or from manifests) into the model's inputs.
// A malformed object yields findings, never an exception, and never hides the others.

import type { Finding, PodInput } from './types.ts';
import { isObject } from './json.ts';
import { finding } from './findings.ts';

/** Workload kinds whose pod template carries hook annotations, and where the template lives. */
export const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export function objectRef(kind: string, namespace: string, name: string): string {
  return kind === 'Pod' ? `${namespace}/${name}` : `${namespace}/${kind.toLowerCase()}/${name}`;
}

function stringMap(v: unknown, field: string, object: string, findings: Finding[]): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    findings.push(
      finding({
        severity: 'error',
        code: 'invalid-field-type',
        object,
        field,
        message: `${field} must be a map of strings; it was ignored`,
      }),
    );
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') out[k] = val;
    else {
      findings.push(
        finding({
          severity: 'error',
          code: 'non-string-value',
          object,
          field: `${field}.${k}`,
          message: `the value must be a string, not ${describe(val)} (Kubernetes rejects it): quote it in the manifest`,
        }),
      );
    }
  }
  return out;
}

/** A short description of an unexpected value, safe for any size or shape. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a map';
  const text = String(v);
  return `${typeof v} ${text.length > 40 ? text.slice(0, 40) + '…' : text}`;
}

function names(v: unknown): { name: string; restartPolicy?: string }[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((c) => ({
    name: typeof c.name === 'string' ? c.name : '',
    ...(typeof c.restartPolicy === 'string' ? { restartPolicy: c.restartPolicy } : {}),
  }));
}

/** What only a live Pod has: uid, deletion, phase, which containers run, and its controller. */
function readPodStatus(pod: PodInput, meta: Record<string, unknown>, rawStatus: unknown): void {
  if (typeof meta.uid === 'string') pod.uid = meta.uid;
  const deleting = meta.deletionTimestamp;
  if (typeof deleting === 'string') pod.deletionTimestamp = deleting;
  else if (deleting instanceof Date) pod.deletionTimestamp = deleting.toISOString();
  const status = isObject(rawStatus) ? rawStatus : undefined;
  if (status) {
    if (typeof status.phase === 'string') pod.phase = status.phase;
    if (Array.isArray(status.containerStatuses)) {
      pod.containerRunning = {};
      for (const cs of status.containerStatuses) {
        if (isObject(cs) && typeof cs.name === 'string') {
          pod.containerRunning[cs.name] = isObject(cs.state) && isObject(cs.state.running);
        }
      }
    }
  }
  if (Array.isArray(meta.ownerReferences)) {
    const ctrl = meta.ownerReferences.find((o) => isObject(o) && o.controller === true) ?? meta.ownerReferences[0];
    if (isObject(ctrl) && typeof ctrl.kind === 'string' && typeof ctrl.name === 'string') pod.owner = { kind: ctrl.kind, name: ctrl.name };
  }
}

/** Reads a Pod, or the pod template of a workload, into a PodInput. */
export function podFromObject(raw: Record<string, unknown>, origin?: string): PodInput | null {
  const kind = typeof raw.kind === 'string' ? raw.kind : 'Pod';
  const meta = isObject(raw.metadata) ? raw.metadata : {};
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : '<unnamed>';
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  const object = objectRef(kind, namespace, name) + (origin ? ` (${origin})` : '');
  const findings: Finding[] = [];

  let podMeta: Record<string, unknown> = meta;
  let podSpec: unknown = raw.spec;
  let prefix = 'metadata';
  let specPrefix = 'spec';
  if (kind !== 'Pod') {
    const path = TEMPLATE_PATHS[kind];
    if (!path) return null;
    let cur: unknown = raw;
    for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
    prefix = `${path.join('.')}.metadata`;
    specPrefix = `${path.join('.')}.spec`;
    if (!isObject(cur)) {
      findings.push(
        finding({
          severity: 'error',
          code: 'missing-template',
          object,
          field: path.join('.'),
          message: `${kind} has no pod template at ${path.join('.')}`,
        }),
      );
      cur = {};
    }
    const template = cur as Record<string, unknown>;
    podMeta = isObject(template.metadata) ? template.metadata : {};
    podSpec = template.spec;
  }
  const spec = isObject(podSpec) ? podSpec : {};
  const containers = names(spec.containers);
  const inits = names(spec.initContainers);
  if (containers.length === 0) {
    findings.push(
      finding({
        severity: 'warning',
        code: 'no-containers',
        object,
        field: `${specPrefix}.containers`,
        message: 'the pod spec lists no containers, so no hook can run in it',
      }),
    );
  }
  const labels = stringMap(podMeta.labels, `${prefix}.labels`, object, findings);
  const annotations = stringMap(podMeta.annotations, `${prefix}.annotations`, object, findings);

  const pod: PodInput = {
    kind,
    namespace,
    name,
    labels,
    annotations,
    containers: containers.map((c) => c.name),
    initContainers: inits.filter((c) => c.restartPolicy !== 'Always').map((c) => c.name),
    sidecars: inits.filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
    findings,
  };
  if (origin) pod.origin = origin;
  if (kind === 'Pod') readPodStatus(pod, meta, raw.status);
  return pod;
}

export function isBackupObject(raw: Record<string, unknown>): boolean {
  return raw.kind === 'Backup' && typeof raw.apiVersion === 'string' && /^(ark\.heptio\.com|velero\.io)\//.test(raw.apiVersion);
}
