// Runs one command in a container through the pods/exec WebSocket, with what client-node's Exec
// lacks (shared/docs/client-node.md §2): the result comes only from the status channel, a socket
// that closes without a status is a failure, a refused upgrade reports the server's own message,
// the stream is closed on timeout (of any length), pings keep long sessions alive, no frame can crash
// us, an abort also ends a pending handshake, and an upgrade that never started the command (429,
// 5xx, a connection refused or reset before the upgrade) is retried after Retry-After or a backoff.

import { createHash } from 'node:crypto';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { Writable } from 'node:stream';
import { Exec } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { formatGoDuration } from '../hooks/duration.ts';
import { statusMessage } from './errors.ts';
import { connectionOf, credentialError, headerLines, impersonationHeaders, tokenFromFile } from './http.ts';
import { redact } from '../redact.ts';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const MAX_REFUSAL_BYTES = 64 * 1024;
/** The file name in -v log lines of exec upgrades. */
const LOG_FILE = 'exec.ts';

export type ExecOutcome = 'succeeded' | 'exit-code' | 'error' | 'timeout' | 'connection-lost' | 'refused' | 'interrupted';

export interface ExecResult {
  outcome: ExecOutcome;
  exitCode: number | null;
  /** One line for people: "command terminated with exit code 3", "timed out after 30s …". */
  message: string;
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** HTTP status of a refused upgrade. */
  httpStatus?: number;
}

export interface ExecOptions {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** Nanoseconds; null means no timeout. */
  timeoutNanos: bigint | null;
  /** Aborting closes the stream at once (the command may go on running in the container). */
  signal?: AbortSignal;
  /** Bytes kept in memory per stream: the last ones (the tail). */
  maxOutputBytes?: number;
  /** Receives every byte of stdout (1) and stderr (2) as it arrives, e.g. for --output-dir. */
  onOutput?: (stream: 1 | 2, chunk: Buffer) => void;
  connectTimeoutMs?: number;
  pingIntervalMs?: number;
  /** Attempts at starting the command when the upgrade fails before it started (default 5). */
  startAttempts?: number;
}

/**
 * The last `limit` bytes of a stream. Chunks are copied (the chunk may be a view of a larger frame
 * buffer that must not be kept) into a list until `limit` bytes are held; from then on into one
 * ring of `limit` bytes, so that a hook printing a megabyte costs one buffer of `limit`, not a copy
 * of every chunk for the garbage collector.
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private ring: Buffer | null = null;
  /** In the ring: where the next byte goes (the oldest byte once the ring is full). */
  private at = 0;
  truncated = false;
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = Math.max(0, limit);
  }
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.ring === null && this.size + chunk.length <= this.limit) {
      this.chunks.push(Buffer.from(chunk));
      this.size += chunk.length;
      return;
    }
    this.truncated = true;
    if (this.limit === 0) return;
    if (this.ring === null) {
      const all = Buffer.concat([...this.chunks, chunk]);
      this.ring = Buffer.allocUnsafeSlow(this.limit);
      all.copy(this.ring, 0, all.length - this.limit);
      this.chunks = [];
      this.at = 0;
      return;
    }
    const tail = chunk.length > this.limit ? chunk.subarray(chunk.length - this.limit) : chunk;
    const first = Math.min(tail.length, this.limit - this.at);
    tail.copy(this.ring, this.at, 0, first);
    if (first < tail.length) tail.copy(this.ring, 0, first);
    this.at = (this.at + tail.length) % this.limit;
  }
  get data(): Buffer {
    if (this.ring === null) return Buffer.concat(this.chunks);
    return Buffer.concat([this.ring.subarray(this.at), this.ring.subarray(0, this.at)]);
  }
}

/** Keeps the last `limit` bytes of a stream and hands every chunk to `sink`. */
class Capture extends Writable {
  private readonly tail: TailBuffer;
  private readonly sink: ((chunk: Buffer) => void) | undefined;
  constructor(limit: number, sink?: (chunk: Buffer) => void) {
    super();
    this.tail = new TailBuffer(limit);
    this.sink = sink;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void) {
    try {
      this.sink?.(chunk);
    } catch {
      // the sink reports its own failures
    }
    this.tail.push(chunk);
    cb();
  }
  get truncated(): boolean {
    return this.tail.truncated;
  }
  get data(): Buffer {
    return this.tail.data;
  }
}

/** The largest delay setTimeout accepts (2^31-1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Clock {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: never) => void;
  /** Monotonic milliseconds. */
  now: () => number;
}

const realClock: Clock = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h), now: () => performance.now() };

/** setTimeout for any length: chains timers of at most MAX_TIMER_MS. Returns a cancel function. */
export function longTimeout(fn: () => void, ms: number, clock: Clock = realClock): () => void {
  const deadline = clock.now() + ms;
  let handle: unknown;
  const arm = () => {
    const rest = deadline - clock.now();
    if (rest <= 0) return fn();
    handle = clock.setTimeout(arm, Math.min(rest, MAX_TIMER_MS));
  };
  handle = clock.setTimeout(arm, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
  return () => clock.clearTimeout(handle as never);
}

/** An error that means the command never started: worth another attempt after `waitMs`. */
function startRetryDelay(e: unknown, attempt: number): number | null {
  const backoff = Math.min(250 * 2 ** (attempt - 1), 5000);
  if (e instanceof ExecRefused) {
    if (e.status === 429 || e.status === 502 || e.status === 503 || e.status === 504) {
      return e.retryAfterS !== undefined ? Math.min(e.retryAfterS * 1000, 30_000) : backoff;
    }
    return null;
  }
  const code = (e as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)
  )
    return backoff;
  const msg = (e as Error)?.message ?? '';
  if (/socket hang up|Opening handshake has timed out|closed before the connection was established/.test(msg)) return backoff;
  return null;
}

/** Waits, unless the signal is aborted first (then resolves false). */
function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How a hook's stream ended: its exit status, else our timeout or interrupt, else a lost connection. */
function streamEnd(
  st: StatusLike | null,
  why: 'timeout' | 'interrupted' | null,
  timeoutNanos: bigint | null,
  state: SessionState,
): Pick<ExecResult, 'outcome' | 'exitCode' | 'message'> {
  if (st) return fromStatus(st);
  if (why === 'timeout') {
    return {
      outcome: 'timeout',
      exitCode: null,
      message: `timed out after ${formatGoDuration(timeoutNanos ?? 0n)}; the stream was closed but the command may still be running in the container`,
    };
  }
  if (why === 'interrupted') {
    return {
      outcome: 'interrupted',
      exitCode: null,
      message: 'interrupted; the stream was closed but the command may still be running in the container',
    };
  }
  const detail = state.protocolError ? `: ${state.protocolError}` : '';
  return {
    outcome: 'connection-lost',
    exitCode: null,
    message: `the connection closed before the command reported an exit status (close code ${state.closeCode ?? 'none'})${detail}; the command may or may not have run`,
  };
}

/** Rejects with the refusal of an exec upgrade; its body is read up to MAX_REFUSAL_BYTES, so a server that never ends it cannot grow memory. */
function readRefusal(req: ClientRequest, res: IncomingMessage, reject: (e: Error) => void): void {
  // The refusal's body is read up to MAX_REFUSAL_BYTES: a server that never ends it cannot grow memory.
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    const body = Buffer.concat(chunks).toString('utf8');
    const message = size > MAX_REFUSAL_BYTES ? undefined : statusMessage(body);
    const after = Number(res.headers['retry-after']);
    reject(
      new ExecRefused(
        res.statusCode ?? 0,
        message
          ? message.slice(0, 2000)
          : `the API server refused the exec upgrade (HTTP ${res.statusCode})${size > MAX_REFUSAL_BYTES ? ` with a body larger than ${MAX_REFUSAL_BYTES / 1024} KiB` : ''}`,
        Number.isFinite(after) && after >= 0 ? after : undefined,
      ),
    );
    req.destroy();
    res.destroy();
  };
  res.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_REFUSAL_BYTES) return settle();
    chunks.push(c);
  });
  res.on('end', settle);
  res.on('error', settle);
  res.on('close', settle);
}

export class ExecRefused extends Error {
  readonly status: number;
  readonly retryAfterS: number | undefined;
  constructor(status: number, message: string, retryAfterS?: number) {
    super(message);
    this.status = status;
    this.retryAfterS = retryAfterS;
  }
}

class Aborted extends Error {}

interface SessionState {
  protocolError?: string;
  closeCode?: number;
}

/** The TLS material of a connection's options: what a SecureContext is built from. */
const TLS_MATERIAL = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'ciphers', 'ecdhCurve', 'secureProtocol', 'secureOptions'] as const;

/**
 * One TLS context for every exec stream of a kubeconfig. Given the PEM text, Node builds a new
 * context for each connection (parsing the CA and keys: about a third of a millisecond of CPU per
 * stream); given one context, the agent's TLS session cache also lets each stream resume the
 * session of the previous ones instead of a full handshake. The context is rebuilt when the
 * material changes (a credential plugin that rotates its client certificate). Not for proxies: a
 * proxy agent gets the options as they are.
 */
export class SharedTlsContext {
  private key = '';
  private context: SecureContext | undefined;

  apply(opts: Record<string, unknown>): void {
    const h = createHash('sha256');
    for (const name of TLS_MATERIAL) {
      const v = opts[name];
      h.update(`${name}=`)
        .update(Buffer.isBuffer(v) || typeof v === 'string' ? v : String(JSON.stringify(v)))
        .update('\0');
    }
    const key = h.digest('hex');
    if (key !== this.key || !this.context) {
      const material: Record<string, unknown> = {};
      for (const name of TLS_MATERIAL) if (opts[name] !== undefined) material[name] = opts[name];
      this.context = createSecureContext(material);
      this.key = key;
    }
    for (const name of TLS_MATERIAL) delete opts[name];
    opts.secureContext = this.context;
  }
}

/** The WebSocketInterface client-node's Exec accepts: our own connect, sturdier than the default. */
class SturdyWebSockets {
  private readonly tls = new SharedTlsContext();
  private readonly kc: KubeConfig;
  private readonly connectTimeoutMs: number;
  readonly state = new WeakMap<WebSocket, SessionState>();
  /** The abort signal of the next connect(): Exec.exec calls connect() synchronously, so this is its own. */
  nextSignal: AbortSignal | undefined;

  constructor(kc: KubeConfig, connectTimeoutMs: number) {
    this.kc = kc;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  async connect(path: string, _text: unknown, binaryHandler: (stream: number, buff: Buffer) => boolean): Promise<WebSocket> {
    const signal = this.nextSignal;
    this.nextSignal = undefined;
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig context has no cluster');
    const uri = cluster.server.replace(/^http/, 'ws').replace(/\/+$/, '') + path;
    const opts: WebSocket.ClientOptions = {
      handshakeTimeout: this.connectTimeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
      maxPayload: 16 * 1024 * 1024,
    };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (e) {
      throw credentialError(e);
    }
    if (uri.startsWith('wss:') && !cluster.proxyUrl) this.tls.apply(opts as Record<string, unknown>);
    const token = tokenFromFile(this.kc);
    if (token !== undefined) opts.headers = { ...(opts.headers ?? {}), Authorization: `Bearer ${token}` };
    const conn = connectionOf(this.kc);
    if (conn.impersonation) {
      const own = Object.entries(opts.headers ?? {}).filter(([n]) => !/^impersonate-/i.test(n));
      opts.headers = { ...Object.fromEntries(own), ...impersonationHeaders(conn.impersonation) } as typeof opts.headers;
    }
    if (signal?.aborted) throw new Aborted('interrupted');
    const log = conn.log?.enabled ? conn.log : undefined;
    const logUrl = uri.replace(/^ws/, 'http');
    const started = performance.now();
    log?.request(LOG_FILE, 'GET', logUrl, [
      ...headerLines((opts.headers ?? {}) as Record<string, string | string[]>),
      ['Sec-Websocket-Protocol', EXEC_PROTOCOLS.join(', ')],
    ]);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(uri, EXEC_PROTOCOLS, opts);
      let answered = false;
      const logged = (res: IncomingMessage) => {
        answered = true;
        log?.response(LOG_FILE, 'GET', logUrl, res.statusCode ?? 0, performance.now() - started, headerLines(res.headers));
      };
      ws.once('upgrade', logged);
      const state: SessionState = {};
      this.state.set(ws, state);
      let opened = false;
      // A second Ctrl-C must also end a handshake that is still pending.
      const onAbort = () => {
        if (opened) return;
        reject(new Aborted('interrupted'));
        ws.terminate();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.once('open', () => signal?.removeEventListener('abort', onAbort));
      ws.once('close', () => signal?.removeEventListener('abort', onAbort));
      ws.on('unexpected-response', (req, res) => {
        logged(res);
        readRefusal(req, res, reject);
      });
      ws.on('open', () => {
        opened = true;
        if (!EXEC_PROTOCOLS.includes(ws.protocol)) {
          state.protocolError = `the server chose an unsupported exec protocol "${ws.protocol}"`;
          ws.terminate();
        }
        resolve(ws);
      });
      ws.on('error', (e) => {
        if (!opened && !answered) log?.failed(LOG_FILE, 'GET', logUrl, performance.now() - started, e);
        if (!opened) reject(e);
        else state.protocolError ??= e.message;
      });
      ws.on('close', (code) => {
        state.closeCode = code;
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        try {
          if (!isBinary || data.length === 0) return;
          const stream = data[0] as number;
          if (stream !== 1 && stream !== 2 && stream !== 3) return; // v5 close frames or unknown: never fatal
          if (!binaryHandler(stream, data.subarray(1))) ws.close(1000);
        } catch (e) {
          state.protocolError = `unreadable frame from the server: ${(e as Error).message}`;
          ws.terminate();
        }
      });
    });
  }
}

interface StatusLike {
  status?: string;
  reason?: string;
  message?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

function fromStatus(st: StatusLike): Pick<ExecResult, 'outcome' | 'exitCode' | 'message'> {
  if (st.status === 'Success') return { outcome: 'succeeded', exitCode: 0, message: 'exit code 0' };
  const cause = st.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (st.reason === 'NonZeroExitCode' && cause?.message !== undefined && /^-?\d+$/.test(cause.message)) {
    const n = Number(cause.message);
    return { outcome: 'exit-code', exitCode: n, message: `command terminated with exit code ${n}` };
  }
  return { outcome: 'error', exitCode: null, message: st.message ?? `the exec failed (${st.reason ?? 'no reason given'})` };
}

export class Executor {
  private readonly exec: Exec;
  private readonly sockets: SturdyWebSockets;

  constructor(kc: KubeConfig, connectTimeoutMs = 30_000) {
    this.sockets = new SturdyWebSockets(kc, connectTimeoutMs);
    this.exec = new Exec(kc, this.sockets as unknown as ConstructorParameters<typeof Exec>[1]);
  }

  async run(o: ExecOptions): Promise<ExecResult> {
    const limit = o.maxOutputBytes ?? 64 * 1024;
    const out = new Capture(limit, o.onOutput && ((c) => o.onOutput?.(1, c)));
    const err = new Capture(limit, o.onOutput && ((c) => o.onOutput?.(2, c)));
    const result = (r: Pick<ExecResult, 'outcome' | 'exitCode' | 'message'> & { httpStatus?: number }): ExecResult => ({
      ...r,
      stdout: out.data,
      stderr: err.data,
      stdoutTruncated: out.truncated,
      stderrTruncated: err.truncated,
    });
    if (o.signal?.aborted) return result({ outcome: 'interrupted', exitCode: null, message: 'interrupted before it started' });
    let status: StatusLike | null = null;
    let ws: WebSocket | undefined;
    const attempts = Math.max(1, o.startAttempts ?? 5);
    for (let attempt = 1; !ws; attempt++) {
      try {
        this.sockets.nextSignal = o.signal;
        ws = (await this.exec.exec(o.namespace, o.pod, o.container, o.command, out, err, null, false, (s) => {
          status = s as StatusLike;
        })) as unknown as WebSocket;
      } catch (e) {
        if (e instanceof Aborted || o.signal?.aborted)
          return result({ outcome: 'interrupted', exitCode: null, message: 'interrupted before the command started' });
        const wait = startRetryDelay(e, attempt);
        if (wait !== null && attempt < attempts) {
          if (await pause(wait, o.signal)) continue;
          return result({ outcome: 'interrupted', exitCode: null, message: 'interrupted before the command started' });
        }
        const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
        if (e instanceof ExecRefused)
          return result({ outcome: 'refused', exitCode: null, message: e.message + tries, httpStatus: e.status });
        const code = (e as { code?: string }).code;
        return result({
          outcome: 'connection-lost',
          exitCode: null,
          message: redact(`cannot open the exec stream: ${(e as Error).message}${code ? ` (${code})` : ''}${tries}`),
        });
      } finally {
        this.sockets.nextSignal = undefined;
      }
    }
    const socket = ws;
    const state = this.sockets.state.get(socket) ?? {};
    return new Promise((resolve) => {
      let why: 'timeout' | 'interrupted' | null = null;
      const ping = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.ping();
      }, o.pingIntervalMs ?? 30_000);
      const cancelTimer =
        o.timeoutNanos !== null && o.timeoutNanos > 0n
          ? longTimeout(
              () => {
                why = 'timeout';
                socket.terminate();
              },
              Number(o.timeoutNanos / 1_000_000n),
            )
          : null;
      const onAbort = () => {
        why ??= 'interrupted';
        socket.terminate();
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        clearInterval(ping);
        cancelTimer?.();
        o.signal?.removeEventListener('abort', onAbort);
        resolve(result(streamEnd(status as StatusLike | null, why, o.timeoutNanos, state)));
      };
      if (o.signal?.aborted) onAbort();
      if (socket.readyState === WebSocket.CLOSED) finish();
      else socket.once('close', finish);
    });
  }
}
