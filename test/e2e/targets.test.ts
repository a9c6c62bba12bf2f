// Targets against a cluster: detection (CRDs, ServerStatusRequest, image tag), discovery for resource
// names, the namespace exclude label, annotate's default family, and the dry-run JSON that the
// real-Velero differential suite (issue #14) reads. Real CLI process, test API server over HTTPS.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Obj, TestApiServer } from '../support/apiserver.ts';
import { RESOURCE_TYPES, startApiServer } from '../support/apiserver.ts';
import { arkHooks } from '../support/cli.ts';

// Velero's ServerStatusRequest CRD, served only by the servers of this file (each test file runs in
// its own worker process, so the shared table is changed for this file alone).
RESOURCE_TYPES.push({
  group: 'velero.io',
  version: 'v1',
  plural: 'serverstatusrequests',
  singular: 'serverstatusrequest',
  kind: 'ServerStatusRequest',
  namespaced: true,
  verbs: ['create', 'delete', 'get', 'list'],
});

const V = 'hook.backup.velero.io';
const dir = mkdtempSync(join(tmpdir(), 'ark-hooks-targets-'));

/** What a Velero server does with a ServerStatusRequest: mark it Processed with its version. */
function answerStatusRequests(server: TestApiServer, version: string): () => void {
  const timer = setInterval(() => {
    for (const o of server.list('velero.io', 'serverstatusrequests')) {
      if (!o.status?.phase) o.status = { phase: 'Processed', serverVersion: version, processedTimestamp: new Date().toISOString() };
    }
  }, 20);
  return () => clearInterval(timer);
}

function veleroDeployment(server: TestApiServer, image: string) {
  server.addObject('apps', 'deployments', {
    metadata: { name: 'velero', namespace: 'velero' },
    spec: { template: { spec: { containers: [{ name: 'velero', image }] } } },
  });
}

const env = { ARK_HOOKS_TARGET: undefined };

test('detection: a ServerStatusRequest answered by the Velero server gives the target, in one stderr line', async (t) => {
  const server = await startApiServer();
  const stop = answerStatusRequests(server, 'v1.12.3');
  try {
    server.addPod('default', 'db-0', { annotations: { [`pre.${V}/command`]: '["/bin/sync"]' } });
    const r = await arkHooks(['list', '--kubeconfig', server.writeKubeconfig(), '-o', 'json'], { env });
    t.is(r.code, 0, r.stderr);
    t.is(
      r.stderr,
      'ark-hooks: target velero-1.11 (Velero v1.11.0–v1.12.4): Velero server v1.12.3 detected from a ServerStatusRequest in namespace "velero"\n',
    );
    t.is(JSON.parse(r.stdout).scope.target.name, 'velero-1.11');
    const ssr = server.requests.filter((q) => q.resource === 'serverstatusrequests' && q.namespace === 'velero');
    t.deepEqual([...new Set(ssr.map((q) => q.verb))].sort(), ['create', 'delete', 'get'], 'created, read back, and removed');
    t.deepEqual(server.list('velero.io', 'serverstatusrequests'), []);
  } finally {
    stop();
    await server.stop();
  }
});

test('detection: no answer → the image tag of Deployment velero; latest or a digest → the newest Velero, said so', async (t) => {
  const server = await startApiServer();
  try {
    veleroDeployment(server, 'velero/velero:v1.9.2');
    // No Velero server answers: bounded by a count of reads, then the image.
    const r = await arkHooks(['list', '--kubeconfig', server.writeKubeconfig(), '-o', 'json'], { env });
    t.is(r.code, 0, r.stderr);
    t.regex(
      r.stderr,
      /^ark-hooks: target velero-1\.9 \(Velero v1\.9\.0–v1\.9\.7\): Velero server v1\.9\.2 detected from the image velero\/velero:v1\.9\.2 of Deployment "velero" in namespace "velero"\n$/,
    );
    t.true(server.requests.filter((q) => q.resource === 'serverstatusrequests' && q.verb === 'get').length <= 20);
    veleroDeployment(server, 'velero/velero:latest');
    const latest = await arkHooks(['list', '--kubeconfig', server.writeKubeconfig(), '-o', 'json'], { env });
    t.regex(
      latest.stderr,
      /^ark-hooks: cannot tell which Ark\/Velero version this cluster runs \(.*has no version tag\); judging by the newest Velero: velero-1\.18/,
    );
    t.is(JSON.parse(latest.stdout).scope.target.name, 'velero-1.18');
  } finally {
    await server.stop();
  }
});

test('dry-run creates nothing, not even a ServerStatusRequest; --target and ARK_HOOKS_TARGET skip detection', async (t) => {
  const server = await startApiServer();
  try {
    veleroDeployment(server, 'velero/velero:v1.16.1');
    const kc = server.writeKubeconfig();
    const dry = await arkHooks(['dry-run', '--kubeconfig', kc, '-o', 'json'], { env });
    t.regex(dry.stderr, /target velero-1\.15\.1 .*v1\.16\.1 detected from the image/);
    t.false(
      server.requests.some((q) => q.method !== 'GET' && q.resource !== 'selfsubjectaccessreviews'),
      'only reads',
    );
    const before = server.requests.length;
    const flag = await arkHooks(['list', '--kubeconfig', kc, '--target', '1.10.1', '-o', 'json'], { env });
    t.is(flag.stderr, '');
    t.is(JSON.parse(flag.stdout).scope.target.name, 'velero-1.10');
    const viaEnv = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json'], { env: { ARK_HOOKS_TARGET: 'ark-0.10' } });
    t.is(JSON.parse(viaEnv.stdout).scope.target.name, 'ark-0.9');
    t.false(
      server.requests.slice(before).some((q) => q.path.startsWith('/apis/apps') || q.path === '/apis'),
      'no detection requests',
    );
    const bad = await arkHooks(['list', '--kubeconfig', kc, '--target', 'velero-2.0x'], { env });
    t.is(bad.code, 2);
    t.regex(bad.stderr, /^error: invalid --target "velero-2\.0x": unknown target/);
  } finally {
    await server.stop();
  }
});

test('dry-run --backup-file B.yaml --target velero-1.18 -o json: hooks per pod and phase in order, and the validation verdict (issue #14)', async (t) => {
  const server = await startApiServer();
  try {
    server.addPod('shop', 'db-0', {
      containers: ['db', 'freezer'],
      labels: { app: 'db' },
      annotations: { [`post.${V}/command`]: '["/sbin/fsfreeze","--unfreeze","/data"]', [`post.${V}/container`]: 'freezer' },
    });
    server.addPod('shop', 'web-0', { labels: { app: 'web' } });
    const b = join(dir, 'b.yaml');
    writeFileSync(
      b,
      `apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: nightly, namespace: velero}\nspec:\n  includedNamespaces: ["sh*"]\n  hooks:\n    resources:\n    - name: freeze\n      labelSelector: {matchLabels: {app: db}}\n      pre:\n      - exec: {container: freezer, command: ["/sbin/fsfreeze", "--freeze", "/data"], onError: Fail}\n      - exec: {command: ["/bin/sync"]}\n`,
    );
    const r = await arkHooks(
      ['dry-run', '--backup-file', b, '--target', 'velero-1.18', '-o', 'json', '--kubeconfig', server.writeKubeconfig()],
      { env },
    );
    t.is(r.code, 0, r.stdout + r.stderr);
    const plan = JSON.parse(r.stdout) as {
      target: { name: string };
      backup: { failsValidation: boolean; validationErrors: string[] };
      pods: {
        namespace: string;
        pod: string;
        hooks: { phase: string; index: number; container: string; command: string[]; onError: string }[];
      }[];
    };
    t.is(plan.target.name, 'velero-1.18');
    t.deepEqual(plan.backup.failsValidation, false);
    t.deepEqual(
      plan.pods.map((p) => [p.namespace, p.pod, p.hooks.map((h) => [h.phase, h.index, h.container, h.command, h.onError])]),
      [
        [
          'shop',
          'db-0',
          [
            ['pre', 1, 'freezer', ['/sbin/fsfreeze', '--freeze', '/data'], 'Fail'],
            ['pre', 2, 'db', ['/bin/sync'], 'Continue'],
            ['post', 1, 'freezer', ['/sbin/fsfreeze', '--unfreeze', '/data'], 'Continue'],
          ],
        ],
      ],
    );
    writeFileSync(
      b,
      'apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: bad, namespace: velero}\nspec:\n  includedNamespaces: ["sh{op,x}"]\n',
    );
    const bad = await arkHooks(
      ['dry-run', '--backup-file', b, '--target', 'velero-1.18', '-o', 'json', '--kubeconfig', server.writeKubeconfig()],
      { env },
    );
    t.is(bad.code, 1);
    const badPlan = JSON.parse(bad.stdout);
    t.true(badPlan.backup.failsValidation);
    t.regex(badPlan.backup.validationErrors.join('\n'), /unsupported characters/);
    t.deepEqual(badPlan.pods, []);
  } finally {
    await server.stop();
  }
});

test("resource names resolve through the cluster's discovery, fetched once", async (t) => {
  // The test server serves no leases: Velero 1.2 (pkg/backup/backup.go@v1.3.0) drops the name it
  // cannot resolve, and the hook then applies to every pod; offline, leases is a built-in resource.
  const server = await startApiServer();
  try {
    server.addPod('default', 'a-0');
    server.addPod('default', 'b-0');
    const b = join(dir, 'leases.yaml');
    writeFileSync(
      b,
      'apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: l, namespace: velero}\nspec:\n  includedResources: [pods, deployments]\n  hooks:\n    resources:\n    - name: h\n      includedResources: [leases]\n      pre: [{exec: {command: ["/bin/true"]}}]\n',
    );
    const r = await arkHooks(
      ['dry-run', '--backup-file', b, '--target', 'velero-1.2', '-o', 'json', '--kubeconfig', server.writeKubeconfig()],
      { env },
    );
    t.is(r.code, 0, r.stdout + r.stderr);
    t.deepEqual(
      JSON.parse(r.stdout).pods.map((p: { pod: string }) => p.pod),
      ['a-0', 'b-0'],
    );
    const discovery = server.requests.filter((q) => q.path === '/apis' || q.path === '/api/v1' || /^\/apis\/[^/]+\/[^/]+$/.test(q.path));
    t.is(discovery.filter((q) => q.path === '/apis').length, 1, 'the group list once');
    t.is(new Set(discovery.map((q) => q.path)).size, discovery.length, 'each discovery document once');
    const pods = join(dir, 'pods.yaml');
    writeFileSync(pods, 'apiVersion: v1\nkind: Pod\nmetadata: {name: a-0, namespace: default}\nspec: {containers: [{name: app}]}\n');
    const offline = await arkHooks(['dry-run', '-f', pods, '--backup-file', b, '--target', 'velero-1.2', '-o', 'json'], { env });
    t.deepEqual(JSON.parse(offline.stdout).pods, []);
  } finally {
    await server.stop();
  }
});

test('with aggregated discovery (Kubernetes 1.30+) the resource names cost two documents: /apis and /api', async (t) => {
  const server = await startApiServer({ aggregatedDiscovery: true });
  try {
    server.addPod('default', 'a-0');
    const b = join(dir, 'agg.yaml');
    writeFileSync(
      b,
      'apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: l, namespace: velero}\nspec:\n  hooks:\n    resources:\n    - name: h\n      includedResources: [po]\n      pre: [{exec: {command: ["/bin/true"]}}]\n    - name: d\n      includedResources: [deploy]\n      pre: [{exec: {command: ["/bin/false"]}}]\n',
    );
    const r = await arkHooks(['dry-run', '--backup-file', b, '-o', 'json', '--kubeconfig', server.writeKubeconfig()], { env });
    t.is(r.code, 0, r.stdout + r.stderr);
    t.deepEqual(
      JSON.parse(r.stdout).pods.map((p: { pod: string; hooks: { command: string[] }[] }) => [p.pod, p.hooks.map((h) => h.command[0])]),
      [['a-0', ['/bin/true']]],
    );
    const docs = server.requests.filter(
      (q) => q.path === '/apis' || q.path === '/api' || q.path === '/api/v1' || /^\/apis\/[^/]+\/[^/]+$/.test(q.path),
    );
    t.deepEqual(docs.map((q) => q.path).sort(), ['/api', '/apis'], 'detection and resource names share the one /apis document');
  } finally {
    await server.stop();
  }
});

test('namespaces labelled velero.io/exclude-from-backup=true are listed from the cluster and excluded (v1.10+)', async (t) => {
  const server = await startApiServer();
  try {
    server.addObject('', 'namespaces', { metadata: { name: 'vault', labels: { 'velero.io/exclude-from-backup': 'true' } } });
    server.addPod('vault', 'v-0', { annotations: { [`pre.${V}/command`]: '["/bin/sync"]' } });
    server.addPod('app', 'a-0', { annotations: { [`pre.${V}/command`]: '["/bin/sync"]' } });
    server.addBackup('velero.io', 'velero', 'all', {});
    const kc = server.writeKubeconfig();
    const r = await arkHooks(['list', '--backup', 'all', '--target', 'velero-1.18', '-o', 'json', '--kubeconfig', kc], { env });
    t.is(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    t.deepEqual(
      report.pods.map((p: { name: string }) => p.name),
      ['a-0'],
    );
    t.true(
      report.excluded.some(
        (x: { object: string; reason: string }) =>
          x.object === 'vault/v-0' && /labelled velero\.io\/exclude-from-backup=true/.test(x.reason),
      ),
    );
    t.true(
      server.requests.some(
        (q) => q.resource === 'namespaces' && q.verb === 'list' && q.query.includes('labelSelector=velero.io%2Fexclude-from-backup%3Dtrue'),
      ),
    );
    const v19 = await arkHooks(['list', '--backup', 'all', '--target', 'velero-1.9', '-o', 'json', '--kubeconfig', kc], { env });
    t.deepEqual(
      JSON.parse(v19.stdout).pods.map((p: { name: string }) => p.name),
      ['a-0', 'v-0'],
    );
    t.true(
      JSON.parse(v19.stdout).findings.some(
        (f: { code: string; object: string }) => f.code === 'differs-from-newest' && f.object === 'vault/v-0',
      ),
      'an upgrade to the newest Velero changes this pod',
    );
  } finally {
    await server.stop();
  }
});

test('annotate writes the family the target reads; --flavor overrides with a warning', async (t) => {
  const server = await startApiServer();
  try {
    server.addPod('default', 'web-0');
    const kc = server.writeKubeconfig();
    const ann = () => (server.getObject('', 'pods', 'default', 'web-0') as Obj).metadata.annotations as Record<string, string>;
    const r = await arkHooks(['annotate', 'web-0', '--phase', 'pre', '--kubeconfig', kc, '--', '/bin/echo', 'hi'], { env });
    t.is(r.code, 0, r.stderr);
    t.regex(r.stderr, /judging by the newest Velero: velero-1\.18/);
    t.is(ann()['pre.hook.backup.velero.io/command'], '["/bin/echo","hi"]');
    const ark = await arkHooks(['annotate', 'web-0', '--phase', 'post', '--target', 'ark-0.9', '--kubeconfig', kc, '--', '/bin/true'], {
      env,
    });
    t.is(ark.code, 0, ark.stderr);
    t.is(ann()['post.hook.backup.ark.heptio.com/command'], '["/bin/true"]');
    const flavor = await arkHooks(
      [
        'annotate',
        'web-0',
        '--phase',
        'pre',
        '--overwrite',
        '--flavor',
        'ark',
        '--target',
        'velero-1.18',
        '--kubeconfig',
        kc,
        '--',
        '/bin/true',
      ],
      { env },
    );
    t.is(flavor.code, 0, flavor.stderr);
    t.regex(
      flavor.stderr,
      /^warning: --flavor ark: velero-1\.18 \(Velero v1\.18\.0\+\) does not read ark\.heptio\.com keys, so hooks written now never run there\n/,
    );
  } finally {
    await server.stop();
  }
});
