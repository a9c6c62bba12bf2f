// How `run` opens the connections of its exec streams (src/kube/exec-connections.ts), seen from the
// test API server: each exec after the first starts on a connection made while the one before ran;
// the first wave of --parallel resumes the session of one full handshake; a spare left when the
// phase ends is closed, and no connection is opened that no exec uses when every hook runs.
import test from 'ava';
import type { ExecRequest } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks, preRunArgs } from '../support/cli.ts';

/**
 * An exec handler that holds each session (but the last of `total`) until the server has secured
 * one more TLS connection than when it started, up to 3 s: the spare a running exec should bring. So
 * the order the tests check does not depend on how fast a loaded machine makes a handshake.
 */
function holdForSpare(server: { tls: { connections: number }; execs: unknown[] }, total: number, exitCode = 0) {
  return async () => {
    const last = server.execs.length >= total;
    const before = server.tls.connections;
    for (let i = 0; i < 150 && !last && server.tls.connections === before; i++) await new Promise((r) => setTimeout(r, 20));
    return { exitCode };
  };
}

/** Waits until the server has seen every connection of the run close (the client may exit first). */
async function settled(server: { openConnections: number }): Promise<void> {
  for (let i = 0; i < 250 && server.openConnections > 0; i++) await new Promise((r) => setTimeout(r, 20));
}

test('serial execs: each one after the first starts on a connection made while the previous command ran; none is left unused', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  for (let i = 0; i < 5; i++) server.addPod('warm', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["ok"]' } });
  server.execHandler = holdForSpare(server, 5);
  const kc = server.writeKubeconfig({ namespace: 'warm' });
  const before = { ...server.tls };
  const r = await arkHooks(preRunArgs(kc, 1));
  t.is(r.code, 0, r.stderr);
  const execs = [...server.execs].sort((a, b) => a.startedAt - b.startedAt);
  t.is(execs.length, 5);
  for (const [i, e] of execs.entries()) {
    t.truthy(e.connection, `exec ${i}: the server knows its connection`);
    if (i === 0) continue;
    t.true(e.connection?.resumed, `exec ${i} resumed the TLS session of an earlier one`);
    const prev = execs[i - 1] as ExecRequest;
    t.true(
      (e.connection?.securedAt ?? Number.POSITIVE_INFINITY) <= (prev.finishedAt ?? 0),
      `exec ${i}: its connection was ready (${e.connection?.securedAt}) before exec ${i - 1} ended (${prev.finishedAt})`,
    );
  }
  await settled(server);
  t.is(server.openConnections, 0);
  t.is(server.tls.unused - before.unused, 0, 'no connection was opened that no request used');
  t.is(server.tls.tcp - before.tcp, server.tls.connections - before.connections, 'every connection finished its handshake');
});

test('the first wave of --parallel waits for one full handshake and resumes its session', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  for (let i = 0; i < 8; i++) server.addPod('wave', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["ok"]' } });
  // Each session is held until all eight are open (up to 3 s), so that they overlap however slow the machine.
  let allOpen = false;
  server.execHandler = async () => {
    for (let i = 0; i < 150 && !allOpen; i++) {
      allOpen ||= server.execs.filter((e) => e.finishedAt === undefined).length >= 8;
      if (!allOpen) await new Promise((r) => setTimeout(r, 20));
    }
    return { exitCode: 0 };
  };
  const kc = server.writeKubeconfig({ namespace: 'wave' });
  const r = await arkHooks(preRunArgs(kc, 8));
  t.is(r.code, 0, r.stderr);
  t.is(server.execs.length, 8);
  t.is(Math.max(...server.execs.map((e) => e.openAtStart)), 8, 'the eight ran at once');
  const full = server.execs.filter((e) => !e.connection?.resumed);
  t.is(full.length, 1, `exec connections with a full handshake: ${full.map((e) => e.pod).join(', ')}`);
});

test('a spare left when --fail-fast stops the phase is closed, and the run ends', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  for (let i = 0; i < 3; i++)
    server.addPod('stop', `p-${i}`, {
      annotations: { 'pre.hook.backup.velero.io/command': '["fail"]', 'pre.hook.backup.velero.io/on-error': 'Fail' },
    });
  server.execHandler = holdForSpare(server, 3, 3);
  const kc = server.writeKubeconfig({ namespace: 'stop' });
  const before = { ...server.tls };
  const r = await arkHooks(preRunArgs(kc, 1, ['--fail-fast']), { timeoutMs: 20_000 });
  t.is(r.code, 1, r.stderr);
  t.is(server.execs.length, 1, 'only the first pod ran');
  await settled(server);
  t.is(server.openConnections, 0);
  t.is(server.tls.unused - before.unused, 1, 'the spare made for the second pod was closed unused');
  t.is(server.tls.tcp - before.tcp, server.tls.connections - before.connections, 'and no other connection was made');
});
