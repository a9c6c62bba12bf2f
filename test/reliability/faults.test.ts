// Faults injected through the test API server, and the security promises: the run finishes,
// reports each failure against its pod, and every planned hook is accounted for against the
// server's own exec log; nothing outside the resolved scope is touched; credentials work and never
// leak into output. The figures recorded for the reliability report come from the server's logs.
import test from 'ava';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { clientCertificate } from '../support/certs.ts';
import { arkHooks } from '../support/cli.ts';
import { accountFromExecLog } from '../support/accounting.ts';
import { recordAccount, recordFaults } from '../support/reliability-log.ts';

const V = 'hook.backup.velero.io';
const cmd = (argv: string[]) => ({ [`pre.${V}/command`]: JSON.stringify(argv) });

async function server(pods: number, ns = 'f'): Promise<{ s: TestApiServer; kc: string }> {
  const s = await startApiServer();
  for (let i = 0; i < pods; i++) s.addPod(ns, `p-${String(i).padStart(4, '0')}`, { annotations: cmd(['ok']) });
  return { s, kc: s.writeKubeconfig({ namespace: ns }) };
}

test('5xx and 429 on reads are retried (Retry-After honoured); a persistent 500 fails in one line', async (t) => {
  const { s, kc } = await server(3);
  try {
    s.faults.push({ match: (q) => q.path.endsWith('/pods'), status: 503, times: 2 });
    s.faults.push({ match: (q) => q.path.endsWith('/pods'), status: 429, headers: { 'Retry-After': '1' }, times: 1 });
    const r = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json']);
    t.is(r.code, 0, r.stderr);
    t.is(JSON.parse(r.stdout).summary.hooks, 3);
    const lists = s.requests.filter((q) => q.verb === 'list' && q.resource === 'pods');
    t.deepEqual(
      lists.map((q) => q.status),
      [503, 503, 429, 200],
      'retried after each fault, in order, until it succeeded',
    );
    // A lower bound read from the server's own clock: load can only lengthen the wait, never fail it.
    t.true((lists[3] as { at: number }).at - (lists[2] as { at: number }).at >= 1000, 'the retry came no sooner than Retry-After: 1');
    s.faults.push({ match: (q) => q.path.endsWith('/pods'), status: 500 });
    const fail = await arkHooks(['list', '--kubeconfig', kc]);
    t.is(fail.code, 1);
    t.is(fail.stderr.trim().split('\n').length, 1);
    t.regex(fail.stderr, /Error from server \(500\): injected fault/);
    recordFaults(s, 'read retries');
  } finally {
    await s.stop();
  }
});

test('a connection reset in the middle of a paged list is retried; no pod is lost or doubled', async (t) => {
  const { s, kc } = await server(1200);
  try {
    s.faults.push({ match: (q) => q.path.endsWith('/pods') && q.query.has('continue'), destroy: true, times: 1 });
    const r = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json']);
    t.is(r.code, 0, r.stderr);
    const names = JSON.parse(r.stdout).pods.map((p: { name: string }) => p.name);
    t.is(names.length, 1200);
    t.is(new Set(names).size, 1200);
    t.is(s.faultsSent().requests, 1, 'one reset was sent');
    recordFaults(s, 'reset mid-list');
  } finally {
    await s.stop();
  }
});

test('writes are not retried blindly: a 503 on PATCH fails once', async (t) => {
  const { s, kc } = await server(1);
  try {
    s.faults.push({ match: (q) => q.method === 'PATCH', status: 503 });
    const r = await arkHooks(['annotate', '--kubeconfig', kc, 'p-0000', '--phase', 'post', '--command', '/bin/true']);
    t.is(r.code, 1);
    t.is(s.requests.filter((q) => q.method === 'PATCH').length, 1);
    recordFaults(s, 'patch 503');
  } finally {
    await s.stop();
  }
});

test('exec faults: refused upgrades, a pod deleted between list and exec, a cut stream; every hook accounted for', async (t) => {
  const { s, kc } = await server(6);
  try {
    s.faults.push({
      match: (q) => q.upgrade && q.path.includes('/p-0000/'),
      status: 400,
      body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'bad exec request', reason: 'BadRequest', code: 400 },
    });
    s.faults.push({
      match: (q) => q.upgrade && q.path.includes('/p-0001/'),
      status: 403,
      body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'not allowed here', reason: 'Forbidden', code: 403 },
    });
    s.faults.push({
      match: (q) => {
        if (q.upgrade && q.path.includes('/p-0002/')) s.deleteObject('', 'pods', 'f', 'p-0002');
        return false;
      },
    });
    s.faults.push({ match: (q) => q.upgrade && q.path.includes('/p-0003/'), destroy: true });
    s.execHandler = (r) => (r.pod === 'p-0004' ? { stdout: 'half', drop: true } : { exitCode: 0 });
    // velero-1.7.1: an unset on-error is Fail after an exec failure, so the failures decide the exit status.
    const plan = JSON.parse(
      (await arkHooks(['dry-run', '--kubeconfig', kc, '--phase', 'pre', '-o', 'json', '--target', 'velero-1.7.1'])).stdout,
    );
    const r = await arkHooks(['run', '--kubeconfig', kc, '--phase', 'pre', '--yes', '-o', 'json', '--target', 'velero-1.7.1']);
    t.is(r.code, 1);
    const hooks = Object.fromEntries(
      JSON.parse(r.stdout).phases[0].pods.map((p: { pod: string; hooks: { result: string; message: string }[] }) => [p.pod, p.hooks[0]]),
    );
    t.regex(hooks['p-0000'].message, /^bad exec request$/);
    t.regex(hooks['p-0001'].message, /^not allowed here$/);
    t.regex(hooks['p-0002'].message, /pods "p-0002" not found/);
    t.regex(hooks['p-0003'].message, /cannot open the exec stream/);
    t.regex(hooks['p-0004'].message, /connection closed before the command reported an exit status/);
    t.is(hooks['p-0005'].result, 'succeeded');
    // Every planned hook against the server's exec log: p-0004 and p-0005 ran (the server saw both
    // sessions start and end), the four refused ones are reported with a reason and never ran.
    const a = accountFromExecLog(s, plan, JSON.parse(r.stdout));
    recordAccount(a, 'exec faults');
    recordFaults(s, 'exec faults');
    t.deepEqual(a.lost, []);
    t.deepEqual(a.unplanned, []);
    t.deepEqual([a.planned, a.ran, a.notRun], [6, 2, 4]);
    // The reset upgrade never started the command, so it is tried 5 times (kube/exec.ts), each one reset.
    t.deepEqual(
      s.faultsSent(),
      { requests: 7, execs: 1, total: 8 },
      "two refusals, five resets of one upgrade, one dropped session (the 404 is the server's own answer)",
    );
  } finally {
    await s.stop();
  }
});

test('scope: exec and patch only what the plan names', async (t) => {
  const s = await startApiServer();
  try {
    for (const ns of ['in', 'out'])
      for (let i = 0; i < 4; i++) s.addPod(ns, `p-${i}`, { labels: { pick: i % 2 ? 'yes' : 'no' }, annotations: cmd(['ok']) });
    const kc = s.writeKubeconfig({ namespace: 'in' });
    const plan = JSON.parse((await arkHooks(['dry-run', '--kubeconfig', kc, '--phase', 'pre', '-l', 'pick=yes', '-o', 'json'])).stdout);
    const planned = plan.pods.map((p: { namespace: string; pod: string }) => `${p.namespace}/${p.pod}`).sort();
    const r = await arkHooks(['run', '--kubeconfig', kc, '--phase', 'pre', '-l', 'pick=yes', '--yes', '-o', 'json']);
    t.deepEqual(s.execs.map((e) => `${e.namespace}/${e.pod}`).sort(), planned);
    const a = accountFromExecLog(s, plan, JSON.parse(r.stdout));
    recordAccount(a, 'scope');
    t.deepEqual([a.planned, a.ran, a.lost.length], [2, 2, 0]);
    t.deepEqual(planned, ['in/p-1', 'in/p-3']);
    await arkHooks(['annotate', '--kubeconfig', kc, '-l', 'pick=yes', '--phase', 'post', '--command', '/bin/true']);
    t.deepEqual(
      s.requests
        .filter((q) => q.method === 'PATCH')
        .map((q) => `${q.namespace}/${q.name}`)
        .sort(),
      planned,
    );
    t.false(s.requests.some((q) => q.namespace === 'out' && q.method !== 'GET'));
  } finally {
    await s.stop();
  }
});

test('credentials: exec plugins, client certificates, insecure-skip-tls-verify; secrets never echoed', async (t) => {
  const s = await startApiServer();
  try {
    s.addPod('default', 'p-0', { annotations: cmd(['ok']) });
    const dir = mkdtempSync(join(tmpdir(), 'creds-'));
    const plugin = join(dir, 'token-plugin.sh');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"admin-token"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const failing = join(dir, 'failing-plugin.sh');
    writeFileSync(failing, '#!/bin/sh\necho "token expired, run: login" >&2\nexit 1\n');
    chmodSync(failing, 0o755);
    const ca = Buffer.from(s.pki.caCert).toString('base64');
    const cfg = (user: object, cluster: object = { server: s.url, 'certificate-authority-data': ca }) => {
      const f = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
      writeFileSync(
        f,
        JSON.stringify({
          'current-context': 'c',
          clusters: [{ name: 'c', cluster }],
          users: [{ name: 'u', user }],
          contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
        }),
      );
      return f;
    };
    const viaPlugin = await arkHooks([
      'list',
      '--kubeconfig',
      cfg({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './token-plugin.sh', interactiveMode: 'Never' } }),
    ]);
    t.is(viaPlugin.code, 0, viaPlugin.stderr);
    t.regex(viaPlugin.stdout, /p-0/);
    const badPlugin = await arkHooks([
      'list',
      '--kubeconfig',
      cfg({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: failing } }),
    ]);
    t.is(badPlugin.code, 1);
    t.is(badPlugin.stderr.trim().split('\n').length, 1);
    const cert = clientCertificate(s.pki, 'cert-user');
    const viaCert = await arkHooks(['list', '--kubeconfig', cfg({ 'client-certificate': cert.cert, 'client-key': cert.key })]);
    t.is(viaCert.code, 0, viaCert.stderr);
    t.true(s.requests.some((q) => q.user === 'cert-user'));
    const insecure = await arkHooks([
      'list',
      '--kubeconfig',
      cfg({ token: 'admin-token' }, { server: s.url, 'insecure-skip-tls-verify': true }),
    ]);
    t.is(insecure.code, 0, insecure.stderr);
    const untrusted = await arkHooks(['list', '--kubeconfig', cfg({ token: 'admin-token' }, { server: s.url })]);
    t.is(untrusted.code, 1, 'TLS verification is on unless the kubeconfig turns it off');
    const secret = 'super-secret-token-value';
    const denied = await arkHooks(['list', '--kubeconfig', cfg({ token: secret }), '-v=8']);
    t.is(denied.code, 1);
    t.false((denied.stdout + denied.stderr).includes(secret), 'the token is not echoed');
  } finally {
    await s.stop();
  }
});
