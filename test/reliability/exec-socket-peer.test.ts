// The exec WebSocket (src/kube/exec-socket.ts) against a hostile peer on a real loopback socket:
// what the server does after its close frame, or with endless fragments, must neither hang the
// session nor grow memory.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import test from 'ava';
import { ExecSocket, FrameReader } from '../../src/kube/exec-socket.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

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

test('a message sent as a million empty or one-byte fragments costs its bytes, not an object per fragment', (t) => {
  let got = -1;
  const r = new FrameReader(16 * 1024 * 1024, { message: (data) => (got = data.length), control: () => undefined });
  r.push(Buffer.from([0x02, 0x01, 0x41])); // a binary message begins (FIN clear), one byte
  const empty = Buffer.alloc(2 * 65536); // 65,536 continuation frames with no payload (0x00 0x00)
  const oneByte = Buffer.alloc(3 * 65536); // 65,536 continuation frames of one byte (0x00 0x01 x)
  for (let i = 0; i < oneByte.length; i += 3) oneByte[i + 1] = 1;
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 16; i++) r.push(empty);
  for (let i = 0; i < 4; i++) r.push(oneByte);
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  t.true(grown < 20e6, `the heap grew by ${(grown / 1e6).toFixed(1)} MB for 1.3 M fragments holding 262,145 bytes`);
  r.push(Buffer.from([0x80, 0x00])); // the last fragment
  t.is(got, 1 + 4 * 65536);
});

test('a server that floods pings and reads nothing does not grow our write buffer without bound', async (t) => {
  const { peer, client, stop } = await pair();
  t.teardown(stop);
  const ws = new ExecSocket(client, 'v5.channel.k8s.io', Buffer.alloc(0), 1024);
  peer.pause(); // the server reads none of our pongs
  const pings = Buffer.alloc(2 * 4 * 1024 * 1024); // 4 Mi empty pings (0x89 0x00): 24 MiB of pongs to answer
  for (let i = 0; i < pings.length; i += 2) pings[i] = 0x89;
  let received = 0;
  client.on('data', (c: Buffer) => (received += c.length));
  peer.write(pings);
  while (received < pings.length) await new Promise((r) => setTimeout(r, 20));
  t.true(client.writableLength < 1024 * 1024, `${client.writableLength} bytes of pongs waiting to be written`);
  ws.terminate();
});
