// ExecConnections (src/kube/exec-connections.ts) against real TLS servers on loopback: a spare
// connection is used only while it is young and open; connections started during the first
// handshake wait for its session, and go without one when the server sends none (openssl s_server
// -num_tickets 0).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TLSSocket } from 'node:tls';
import { createSecureContext, createServer } from 'node:tls';
import type { ExecutionContext } from 'ava';
import test from 'ava';
import { ExecConnections, SPARE_MAX_AGE_MS } from '../../src/kube/exec-connections.ts';
import { testPki } from '../support/certs.ts';

const pki = testPki();
const target = () => ({ secureContext: createSecureContext({ ca: pki.caCert }) });

/** A TLS server that accepts and holds connections; `endAfterMs` ends each one that long after its handshake. */
async function holdServer(endAfterMs?: number) {
  const sockets: TLSSocket[] = [];
  let closed = 0;
  const server = createServer({ cert: pki.serverCert, key: pki.serverKey }, (s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.on('close', () => closed++);
    if (endAfterMs !== undefined) setTimeout(() => s.end(), endAfterMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    accepted: () => sockets.length,
    closed: () => closed,
    stop: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const until = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 250; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** The TLS session a connection brings (listened to before its handshake can end). */
const session = (s: TLSSocket) => new Promise<void>((resolve) => s.once('session', () => resolve()));

/** The end of a connection's handshake (listened to before it can end). */
const secured = (s: TLSSocket) => new Promise<void>((resolve, reject) => s.once('secureConnect', resolve).once('error', reject));

/**
 * A held-open server, the connections under test (`now` their clock) told to expect `expected`
 * execs, `atOnce` at a time, and the first exec's connection `a` once its session came; `connect`
 * takes the next one. Every socket is destroyed when the test ends.
 */
async function firstExec(t: ExecutionContext, expected: number, atOnce: number, o: { now?: () => number; endAfterMs?: number } = {}) {
  const server = await holdServer(o.endAfterMs);
  t.teardown(() => server.stop());
  const c = new ExecConnections(o.now);
  const tls = target();
  c.expect(expected, atOnce);
  const connect = () => {
    const s = c.connect('127.0.0.1', server.port, tls) as TLSSocket;
    s.on('error', () => {});
    t.teardown(() => s.destroy());
    return s;
  };
  const a = connect();
  await session(a);
  return { server, c, connect, a };
}

test('a young spare is used; one older than SPARE_MAX_AGE_MS is closed and a new connection dialed', async (t) => {
  let now = 0;
  const { server, c, connect } = await firstExec(t, 3, 1, { now: () => now });
  c.opened();
  await until('the spare to be accepted', () => server.accepted() === 2);
  now += SPARE_MAX_AGE_MS - 1;
  connect();
  t.deepEqual(c.stats, { dialed: 2, waited: 0, sparesUsed: 1, sparesDropped: 0 }, 'the young spare was taken');
  c.opened();
  await until('the next spare to be accepted', () => server.accepted() === 3);
  now += SPARE_MAX_AGE_MS + 1;
  const d = connect();
  const dSecured = secured(d);
  t.deepEqual(c.stats, { dialed: 4, waited: 0, sparesUsed: 1, sparesDropped: 1 }, 'the old spare was closed, a new connection dialed');
  await until('the old spare to close on the server', () => server.closed() === 1);
  await dSecured;
  t.true(d.isSessionReused(), 'the new connection resumed the session');
});

test('a spare that aged out unused stops the spares until the next expect (hooks that outlast a spare)', async (t) => {
  let now = 0;
  const { c, connect } = await firstExec(t, 5, 1, { now: () => now });
  c.opened();
  t.is(c.stats.dialed, 2, 'a spare for the next exec');
  now += SPARE_MAX_AGE_MS + 1;
  connect();
  c.opened();
  t.deepEqual(c.stats, { dialed: 3, waited: 0, sparesUsed: 0, sparesDropped: 1 }, 'no new spare after one aged out');
  c.expect(2, 1);
  c.opened();
  t.is(c.stats.dialed, 4, 'the next phase makes spares again');
  c.expect(0, 1);
});

test('a spare the server closed is dropped, not used', async (t) => {
  const { server, c, connect } = await firstExec(t, 2, 1, { endAfterMs: 100 });
  c.opened();
  await until('the server to close the spare', () => c.stats.sparesDropped === 1);
  const b = connect();
  const bSecured = secured(b);
  t.deepEqual(c.stats, { dialed: 3, waited: 0, sparesUsed: 0, sparesDropped: 1 });
  await bSecured;
  await until('the server to accept the exec its own new connection', () => server.accepted() === 3);
});

test('no spare is made when no more execs are expected, and expect(0) closes the spares', async (t) => {
  const { server, c } = await firstExec(t, 1, 4);
  c.opened();
  t.is(c.stats.dialed, 1, 'the only expected exec is running: no spare');
  c.expect(5, 2);
  c.opened();
  t.is(c.stats.dialed, 3, 'two spares: as many as run at once');
  await until('the spares to be accepted', () => server.accepted() === 3);
  c.expect(0, 1);
  t.is(c.stats.sparesDropped, 2);
  await until('the spares to close on the server', () => server.closed() === 2);
});

test('connections started during the first handshake wait for its session, then resume it', async (t) => {
  const server = await holdServer();
  t.teardown(() => server.stop());
  const c = new ExecConnections();
  const tls = target();
  const a = c.connect('127.0.0.1', server.port, tls, () => t.fail('the first connection does not wait')) as TLSSocket;
  t.teardown(() => a.destroy());
  const later: TLSSocket[] = [];
  const handshakes: Promise<void>[] = [];
  for (let i = 0; i < 3; i++)
    t.is(
      c.connect('127.0.0.1', server.port, tls, (_, s) => {
        later.push(s);
        handshakes.push(secured(s));
      }),
      undefined,
    );
  t.is(c.stats.waited, 3);
  t.is(c.stats.dialed, 1, 'nothing else dialed before the session');
  await until('the waiting connections to be dialed', () => later.length === 3);
  t.teardown(() => later.forEach((s) => s.destroy()));
  await Promise.all(handshakes);
  t.false(a.isSessionReused());
  t.deepEqual(
    later.map((s) => s.isSessionReused()),
    [true, true, true],
  );
});

test('a server that sends no session ticket: the waiting connections go once the first handshake is done', async (t) => {
  const s = spawn(
    'openssl',
    ['s_server', '-accept', '127.0.0.1:0', '-cert', `${pki.dir}/server.crt`, '-key', `${pki.dir}/server.key`, '-num_tickets', '0'],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  t.teardown(() => s.kill());
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: s.stdout }).on('line', (l) => {
      const m = /^ACCEPT .*:(\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    s.once('exit', () => reject(new Error('openssl s_server exited')));
  });
  const c = new ExecConnections();
  const tls = target();
  const a = c.connect('127.0.0.1', port, tls) as TLSSocket;
  a.on('error', () => {});
  t.teardown(() => a.destroy());
  let sessions = 0;
  a.on('session', () => sessions++);
  let handshakeDone = 0;
  a.once('secureConnect', () => {
    handshakeDone = performance.now();
  });
  let readyAt = 0;
  t.is(
    c.connect('127.0.0.1', port, tls, (_, b) => {
      readyAt = performance.now();
      b.on('error', () => {});
      b.destroy();
    }),
    undefined,
  );
  await until('the waiting connection to be dialed', () => readyAt > 0);
  t.is(sessions, 0, 'the server sent no ticket');
  t.true(handshakeDone > 0 && readyAt >= handshakeDone, 'it was dialed after the first handshake, not before');
  // A server without tickets is remembered: later connections no longer wait for one.
  const later = c.connect('127.0.0.1', port, tls, () => t.fail('no wait the second time'));
  t.truthy(later, 'dialed at once');
  later?.on('error', () => {});
  later?.destroy();
  t.is(c.stats.waited, 1);
});
