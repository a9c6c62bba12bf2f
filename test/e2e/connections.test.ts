// What a run costs in connections: its REST calls share keep-alive connections instead of one TLS
// handshake each, and every exec WebSocket (one connection per hook, as the protocol wants) resumes
// the TLS session of the earlier ones. Counted by the test API server, never timed.
import test from 'ava';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks } from '../support/cli.ts';

test('a run: REST calls share connections, and exec WebSockets resume the TLS session', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  for (let i = 0; i < 4; i++) server.addPod('conn', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["ok"]' } });
  const kc = server.writeKubeconfig({ namespace: 'conn' });
  // No --target: the run also asks the cluster which Velero it runs (discovery, a Deployment).
  const r = await arkHooks(['run', '--kubeconfig', kc, '--phase', 'pre', '--yes', '--parallel', '1', '-o', 'json']);
  t.is(r.code, 0, r.stderr);
  const execs = server.execs.length;
  const rest = server.requests.filter((q) => q.status !== 101).length;
  t.is(execs, 4);
  t.true(rest >= 3, `the run made ${rest} REST calls`);
  const restConnections = server.tls.connections - execs;
  t.true(restConnections < rest, `${rest} REST calls took ${restConnections} connections`);
  t.true(server.tls.resumed >= execs - 1, `${server.tls.resumed} of ${server.tls.connections} TLS connections resumed a session`);
});
