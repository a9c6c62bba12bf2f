// The real kubectl binary against the test API server: if kubectl accepts it, it speaks the protocol.
import test from 'ava';
import type { TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { kubectl } from '../support/cli.ts';

let server: TestApiServer;
let kc: string;
let restricted: string;

test.before(async () => {
  server = await startApiServer();
  server.addPod('default', 'web-0', { labels: { app: 'web' }, containers: ['web', 'sidecar'] });
  server.addPod('default', 'db-0', { labels: { app: 'db' } });
  server.addPod('other', 'x-0');
  server.execHandler = (r) => {
    if (r.command[0] === 'exit') return { exitCode: Number(r.command[1]) };
    if (r.command[0] === 'both') return { stdout: 'to-out\n', stderr: 'to-err\n' };
    if (r.command[0] === 'big') return { stdout: Buffer.alloc(200_000, 'x') };
    return { stdout: `${r.container}:${r.command.join(' ')}\n` };
  };
  server.addUser('viewer-token', {
    name: 'viewer',
    allow: (a) => !(a.resource === 'pods' && (a.subresource === 'exec' || a.verb === 'patch')),
  });
  kc = server.writeKubeconfig();
  restricted = server.writeKubeconfig({ user: 'viewer' });
});
test.after.always(() => server.stop());

test('kubectl get pods prints the server table', async (t) => {
  const r = await kubectl(['get', 'pods'], kc);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
  t.regex(r.stdout, /db-0\s+1\/1\s+Running/);
  t.notRegex(r.stdout, /x-0/, 'other namespaces are not listed');
});

test('kubectl get with a label selector, -A and -o name', async (t) => {
  t.is((await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name'], kc)).stdout, 'pod/web-0\n');
  t.is((await kubectl(['get', 'pods', '-l', 'app in (web,db)', '-o', 'name'], kc)).stdout, 'pod/db-0\npod/web-0\n');
  const all = await kubectl(['get', 'pods', '-A', '-o', 'name'], kc);
  t.is(all.stdout, 'pod/db-0\npod/web-0\npod/x-0\n');
});

test('kubectl annotate sends a merge patch that the server applies', async (t) => {
  const r = await kubectl(['annotate', 'pod', 'db-0', 'team=storage'], kc);
  t.is(r.stdout, 'pod/db-0 annotated\n', r.stderr);
  const get = await kubectl(['get', 'pod', 'db-0', '-o', 'jsonpath={.metadata.annotations.team}'], kc);
  t.is(get.stdout, 'storage');
  const patch = server.requests.find((q) => q.method === 'PATCH' && q.name === 'db-0');
  t.is(patch?.contentType, 'application/merge-patch+json');
});

test('kubectl exec over WebSocket: output, stderr, exit codes and large output', async (t) => {
  const ok = await kubectl(['exec', 'web-0', '-c', 'sidecar', '--', 'echo', 'hi there'], kc);
  t.is(ok.code, 0, ok.stderr);
  t.is(ok.stdout, 'sidecar:echo hi there\n');
  const both = await kubectl(['exec', 'db-0', '--', 'both'], kc);
  t.is(both.stdout, 'to-out\n');
  t.is(both.stderr, 'to-err\n');
  const fail = await kubectl(['exec', 'db-0', '--', 'exit', '7'], kc);
  t.is(fail.code, 7);
  t.regex(fail.stderr, /command terminated with exit code 7/);
  const big = await kubectl(['exec', 'db-0', '--', 'big'], kc);
  t.is(big.stdout.length, 200_000);
  const exec = server.execs.find((e) => e.command[0] === 'echo');
  t.is(exec?.protocol, 'v5.channel.k8s.io', 'kubectl negotiated the v5 WebSocket protocol');
});

test('kubectl sees the same refusals as from a real API server', async (t) => {
  const missing = await kubectl(['exec', 'nope', '--', 'true'], kc);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /pods "nope" not found/);
  const badContainer = await kubectl(['exec', 'web-0', '-c', 'nope', '--', 'true'], kc);
  t.regex(badContainer.stderr, /container nope is not valid for pod web-0|container nope not found in pod web-0/);
  const forbidden = await kubectl(['exec', 'db-0', '--', 'true'], restricted);
  t.is(forbidden.code, 1);
  t.regex(
    forbidden.stderr,
    /Error from server \(Forbidden\): pods "db-0" is forbidden: User "viewer" cannot (get|create) resource "pods\/exec"/,
  );
  const patch = await kubectl(['annotate', 'pod', 'db-0', 'a=b'], restricted);
  t.regex(patch.stderr, /cannot patch resource "pods"/);
});

test('kubectl with bad credentials gets 401', async (t) => {
  server.addUser('expired-token', { name: 'old', expired: true });
  const r = await kubectl(['get', 'pods'], server.writeKubeconfig({ user: 'old' }));
  t.is(r.code, 1);
  t.regex(r.stderr, /You must be logged in to the server|Unauthorized/);
});
