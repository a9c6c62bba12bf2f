// The end-to-end commands against a real control plane (test/cluster/up: kube-apiserver 1.36 with
// RBAC and etcd, kwok's fake node, exec through our kubelet exec shim). Selected with
// ARK_HOOKS_E2E_TARGET=cluster (test/cluster/up writes the variables into its env file);
// `npm run test:cluster` starts the control plane, runs this suite and stops it.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matches, parseSelector } from '../../src/hooks/selector.ts';
import { arkHooks, kubectl, start } from '../support/cli.ts';
import { labelsMatch, parseLabelSelector } from '../support/selector.ts';
import { SELECTOR_PODS, SELECTOR_TABLE } from '../support/selector-table.ts';

const target = process.env.ARK_HOOKS_E2E_TARGET;
const admin = process.env.ARK_HOOKS_CLUSTER_KUBECONFIG ?? '';
const restricted = process.env.ARK_HOOKS_CLUSTER_RESTRICTED_KUBECONFIG ?? '';
const V = 'hook.backup.velero.io';

if (target !== 'cluster') {
  // Not a missing prerequisite: `npm test` leaves this suite to `npm run test:cluster`, which
  // starts the control plane and runs it (.ci/run does both). The summary counts it as skipped.
  test.skip('real control plane: run with npm run test:cluster (it sets ARK_HOOKS_E2E_TARGET=cluster)', () => {});
} else {
  if (!admin || !restricted) {
    test('the control plane environment is complete', (t) => {
      t.fail(
        'ARK_HOOKS_E2E_TARGET=cluster but ARK_HOOKS_CLUSTER_KUBECONFIG or ARK_HOOKS_CLUSTER_RESTRICTED_KUBECONFIG is unset (source the env file test/cluster/up writes)',
      );
    });
  }
  const k = async (args: string[], input?: string) => {
    const r = await kubectl(args, admin, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  // Namespaces are never deleted (there is no namespace controller): each run uses new ones.
  const RUN = Date.now().toString(36);
  const NS = {
    list: `c-list-${RUN}`,
    ann: `c-ann-${RUN}`,
    run: `c-run-${RUN}`,
    rbac: `c-rbac-${RUN}`,
    wrap: `c-wrap-${RUN}`,
    sel: `c-sel-${RUN}`,
  };
  const ns = (name: string) => k(['create', 'namespace', name]);
  async function pod(
    namespace: string,
    name: string,
    annotations: Record<string, string>,
    opts: { labels?: Record<string, string>; containers?: string[] } = {},
  ) {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, annotations, labels: opts.labels ?? {} },
      spec: { nodeName: 'kwok-node-0', containers: (opts.containers ?? ['main']).map((c) => ({ name: c, image: 'none' })) },
    };
    await k(['apply', '-f', '-'], JSON.stringify(manifest));
  }
  const ready = (namespace: string) => k(['wait', '-n', namespace, '--for', 'condition=Ready', 'pod', '--all', '--timeout', '60s']);
  const hooks = (phase: 'pre' | 'post', argv: string[], extra: Record<string, string> = {}) => ({
    [`${phase}.${V}/command`]: JSON.stringify(argv),
    ...Object.fromEntries(Object.entries(extra).map(([f, v]) => [`${phase}.${V}/${f}`, v])),
  });
  // Pinned to a target where an unset on-error means Fail after an exec failure (pod_command_executor.go@v1.8.0),
  // which the run checks below assume; an Ark Backup needs an Ark target.
  const run = (args: string[], kubeconfig = admin, target = 'velero-1.7.1') =>
    arkHooks([args[0] as string, '--kubeconfig', kubeconfig, ...args.slice(1)], { env: { ARK_HOOKS_TARGET: target } });

  test('list: namespace, selector, and --backup for velero.io and ark.heptio.com Backups', async (t) => {
    await ns(NS.list);
    await pod(NS.list, 'db-0', hooks('pre', ['sync']), { labels: { app: 'db', backup: 'yes' } });
    await pod(NS.list, 'web-0', {}, { labels: { app: 'web', backup: 'yes' } });
    await pod(NS.list, 'tmp-0', hooks('pre', ['true']), { labels: { app: 'tmp' } });
    await k(['create', 'namespace', 'velero']).catch(() => '');
    await k(['create', 'namespace', 'heptio-ark']).catch(() => '');
    await k(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'velero.io/v1',
        kind: 'Backup',
        metadata: { name: NS.list, namespace: 'velero' },
        spec: {
          includedNamespaces: [NS.list],
          labelSelector: { matchLabels: { backup: 'yes' } },
          hooks: { resources: [{ name: 'all', pre: [{ exec: { command: ['echo', 'spec'] } }] }] },
        },
      }),
    );
    await k(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'ark.heptio.com/v1',
        kind: 'Backup',
        metadata: { name: `c-list-ark-${RUN}`, namespace: 'heptio-ark' },
        spec: { includedNamespaces: [NS.list] },
      }),
    );
    const byNs = JSON.parse((await run(['list', '-n', NS.list, '-o', 'json'])).stdout);
    const withHooks = (r: { pods: { name: string; hooks: unknown[] }[] }) => r.pods.filter((p) => p.hooks.length > 0).map((p) => p.name);
    t.deepEqual(withHooks(byNs), ['db-0', 'tmp-0']);
    t.is(byNs.summary.podsInScope, 3, 'pods without hooks are counted, and listed only with --all');
    t.is(JSON.parse((await run(['list', '-n', NS.list, '--all', '-o', 'json'])).stdout).pods.length, 3);
    const sel = JSON.parse((await run(['list', '-n', NS.list, '-l', 'app=db', '-o', 'json'])).stdout);
    t.deepEqual(withHooks(sel), ['db-0']);
    const backup = JSON.parse((await run(['list', '--backup', NS.list, '-o', 'json'])).stdout);
    t.deepEqual(
      backup.pods.map((p: { name: string; hooks: { source: { type: string } }[] }) => [p.name, p.hooks.map((h) => h.source.type)]),
      [
        ['db-0', ['annotation']],
        ['web-0', ['spec']],
      ],
    );
    const ark = JSON.parse((await run(['list', '--backup', `c-list-ark-${RUN}`, '-o', 'json'], admin, 'ark-0.9')).stdout);
    t.is(ark.scope.backup.group, 'ark.heptio.com');
    const missing = await run(['list', '--backup', 'nope']);
    t.is(missing.code, 1);
    t.regex(missing.stderr, /backup "nope" not found/);
  });

  test("label selectors: the real kube-apiserver, the plugin's parser and the test API server's agree on one table", async (t) => {
    await ns(NS.sel);
    for (const [name, labels] of Object.entries(SELECTOR_PODS)) await pod(NS.sel, name, {}, { labels });
    const pods = Object.entries(SELECTOR_PODS);
    for (const [selector, want] of SELECTOR_TABLE) {
      const r = await kubectl(['get', 'pods', '-n', NS.sel, '-l', selector, '-o', 'name'], admin);
      const real =
        r.code === 0
          ? r.stdout
              .split('\n')
              .filter(Boolean)
              .map((l) => l.replace(/^pod\//, ''))
              .sort()
          : 'error';
      t.deepEqual(real, want, `kube-apiserver on ${JSON.stringify(selector)}: ${r.stderr.trim()}`);
      const ours = parseSelector(selector);
      t.deepEqual(
        ours.ok ? pods.filter(([, l]) => matches(ours.selector, l)).map(([n]) => n) : 'error',
        real,
        `plugin on ${JSON.stringify(selector)}`,
      );
      const theirs = parseLabelSelector(selector);
      t.deepEqual(
        theirs.ok ? pods.filter(([, l]) => labelsMatch(theirs.reqs, l)).map(([n]) => n) : 'error',
        real,
        `test API server on ${JSON.stringify(selector)}`,
      );
    }
  });

  test('annotate: merge patches on a real API server; list and kubectl agree; 403 for the restricted user', async (t) => {
    await ns(NS.ann);
    await pod(NS.ann, 'a-0', { keep: 'me' }, { containers: ['app', 'freezer'] });
    await k(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'db', namespace: NS.ann },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'db' } },
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'none' }] } },
        },
      }),
    );
    const r = await run(['annotate', '-n', NS.ann, 'deployment/db', '--preset', 'fsfreeze', '--path', '/data', '--flavor', 'velero']);
    t.is(r.stdout, 'deployment.apps/db annotated (pod template)\n', r.stderr);
    const ok = await run([
      'annotate',
      '-n',
      NS.ann,
      'a-0',
      '--preset',
      'fsfreeze',
      '--path',
      '/data',
      '--container',
      'freezer',
      '--flavor',
      'velero',
    ]);
    t.is(ok.stdout, 'pod/a-0 annotated\n', ok.stderr);
    t.is(
      await k(['get', 'pod', 'a-0', '-n', NS.ann, '-o', `jsonpath={.metadata.annotations.pre\\.hook\\.backup\\.velero\\.io/command}`]),
      '["/sbin/fsfreeze","--freeze","/data"]',
    );
    t.is(await k(['get', 'pod', 'a-0', '-n', NS.ann, '-o', 'jsonpath={.metadata.annotations.keep}']), 'me');
    const dep = await k(['get', 'deployment', 'db', '-n', NS.ann, '-o', 'jsonpath={.spec.template.metadata.annotations}']);
    t.is(JSON.parse(dep)[`post.${V}/command`], '["/sbin/fsfreeze","--unfreeze","/data"]');
    const listed = JSON.parse((await run(['list', '-n', NS.ann, '-o', 'json'])).stdout);
    t.deepEqual(
      listed.pods[0].hooks.map((h: { phase: string; container: string }) => [h.phase, h.container]),
      [
        ['pre', 'freezer'],
        ['post', 'freezer'],
      ],
    );
    const server = await run([
      'annotate',
      '-n',
      NS.ann,
      'a-0',
      '--phase',
      'pre',
      '--overwrite',
      '--command',
      '/bin/sync',
      '--dry-run=server',
    ]);
    t.is(server.stdout, 'pod/a-0 annotated (server dry run)\n', server.stderr);
    t.is(
      await k([
        'get',
        'pod',
        'a-0',
        '-n',
        NS.ann,
        '-o',
        `jsonpath={.metadata.annotations.pre\\.hook\\.backup\\.ark\\.heptio\\.com/command}`,
      ]),
      '',
    );
    // --overwrite: the pod has a velero.io pre hook already (the family the newest Velero reads), so the
    // request reaches the PATCH and the API server's 403.
    const denied = await run(['annotate', '-n', NS.ann, 'a-0', '--phase', 'pre', '--overwrite', '--command', '/bin/sync'], restricted);
    t.is(denied.code, 1);
    t.regex(denied.stderr, /pods "a-0" is forbidden: User "restricted" cannot patch resource "pods"/);
  });

  test('run: real exit codes, Fail vs Continue, order, timeouts', async (t) => {
    await ns(NS.run);
    const marker = mkdtempSync(join(tmpdir(), 'order-'));
    await pod(NS.run, 'a-0', { ...hooks('pre', ['sh', '-c', 'echo out; echo err >&2; exit 4'], { 'on-error': 'Continue' }) });
    await pod(NS.run, 'b-0', { ...hooks('pre', ['sleep', '5'], { timeout: '1s' }) });
    await pod(NS.run, 'c-0', { ...hooks('pre', ['sh', '-c', `echo c >> ${marker}/log`]) });
    await ready(NS.run);
    const r = await run(['run', '--phase', 'pre', '-n', NS.run, '--yes', '-o', 'json', '--parallel', '1']);
    t.is(r.code, 1, 'b-0 timed out with on-error Fail');
    const res = Object.fromEntries(JSON.parse(r.stdout).phases[0].pods.map((p: { pod: string; hooks: object[] }) => [p.pod, p.hooks[0]]));
    t.like(res['a-0'], { result: 'failed', exitCode: 4, stdout: 'out\n', stderr: 'err\n' });
    t.like(res['b-0'], { result: 'timeout' });
    t.like(res['c-0'], { result: 'succeeded', exitCode: 0 });
  });

  test("dry-run finds the missing exec permission; run reports the real API server's 403", async (t) => {
    await ns(NS.rbac);
    await pod(NS.rbac, 'a-0', hooks('pre', ['true']));
    await ready(NS.rbac);
    const dry = await run(['dry-run', '--phase', 'pre', '-n', NS.rbac, '-o', 'json'], restricted);
    t.is(dry.code, 1);
    t.deepEqual(
      JSON.parse(dry.stdout).access.map((a: { verb: string; allowed: boolean }) => [a.verb, a.allowed]),
      [
        ['get', false],
        ['create', false],
      ],
    );
    const clean = await run(['dry-run', '--phase', 'pre', '-n', NS.rbac]);
    t.is(clean.code, 0, clean.stdout);
    const r = await run(['run', '--phase', 'pre', '-n', NS.rbac, '--yes', '-o', 'json'], restricted);
    t.is(r.code, 1);
    t.regex(
      JSON.parse(r.stdout).phases[0].pods[0].hooks[0].message,
      /pods "a-0" is forbidden: User "restricted" cannot (get|create) resource "pods\/exec"/,
    );
  });

  test('wrap: post runs after a failed command and after SIGINT', async (t) => {
    await ns(NS.wrap);
    const dir = mkdtempSync(join(tmpdir(), 'wrap-'));
    await pod(NS.wrap, 'a-0', {
      ...hooks('pre', ['sh', '-c', `echo frozen >> ${dir}/a`]),
      ...hooks('post', ['sh', '-c', `echo thawed >> ${dir}/a`]),
    });
    await ready(NS.wrap);
    const failed = await run(['wrap', '-n', NS.wrap, '--yes', '--', 'sh', '-c', 'exit 9']);
    t.is(failed.code, 4, failed.stderr);
    const { readFileSync } = await import('node:fs');
    t.is(readFileSync(join(dir, 'a'), 'utf8'), 'frozen\nthawed\n');
    const p = start('kubectl', [
      'ark-hooks',
      'wrap',
      '-n',
      NS.wrap,
      '--kubeconfig',
      admin,
      '--yes',
      '--',
      'sh',
      '-c',
      'echo command-started >&2; sleep 30',
    ]);
    await p.waitFor(/command-started/);
    p.child.kill('SIGINT');
    const r = await p.done;
    t.is(r.code, 130, r.stderr);
    t.is(readFileSync(join(dir, 'a'), 'utf8'), 'frozen\nthawed\nfrozen\nthawed\n');
  });
}
