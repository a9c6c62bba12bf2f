// Trust boundary "HTTP and credentials": redirects never leave the origin or drop to http, answers are
// bounded (endless, gzip-bomb, refused upgrades), non-JSON 200s are one-line errors, secrets never
// reach the output, and kubeconfig rules are kubectl's (tokenFile, insecure + CA, gcp cmd-path).
// Through the built CLI against hostile answers of the test API server.
import test from 'ava';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks } from '../support/cli.ts';
import { recordFaults } from '../support/reliability-log.ts';

const V = 'hook.backup.velero.io';
const hooks = { [`pre.${V}/command`]: '["ok"]' };
const oneLine = (t: { is: (a: unknown, b: unknown, m?: string) => void }, stderr: string) =>
  t.is(stderr.trim().split('\n').length, 1, stderr);

async function server(): Promise<{ s: TestApiServer; kc: string }> {
  const s = await startApiServer();
  s.addPod('f', 'p-0', { annotations: hooks });
  return { s, kc: s.writeKubeconfig({ namespace: 'f' }) };
}

function kubeconfig(dir: string, cluster: object, user: object): string {
  const f = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    f,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'f' } }],
    }),
  );
  return f;
}

test('redirects to another origin or to plain http are refused; nothing from them is run', async (t) => {
  const { s, kc } = await server();
  const other = await startApiServer();
  const hits: string[] = [];
  const plain = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: {},
        items: [
          {
            metadata: { name: 'evil', namespace: 'f', annotations: { [`pre.${V}/command`]: '["rm","-rf","/"]' } },
            spec: { nodeName: 'n', containers: [{ name: 'app' }] },
            status: { phase: 'Running', containerStatuses: [{ name: 'app', state: { running: {} } }] },
          },
        ],
      }),
    );
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  try {
    other.addPod('f', 'evil', { annotations: { [`pre.${V}/command`]: '["rm","-rf","/"]' } });
    const targets = [
      `http://127.0.0.1:${(plain.address() as AddressInfo).port}/api/v1/namespaces/f/pods`,
      `${other.url}/api/v1/namespaces/f/pods`,
    ];
    for (const location of targets) {
      s.faults.push({ match: (q) => q.path === '/api/v1/namespaces/f/pods', hostile: { redirect: location }, times: 1 });
      const r = await arkHooks(['run', '--kubeconfig', kc, '--phase', 'pre', '--yes']);
      t.is(r.code, 1, r.stderr);
      oneLine(t, r.stderr);
      t.regex(r.stderr, /redirect/);
    }
    t.deepEqual(hits, [], 'the plain-http server was never asked');
    t.is(other.requests.length, 0, 'the other origin was never asked');
    t.is(s.execs.length + other.execs.length, 0);
    // A redirect within the same origin (https, same host and port) is followed.
    s.faults.push({
      match: (q) => q.path === '/api/v1/namespaces/f/pods' && !q.query.has('moved'),
      hostile: { redirect: '/api/v1/namespaces/f/pods?moved=1&limit=500' },
      times: 1,
    });
    const same = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json']);
    t.is(same.code, 0, same.stderr);
    t.deepEqual(
      JSON.parse(same.stdout).pods.map((p: { name: string }) => p.name),
      ['p-0'],
    );
    recordFaults(s, 'redirects');
  } finally {
    plain.close();
    await other.stop();
    await s.stop();
  }
});

test('endless and gzip-bomb bodies, null and text/html 200s: one-line errors, bounded memory', async (t) => {
  const { s, kc } = await server();
  try {
    const cases = [
      { hostile: { endless: { prefix: '{"kind":"PodList","items":[' } }, expect: /larger than \d+ MiB/ },
      { hostile: { endless: { prefix: '{"kind":"PodList","items":[', gzip: true } }, expect: /larger than \d+ MiB/ },
      { hostile: { raw: { body: gzipSync(Buffer.alloc(300 * 1024 * 1024, ' ')), encoding: 'gzip' } }, expect: /larger than \d+ MiB/ },
      { hostile: { raw: { body: 'null' } }, expect: /not a JSON object/ },
      { hostile: { raw: { body: '<html><body>Sign in</body></html>', contentType: 'text/html' } }, expect: /text\/html/ },
    ];
    for (const c of cases) {
      s.faults.push({ match: (q) => q.path === '/api/v1/namespaces/f/pods', hostile: c.hostile, times: 1 });
      const r = await arkHooks(['list', '--kubeconfig', kc], { timeoutMs: 120_000 });
      t.is(r.code, 1, `${JSON.stringify(c.hostile).slice(0, 80)}: ${r.stderr}`);
      t.is(r.signal, null);
      oneLine(t, r.stderr);
      t.regex(r.stderr, c.expect);
      t.notRegex(r.stderr, /unexpected failure/);
    }
    recordFaults(s, 'hostile bodies');
  } finally {
    await s.stop();
  }
});

test('a refused exec upgrade with an endless body ends the hook with a bounded message', async (t) => {
  const { s, kc } = await server();
  try {
    s.faults.push({ match: (q) => q.upgrade, hostile: { endless: {} }, status: 500 });
    const r = await arkHooks(['run', '--kubeconfig', kc, '--phase', 'pre', '--yes', '-o', 'json'], { timeoutMs: 120_000 });
    t.is(r.code, 1, r.stderr);
    const hook = JSON.parse(r.stdout).phases[0].pods[0].hooks[0];
    t.is(hook.result, 'error');
    t.true(hook.message.length < 1000, `message of ${hook.message.length} characters`);
    recordFaults(s, 'endless refused upgrade');
  } finally {
    await s.stop();
  }
});

test('secrets are redacted: a credential plugin that prints its token, a server URL with a password (-v too)', async (t) => {
  const { s } = await server();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'redact-'));
    const ca = Buffer.from(s.pki.caCert).toString('base64');
    const plugin = join(dir, 'leaky.sh');
    writeFileSync(plugin, '#!/bin/sh\necho "s3cr3t-token-value "\n');
    chmodSync(plugin, 0o755);
    const leaky = kubeconfig(
      dir,
      { server: s.url, 'certificate-authority-data': ca },
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } },
    );
    for (const args of [['list'], ['list', '-v=8'], ['run', '--phase', 'pre', '--yes']]) {
      const r = await arkHooks([...args, '--kubeconfig', leaky]);
      t.is(r.code, 1, r.stderr);
      t.false((r.stdout + r.stderr).includes('s3cr3t'), r.stderr);
      t.regex(r.stderr, /credential plugin/);
    }
    const withPassword = kubeconfig(
      dir,
      { server: s.url.replace('https://', 'https://admin:hunter2pw@'), 'certificate-authority-data': ca },
      { token: 'admin-token' },
    );
    for (const args of [['list'], ['list', '-v=8'], ['list', '-o', 'json']]) {
      const r = await arkHooks([...args, '--kubeconfig', withPassword]);
      t.false((r.stdout + r.stderr).includes('hunter2pw'), `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      t.true((r.stdout + r.stderr).includes('admin:***@'), `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    }
    recordFaults(s, 'secrets in errors');
  } finally {
    await s.stop();
  }
});

test('kubeconfig rules as kubectl: insecure + CA refused, gcp cmd-path refused, tokenFile used and re-read', async (t) => {
  const { s } = await server();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'kcrules-'));
    const ca = Buffer.from(s.pki.caCert).toString('base64');
    const both = kubeconfig(
      dir,
      { server: s.url, 'certificate-authority-data': ca, 'insecure-skip-tls-verify': true },
      { token: 'admin-token' },
    );
    const r1 = await arkHooks(['list', '--kubeconfig', both]);
    t.is(r1.code, 1);
    t.regex(r1.stderr, /^error: specifying a root certificates file with the insecure flag is not allowed/);
    oneLine(t, r1.stderr);
    t.is(s.requests.length, 0, 'refused before any request');

    const marker = join(dir, 'ran');
    const gcp = kubeconfig(
      dir,
      { server: s.url, 'certificate-authority-data': ca },
      { 'auth-provider': { name: 'gcp', config: { 'cmd-path': `/bin/sh -c 'touch ${marker}'`, 'cmd-args': '' } } },
    );
    const r2 = await arkHooks(['list', '--kubeconfig', gcp]);
    t.is(r2.code, 1);
    t.regex(r2.stderr, /gcp auth plugin has been removed/);
    oneLine(t, r2.stderr);
    t.false(existsSync(marker), 'the cmd-path was never run');

    s.addUser('rotated-1', { name: 'rot' });
    s.addUser('rotated-2', { name: 'rot' });
    s.addPod('f', 'p-1', { annotations: hooks });
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'rotated-1\n');
    const viaFile = kubeconfig(dir, { server: s.url, 'certificate-authority-data': ca }, { tokenFile });
    const r3 = await arkHooks(['list', '--kubeconfig', viaFile]);
    t.is(r3.code, 0, r3.stderr);
    t.true(s.requests.some((q) => q.user === 'rot'));
    // The token rotates while a run is under way: the file is read again, the old token expires.
    s.execHandler = (r) => {
      if (r.pod === 'p-0') {
        writeFileSync(tokenFile, 'rotated-2\n');
        (s.users.get('rotated-1') as { expired?: boolean }).expired = true;
      }
      return { exitCode: 0 };
    };
    const r4 = await arkHooks([
      'run',
      '--kubeconfig',
      viaFile,
      '--phase',
      'pre',
      '--yes',
      '--parallel',
      '1',
      '--record-events',
      '-o',
      'json',
    ]);
    t.is(r4.code, 0, r4.stderr);
    t.is(JSON.parse(r4.stdout).summary.succeeded, 2);
    t.is(s.execs.filter((e) => e.user === 'rot').length, 2);
    t.false(r4.stderr.includes('could not record'), r4.stderr);
    recordFaults(s, 'kubeconfig rules');
  } finally {
    await s.stop();
  }
});
