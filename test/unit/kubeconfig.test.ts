import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/errors.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';

function cfg(dir: string, file: string, body: object | string): string {
  const path = join(dir, file);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

const config = (current: string | undefined, names: { cluster: string; server: string; user?: string; ns?: string }[]) => ({
  apiVersion: 'v1',
  kind: 'Config',
  ...(current ? { 'current-context': current } : {}),
  clusters: names.map((n) => ({ name: n.cluster, cluster: { server: n.server } })),
  users: names.map((n) => ({ name: n.user ?? n.cluster, user: { token: `t-${n.cluster}` } })),
  contexts: names.map((n) => ({
    name: n.cluster,
    context: { cluster: n.cluster, user: n.user ?? n.cluster, ...(n.ns ? { namespace: n.ns } : {}) },
  })),
});

test('KUBECONFIG: the first file that sets current-context wins, and the first definition of a name', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  const a = cfg(
    dir,
    'a',
    config('one', [
      { cluster: 'one', server: 'https://a.example:6443', ns: 'from-a' },
      { cluster: 'shared', server: 'https://first.example' },
    ]),
  );
  const b = cfg(
    dir,
    'b',
    config('two', [
      { cluster: 'two', server: 'https://b.example:6443' },
      { cluster: 'shared', server: 'https://second.example' },
    ]),
  );
  const r = loadKubeConfig({}, { KUBECONFIG: `${a}:${b}`, HOME: dir });
  t.is(r.contextName, 'one');
  t.is(r.namespace, 'from-a');
  t.is(r.kc.getCluster('shared')?.server, 'https://first.example', 'duplicate names do not throw: the first wins');
  const r2 = loadKubeConfig({ context: 'two' }, { KUBECONFIG: `${a}:${b}`, HOME: dir });
  t.is(r2.server, 'https://b.example:6443');
  t.is(r2.namespace, 'default');
});

test('KUBECONFIG: missing and empty files are skipped; a file without current-context defers to the next', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  const empty = cfg(dir, 'empty', '');
  const noCurrent = cfg(dir, 'c', config(undefined, [{ cluster: 'c', server: 'https://c.example' }]));
  const a = cfg(dir, 'a', config('a', [{ cluster: 'a', server: 'https://a.example' }]));
  const r = loadKubeConfig({}, { KUBECONFIG: `${join(dir, 'missing')}:${empty}:${noCurrent}:${a}`, HOME: dir });
  t.is(r.contextName, 'a');
});

test('overrides: --context, --cluster, --user, --namespace, with kubectl messages for unknown names', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  const a = cfg(
    dir,
    'a',
    config('one', [
      { cluster: 'one', server: 'https://one.example' },
      { cluster: 'two', server: 'https://two.example' },
    ]),
  );
  const r = loadKubeConfig({ kubeconfig: a, cluster: 'two', user: 'one', namespace: 'x' }, { HOME: dir });
  t.is(r.server, 'https://two.example');
  t.is(r.namespace, 'x');
  t.is(r.kc.getCurrentUser()?.name, 'one');
  t.throws(() => loadKubeConfig({ kubeconfig: a, context: 'nope' }, {}), {
    instanceOf: UserError,
    message: /context "nope" does not exist/,
  });
  t.throws(() => loadKubeConfig({ kubeconfig: a, cluster: 'nope' }, {}), { message: /cluster "nope" does not exist/ });
  t.throws(() => loadKubeConfig({ kubeconfig: a, user: 'nope' }, {}), { message: /auth info "nope" does not exist/ });
  t.throws(() => loadKubeConfig({ kubeconfig: join(dir, 'missing') }, {}), { message: /does not exist/ });
});

test('relative paths are resolved against the kubeconfig file, as kubectl does', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  mkdirSync(join(dir, 'sub'));
  const file = cfg(join(dir, 'sub'), 'config', {
    'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server: 'https://c.example', 'certificate-authority': 'ca.crt' } }],
    users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './plugin.sh' } } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
  });
  const r = loadKubeConfig({ kubeconfig: file }, {});
  t.is(r.kc.getCluster('c')?.caFile, join(dir, 'sub', 'ca.crt'));
  t.is((r.kc.getUser('u')?.exec as { command?: string } | undefined)?.command, join(dir, 'sub', 'plugin.sh'));
});

test('no configuration at all is a clear error', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  t.throws(() => loadKubeConfig({}, { HOME: dir }), { message: /no Kubernetes configuration found/ });
  t.throws(() => loadKubeConfig({}, { HOME: dir, KUBECONFIG: cfg(dir, 'bad', 'clusters: [') }), { message: /not valid YAML/ });
  t.throws(
    () => loadKubeConfig({}, { HOME: dir, KUBECONFIG: cfg(dir, 'nocurrent', config(undefined, [{ cluster: 'a', server: 'https://a' }])) }),
    { message: /current-context is not set/ },
  );
});
