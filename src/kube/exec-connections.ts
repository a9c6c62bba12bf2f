// The TLS connections of exec streams (#18). The API server takes each exec's connection over as a
// WebSocket and closes it when the command ends, so every exec needs a connection of its own. Three
// things make that cheaper:
// - the TLS session of the last connection is offered by the next one (a resumed handshake: no
//   certificate to sign or check);
// - while the first connection to a server is in its handshake, the connections started at the same
//   time (the first wave of --parallel) wait for the session it brings, instead of 32 full handshakes;
// - when the run says how many execs will follow (`expect`), a spare connection is opened while the
//   current exec's command runs (`opened`), so the next exec starts on a connection whose TCP and
//   TLS handshakes are done: on a remote cluster those are two of the three round trips before a
//   command starts.
// A spare is used only while it is young (SPARE_MAX_AGE_MS: the kube-apiserver waits 32 s for the
// first request on a connection, load balancers at least a minute), only if the server has not
// closed it, and only for the same server, TLS name and context; otherwise it is closed and a new
// connection is dialed. No more spares are made than execs are expected, at most one per exec that
// can run at once; none after one aged out unused (hooks that outlast a spare would pay a handshake
// each for nothing) or failed. Spares never keep the process alive (unref) and are closed when the
// phase ends or is stopped.

import { isIP } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { connect as tlsConnect } from 'node:tls';

/** How long an unused spare connection may wait for an exec. */
export const SPARE_MAX_AGE_MS = 10_000;
/** The least time the connections of a first wave wait for the first handshake's session ticket. */
const TICKET_WAIT_MIN_MS = 50;

/** What the TLS connection of an upgrade is made with (not through a proxy). */
export interface TlsTarget {
  secureContext: SecureContext;
  /** From the kubeconfig's tls-server-name; else the host's name (no SNI for an IP address). */
  servername?: string | undefined;
  rejectUnauthorized?: boolean | undefined;
}

interface Spare {
  socket: TLSSocket;
  born: number;
  /** Ends the spare's watch (its listeners) when it is taken. */
  unwatch: () => void;
}

/** Where the connections of one kubeconfig go. */
interface Target {
  host: string;
  port: number;
  tls: TlsTarget;
  servername: string | undefined;
  key: string;
}

/** Counters of the connections, for tests. */
export interface ConnectionStats {
  dialed: number;
  /** Connections that waited for the first connection's TLS session before they were dialed. */
  waited: number;
  /** Execs that started on a spare. */
  sparesUsed: number;
  /** Spares closed unused: too old, closed by the server, failed, or left when the phase ended. */
  sparesDropped: number;
}

/** How an exec gets its connection when it has to wait (node:http's createConnection callback). */
export type Ready = (err: Error | null, socket: TLSSocket) => void;

export class ExecConnections {
  /** The server, TLS name and context of the last connection; spares and the session belong to it. */
  private target: Target | undefined;
  private session: Buffer | undefined;
  /** A connection in its handshake with no session to resume: the others wait for the session it brings. */
  private first: TLSSocket | undefined;
  private waiting: (() => void)[] = [];
  private spares: Spare[] = [];
  private expected = 0;
  private atOnce = 1;
  /**
   * No more spares until the next `expect`: one failed (each exec then dials its own, as it reports
   * its error), or one aged out unused (the hooks outlast a spare: it would cost a handshake each).
   */
  private sparesOff = false;
  /** The server sent no session ticket in time after a first handshake: nothing waits for one again. */
  private ticketless = false;
  readonly stats: ConnectionStats = { dialed: 0, waited: 0, sparesUsed: 0, sparesDropped: 0 };
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /**
   * About `count` more execs will follow, up to `atOnce` of them at the same time (0: none; the
   * spares are closed). An estimate: a spare that no exec takes is closed when the phase ends.
   */
  expect(count: number, atOnce: number): void {
    this.expected = Math.max(0, count);
    this.atOnce = Math.max(1, atOnce);
    this.sparesOff = false;
    if (this.expected === 0) this.dropSpares();
  }

  /**
   * The connection of one exec upgrade: a fresh spare or a new connection, returned; or, while the
   * first connection's handshake brings a session to resume, later through `ready`.
   */
  connect(host: string, port: number, t: TlsTarget, ready?: Ready): TLSSocket | undefined {
    const target = this.targetOf(host, port, t);
    if (this.expected > 0) this.expected--;
    const spare = this.takeSpare();
    if (spare) return spare;
    if (ready && this.first && !this.session) {
      this.stats.waited++;
      this.waiting.push(() => ready(null, this.dial(target)));
      return undefined;
    }
    return this.dial(target);
  }

  /**
   * An exec's stream is open (its command runs): the spares for the execs still expected are made
   * now, while the server waits for the command, not while it is busy opening the streams.
   */
  opened(): void {
    const target = this.target;
    if (!target || (this.first && !this.session)) return;
    const wanted = Math.min(this.expected, this.atOnce);
    while (!this.sparesOff && this.spares.length < wanted) this.addSpare(this.dial(target));
  }

  private targetOf(host: string, port: number, t: TlsTarget): Target {
    const servername = t.servername ?? (isIP(host) ? undefined : host);
    const key = `${host}:${port}:${servername ?? ''}:${t.rejectUnauthorized !== false}`;
    const changed = this.target?.key !== key || this.target.tls.secureContext !== t.secureContext;
    // The target is set first: what waited is dialed for the new one, and no old connection is watched.
    this.target = { host, port, tls: t, servername, key };
    if (changed) {
      this.session = undefined;
      this.ticketless = false;
      this.dropSpares();
      this.release();
    }
    return this.target;
  }

  private dial(target: Target): TLSSocket {
    this.stats.dialed++;
    const context = target.tls.secureContext;
    const current = () => this.target?.key === target.key && this.target.tls.secureContext === context;
    const socket = tlsConnect({
      host: target.host,
      port: target.port,
      secureContext: context,
      ...(target.servername !== undefined ? { servername: target.servername } : {}),
      ...(target.tls.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
      ...(this.session ? { session: this.session } : {}),
    });
    // The upgrade request goes out in one write, but a spare is written to after its handshake:
    // without this, Nagle's algorithm holds the request back until the server's delayed ACK.
    socket.setNoDelay(true);
    socket.on('session', (s: Buffer) => {
      if (!current()) return;
      this.session = s;
      if (this.first === socket) this.release();
    });
    socket.once('error', () => {
      if (current()) this.session = undefined;
    });
    if (!this.session && !this.first && !this.ticketless && current()) this.watchFirst(socket);
    return socket;
  }

  /**
   * The connections waiting for `socket`'s session are dialed when it comes; or when the connection
   * fails; or, if no ticket comes once the handshake is done and as long again has passed (at least
   * TICKET_WAIT_MIN_MS), then and never again for this server.
   */
  private watchFirst(socket: TLSSocket): void {
    this.first = socket;
    const started = this.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const give = (noTicket: boolean) => {
      if (timer) clearTimeout(timer);
      if (this.first !== socket) return;
      if (noTicket) this.ticketless = true;
      this.release();
    };
    socket.once('secureConnect', () => {
      timer = setTimeout(() => give(true), Math.max(TICKET_WAIT_MIN_MS, this.now() - started));
      timer.unref();
    });
    socket.once('close', () => give(false));
  }

  /** Dials what waited for the first connection's session (with the session, if it came). */
  private release(): void {
    this.first = undefined;
    for (const go of this.waiting.splice(0)) go();
  }

  private addSpare(socket: TLSSocket): void {
    socket.unref();
    const spare: Spare = { socket, born: this.now(), unwatch: () => {} };
    const gone = (off?: boolean) => {
      if (off) this.sparesOff = true;
      const i = this.spares.indexOf(spare);
      if (i < 0) return;
      this.spares.splice(i, 1);
      this.stats.sparesDropped++;
      socket.destroy();
    };
    const onError = () => gone(true);
    const onGone = () => gone();
    socket.on('error', onError);
    socket.on('end', onGone);
    socket.on('close', onGone);
    // Closed when it has waited too long, not only found old when an exec looks for one.
    const timer = setTimeout(() => gone(true), SPARE_MAX_AGE_MS);
    timer.unref();
    spare.unwatch = () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      socket.removeListener('end', onGone);
      socket.removeListener('close', onGone);
    };
    this.spares.push(spare);
  }

  private takeSpare(): TLSSocket | undefined {
    const now = this.now();
    for (let spare = this.spares.shift(); spare; spare = this.spares.shift()) {
      const { socket } = spare;
      spare.unwatch();
      if (socket.destroyed || socket.readableEnded || !socket.writable || now - spare.born > SPARE_MAX_AGE_MS) {
        if (now - spare.born > SPARE_MAX_AGE_MS) this.sparesOff = true;
        this.stats.sparesDropped++;
        socket.destroy();
        continue;
      }
      socket.ref();
      this.stats.sparesUsed++;
      return socket;
    }
    return undefined;
  }

  private dropSpares(): void {
    for (const spare of this.spares.splice(0)) {
      spare.unwatch();
      this.stats.sparesDropped++;
      spare.socket.destroy();
    }
  }
}
