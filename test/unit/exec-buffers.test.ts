// The exec stream's memory and TLS helpers: the bounded tail of a hook's output, and the TLS context
// every exec WebSocket shares (rebuilt only when the kubeconfig's TLS material changes).
import test from 'ava';
import { SharedTlsContext, TailBuffer } from '../../src/kube/exec.ts';
import { testPki } from '../support/certs.ts';

const feed = (limit: number, chunks: string[]) => {
  const t = new TailBuffer(limit);
  for (const c of chunks) t.push(Buffer.from(c));
  return t;
};

test('the tail keeps everything up to the limit, untruncated', (t) => {
  const tail = feed(8, ['abc', '', 'defgh']);
  t.is(tail.data.toString(), 'abcdefgh');
  t.false(tail.truncated);
});

test('the tail keeps the last bytes across the ring boundary, for any chunk sizes', (t) => {
  const text = Array.from({ length: 500 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
  for (const limit of [1, 7, 64]) {
    for (const size of [1, 3, 7, 8, 63, 64, 65, 200]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const tail = feed(limit, chunks);
      t.is(tail.data.toString(), text.slice(-limit), `limit ${limit}, chunks of ${size}`);
      t.true(tail.truncated);
    }
  }
});

test('a zero limit keeps nothing and says so', (t) => {
  const tail = feed(0, ['x']);
  t.is(tail.data.length, 0);
  t.true(tail.truncated);
});

test('the tail does not keep a view of the caller’s buffer', (t) => {
  const chunk = Buffer.from('hello');
  const tail = new TailBuffer(16);
  tail.push(chunk);
  chunk.fill(0);
  t.is(tail.data.toString(), 'hello');
});

test('every connection gets the same TLS context while the material is the same; new material, a new context', (t) => {
  const pki = testPki();
  const shared = new SharedTlsContext();
  const opts = () => ({ ca: Buffer.from(pki.caCert), rejectUnauthorized: true, servername: 'x' }) as Record<string, unknown>;
  const a = opts();
  const b = opts();
  shared.apply(a);
  shared.apply(b);
  t.truthy(a.secureContext);
  t.is(a.secureContext, b.secureContext);
  t.is(a.ca, undefined, 'the PEM text is not handed to tls.connect again');
  t.is(a.rejectUnauthorized, true, 'verification options stay');
  t.is(a.servername, 'x');
  const c: Record<string, unknown> = { ...opts(), cert: Buffer.from(pki.serverCert), key: Buffer.from(pki.serverKey) };
  shared.apply(c);
  t.not(c.secureContext, a.secureContext);
});
