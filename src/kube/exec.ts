// Runs one command in a container through the pods/exec WebSocket (our own: exec-socket.ts; #18
// replaced client-node's Exec and `ws`, which cost twice the CPU per hook), with what client-node's
// Exec lacked (shared/docs/client-node.md §2): the result comes only from the status channel, a socket
// that closes without a status is a failure, a refused upgrade reports the server's own message,
// the stream is closed on timeout (of any length), pings keep long sessions alive, no frame can crash
// us, an abort also ends a pending handshake, and an upgrade that never started the command (429,
// 5xx, a connection refused or reset before the upgrade) is retried after Retry-After or a backoff.

import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ExecSocket, UpgradeRequest } from './exec-socket.ts';
import { ExecConnections } from './exec-connections.ts';
import { upgrade } from './exec-socket.ts';
import { formatGoDuration } from '../hooks/duration.ts';
import { isObject } from '../hooks/json.ts';
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

/** What a stream that printed nothing holds (shared: an empty buffer cannot be written to). */
const NO_BYTES = Buffer.alloc(0);

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
    if (this.ring === null) return this.size === 0 ? NO_BYTES : Buffer.concat(this.chunks, this.size);
    return Buffer.concat([this.ring.subarray(this.at), this.ring.subarray(0, this.at)]);
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
  if (st !== null) return fromStatus(st);
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
  let ended = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    const body = Buffer.concat(chunks).toString('utf8');
    // A body cut short (the handshake timer, a reset) is not shown: a part of it can mislead.
    const cut = size <= MAX_REFUSAL_BYTES && !ended;
    const message = size > MAX_REFUSAL_BYTES || cut ? undefined : statusMessage(body);
    const after = Number(res.headers['retry-after']);
    reject(
      new ExecRefused(
        res.statusCode ?? 0,
        message
          ? message.slice(0, 2000)
          : `the API server refused the exec upgrade (HTTP ${res.statusCode})${size > MAX_REFUSAL_BYTES ? ` with a body larger than ${MAX_REFUSAL_BYTES / 1024} KiB` : cut ? ' and did not finish its answer' : ''}`,
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
  res.on('end', () => {
    ended = true;
    settle();
  });
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
  /** The material the context was built from, compared by value with each connection's. */
  private material: unknown[] = [];
  private context: SecureContext | undefined;

  apply(opts: Record<string, unknown>): void {
    const values = TLS_MATERIAL.map((name) => opts[name]);
    if (!this.context || !values.every((v, i) => sameMaterial(v, this.material[i]))) {
      const material: Record<string, unknown> = {};
      for (const name of TLS_MATERIAL) if (opts[name] !== undefined) material[name] = opts[name];
      this.context = createSecureContext(material);
      this.material = values;
    }
    for (const name of TLS_MATERIAL) delete opts[name];
    opts.secureContext = this.context;
  }
}

/** Equal TLS material: the same bytes (a CA read again from its file), text, or JSON value. */
function sameMaterial(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Opens exec WebSockets for a kubeconfig (exec-socket.ts): credentials from client-node for every
 * stream (a rotated token or certificate is used at once), one TLS context and the last TLS session
 * shared by all of them, impersonation headers, and the -v request log.
 */
class ExecSockets {
  private readonly tls = new SharedTlsContext();
  readonly connections = new ExecConnections();
  private readonly kc: KubeConfig;
  private readonly connectTimeoutMs: number;

  constructor(kc: KubeConfig, connectTimeoutMs: number) {
    this.kc = kc;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  /** Options of one upgrade request: the kubeconfig's credentials, TLS and headers. */
  private async request(path: string): Promise<UpgradeRequest> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig context has no cluster');
    const url = cluster.server.replace(/^http/, 'ws').replace(/\/+$/, '') + path;
    const opts: Record<string, unknown> & { headers?: Record<string, string | string[]> } = {};
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (e) {
      throw credentialError(e);
    }
    const direct = url.startsWith('wss:') && !cluster.proxyUrl;
    if (direct) this.tls.apply(opts);
    const token = tokenFromFile(this.kc);
    let headers: Record<string, string | string[]> = { ...(opts.headers ?? {}) };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const conn = connectionOf(this.kc);
    if (conn.impersonation) {
      const own = Object.entries(headers).filter(([n]) => !/^impersonate-/i.test(n));
      headers = { ...Object.fromEntries(own), ...impersonationHeaders(conn.impersonation) };
    }
    return {
      url,
      protocols: EXEC_PROTOCOLS,
      headers,
      auth: opts.auth as string | undefined,
      ...(direct
        ? {
            tls: {
              secureContext: opts.secureContext as SecureContext,
              servername: opts.servername as string | undefined,
              rejectUnauthorized: opts.rejectUnauthorized as boolean | undefined,
            },
            connections: this.connections,
          }
        : { agent: opts.agent as Agent | undefined }),
      handshakeTimeoutMs: this.connectTimeoutMs,
      maxPayload: 16 * 1024 * 1024,
    };
  }

  /** Opens the stream of `path`; `onMessage` gets every binary message, from the first one on. */
  async connect(path: string, signal: AbortSignal | undefined, onMessage: (data: Buffer, socket: ExecSocket) => void): Promise<ExecSocket> {
    const o = await this.request(path);
    if (signal?.aborted) throw new Aborted('interrupted');
    const conn = connectionOf(this.kc);
    const log = conn.log?.enabled ? conn.log : undefined;
    const logUrl = o.url.replace(/^ws/, 'http');
    const started = performance.now();
    log?.request(LOG_FILE, 'GET', logUrl, [...headerLines(o.headers), ['Sec-Websocket-Protocol', EXEC_PROTOCOLS.join(', ')]]);
    return new Promise((resolve, reject) => {
      let answered = false;
      // A second Ctrl-C must also end a handshake that is still pending.
      const onAbort = () => {
        abort();
        reject(new Aborted('interrupted'));
      };
      const done = () => signal?.removeEventListener('abort', onAbort);
      const abort = upgrade(o, {
        answered: (res) => {
          answered = true;
          log?.response(LOG_FILE, 'GET', logUrl, res.statusCode ?? 0, performance.now() - started, headerLines(res.headers));
        },
        refused: (req, res) => {
          done();
          readRefusal(req, res, reject);
        },
        failed: (e) => {
          done();
          if (!answered) log?.failed(LOG_FILE, 'GET', logUrl, performance.now() - started, e);
          reject(e);
        },
        open: (ws) => {
          done();
          ws.onMessage = onMessage;
          resolve(ws);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The status JSON of channel 3, as the server sent it: any JSON value, so every field is checked. */
type StatusLike = unknown;

/** The result a status reports, read as client-go reads it; any shape (a number, causes that are not a list) is an error, never an exception. */
function fromStatus(st: StatusLike): Pick<ExecResult, 'outcome' | 'exitCode' | 'message'> {
  const s = isObject(st) ? st : {};
  if (s.status === 'Success') return { outcome: 'succeeded', exitCode: 0, message: 'exit code 0' };
  const causes = isObject(s.details) && Array.isArray(s.details.causes) ? s.details.causes : [];
  const cause = causes.find((c) => isObject(c) && c.reason === 'ExitCode') as Record<string, unknown> | undefined;
  const code = typeof cause?.message === 'string' ? cause.message : undefined;
  if (s.reason === 'NonZeroExitCode' && code !== undefined && /^-?\d+$/.test(code)) {
    const n = Number(code);
    return { outcome: 'exit-code', exitCode: n, message: `command terminated with exit code ${n}` };
  }
  const reason = typeof s.reason === 'string' ? s.reason : undefined;
  return {
    outcome: 'error',
    exitCode: null,
    message: typeof s.message === 'string' ? s.message : `the exec failed (${reason ?? 'no reason given'})`,
  };
}

/** The query of an exec request, as client-node's Exec (and kubectl) write it. */
export function execPath(namespace: string, pod: string, container: string, command: readonly string[]): string {
  const q = ['stdout=true', 'stderr=true', 'stdin=false', 'tty=false'];
  for (const c of command) q.push(`command=${encodeURIComponent(c)}`);
  q.push(`container=${encodeURIComponent(container)}`);
  return `/api/v1/namespaces/${namespace}/pods/${pod}/exec?${q.join('&')}`;
}

export class Executor {
  private readonly sockets: ExecSockets;

  constructor(kc: KubeConfig, connectTimeoutMs = 30_000) {
    this.sockets = new ExecSockets(kc, connectTimeoutMs);
  }

  /**
   * About `count` more execs will follow, up to `atOnce` at a time: each exec then opens the
   * connection of a later one while it runs (exec-connections.ts). 0 closes the spare connections.
   */
  expect(count: number, atOnce: number): void {
    this.sockets.connections.expect(count, atOnce);
  }

  async run(o: ExecOptions): Promise<ExecResult> {
    const limit = o.maxOutputBytes ?? 64 * 1024;
    const out = new TailBuffer(limit);
    const err = new TailBuffer(limit);
    const result = (r: Pick<ExecResult, 'outcome' | 'exitCode' | 'message'> & { httpStatus?: number }): ExecResult => ({
      ...r,
      stdout: out.data,
      stderr: err.data,
      stdoutTruncated: out.truncated,
      stderrTruncated: err.truncated,
    });
    if (o.signal?.aborted) return result({ outcome: 'interrupted', exitCode: null, message: 'interrupted before it started' });
    const state: SessionState = {};
    let status: StatusLike | null = null;
    let ws: ExecSocket | undefined;
    const sink = o.onOutput;
    const onMessage = (data: Buffer, socket: ExecSocket) => {
      try {
        if (data.length < 2 || status !== null) return; // a channel byte and nothing, or after the status: nothing to keep
        const stream = data[0] as number;
        const chunk = data.subarray(1);
        if (stream === 1 || stream === 2) {
          try {
            sink?.(stream, chunk);
          } catch {
            // the sink reports its own failures
          }
          (stream === 1 ? out : err).push(chunk);
        } else if (stream === 3) {
          status = JSON.parse(chunk.toString('utf8')) as StatusLike;
          socket.close(1000);
        }
        // v5 close frames (255) or unknown channels: never fatal
      } catch (e) {
        state.protocolError = `unreadable frame from the server: ${(e as Error).message}`;
        socket.terminate();
      }
    };
    const attempts = Math.max(1, o.startAttempts ?? 5);
    for (let attempt = 1; !ws; attempt++) {
      try {
        ws = await this.sockets.connect(execPath(o.namespace, o.pod, o.container, o.command), o.signal, onMessage);
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
      }
    }
    const socket = ws;
    return new Promise((resolve) => {
      let why: 'timeout' | 'interrupted' | null = null;
      const ping = setInterval(() => socket.ping(), o.pingIntervalMs ?? 30_000);
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
      if (o.signal?.aborted) onAbort();
      socket.onceClosed((code) => {
        state.closeCode = code;
        if (socket.firstError) state.protocolError ??= socket.firstError.message;
        clearInterval(ping);
        cancelTimer?.();
        o.signal?.removeEventListener('abort', onAbort);
        resolve(result(streamEnd(status, why, o.timeoutNanos, state)));
      });
    });
  }
}
