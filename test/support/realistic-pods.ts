// Pods that look like a real cluster's, for benchmarks and for the page reducer's tests: two
// containers with env, probes, resources and volume mounts; volumes; managedFields from three
// managers; status with conditions and container statuses; labels and an owner. About 6 KB of JSON
// each. A seeded generator: the same seed gives the same pods, byte for byte.
//
// About `hookFraction` of the pods (default 5%) carry hook annotations: most the Velero keys
// (fsfreeze pre/post, a container, a timeout), one in five of those the Ark keys as well, and one in
// twenty of those a misspelt key. A few pods are Pending or Succeeded.

import type { Obj } from './apiserver.ts';

export interface RealisticOptions {
  seed?: number;
  namespaces?: number;
  /** Fraction of pods with hook annotations (0..1); default 0.05. */
  hookFraction?: number;
}

/** mulberry32: a small, fast, seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const APPS = ['checkout', 'cart', 'catalog', 'payments', 'search', 'auth', 'orders', 'inventory', 'mysql', 'postgres', 'redis', 'kafka'];
const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';

function token(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(r() * ALNUM.length)];
  return s;
}

function uid(r: () => number): string {
  const h = () =>
    Math.floor(r() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  return `${h()}${h()}-${h()}-4${h().slice(1)}-a${h().slice(1)}-${h()}${h()}${h()}`;
}

function time(r: () => number, base = Date.UTC(2026, 9, 1)): string {
  return new Date(base + Math.floor(r() * 40 * 86_400_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function env(app: string, ns: string, n: number): Obj[] {
  const out: Obj[] = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'password' } } },
  ];
  for (let i = 0; i < n; i++) out.push({ name: `${app.toUpperCase()}_SETTING_${i}`, value: `${ns}-${app}-value-${i}` });
  return out;
}

function probe(path: string, port: number, delay: number): Obj {
  return {
    httpGet: { path, port, scheme: 'HTTP' },
    initialDelaySeconds: delay,
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  };
}

function containers(app: string, ns: string, image: string): Obj[] {
  return [
    {
      name: app,
      image,
      command: [`/usr/local/bin/${app}`],
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      env: env(app, ns, 2),
      resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '250m', memory: '512Mi' } },
      volumeMounts: [
        { name: 'config', mountPath: '/etc/app' },
        { name: 'data', mountPath: '/data' },
        { name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
      ],
      livenessProbe: probe('/healthz', 8080, 15),
      readinessProbe: probe('/ready', 8080, 5),
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    },
    {
      name: 'envoy',
      image: 'envoyproxy/envoy:v1.31.2',
      args: ['-c', '/etc/envoy/envoy.yaml', '--service-cluster', app],
      ports: [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }],
      resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
      volumeMounts: [
        { name: 'envoy-config', mountPath: '/etc/envoy' },
        { name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
      ],
      readinessProbe: probe('/ready', 15021, 1),
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    },
  ];
}

function volumes(app: string): Obj[] {
  return [
    { name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } },
    { name: 'envoy-config', configMap: { name: 'envoy-bootstrap', defaultMode: 420 } },
    { name: 'data', persistentVolumeClaim: { claimName: `${app}-data` } },
    {
      name: 'kube-api-access',
      projected: {
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
        defaultMode: 420,
      },
    },
  ];
}

function managedFields(app: string, at: string): Obj[] {
  const f = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, {}]));
  return [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time: at,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': {
          'f:generateName': {},
          'f:labels': { '.': {}, 'f:app': {}, 'f:app.kubernetes.io/name': {}, 'f:pod-template-hash': {}, 'f:tier': {} },
          'f:ownerReferences': { '.': {}, 'k:{"uid":"…"}': {} },
        },
        'f:spec': {
          'f:containers': {
            [`k:{"name":"${app}"}`]: f(['.', 'f:args', 'f:command', 'f:env', 'f:image', 'f:imagePullPolicy', 'f:livenessProbe', 'f:name']),
            'k:{"name":"envoy"}': f(['.', 'f:args', 'f:env', 'f:image', 'f:imagePullPolicy', 'f:name', 'f:ports', 'f:readinessProbe']),
          },
          ...f(['f:dnsPolicy', 'f:enableServiceLinks', 'f:restartPolicy', 'f:schedulerName', 'f:securityContext', 'f:volumes']),
        },
      },
    },
    {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: at,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:status': {
          'f:conditions': f(['k:{"type":"ContainersReady"}', 'k:{"type":"Initialized"}', 'k:{"type":"Ready"}']),
          ...f(['f:containerStatuses', 'f:hostIP', 'f:hostIPs', 'f:phase', 'f:podIP', 'f:podIPs', 'f:startTime']),
        },
      },
      subresource: 'status',
    },
    {
      manager: 'kubectl-annotate',
      operation: 'Update',
      apiVersion: 'v1',
      time: at,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/restartedAt': {} } } },
    },
  ];
}

function hookAnnotations(r: () => number, app: string): Record<string, string> {
  const a: Record<string, string> = {
    'pre.hook.backup.velero.io/container': app,
    'pre.hook.backup.velero.io/command': '["/sbin/fsfreeze","--freeze","/data"]',
    'pre.hook.backup.velero.io/timeout': '2m',
    'post.hook.backup.velero.io/container': app,
    'post.hook.backup.velero.io/command': '["/sbin/fsfreeze","--unfreeze","/data"]',
  };
  const x = r();
  if (x < 0.2) {
    a['pre.hook.backup.ark.heptio.com/container'] = app;
    a['pre.hook.backup.ark.heptio.com/command'] = '["/sbin/fsfreeze","--freeze","/data"]';
  }
  if (x < 0.05) a['pre.hook.backup.velero.io/on-eror'] = 'Continue';
  return a;
}

function status(r: () => number, app: string, image: string, phase: string, at: string): Obj {
  const ready = phase === 'Running' ? 'True' : 'False';
  const cond = (type: string, s: string) => ({ type, status: s, lastProbeTime: null, lastTransitionTime: at });
  const ip = `10.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`;
  const cs = (name: string, img: string) => ({
    name,
    state:
      phase === 'Running'
        ? { running: { startedAt: at } }
        : phase === 'Succeeded'
          ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } }
          : { waiting: { reason: 'ContainerCreating' } },
    ready: phase === 'Running',
    restartCount: Math.floor(r() * 3),
    image: img,
    imageID: `docker.io/${img.split(':')[0]}@sha256:${token(r, 32)}`,
    containerID: `containerd://${token(r, 40)}`,
    started: phase === 'Running',
  });
  return {
    phase,
    conditions: [cond('Initialized', 'True'), cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', 'True')],
    hostIP: `192.168.${Math.floor(r() * 8)}.${Math.floor(r() * 250)}`,
    podIP: ip,
    podIPs: [{ ip }],
    startTime: at,
    containerStatuses: [cs(app, image), cs('envoy', 'envoyproxy/envoy:v1.31.2')],
    qosClass: 'Burstable',
  };
}

/** The i-th pod of a seeded cluster. `r` is the generator's PRNG, advanced by each call. */
export function realisticPod(i: number, r: () => number, opts: RealisticOptions = {}): Obj {
  const nsCount = opts.namespaces ?? 200;
  const ns = `team-${String(i % nsCount).padStart(3, '0')}`;
  const app = APPS[Math.floor(r() * APPS.length)] as string;
  const hash = token(r, 10);
  const name = `${app}-${hash}-${token(r, 5)}-${i}`;
  const image = `registry.example.com/${ns}/${app}:1.${Math.floor(r() * 40)}.${Math.floor(r() * 10)}`;
  const at = time(r);
  const x = r();
  const phase = x < 0.01 ? 'Pending' : x < 0.015 ? 'Succeeded' : 'Running';
  const annotations: Record<string, string> = {
    'kubectl.kubernetes.io/restartedAt': at,
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': '9090',
  };
  if (r() < (opts.hookFraction ?? 0.05)) Object.assign(annotations, hookAnnotations(r, app));
  return {
    metadata: {
      name,
      generateName: `${app}-${hash}-`,
      namespace: ns,
      uid: uid(r),
      resourceVersion: String(1000 + i),
      creationTimestamp: at,
      labels: {
        app,
        'app.kubernetes.io/name': app,
        'app.kubernetes.io/instance': `${app}-${ns}`,
        'pod-template-hash': hash,
        tier: i % 3 === 0 ? 'db' : 'web',
      },
      annotations,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: uid(r), controller: true, blockOwnerDeletion: true },
      ],
      managedFields: managedFields(app, at),
    },
    spec: {
      volumes: volumes(app),
      containers: containers(app, ns, image),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: app,
      serviceAccount: app,
      nodeName: `node-${Math.floor(r() * 50)}`,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 },
      schedulerName: 'default-scheduler',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: status(r, app, image, phase, at),
  };
}

/** n pods of a seeded cluster, one at a time (100k pods never have to be in memory at once). */
export function* realisticPods(n: number, opts: RealisticOptions = {}): Generator<Obj> {
  const r = rng(opts.seed ?? 18);
  for (let i = 0; i < n; i++) yield realisticPod(i, r, opts);
}
