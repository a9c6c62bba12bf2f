// The exec WebSocket's own frame layer (src/kube/exec-socket.ts): server frames read whole across
// any chunking, fragments joined, and every rule `ws` enforced on a server (reserved bits, masking,
// control frames, close codes, the size of a message) still a protocol error with its close code;
// client frames masked; the 101 answer checked; the exec query written as client-node wrote it.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { stringify } from 'node:querystring';
import test from 'ava';
import { FrameError, FrameReader, checkUpgrade, clientFrame, validCloseCode } from '../../src/kube/exec-socket.ts';
import { execPath } from '../../src/kube/exec.ts';

/** A server frame, written from RFC 6455 5.2 (independently of the code under test). */
function frame(opcode: number, payload: Buffer, o: { fin?: boolean; rsv?: number; mask?: boolean } = {}): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  if (!o.mask) return Buffer.concat([head, payload]);
  head[1] = (head[1] as number) | 0x80;
  const key = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ (key[i % 4] as number)))]);
}

type Seen = ['message', string, boolean] | ['control', number, string];

function reader(max = 1024): { r: FrameReader; seen: Seen[] } {
  const seen: Seen[] = [];
  const r = new FrameReader(max, {
    message: (data, binary) => seen.push(['message', data.toString('hex'), binary]),
    control: (op, payload) => seen.push(['control', op, payload.toString('hex')]),
  });
  return { r, seen };
}

const bytes = (n: number, seed = 7) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 3) & 0xff));

test('messages of every length form (7-bit, 16-bit, 64-bit) are read whole however the bytes are chunked', (t) => {
  const payloads = [bytes(0), bytes(1), bytes(125), bytes(126), bytes(300), bytes(70_000)];
  const stream = Buffer.concat([...payloads.map((p) => frame(2, p)), frame(9, Buffer.from('hi')), frame(8, Buffer.from([0x03, 0xe8]))]);
  const want: Seen[] = [...payloads.map((p): Seen => ['message', p.toString('hex'), true]), ['control', 9, '6869'], ['control', 8, '03e8']];
  for (const size of [1, 2, 3, 9, 125, 4096, stream.length]) {
    const { r, seen } = reader(100_000);
    for (let i = 0; i < stream.length; i += size) r.push(stream.subarray(i, i + size));
    t.deepEqual(seen, want, `chunks of ${size}`);
  }
});

test('fragments are joined into one message, with control frames between them', (t) => {
  const { r, seen } = reader();
  r.push(
    Buffer.concat([frame(2, Buffer.from('ab'), { fin: false }), frame(9, Buffer.alloc(0)), frame(0, Buffer.from('cd'), { fin: false })]),
  );
  r.push(frame(0, Buffer.from('e')));
  r.push(frame(1, Buffer.from('text')));
  t.deepEqual(seen, [
    ['control', 9, ''],
    ['message', Buffer.from('abcde').toString('hex'), true],
    ['message', Buffer.from('text').toString('hex'), false],
  ]);
});

const violations: [string, Buffer, number, number?][] = [
  ['a masked server frame', frame(2, Buffer.from('x'), { mask: true }), 1002],
  ['a reserved bit', frame(2, Buffer.from('x'), { rsv: 4 }), 1002],
  ['an unknown opcode', frame(3, Buffer.from('x')), 1002],
  ['a continuation with nothing to continue', frame(0, Buffer.from('x')), 1002],
  ['a new message inside a fragmented one', Buffer.concat([frame(2, Buffer.from('a'), { fin: false }), frame(2, Buffer.from('b'))]), 1002],
  ['a fragmented control frame', frame(9, Buffer.from('x'), { fin: false }), 1002],
  ['a control frame over 125 bytes', frame(9, bytes(126)), 1002],
  ['a close frame of one byte', frame(8, Buffer.from([3])), 1002],
  ['a close code no peer may send', frame(8, Buffer.from([0x03, 0xed])), 1002],
  ['a message over the limit (its header alone is enough)', frame(2, bytes(2000)).subarray(0, 4), 1009],
  ['fragments over the limit', Buffer.concat([frame(2, bytes(600), { fin: false }), frame(0, bytes(600))]), 1009],
  ['a 64-bit length no buffer can hold', Buffer.from([0x82, 127, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), 1009],
];
for (const [what, data, code] of violations) {
  test(`a protocol error, close code ${code}: ${what}`, (t) => {
    const { r } = reader(1024);
    const e = t.throws(() => r.push(data), { instanceOf: FrameError });
    t.is(e?.code, code);
  });
}

test('close codes: the ones a peer may send', (t) => {
  t.deepEqual(
    [999, 1000, 1003, 1004, 1005, 1006, 1011, 1014, 1015, 2999, 3000, 4999, 5000].filter(validCloseCode),
    [1000, 1003, 1011, 1014, 3000, 4999],
  );
});

test('client frames are masked, and unmasking gives the payload back', (t) => {
  const payload = Buffer.from([0x03, 0xe8, 0x41]);
  const f = clientFrame(8, payload);
  t.is(f[0], 0x88);
  t.is(f[1], 0x80 | 3);
  const key = f.subarray(2, 6);
  t.deepEqual(Buffer.from(f.subarray(6).map((b, i) => b ^ (key[i % 4] as number))), payload);
  t.throws(() => clientFrame(9, bytes(126)), { instanceOf: RangeError });
});

const answer = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

test('the 101 answer: the accept hash, the chosen subprotocol among those offered, no extensions', (t) => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  t.is(accept, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='); // RFC 6455 1.3's example
  const offered = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
  const ok = { upgrade: 'WebSocket', 'sec-websocket-accept': accept, 'sec-websocket-protocol': 'v4.channel.k8s.io' };
  t.is(checkUpgrade(answer(ok), key, offered), 'v4.channel.k8s.io');
  const bad = (h: Record<string, string | undefined>) => checkUpgrade(answer(h as Record<string, string>), key, offered);
  t.regex(String(bad({ ...ok, 'sec-websocket-accept': 'x' })), /Sec-WebSocket-Accept/);
  t.regex(String(bad({ ...ok, upgrade: 'h2c' })), /Upgrade/);
  t.regex(String(bad({ ...ok, 'sec-websocket-protocol': 'channel.k8s.io' })), /invalid subprotocol/);
  t.regex(String(bad({ ...ok, 'sec-websocket-protocol': undefined })), /no subprotocol/);
  t.regex(String(bad({ ...ok, 'sec-websocket-extensions': 'permessage-deflate' })), /Extensions/);
});

test('the exec query is the one client-node wrote (querystring), for any command', (t) => {
  const commands = [['sh', '-c', 'echo "a b" && x=1; exit 0'], ['/bin/fsfreeze', '--freeze', '/var/lib/mysql'], ['ü€😀', '&=?#/+%'], []];
  for (const command of commands) {
    const q = stringify({ stdout: true, stderr: true, stdin: false, tty: false, command, container: 'side car' });
    t.is(execPath('ns', 'p-0', 'side car', command), `/api/v1/namespaces/ns/pods/p-0/exec?${q}`);
  }
});
