// The exec WebSocket (src/kube/exec-socket.ts) against a hostile peer on a real loopback socket:
// what the server does after its close frame, or with endless fragments, must neither hang the
// session nor grow memory.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import test from 'ava';
import { ExecSocket } from '../../src/kube/exec-socket.ts';

/** A connected pair: `peer` is the server's end (left half-open when the client ends), `client` ours. */
async function pair(): Promise<{ peer: Socket; client: Socket; stop: () => void }> {
  const server = createServer({ allowHalfOpen: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const accepted = once(server, 'connection');
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [peer] = (await accepted) as [Socket];
  peer.on('error', () => undefined);
  peer.resume();
  return {
    peer,
    client,
    stop: () => {
      peer.destroy();
      client.destroy();
      server.close();
    },
  };
}

test('a server that sends its close frame but never closes the connection: the session still ends', async (t) => {
  const { peer, client, stop } = await pair();
  t.teardown(stop);
  const ws = new ExecSocket(client, 'v5.channel.k8s.io', Buffer.alloc(0), 1024, 200);
  const closed = new Promise<number>((resolve) => ws.onceClosed(resolve));
  peer.write(Buffer.from([0x88, 0x02, 0x03, 0xf3])); // close 1011, and nothing more: the socket stays open
  const code = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open after 10 s'), 10_000).unref())]);
  t.is(code, 1011);
});
