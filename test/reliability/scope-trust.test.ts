// Trust boundary "scope": the plan decides what is touched, not the server. A server that answers a
// namespaced list with pods of other namespaces, ignores -l, or repeats a continue token must not
// widen what gets exec'd or PATCHed. Through the built CLI against hostile answers of the test server.
import test from 'ava';
import type { Obj, TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks } from '../support/cli.ts';
import { recordFaults } from '../support/reliability-log.ts';

const V = 'hook.backup.velero.io';
const hooks = { [`pre.${V}/command`]: '["ok"]' };

/** A list answer holding every pod the server has, whatever was asked. */
const everything = (s: TestApiServer) => () => ({
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '1' },
  items: s.list('', 'pods'),
});

async function server(): Promise<{ s: TestApiServer; kc: string }> {
  const s = await startApiServer();
  s.addPod('shop', 'web-0', { labels: { pick: 'yes' }, annotations: hooks });
  s.addPod('shop', 'web-1', { labels: { pick: 'no' }, annotations: hooks });
  s.addPod('kube-system', 'etcd-0', { labels: { pick: 'yes' }, annotations: hooks });
  return { s, kc: s.writeKubeconfig({ namespace: 'shop' }) };
}

test("-n shop: pods of other namespaces in the answer are dropped and reported, never exec'd", async (t) => {
  const { s, kc } = await server();
  try {
    s.faults.push({ match: (q) => q.method === 'GET' && q.path === '/api/v1/namespaces/shop/pods', hostile: { respond: everything(s) } });
    const r = await arkHooks(['run', '--kubeconfig', kc, '-n', 'shop', '--phase', 'pre', '--yes', '-o', 'json']);
    t.is(r.code, 0, r.stderr);
    t.deepEqual(s.execs.map((e) => `${e.namespace}/${e.pod}`).sort(), ['shop/web-0', 'shop/web-1']);
    t.regex(r.stderr, /warning: .*kube-system\/etcd-0.*namespace/);
    const report = JSON.parse(r.stdout);
    t.deepEqual(
      report.scope.dropped.map((d: { object: string }) => d.object),
      ['kube-system/etcd-0'],
    );
    const list = await arkHooks(['list', '--kubeconfig', kc, '-n', 'shop', '-o', 'json']);
    t.deepEqual(
      JSON.parse(list.stdout).pods.map((p: Obj) => `${p.namespace}/${p.name}`),
      ['shop/web-0', 'shop/web-1'],
    );
    recordFaults(s, 'wrong-namespace answers');
  } finally {
    await s.stop();
  }
});

test("-l ignored by the server: non-matching pods are neither exec'd nor PATCHed", async (t) => {
  const { s, kc } = await server();
  try {
    s.faults.push({
      match: (q) => q.method === 'GET' && q.path === '/api/v1/namespaces/shop/pods',
      hostile: {
        respond: () => ({
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: {},
          items: s.list('', 'pods').filter((p) => p.metadata.namespace === 'shop'),
        }),
      },
    });
    const r = await arkHooks(['run', '--kubeconfig', kc, '-l', 'pick=yes', '--phase', 'pre', '--yes', '-o', 'json']);
    t.is(r.code, 0, r.stderr);
    t.deepEqual(
      s.execs.map((e) => `${e.namespace}/${e.pod}`),
      ['shop/web-0'],
    );
    t.regex(r.stderr, /warning: .*shop\/web-1.*selector/);
    t.deepEqual(
      JSON.parse(r.stdout).scope.dropped.map((d: { object: string }) => d.object),
      ['shop/web-1'],
    );
    const a = await arkHooks(['annotate', '--kubeconfig', kc, '-l', 'pick=yes', '--phase', 'post', '--command', '/bin/true']);
    t.is(a.code, 0, a.stderr);
    t.deepEqual(
      s.requests.filter((q) => q.method === 'PATCH').map((q) => `${q.namespace}/${q.name}`),
      ['shop/web-0'],
    );
    t.regex(a.stderr, /warning: .*web-1.*selector/);
    recordFaults(s, 'ignored selector');
  } finally {
    await s.stop();
  }
});

test("annotate -l in a namespace: an answer with another namespace's object is not PATCHed", async (t) => {
  const { s, kc } = await server();
  try {
    s.faults.push({ match: (q) => q.method === 'GET' && q.path === '/api/v1/namespaces/shop/pods', hostile: { respond: everything(s) } });
    const a = await arkHooks(['annotate', '--kubeconfig', kc, '-l', 'pick=yes', '--phase', 'post', '--command', '/bin/true']);
    t.is(a.code, 0, a.stderr);
    t.deepEqual(
      s.requests.filter((q) => q.method === 'PATCH').map((q) => `${q.namespace}/${q.name}`),
      ['shop/web-0'],
    );
    t.false(s.requests.some((q) => q.namespace === 'kube-system' && q.method !== 'GET'));
  } finally {
    await s.stop();
  }
});

test('a repeated continue token stops the listing with a one-line error', async (t) => {
  const { s, kc } = await server();
  try {
    const page = (q: { query: URLSearchParams }) => ({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { continue: 'c2FtZQ==' },
      items: q.query.has('continue') ? [] : s.list('', 'pods').slice(0, 1),
    });
    s.faults.push({ match: (q) => q.method === 'GET' && q.path.endsWith('/pods'), hostile: { respond: page } });
    for (const args of [['list'], ['annotate', '-l', 'pick=yes', '--phase', 'post', '--command', '/bin/true']]) {
      // Only the pod listings count: target detection and discovery send their own requests first.
      const listings = () => s.requests.filter((q) => q.method === 'GET' && q.path.endsWith('/pods')).length;
      const before = listings();
      const r = await arkHooks([...args, '--kubeconfig', kc], { timeoutMs: 60_000 });
      t.is(r.code, 1, args[0]);
      // One error line (annotate may say first which target it detected, on a line of its own).
      t.deepEqual(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('ark-hooks: ')).length,
        1,
        r.stderr,
      );
      t.regex(r.stderr, /continue token/);
      t.true(listings() - before <= 3, `stopped after ${listings() - before} page requests`);
    }
    t.is(s.requests.filter((q) => q.method === 'PATCH').length, 0, 'nothing is patched from a broken listing');
    recordFaults(s, 'continue loop');
  } finally {
    await s.stop();
  }
});
