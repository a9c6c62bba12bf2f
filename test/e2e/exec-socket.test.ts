// The exec WebSocket of our own (src/kube/exec-socket.ts) against the test API server: an upgrade
// the server does not answer is given up after --request-timeout and started again, and the run
// ends; every exec resumes the TLS session of the one before.
import { readFileSync, writeFileSync } from 'node:fs';
import test from 'ava';
import { startApiServer } from '../support/apiserver.ts';
import { clientCertificate } from '../support/certs.ts';
import { arkHooks, preRunArgs } from '../support/cli.ts';

test('an exec upgrade left unanswered is given up after --request-timeout and retried; the hook then runs', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  server.addPod('slow', 'p-0', { annotations: { 'pre.hook.backup.velero.io/command': '["ok"]' } });
  server.faults.push({ match: (q) => q.upgrade, delayMs: 20_000, destroy: true, times: 1 });
  const kc = server.writeKubeconfig({ namespace: 'slow' });
  const r = await arkHooks(
    ['run', '--kubeconfig', kc, '--target', 'velero-1.18', '--phase', 'pre', '--yes', '--request-timeout', '1s', '-o', 'json'],
    {
      timeoutMs: 15_000,
    },
  );
  t.is(r.code, 0, r.stderr);
  const hook = JSON.parse(r.stdout).phases[0].pods[0].hooks[0];
  t.is(hook.result, 'succeeded');
  t.is(server.execs.length, 1, 'the second upgrade ran the command, once');
});

test('execs one after another each resume the TLS session and close with a status', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  for (let i = 0; i < 5; i++) server.addPod('seq', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["ok"]' } });
  const kc = server.writeKubeconfig({ namespace: 'seq' });
  const before = { ...server.tls };
  const r = await arkHooks(preRunArgs(kc, 1));
  t.is(r.code, 0, r.stderr);
  t.deepEqual(
    server.execs.map((e) => e.ended),
    ['status', 'status', 'status', 'status', 'status'],
  );
  t.true(server.tls.resumed - before.resumed >= 4, `${server.tls.resumed - before.resumed} sessions resumed`);
});

test('a status whose details are not the shape of a metav1.Status fails the hook, never the run', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  const bad = [
    { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: 5 } },
    { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [null] } },
    { status: 'Failure', reason: 'InternalError', message: { not: 'a string' } },
  ];
  bad.forEach((_, i) => server.addPod('badst', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': `["bad","${i}"]` } }));
  server.execHandler = (r) => ({
    frames: [Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(bad[Number(r.command[1])]))])],
    pauseAfterFramesMs: 200,
  });
  const kc = server.writeKubeconfig({ namespace: 'badst' });
  const r = await arkHooks(['run', '--kubeconfig', kc, '--target', 'velero-1.18', '--phase', 'pre', '--yes', '-o', 'json']);
  t.is(r.code, 1, r.stderr);
  t.is(r.stderr.includes('TypeError'), false, r.stderr);
  const hooks = JSON.parse(r.stdout).phases[0].pods.map((p: { hooks: { result: string; message: string }[] }) => p.hooks[0]);
  t.is(hooks.length, 3);
  for (const h of hooks) {
    t.is(h.result, 'error', JSON.stringify(h));
    t.is(typeof h.message, 'string');
  }
});

test('a refused upgrade whose body never comes is given up after --request-timeout; the run ends', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  server.addPod('stall', 'p-0', { annotations: { 'pre.hook.backup.velero.io/command': '["ok"]' } });
  server.faults.push({ match: (q) => q.upgrade, status: 403, hostile: { stall: { prefix: '{"kind":"Status"' } } });
  const kc = server.writeKubeconfig({ namespace: 'stall' });
  const r = await arkHooks(
    ['run', '--kubeconfig', kc, '--target', 'velero-1.18', '--phase', 'pre', '--yes', '--request-timeout', '1s', '-o', 'json'],
    { timeoutMs: 20_000 },
  );
  t.is(r.code, 1, r.stderr);
  const hook = JSON.parse(r.stdout).phases[0].pods[0].hooks[0];
  t.is(hook.result, 'error', JSON.stringify(hook));
  t.regex(hook.message, /HTTP 403/);
  t.is(server.execs.length, 0);
});

test('a client-certificate user: every exec upgrade presents the certificate, resumed sessions included', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  for (let i = 0; i < 4; i++) server.addPod('cert', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["ok"]' } });
  const kc = server.writeKubeconfig({ namespace: 'cert' });
  const alice = clientCertificate(server.pki, 'alice');
  const read = (x: string) => Buffer.from(x.includes('BEGIN') ? x : readFileSync(x, 'utf8')).toString('base64');
  const config = JSON.parse(readFileSync(kc, 'utf8'));
  config.users[0].user = { 'client-certificate-data': read(alice.cert), 'client-key-data': read(alice.key) };
  writeFileSync(kc, JSON.stringify(config));
  const before = { ...server.tls };
  const r = await arkHooks(preRunArgs(kc, 1));
  t.is(r.code, 0, r.stderr);
  t.deepEqual(
    server.execs.map((e) => e.user),
    ['alice', 'alice', 'alice', 'alice'],
  );
  t.true(server.tls.resumed - before.resumed >= 3, `${server.tls.resumed - before.resumed} sessions resumed`);
});
