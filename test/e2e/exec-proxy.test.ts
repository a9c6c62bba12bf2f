// The exec upgrade through the kubeconfig's proxy-url (an HTTP CONNECT proxy): the tunnel is used,
// and inside it the cluster's CA and tls-server-name still decide whom we talk to.
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import test from 'ava';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks } from '../support/cli.ts';

/** A CONNECT proxy that records the targets it was asked for. */
async function connectProxy(): Promise<{ url: string; targets: string[]; stop: () => void }> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.once('data', (head: Buffer) => {
      const m = /^CONNECT ([^ ]+):(\d+) HTTP\/1\.1\r\n/.exec(head.toString('latin1'));
      if (!m) return client.destroy();
      targets.push(`${m[1]}:${m[2]}`);
      // Every name leads to the test server: only the tunnel can reach a host under .invalid.
      const upstream = connect(Number(m[2]), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    stop: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function withCluster(kc: string, extra: Record<string, unknown>): void {
  const config = JSON.parse(readFileSync(kc, 'utf8'));
  Object.assign(config.clusters[0].cluster, extra);
  writeFileSync(kc, JSON.stringify(config));
}

test('proxy-url: the exec upgrade goes through the tunnel, with the cluster CA and tls-server-name inside it', async (t) => {
  const server = await startApiServer();
  const proxy = await connectProxy();
  t.teardown(() => {
    proxy.stop();
    return server.stop();
  });
  server.addPod('px', 'p-0', { annotations: { 'pre.hook.backup.velero.io/command': '["ok"]' } });
  const kc = server.writeKubeconfig({ namespace: 'px' });
  const port = new URL(server.url).port;
  // A server name that resolves nowhere: reached through the proxy only; the certificate is checked for tls-server-name.
  withCluster(kc, { server: `https://api.ark-hooks-test.invalid:${port}`, 'proxy-url': proxy.url, 'tls-server-name': 'localhost' });
  const r = await arkHooks(['run', '--kubeconfig', kc, '--target', 'velero-1.18', '--phase', 'pre', '--yes', '-o', 'json']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).phases[0].pods[0].hooks[0].result, 'succeeded');
  t.is(server.execs.length, 1);
  t.true(proxy.targets.every((x) => x === `api.ark-hooks-test.invalid:${port}`));
});
