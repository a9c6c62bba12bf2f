// kubectl's connection flags through the built plugin (`kubectl ark-hooks list …`), each checked by what the
// test API server saw on the wire (header lines, bearer token, client certificate, SNI) and compared with
// the real `kubectl get pods` given the same flags against the same server: both must agree.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LoggedRequest, TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { clientCertificate } from '../support/certs.ts';
import type { RunResult } from '../support/cli.ts';
import { arkHooks, run } from '../support/cli.ts';

let server: TestApiServer;
let kc: string;
let ca: string;
const V = 'hook.backup.velero.io';
const LONG_TOKEN = 'other-token-0123456789abcdef';

test.before(async () => {
  server = await startApiServer();
  server.addPod('default', 'web-0', { annotations: { [`pre.${V}/command`]: '["/bin/true"]' } });
  server.addUser(LONG_TOKEN, { name: 'other' });
  kc = server.writeKubeconfig({ namespace: 'default' });
  ca = join(server.pki.dir, 'ca.crt');
});
test.after.always(() => server.stop());

/** Runs a command and returns it with the requests the server got meanwhile. */
async function seen(fn: () => Promise<RunResult>): Promise<{ r: RunResult; requests: LoggedRequest[] }> {
  const from = server.requests.length;
  const r = await fn();
  return { r, requests: server.requests.slice(from) };
}

/** The pods listing among a run's requests (kubectl's and ours). */
function podsRequest(requests: LoggedRequest[]): LoggedRequest {
  const req = requests.find((q) => q.method === 'GET' && q.path === '/api/v1/namespaces/default/pods');
  if (!req) throw new Error(`no pods request in ${requests.map((q) => q.path).join(', ')}`);
  return req;
}

/** `kubectl ark-hooks list ARGS -o json` and `kubectl get pods ARGS -o json`, with what the server saw. */
async function both(args: string[]) {
  const ours = await seen(() => arkHooks(['list', ...args, '-o', 'json']));
  const theirs = await seen(() => run('kubectl', ['get', 'pods', ...args, '-o', 'json']));
  return { ours, theirs };
}

/** A kubeconfig for the test server whose user "u" is `user`. */
function userKubeconfig(name: string, user: Record<string, unknown>): string {
  const file = join(server.pki.dir, `kubeconfig-${name}`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: server.url, 'certificate-authority': ca } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
      'current-context': 'x',
    }),
  );
  return file;
}

const IMPERSONATION = ['impersonate-user', 'impersonate-group', 'impersonate-uid'];
const pick = (q: LoggedRequest, names: string[]) => Object.fromEntries(names.map((n) => [n, q.headers[n]]));

test.serial(
  '--as, --as-group (twice) and --as-uid: one header line per group on every request, exec upgrades included, as kubectl sends them',
  async (t) => {
    const flags = ['--kubeconfig', kc, '--as', 'bob', '--as-group', 'g1', '--as-group', 'g2', '--as-uid', '42'];
    const { ours, theirs } = await both(flags);
    t.is(ours.r.code, 0, ours.r.stderr);
    t.is(theirs.r.code, 0, theirs.r.stderr);
    const want = { 'impersonate-user': ['bob'], 'impersonate-group': ['g1', 'g2'], 'impersonate-uid': ['42'] };
    t.deepEqual(pick(podsRequest(theirs.requests), IMPERSONATION), want, 'kubectl, the reference');
    t.deepEqual(pick(podsRequest(ours.requests), IMPERSONATION), want);
    for (const q of ours.requests) t.deepEqual(pick(q, IMPERSONATION), want, `${q.method} ${q.path}`);
    // The exec upgrade of a hook carries them too.
    const runHooks = await seen(() => arkHooks(['run', ...flags, '--phase', 'pre', '--yes', '-o', 'json']));
    t.is(runHooks.r.code, 0, runHooks.r.stderr);
    const upgrade = runHooks.requests.find((q) => q.subresource === 'exec');
    t.truthy(upgrade, 'the hook ran through an exec upgrade');
    t.deepEqual(pick(upgrade as LoggedRequest, IMPERSONATION), want);
  },
);

test.serial("the kubeconfig's as, as-groups, as-uid and as-user-extra are sent as kubectl sends them; --as replaces as", async (t) => {
  const file = userKubeconfig('impersonating', {
    token: 'admin-token',
    as: 'carol',
    'as-groups': ['ops'],
    'as-uid': '7',
    'as-user-extra': { 'acme.com/project': ['p1', 'p2'], reason: ['audit'] },
  });
  const names = [...IMPERSONATION, 'impersonate-extra-acme.com%2fproject', 'impersonate-extra-reason'];
  for (const extra of [[], ['--as', 'dave']]) {
    const { ours, theirs } = await both(['--kubeconfig', file, ...extra]);
    t.is(theirs.r.code, 0, theirs.r.stderr);
    t.is(ours.r.code, 0, ours.r.stderr);
    const want = pick(podsRequest(theirs.requests), names);
    t.is(want['impersonate-user']?.[0], extra.length ? 'dave' : 'carol');
    t.deepEqual(want['impersonate-extra-acme.com%2fproject'], ['p1', 'p2'], 'kubectl sent the extra');
    t.deepEqual(pick(podsRequest(ours.requests), names), want, extra.join(' ') || 'from the kubeconfig');
  }
});

test.serial('--as-group or --as-uid without --as is refused as kubectl refuses it, before any request', async (t) => {
  for (const flag of [
    ['--as-group', 'g1'],
    ['--as-uid', '42'],
  ]) {
    const { ours, theirs } = await both(['--kubeconfig', kc, ...flag]);
    t.is(theirs.r.code, 1);
    t.is(ours.r.code, 1);
    t.is(ours.r.stdout, '');
    t.regex(theirs.r.stderr, /requesting uid, groups or user-extra for admin without impersonating a user/);
    t.is(
      ours.r.stderr,
      'error: requesting uid, groups or user-extra for admin without impersonating a user; pass --as USER as well (or drop --as-group/--as-uid)\n',
    );
    t.deepEqual(ours.requests, []);
  }
});

test.serial("--token replaces the kubeconfig user's token; -s/--server works without any kubeconfig", async (t) => {
  const { ours, theirs } = await both(['--kubeconfig', kc, '--token', LONG_TOKEN]);
  t.is(ours.r.code, 0, ours.r.stderr);
  for (const side of [ours, theirs]) {
    const q = podsRequest(side.requests);
    t.is(q.user, 'other');
    t.deepEqual(q.headers.authorization, [`Bearer ${LONG_TOKEN}`]);
  }
  const bare = await both(['-s', server.url, '--certificate-authority', ca, '--token', LONG_TOKEN]);
  t.is(bare.theirs.r.code, 0, bare.theirs.r.stderr);
  t.is(bare.ours.r.code, 0, bare.ours.r.stderr);
  t.is(podsRequest(bare.ours.requests).user, 'other');
  t.deepEqual(
    JSON.parse(bare.ours.r.stdout).pods.map((p: { name: string }) => p.name),
    ['web-0'],
  );
  // The exec upgrade of a hook authenticates with the flag's token too.
  const hooks = await seen(() => arkHooks(['run', '--kubeconfig', kc, '--token', LONG_TOKEN, '--phase', 'pre', '--yes', '-o', 'json']));
  t.is(hooks.r.code, 0, hooks.r.stderr);
  const upgrade = hooks.requests.find((q) => q.subresource === 'exec');
  t.is(upgrade?.user, 'other');
  t.deepEqual(upgrade?.headers.authorization, [`Bearer ${LONG_TOKEN}`]);
  const glued = await seen(() =>
    arkHooks(['list', `--server=${server.url}`, '--insecure-skip-tls-verify', '--token', LONG_TOKEN, '-o', 'json']),
  );
  t.is(glued.r.code, 0, glued.r.stderr);
});

test.serial('--certificate-authority, --insecure-skip-tls-verify and their refusal together, as kubectl', async (t) => {
  // Without a CA the test server's certificate is not trusted: both fail.
  const untrusted = await both(['-s', server.url, '--token', LONG_TOKEN]);
  t.not(untrusted.theirs.r.code, 0);
  t.is(untrusted.ours.r.code, 1);
  t.regex(untrusted.ours.r.stderr, /^error: TLS: the certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted/);
  // --insecure-skip-tls-verify over a kubeconfig with a CA: the flag clears the CA (client-go), both work.
  const insecure = await both(['--kubeconfig', kc, '--insecure-skip-tls-verify']);
  t.is(insecure.theirs.r.code, 0, insecure.theirs.r.stderr);
  t.is(insecure.ours.r.code, 0, insecure.ours.r.stderr);
  // Both flags: refused by both, before any request.
  const refused = await both(['--kubeconfig', kc, '--insecure-skip-tls-verify', '--certificate-authority', ca]);
  t.not(refused.theirs.r.code, 0);
  t.regex(refused.theirs.r.stderr, /specifying a root certificates file with the insecure flag is not allowed/);
  t.is(refused.ours.r.code, 1);
  t.is(
    refused.ours.r.stderr,
    'error: specifying a root certificates file with the insecure flag is not allowed (--insecure-skip-tls-verify and --certificate-authority were both given; drop one)\n',
  );
  t.deepEqual(refused.ours.requests, []);
});

test.serial('--client-certificate and --client-key: the server sees the certificate, and no bearer token', async (t) => {
  const cert = clientCertificate(server.pki, 'alice');
  const { ours, theirs } = await both([
    '-s',
    server.url,
    '--certificate-authority',
    ca,
    '--client-certificate',
    cert.cert,
    '--client-key',
    cert.key,
  ]);
  t.is(theirs.r.code, 0, theirs.r.stderr);
  t.is(ours.r.code, 0, ours.r.stderr);
  for (const side of [theirs, ours]) {
    const q = podsRequest(side.requests);
    t.is(q.clientCN, 'alice');
    t.is(q.user, 'alice');
    t.is(q.headers.authorization, undefined);
  }
});

test.serial('--client-certificate over client-certificate-data in the kubeconfig: refused by both, before any request', async (t) => {
  const alice = clientCertificate(server.pki, 'alice');
  const bob = clientCertificate(server.pki, 'bob');
  const b64 = (p: string) => readFileSync(p).toString('base64');
  const file = userKubeconfig('cert-data', { 'client-certificate-data': b64(alice.cert), 'client-key-data': b64(alice.key) });
  const { ours, theirs } = await both(['--kubeconfig', file, '--client-certificate', bob.cert, '--client-key', bob.key]);
  t.is(theirs.r.code, 1);
  t.regex(theirs.r.stderr, /client-cert-data and client-cert are both specified for u/);
  t.is(ours.r.code, 1);
  t.regex(ours.r.stderr, /^error: invalid configuration: client-cert-data and client-cert are both specified for u \(/);
  t.deepEqual(ours.requests, []);
  // Without the flags the kubeconfig's own certificate is used (alice).
  const plain = await both(['--kubeconfig', file]);
  t.is(podsRequest(plain.ours.requests).clientCN, 'alice');
  t.is(podsRequest(plain.theirs.requests).clientCN, 'alice');
});

test.serial(
  "--token over a kubeconfig tokenFile: the flag's token (kubectl 1.32 keeps reading the file: a known client-go quirk)",
  async (t) => {
    const tokenFile = join(server.pki.dir, 'token-file');
    writeFileSync(tokenFile, 'admin-token\n');
    const file = userKubeconfig('token-file', { tokenFile });
    const { ours, theirs } = await both(['--kubeconfig', file, '--token', LONG_TOKEN]);
    t.is(ours.r.code, 0, ours.r.stderr);
    t.is(
      podsRequest(ours.requests).user,
      'other',
      '--token replaces the credentials (kubernetes/kubernetes#44476 treats ignoring it as a bug)',
    );
    // What kubectl 1.32 does today, recorded so that a change on its side is noticed.
    t.is(podsRequest(theirs.requests).user, 'admin');
  },
);

test.serial('--tls-server-name: sent as SNI and used to check the certificate, as kubectl', async (t) => {
  const good = await both(['--kubeconfig', kc, '--tls-server-name', 'localhost']);
  t.is(good.theirs.r.code, 0, good.theirs.r.stderr);
  t.is(good.ours.r.code, 0, good.ours.r.stderr);
  t.is(podsRequest(good.theirs.requests).servername, 'localhost');
  t.is(podsRequest(good.ours.requests).servername, 'localhost');
  const hooks = await seen(() =>
    arkHooks(['run', '--kubeconfig', kc, '--tls-server-name', 'localhost', '--phase', 'pre', '--yes', '-o', 'json']),
  );
  t.is(hooks.r.code, 0, hooks.r.stderr);
  t.is(hooks.requests.find((q) => q.subresource === 'exec')?.servername, 'localhost', 'the exec upgrade sends it too');
  const bad = await both(['--kubeconfig', kc, '--tls-server-name', 'not-the-server.example']);
  t.not(bad.theirs.r.code, 0);
  t.is(bad.ours.r.code, 1);
  t.regex(bad.ours.r.stderr, /^error: .*not-the-server\.example/);
  t.deepEqual(bad.ours.requests, [], 'no request got through');
});

test.serial('--disable-compression: no Accept-Encoding (kubectl sends none either); gzip asked for otherwise', async (t) => {
  const plain = await both(['--kubeconfig', kc]);
  t.deepEqual(podsRequest(plain.theirs.requests).headers['accept-encoding'], ['gzip']);
  t.deepEqual(podsRequest(plain.ours.requests).headers['accept-encoding'], ['gzip']);
  const off = await both(['--kubeconfig', kc, '--disable-compression']);
  t.is(off.ours.r.code, 0, off.ours.r.stderr);
  t.is(podsRequest(off.theirs.requests).headers['accept-encoding'], undefined);
  t.is(podsRequest(off.ours.requests).headers['accept-encoding'], undefined);
  for (const q of off.ours.requests) t.is(q.headers['accept-encoding'], undefined, q.path);
  const eq = await seen(() => arkHooks(['list', '--kubeconfig', kc, '--disable-compression=true', '-o', 'json']));
  t.is(podsRequest(eq.requests).headers['accept-encoding'], undefined);
});

// Guards the transport's own decompression (request() does not inflate as fetch() did).
test.serial('a gzip answer (what a real API server sends for large lists when asked) is read whole', async (t) => {
  const list = {
    kind: 'PodList',
    apiVersion: 'v1',
    metadata: { resourceVersion: '1' },
    items: Array.from({ length: 300 }, (_, i) => ({
      metadata: { name: `gz-${i}`, namespace: 'default', annotations: { [`pre.${V}/command`]: '["/bin/true"]' } },
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
      status: { phase: 'Running' },
    })),
  };
  server.faults.push({
    match: (q) => q.path === '/api/v1/namespaces/default/pods',
    times: 1,
    hostile: { raw: { body: gzipSync(JSON.stringify(list)), encoding: 'gzip' } },
  });
  const r = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).pods.length, 300);
});

test.serial('the connection flags are in every cluster command', async (t) => {
  // kubectl's layout: the global flags are listed by `options`, each command's help points there.
  const options = await arkHooks(['options']);
  for (const cmd of ['list', 'validate', 'dry-run', 'run', 'annotate']) {
    const help = await arkHooks([cmd, '--help']);
    t.true(help.stdout.includes('kubectl ark-hooks options'), `${cmd} --help points to the global options`);
    for (const flag of [
      '--as',
      '--as-group',
      '--as-uid',
      '--token',
      '--server',
      '--insecure-skip-tls-verify',
      '--certificate-authority',
      '--client-certificate',
      '--client-key',
      '--tls-server-name',
      '--disable-compression',
    ]) {
      t.true(options.stdout.includes(flag), `options shows ${flag}`);
    }
  }
});

test.serial('a basic-auth kubeconfig user: --token replaces the password (the server sees the bearer token only)', async (t) => {
  const file = userKubeconfig('basic', { username: 'alice', password: 'basic-password-0123456789' });
  const { ours } = await both(['--kubeconfig', file, '--token', LONG_TOKEN]);
  t.is(ours.r.code, 0, ours.r.stderr);
  t.deepEqual(podsRequest(ours.requests).headers.authorization, [`Bearer ${LONG_TOKEN}`]);
});
