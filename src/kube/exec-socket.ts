// The exec WebSocket, without the `ws` library: the HTTP/1.1 upgrade goes through node:http(s) (so a
// refusal is an ordinary IncomingMessage, read with a bound by exec.ts) over a TLS connection of our
// own (exec-connections.ts: one secure context per kubeconfig, the last TLS session resumed, a spare
// connection ready for the next exec), and the frames are read and written here. The exec protocol needs little of WebSocket: the server sends binary messages
// (channel byte + data), pings and a close; the client sends pings and its close, masked. What the
// server sends is checked as `ws` checks it (reserved bits, masking, control frame rules, close
// codes, fragments, the size of a message), and anything wrong ends the session with a protocol
// error and a close code, never an exception. Per hook this costs about half the CPU of `ws` over
// an https.Agent (#18: the per-hook overhead of `run`).

import { createHash, randomFillSync } from 'node:crypto';
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { ExecConnections, Ready, TlsTarget } from './exec-connections.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** How long a close we sent may wait for the server's (as `ws`). */
const CLOSE_TIMEOUT_MS = 30_000;
/** Bytes of our frames that may wait to be written before pings go unanswered. */
const MAX_UNSENT_PONGS = 64 * 1024;

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** A protocol violation by the server: the close code it ends the session with. */
export class FrameError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** Close codes a peer may send (RFC 6455 7.4, as `ws` accepts them). */
export function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/**
 * Random bytes for masking keys and handshake nonces, taken from a pool filled 4 KiB at a time (as
 * `ws` does): one call into OpenSSL's generator per 4 KiB instead of two per exec.
 */
const randomPool = Buffer.allocUnsafeSlow(4096);
let randomAt = randomPool.length;
function randomPart(n: number): Buffer {
  if (randomAt + n > randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  randomAt += n;
  return randomPool.subarray(randomAt - n, randomAt);
}

/** One client frame (FIN set), masked as RFC 6455 requires of a client. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new RangeError('control frames carry at most 125 bytes');
  const f = Buffer.allocUnsafe(6 + payload.length);
  f[0] = 0x80 | opcode;
  f[1] = 0x80 | payload.length;
  randomPart(4).copy(f, 2);
  for (let i = 0; i < payload.length; i++) f[6 + i] = (payload[i] as number) ^ (f[2 + (i & 3)] as number);
  return f;
}

export interface FrameSink {
  /** A whole data message: binary, or text (which the exec protocol does not use). */
  message: (data: Buffer, binary: boolean) => void;
  /** A control frame: close (8), ping (9), pong (10). */
  control: (opcode: number, payload: Buffer) => void;
}

/**
 * Reads server frames from a byte stream: whole messages (fragments joined) and control frames.
 * Pure (no socket), so its rules are unit-tested; `push` throws a FrameError on a violation, after
 * which the reader must not be used again.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before the next frame can be read (its header, or header and payload). */
  private need = 2;
  /** The fragments of a message so far, copied into one buffer that grows by doubling (at most maxPayload). */
  private fragments: Buffer = Buffer.alloc(0);
  private fragmentBytes = 0;
  private fragmentOpcode = 0;
  private readonly maxPayload: number;
  private readonly sink: FrameSink;

  constructor(maxPayload: number, sink: FrameSink) {
    this.maxPayload = maxPayload;
    this.sink = sink;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pendingBytes === 0) {
      this.read(chunk);
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.need) return;
    const all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.read(all);
  }

  private read(b: Buffer): void {
    let at = 0;
    for (;;) {
      const n = this.frameAt(b, at);
      if (n === 0) break;
      at += n;
    }
    if (at < b.length) {
      this.pending = [b.subarray(at)];
      this.pendingBytes = b.length - at;
    }
  }

  /** Reads the frame at `at` and returns its length, or 0 when it is not all there yet. */
  private frameAt(b: Buffer, at: number): number {
    const avail = b.length - at;
    this.need = 2;
    if (avail < 2) return 0;
    const b0 = b[at] as number;
    const b1 = b[at + 1] as number;
    if (b0 & 0x70) throw new FrameError(1002, 'Invalid WebSocket frame: RSV1, RSV2 and RSV3 must be clear');
    if (b1 & 0x80) throw new FrameError(1002, 'Invalid WebSocket frame: MASK must be clear');
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    let len = b1 & 0x7f;
    let head = 2;
    if (opcode >= 8) {
      if (!fin) throw new FrameError(1002, 'Invalid WebSocket frame: FIN must be set');
      if (len > 125) throw new FrameError(1002, `Invalid WebSocket frame: invalid payload length ${len}`);
    } else if (len === 126) {
      head = 4;
      this.need = 4;
      if (avail < 4) return 0;
      len = b.readUInt16BE(at + 2);
    } else if (len === 127) {
      head = 10;
      this.need = 10;
      if (avail < 10) return 0;
      const high = b.readUInt32BE(at + 2);
      if (high > 0x1fffff) throw new FrameError(1009, 'Max payload size exceeded');
      len = high * 2 ** 32 + b.readUInt32BE(at + 6);
    }
    this.check(fin, opcode, len);
    this.need = head + len;
    if (avail < head + len) return 0;
    const payload = b.subarray(at + head, at + head + len);
    this.need = 2;
    this.frame(fin, opcode, payload);
    return head + len;
  }

  /** What a frame header may say, before its payload is waited for. */
  private check(fin: boolean, opcode: number, len: number): void {
    if (opcode === 0) {
      if (this.fragmentOpcode === 0) throw new FrameError(1002, 'Invalid WebSocket frame: invalid opcode 0');
      if (this.fragmentBytes + len > this.maxPayload) throw new FrameError(1009, 'Max payload size exceeded');
    } else if (opcode === 1 || opcode === 2) {
      if (this.fragmentOpcode !== 0) throw new FrameError(1002, `Invalid WebSocket frame: invalid opcode ${opcode}`);
      if (len > this.maxPayload) throw new FrameError(1009, 'Max payload size exceeded');
    } else if (opcode === 8) {
      if (len === 1) throw new FrameError(1002, 'Invalid WebSocket frame: invalid payload length 1');
    } else if (opcode !== 9 && opcode !== 10) {
      throw new FrameError(1002, `Invalid WebSocket frame: invalid opcode ${opcode}`);
    }
    if (!fin && opcode >= 8) throw new FrameError(1002, 'Invalid WebSocket frame: FIN must be set');
  }

  private frame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode >= 8) {
      if (opcode === 8 && payload.length >= 2 && !validCloseCode(payload.readUInt16BE(0))) {
        throw new FrameError(1002, `Invalid WebSocket frame: invalid status code ${payload.readUInt16BE(0)}`);
      }
      this.sink.control(opcode, payload);
      return;
    }
    if (opcode !== 0 && fin) {
      this.sink.message(payload, opcode === 2);
      return;
    }
    if (opcode !== 0) this.fragmentOpcode = opcode;
    // A fragment is a view of a chunk that may be reused: keep a copy, in one buffer (a list of
    // copies cost an object per fragment: a million empty fragments were 200 MB of heap).
    this.keepFragment(payload);
    if (!fin) return;
    const whole = this.fragments.subarray(0, this.fragmentBytes);
    const binary = this.fragmentOpcode === 2;
    this.fragments = Buffer.alloc(0);
    this.fragmentBytes = 0;
    this.fragmentOpcode = 0;
    this.sink.message(whole, binary);
  }

  private keepFragment(payload: Buffer): void {
    const need = this.fragmentBytes + payload.length;
    if (need > this.fragments.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxPayload, Math.max(need, 2 * this.fragments.length, 1024)));
      this.fragments.copy(grown, 0, 0, this.fragmentBytes);
      this.fragments = grown;
    }
    payload.copy(this.fragments, this.fragmentBytes);
    this.fragmentBytes = need;
  }
}

/** An open exec WebSocket: the subset of `ws`'s client that exec.ts uses. */
export class ExecSocket {
  readyState = OPEN;
  readonly protocol: string;
  /** A binary message from the server. */
  onMessage: (data: Buffer, socket: ExecSocket) => void = () => undefined;
  /** The first failure after the upgrade (a protocol violation, a socket error), whenever it came; 'close' follows. */
  firstError: Error | undefined;
  private readonly closeListeners: ((code: number) => void)[] = [];
  private readonly socket: Socket;
  private readonly reader: FrameReader;
  /** The code of the server's close frame, or of our protocol error; 1006 when none. */
  private closeCode = 1006;
  private closeSent = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly closeTimeoutMs: number;

  constructor(socket: Socket, protocol: string, head: Buffer, maxPayload: number, closeTimeoutMs = CLOSE_TIMEOUT_MS) {
    this.socket = socket;
    this.closeTimeoutMs = closeTimeoutMs;
    this.protocol = protocol;
    this.reader = new FrameReader(maxPayload, {
      message: (data, binary) => {
        if (binary) this.onMessage(data, this);
      },
      control: (opcode, payload) => this.control(opcode, payload),
    });
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.data(c));
    socket.on('error', (e) => this.failed(e));
    // The server ended its side: end ours (a TLS socket does so itself; a proxy's socket may not).
    socket.on('end', () => {
      if (!socket.writableEnded) socket.end();
    });
    socket.on('close', () => this.closed());
    if (head.length > 0) queueMicrotask(() => this.data(head));
  }

  private failed(e: Error): void {
    this.firstError ??= e;
  }

  /** Calls `fn` with the close code once the connection is closed (at once when it already is). */
  onceClosed(fn: (code: number) => void): void {
    if (this.readyState === CLOSED) fn(this.closeCode);
    else this.closeListeners.push(fn);
  }

  private data(chunk: Buffer): void {
    if (this.readyState === CLOSED || this.socket.destroyed) return;
    try {
      this.reader.push(chunk);
    } catch (e) {
      const fe = e instanceof FrameError ? e : new FrameError(1002, (e as Error).message);
      this.closeCode = fe.code;
      this.readyState = CLOSING;
      this.failed(fe);
      this.socket.destroy();
    }
  }

  private control(opcode: number, payload: Buffer): void {
    if (opcode === 9) {
      // Pongs wait to be written only while the server reads them: one that floods pings and reads
      // nothing gets no more (RFC 6455 5.5.3 allows answering only the latest ping).
      if (this.readyState === OPEN && this.socket.writableLength < MAX_UNSENT_PONGS) this.socket.write(clientFrame(10, payload));
    } else if (opcode === 8) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (!this.closeSent) this.sendClose(payload.length >= 2 ? payload.subarray(0, 2) : Buffer.alloc(0));
      this.readyState = CLOSING;
      if (!this.socket.writableEnded) this.socket.end();
      // A server that sent its close but keeps the connection open is dropped in time.
      this.armCloseTimer();
    }
  }

  private armCloseTimer(): void {
    this.closeTimer ??= setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
  }

  private sendClose(payload: Buffer): void {
    this.closeSent = true;
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(clientFrame(8, payload));
  }

  ping(): void {
    if (this.readyState === OPEN) this.socket.write(clientFrame(9, Buffer.alloc(0)));
  }

  /** Starts the closing handshake; the connection is dropped if the server does not answer in time. */
  close(code = 1000): void {
    if (this.readyState !== OPEN) return;
    this.readyState = CLOSING;
    const payload = Buffer.allocUnsafe(2);
    payload.writeUInt16BE(code, 0);
    this.sendClose(payload);
    this.armCloseTimer();
  }

  /** Drops the connection at once. */
  terminate(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    this.socket.destroy();
  }

  private closed(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    clearTimeout(this.closeTimer);
    for (const fn of this.closeListeners.splice(0)) fn(this.closeCode);
  }
}

export interface UpgradeRequest {
  /** ws:// or wss:// URL of the exec endpoint. */
  url: string;
  protocols: readonly string[];
  headers: Record<string, string | string[]>;
  /** Basic credentials (user:password), as client-node gives them for a username/password user. */
  auth?: string | undefined;
  /** A proxy's agent (or plain http's): the connection comes from it. Else `tls` and `connections`. */
  agent?: Agent | undefined;
  tls?: TlsTarget | undefined;
  connections?: ExecConnections | undefined;
  handshakeTimeoutMs: number;
  maxPayload: number;
}

export interface UpgradeEvents {
  /** The server's answer to the upgrade (101 or not), for the request log. */
  answered: (res: IncomingMessage) => void;
  /** The server refused the upgrade: its answer, with the body still to read. */
  refused: (req: ClientRequest, res: IncomingMessage) => void;
  /** The upgrade failed before the server answered (connection, TLS, timeout) or the answer was not a valid upgrade. */
  failed: (e: Error) => void;
  open: (socket: ExecSocket) => void;
}

/** Validates a 101 answer as RFC 6455 (and `ws`) want it; returns the error, or the chosen subprotocol. */
export function checkUpgrade(res: IncomingMessage, key: string, offered: readonly string[]): Error | string {
  if (String(res.headers.upgrade ?? '').toLowerCase() !== 'websocket') return new Error('Invalid Upgrade header');
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  if (res.headers['sec-websocket-accept'] !== accept) return new Error('Invalid Sec-WebSocket-Accept header');
  const chosen = res.headers['sec-websocket-protocol'];
  if (chosen === undefined) return offered.length > 0 ? new Error('Server sent no subprotocol') : '';
  if (!offered.includes(chosen)) return new Error('Server sent an invalid subprotocol');
  if (res.headers['sec-websocket-extensions'] !== undefined)
    return new Error('Server sent a Sec-WebSocket-Extensions header but no extension was requested');
  return chosen;
}

/** Sends the upgrade request; returns a function that aborts it (before it opened). */
export function upgrade(o: UpgradeRequest, on: UpgradeEvents): () => void {
  const url = new URL(o.url);
  const secure = url.protocol === 'wss:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port) || (secure ? 443 : 80);
  const key = randomPart(16).toString('base64');
  const headers: Record<string, string | string[]> = {
    ...o.headers,
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': key,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Protocol': o.protocols.join(','),
  };
  const auth = o.auth ?? (url.username || url.password ? `${url.username}:${url.password}` : undefined);
  const { tls, connections } = o;
  const conn =
    o.agent || !secure || !tls || !connections
      ? { agent: o.agent }
      : { createConnection: (_: unknown, ready: Ready) => connections.connect(host, port, tls, ready) };
  let settled = false;
  const fail = (e: Error) => {
    if (settled) return;
    settled = true;
    on.failed(e);
  };
  const req = (secure ? httpsRequest : httpRequest)({
    method: 'GET',
    host,
    port,
    path: url.pathname + url.search,
    headers,
    ...(auth !== undefined ? { auth } : {}),
    ...conn,
  });
  // One timer for the whole handshake (connection, TLS, answer), not an idle timeout that every
  // write of the socket would re-arm.
  const timer = setTimeout(() => {
    fail(new Error('Opening handshake has timed out'));
    req.destroy();
  }, o.handshakeTimeoutMs);
  req.on('error', (e) => {
    clearTimeout(timer);
    fail(e);
  });
  req.on('response', (res) => {
    // The timer also bounds the refusal's body: a server that sends the head and stalls is dropped.
    res.once('close', () => clearTimeout(timer));
    on.answered(res);
    if (settled) return res.destroy();
    settled = true;
    on.refused(req, res);
  });
  req.on('upgrade', (res, socket: Socket, head: Buffer) => {
    clearTimeout(timer);
    on.answered(res);
    if (settled) return socket.destroy();
    const chosen = checkUpgrade(res, key, o.protocols);
    if (chosen instanceof Error) {
      socket.destroy();
      return fail(chosen);
    }
    settled = true;
    on.open(new ExecSocket(socket, chosen, head, o.maxPayload));
    connections?.opened();
  });
  req.end();
  return () => {
    clearTimeout(timer);
    if (settled) return;
    settled = true;
    req.destroy();
  };
}
