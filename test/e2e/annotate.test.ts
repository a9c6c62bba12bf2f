// `kubectl ark-hooks annotate` end to end against the test API server; after each write, the
// plugin's own `list` and the real `kubectl get -o jsonpath` must agree on what was written.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import type { Obj, TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks as runCli, kubectl } from '../support/cli.ts';

// These tests check the writing mechanics with Ark's keys: pinned to an Ark target, whose family is
// ark.heptio.com (item_hook_handler.go@v0.10.0). The default family per target has its own tests.
const arkHooks: typeof runCli = (args, opts = {}) => runCli(args, { ...opts, env: { ARK_HOOKS_TARGET: 'ark-0.9', ...(opts.env ?? {}) } });

let server: TestApiServer;
let kc: string;

const ARK_PRE = 'pre.hook.backup.ark.heptio.com';
const VEL_POST = 'post.hook.backup.velero.io';

const template = (containers: string[], annotations: Record<string, string> = {}) => ({
  metadata: { labels: { app: 'x' }, annotations },
  spec: { containers: containers.map((name) => ({ name, image: 'busybox' })) },
});

test.before(async () => {
  server = await startApiServer();
  server.addPod('apps', 'web-0', { containers: ['web', 'freezer'], labels: { tier: 'front' }, annotations: { team: 'web' } });
  server.addPod('apps', 'web-1', { containers: ['web'], labels: { tier: 'front' } });
  server.addPod('apps', 'owned-0', { owner: { kind: 'ReplicaSet', name: 'db-5d8f' } });
  server.addPod('apps', 'hooked-0', {
    annotations: { [`${ARK_PRE}/command`]: '["/bin/old"]', [`${ARK_PRE}/container`]: 'app', keep: 'me' },
  });
  for (const [plural, kind] of [
    ['deployments', 'Deployment'],
    ['statefulsets', 'StatefulSet'],
    ['daemonsets', 'DaemonSet'],
    ['replicasets', 'ReplicaSet'],
  ]) {
    server.addObject('apps', plural as string, {
      kind,
      metadata: { name: 'db', namespace: 'apps', labels: { tier: 'db' } },
      spec: { template: template(['db', 'freezer']) },
    });
  }
  server.addObject('', 'replicationcontrollers', { metadata: { name: 'db', namespace: 'apps' }, spec: { template: template(['db']) } });
  server.addObject('batch', 'cronjobs', {
    metadata: { name: 'db', namespace: 'apps' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template(['db']) } } },
  });
  server.addObject('batch', 'jobs', { metadata: { name: 'db', namespace: 'apps' }, spec: { template: template(['db']) } });
  server.addUser('ro-token', { name: 'readonly', allow: (a) => a.verb !== 'patch' });
  kc = server.writeKubeconfig({ namespace: 'apps' });
});
test.after.always(() => server.stop());

const annotate = (args: string[], opts: { kubeconfig?: string; input?: string } = {}) =>
  arkHooks(['annotate', '--kubeconfig', opts.kubeconfig ?? kc, ...args], opts.input === undefined ? {} : { input: opts.input });
const jsonpath = async (target: string, path: string) =>
  (await kubectl(['get', target, '-n', 'apps', '-o', `jsonpath=${path}`], kc)).stdout;
const podAnn = (name: string) => (server.getObject('', 'pods', 'apps', name) as Obj).metadata.annotations as Record<string, string>;

test('a pod: writes Ark keys exactly, and list and kubectl agree', async (t) => {
  const r = await annotate([
    'web-0',
    '--phase',
    'pre',
    '--container',
    'freezer',
    '--on-error',
    'continue',
    '--timeout',
    '90s',
    '--',
    '/sbin/fsfreeze',
    '--freeze',
    '/data',
  ]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'pod/web-0 annotated\n');
  t.deepEqual(podAnn('web-0'), {
    team: 'web',
    [`${ARK_PRE}/command`]: '["/sbin/fsfreeze","--freeze","/data"]',
    [`${ARK_PRE}/container`]: 'freezer',
    [`${ARK_PRE}/on-error`]: 'Continue',
    [`${ARK_PRE}/timeout`]: '90s',
  });
  t.is(
    await jsonpath('pod/web-0', `{.metadata.annotations.pre\\.hook\\.backup\\.ark\\.heptio\\.com/command}`),
    '["/sbin/fsfreeze","--freeze","/data"]',
  );
  const listed = JSON.parse((await arkHooks(['list', '--kubeconfig', kc, '-o', 'json', '-l', 'tier=front'])).stdout);
  const hook = listed.pods.find((p: { name: string }) => p.name === 'web-0').hooks[0];
  t.deepEqual(
    [hook.command, hook.container, hook.onError, hook.timeout, hook.status],
    [['/sbin/fsfreeze', '--freeze', '/data'], 'freezer', 'Continue', '1m30s', 'ok'],
  );
  const patch = server.requests.filter((q) => q.method === 'PATCH' && q.name === 'web-0');
  t.is(patch.length, 1, 'one patch per object');
  t.is(patch[0]?.contentType, 'application/merge-patch+json');
});

test('the same write again is unchanged and sends no patch', async (t) => {
  server.addPod('apps', 'same-0');
  const args = ['same-0', '--phase', 'post', '--flavor', 'velero', '--command', '["/bin/sync"]'];
  t.is((await annotate(args)).stdout, 'pod/same-0 annotated\n');
  const patches = () => server.requests.filter((q) => q.method === 'PATCH' && q.name === 'same-0').length;
  const before = patches();
  const again = await annotate(args);
  t.is(again.stdout, 'pod/same-0 unchanged\n');
  t.is(patches(), before);
  t.is(podAnn('same-0')[`${VEL_POST}/command`], '["/bin/sync"]');
});

test('every workload kind gets the annotation on its pod template', async (t) => {
  for (const [target, path] of [
    ['deployment/db', '{.spec.template.metadata.annotations}'],
    ['sts/db', '{.spec.template.metadata.annotations}'],
    ['daemonset/db', '{.spec.template.metadata.annotations}'],
    ['replicaset/db', '{.spec.template.metadata.annotations}'],
    ['rc/db', '{.spec.template.metadata.annotations}'],
    ['cronjob/db', '{.spec.jobTemplate.spec.template.metadata.annotations}'],
  ]) {
    const r = await annotate([target as string, '--preset', 'fsfreeze', '--path', '/var/lib/db', '--container', 'db']);
    t.is(r.code, 0, `${target}: ${r.stderr}`);
    t.regex(r.stdout, /^\S+\/db annotated \(pod template\)\n$/);
    const ann = JSON.parse(await jsonpath(target as string, path as string));
    t.is(ann[`${ARK_PRE}/command`], '["/sbin/fsfreeze","--freeze","/var/lib/db"]', target);
    t.is(ann['post.hook.backup.ark.heptio.com/command'], '["/sbin/fsfreeze","--unfreeze","/var/lib/db"]', target);
  }
  const listed = JSON.parse(
    (
      await arkHooks(['list', '-f', '-', '-o', 'json'], {
        input: (await kubectl(['get', 'deployment/db', '-n', 'apps', '-o', 'json'], kc)).stdout,
      })
    ).stdout,
  );
  t.deepEqual(
    listed.pods[0].hooks.map((h: { phase: string; container: string }) => [h.phase, h.container]),
    [
      ['pre', 'db'],
      ['post', 'db'],
    ],
  );
  const job = await annotate(['job/db', '--phase', 'pre', '--command', 'x']);
  t.is(job.code, 1);
  t.regex(job.stderr, /pod template of a Job cannot be changed/);
});

test('--overwrite is needed to replace a hook; other annotations survive', async (t) => {
  const refused = await annotate(['hooked-0', '--phase', 'pre', '--command', '/bin/new']);
  t.is(refused.code, 1);
  t.regex(
    refused.stderr,
    /--overwrite is false but 'pre\.hook\.backup\.ark\.heptio\.com\/command' already has a value \(\["\/bin\/old"\]\)/,
  );
  t.is(podAnn('hooked-0')[`${ARK_PRE}/command`], '["/bin/old"]');
  const ok = await annotate(['hooked-0', '--phase', 'pre', '--overwrite', '--command', '/bin/new']);
  t.is(ok.code, 0, ok.stderr);
  t.deepEqual(
    podAnn('hooked-0'),
    { [`${ARK_PRE}/command`]: '["/bin/new"]', keep: 'me' },
    'the old container key is gone with the old hook',
  );
});

test('a concurrent change to another annotation survives the patch', async (t) => {
  server.addPod('apps', 'race-0', { annotations: { a: '1' } });
  server.faults.push({
    match: (q) => {
      if (q.method === 'PATCH' && q.path.endsWith('/race-0')) {
        const pod = server.getObject('', 'pods', 'apps', 'race-0') as Obj;
        pod.metadata.annotations.a = 'changed-meanwhile';
      }
      return false;
    },
  });
  const r = await annotate(['race-0', '--phase', 'pre', '--command', '/bin/sync']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(podAnn('race-0'), { a: 'changed-meanwhile', [`${ARK_PRE}/command`]: '["/bin/sync"]' });
});

test('--remove deletes one phase, and with --flavor only that family', async (t) => {
  server.addPod('apps', 'rm-0', {
    annotations: {
      [`${ARK_PRE}/command`]: '["a"]',
      'hook.backup.ark.heptio.com/command': '["b"]',
      [`${VEL_POST}/command`]: '["c"]',
      [`${VEL_POST}/timeout`]: '1m',
      other: 'x',
    },
  });
  t.is((await annotate(['rm-0', '--remove', '--phase', 'pre'])).stdout, 'pod/rm-0 annotated\n');
  t.deepEqual(podAnn('rm-0'), { [`${VEL_POST}/command`]: '["c"]', [`${VEL_POST}/timeout`]: '1m', other: 'x' });
  t.is((await annotate(['rm-0', '--remove', '--flavor', 'ark'])).stdout, 'pod/rm-0 unchanged\n');
  // Removing the family the target (Ark 0.9) does not read is a clean-up: no "never run" warning.
  const velero = await annotate(['rm-0', '--remove', '--flavor', 'velero']);
  t.is(velero.stdout, 'pod/rm-0 annotated\n');
  t.is(velero.stderr, '');
  t.deepEqual(podAnn('rm-0'), { other: 'x' });
});

test('--selector annotates every match; --legacy writes un-prefixed pre keys', async (t) => {
  server.addPod('sel', 'a-0', { labels: { pick: 'yes' } });
  server.addPod('sel', 'b-0', { labels: { pick: 'yes' } });
  server.addPod('sel', 'c-0', { labels: { pick: 'no' } });
  const r = await annotate(['-n', 'sel', '-l', 'pick=yes', '--phase', 'pre', '--legacy', '--flavor', 'velero', '--command', '/bin/sync']);
  t.is(r.stdout, 'pod/a-0 annotated\npod/b-0 annotated\n', r.stderr);
  t.is((server.getObject('', 'pods', 'sel', 'a-0') as Obj).metadata.annotations['hook.backup.velero.io/command'], '["/bin/sync"]');
  t.deepEqual((server.getObject('', 'pods', 'sel', 'c-0') as Obj).metadata.annotations, {});
  server.addObject('apps', 'deployments', {
    kind: 'Deployment',
    metadata: { name: 'picked', namespace: 'sel', labels: { pick: 'deploy' } },
    spec: { template: template(['main', 'freezer']) },
  });
  const deploys = await annotate([
    'deployments',
    '-n',
    'sel',
    '-l',
    'pick=deploy',
    '--phase',
    'post',
    '--flavor',
    'velero',
    '--command',
    '/bin/true',
    '--container',
    'freezer',
    '-o',
    'json',
  ]);
  t.is(deploys.code, 0, deploys.stderr);
  t.is(JSON.parse(deploys.stdout).spec.template.metadata.annotations[`${VEL_POST}/container`], 'freezer');
  t.regex(deploys.stderr, /deployment\.apps\/picked annotated \(pod template\)/);
});

test('dry runs: client sends no patch, server sends dryRun=All; neither changes the object', async (t) => {
  server.addPod('apps', 'dry-0');
  const before = server.requests.filter((q) => q.method === 'PATCH' && q.name === 'dry-0').length;
  const client = await annotate(['dry-0', '--phase', 'pre', '--command', '/bin/sync', '--dry-run=client', '-o', 'yaml']);
  t.is(client.stderr, 'pod/dry-0 annotated (dry run)\n');
  t.regex(client.stdout, /pre\.hook\.backup\.ark\.heptio\.com\/command: '\["\/bin\/sync"\]'/);
  t.is(server.requests.filter((q) => q.method === 'PATCH' && q.name === 'dry-0').length, before);
  const srv = await annotate(['dry-0', '--phase', 'pre', '--command', '/bin/sync', '--dry-run=server']);
  t.is(srv.stdout, 'pod/dry-0 annotated (server dry run)\n');
  const patches = server.requests.filter((q) => q.method === 'PATCH' && q.name === 'dry-0');
  t.is(patches.length, 1);
  t.regex(patches[0]?.query ?? '', /dryRun=All/);
  t.deepEqual(podAnn('dry-0'), {});
  const none = await annotate(['dry-0', '--phase', 'pre', '--command', '/bin/sync', '--dry-run=none']);
  t.is(none.stdout, 'pod/dry-0 annotated\n', `exit ${none.code} after ${none.ms} ms: ${none.stderr}`);
});

test('validation: unknown container, invalid timeout and on-error, nothing written', async (t) => {
  const c = await annotate(['web-1', '--phase', 'pre', '--container', 'nope', '--command', '/bin/sync']);
  t.is(c.code, 1);
  t.regex(
    c.stderr,
    /^error: pod\/web-1: pre\.hook\.backup\.ark\.heptio\.com\/container: container "nope" is not in the pod's spec\.containers.*choose one of: web/m,
  );
  const tmo = await annotate(['web-1', '--phase', 'pre', '--timeout', '300', '--command', '/bin/sync']);
  t.is(tmo.code, 2);
  t.regex(tmo.stderr, /invalid --timeout "300": add a unit, e\.g\. 300s/);
  const oe = await annotate(['web-1', '--phase', 'pre', '--on-error', 'maybe', '--command', '/bin/sync']);
  t.is(oe.code, 2);
  const json = await annotate(['web-1', '--phase', 'pre', '--command', '["a", 1]']);
  t.is(json.code, 2);
  t.false(`${ARK_PRE}/command` in podAnn('web-1'));
});

test('403 and 404 are reported per target; the others still succeed; exit 1', async (t) => {
  const ro = server.writeKubeconfig({ user: 'readonly', namespace: 'apps' });
  const denied = await annotate(['web-1', '--phase', 'pre', '--command', '/bin/sync'], { kubeconfig: ro });
  t.is(denied.code, 1);
  t.regex(denied.stderr, /Error from server \(Forbidden\): pods "web-1" is forbidden: User "readonly" cannot patch resource "pods"/);
  const patchesBefore = server.requests.filter((q) => q.method === 'PATCH' && q.name === 'web-1').length;
  const dry = await annotate(['web-1', '--phase', 'pre', '--command', '/bin/sync', '--dry-run=client'], { kubeconfig: ro });
  t.is(dry.code, 1);
  t.regex(dry.stderr, /you may not patch pods in namespace "apps", so this change would be refused/);
  t.is(server.requests.filter((q) => q.method === 'PATCH' && q.name === 'web-1').length, patchesBefore, 'a client dry run sends no patch');
  const mixed = await annotate(['missing-0', 'web-1', '--phase', 'post', '--command', '/bin/sync2']);
  t.is(mixed.code, 1);
  t.regex(mixed.stderr, /pods "missing-0" not found/);
  t.is(mixed.stdout, 'pod/web-1 annotated\n');
});

test('a pod owned by a controller: written, with a warning naming the owner', async (t) => {
  const r = await annotate(['owned-0', '--phase', 'pre', '--command', '/bin/sync']);
  t.is(r.code, 0);
  t.regex(r.stderr, /warning: pod\/owned-0 is managed by ReplicaSet "db-5d8f": the next rollout replaces the pod/);
});

test('--local edits manifests and prints every document, every other byte unchanged', async (t) => {
  const file = join(tmpdir(), `local-${process.pid}.yaml`);
  const original =
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: "1", b: "true"}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: prod, annotations: {keep: me}}\nspec:\n  replicas: 3\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: "pg:17", ports: [{containerPort: 5432}]}]}\n';
  writeFileSync(file, original);
  const r = await arkHooks(
    ['annotate', '--local', '-f', file, 'deployment/db', '--phase', 'pre', '--flavor', 'velero', '--command', '/bin/sync'],
    { env: { KUBECONFIG: '/nonexistent', ARK_HOOKS_TARGET: 'velero-1.18' } },
  );
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, 'deployment.apps/db annotated (pod template)\n');
  const [cm, dep] = loadAll(r.stdout) as Obj[];
  const [cm0, dep0] = loadAll(original) as Obj[];
  t.deepEqual(cm, cm0);
  const expected = structuredClone(dep0) as Obj;
  expected.spec.template.metadata.annotations = { 'pre.hook.backup.velero.io/command': '["/bin/sync"]' };
  t.deepEqual(dep, expected);
  // Byte for byte: only the line of the pod template's metadata changes, in the file's flow style.
  t.is(
    r.stdout,
    original.replace(
      'metadata: {labels: {app: db}}',
      `metadata: {annotations: {pre.hook.backup.velero.io/command: '["/bin/sync"]'}, labels: {app: db}}`,
    ),
  );
  const stdin = await arkHooks(['annotate', '--local', '-f', '-', '--phase', 'post', '--command', '/bin/true', '-o', 'json'], {
    input: 'kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n',
  });
  t.is(JSON.parse(stdin.stdout).metadata.annotations['post.hook.backup.ark.heptio.com/command'], '["/bin/true"]');
});
