// Runs one command in a container through the pods/exec WebSocket, with what client-node's Exec
// lacks (shared/docs/client-node.md §2): the result comes only from the status channel, a socket
// that closes without a status is a failure, a refused upgrade reports the server's own message,
// the stream is closed on timeout, pings keep long sessions alive, and no frame can crash us.

import { Writable } from 'node:stream';
import { Exec } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { formatGoDuration } from '../hooks/duration.ts';
import { statusMessage } from './errors.ts';
import { credentialError, tokenFromFile } from './http.ts';
import { redact } from '../redact.ts';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const MAX_REFUSAL_BYTES = 64 * 1024;

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
  maxOutputBytes?: number;
  connectTimeoutMs?: number;
  pingIntervalMs?: number;
}

class Capture extends Writable {
  chunks: Buffer[] = [];
  size = 0;
  truncated = false;
  private readonly limit: number;
  constructor(limit: number) {
    super();
    this.limit = limit;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void) {
    const room = this.limit - this.size;
    if (room <= 0) this.truncated = true;
    else {
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) this.truncated = true;
      this.chunks.push(Buffer.from(part));
      this.size += part.length;
    }
    cb();
  }
  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export class ExecRefused extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

interface SessionState {
  protocolError?: string;
  closeCode?: number;
}

/** The WebSocketInterface client-node's Exec accepts: our own connect, sturdier than the default. */
class SturdyWebSockets {
  private readonly kc: KubeConfig;
  private readonly connectTimeoutMs: number;
  readonly state = new WeakMap<WebSocket, SessionState>();

  constructor(kc: KubeConfig, connectTimeoutMs: number) {
    this.kc = kc;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  async connect(path: string, _text: unknown, binaryHandler: (stream: number, buff: Buffer) => boolean): Promise<WebSocket> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig context has no cluster');
    const uri = cluster.server.replace(/^http/, 'ws').replace(/\/+$/, '') + path;
    const opts: WebSocket.ClientOptions = { handshakeTimeout: this.connectTimeoutMs, perMessageDeflate: false, followRedirects: false, maxPayload: 16 * 1024 * 1024 };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (e) {
      throw credentialError(e);
    }
    const token = tokenFromFile(this.kc);
    if (token !== undefined) opts.headers = { ...(opts.headers ?? {}), Authorization: `Bearer ${token}` };
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(uri, EXEC_PROTOCOLS, opts);
      const state: SessionState = {};
      this.state.set(ws, state);
      let opened = false;
      ws.on('unexpected-response', (req, res) => {
        // The refusal's body is read up to MAX_REFUSAL_BYTES: a server that never ends it cannot grow memory.
        const chunks: Buffer[] = [];
        let size = 0;
        let settled = false;
        const settle = () => {
          if (settled) return;
          settled = true;
          const body = Buffer.concat(chunks).toString('utf8');
          const message = size > MAX_REFUSAL_BYTES ? undefined : statusMessage(body);
          reject(new ExecRefused(res.statusCode ?? 0, message ? message.slice(0, 2000) : `the API server refused the exec upgrade (HTTP ${res.statusCode})${size > MAX_REFUSAL_BYTES ? ` with a body larger than ${MAX_REFUSAL_BYTES / 1024} KiB` : ''}`));
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
    const limit = o.maxOutputBytes ?? 1024 * 1024;
    const out = new Capture(limit);
    const err = new Capture(limit);
    const result = (r: Pick<ExecResult, 'outcome' | 'exitCode' | 'message'> & { httpStatus?: number }): ExecResult => ({
      ...r,
      stdout: out.data,
      stderr: err.data,
      stdoutTruncated: out.truncated,
      stderrTruncated: err.truncated,
    });
    if (o.signal?.aborted) return result({ outcome: 'interrupted', exitCode: null, message: 'interrupted before it started' });
    let status: StatusLike | null = null;
    let ws: WebSocket;
    try {
      ws = (await this.exec.exec(o.namespace, o.pod, o.container, o.command, out, err, null, false, (s) => {
        status = s as StatusLike;
      })) as unknown as WebSocket;
    } catch (e) {
      if (e instanceof ExecRefused) return result({ outcome: 'refused', exitCode: null, message: e.message, httpStatus: e.status });
      const code = (e as { code?: string }).code;
      return result({ outcome: 'connection-lost', exitCode: null, message: redact(`cannot open the exec stream: ${(e as Error).message}${code ? ` (${code})` : ''}`) });
    }
    const state = this.sockets.state.get(ws) ?? {};
    return new Promise((resolve) => {
      let why: 'timeout' | 'interrupted' | null = null;
      const ping = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.ping();
      }, o.pingIntervalMs ?? 30_000);
      const timer =
        o.timeoutNanos !== null && o.timeoutNanos > 0n
          ? setTimeout(() => {
              why = 'timeout';
              ws.terminate();
            }, Number(o.timeoutNanos / 1_000_000n))
          : null;
      const onAbort = () => {
        why ??= 'interrupted';
        ws.terminate();
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        clearInterval(ping);
        if (timer) clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        const st = status as StatusLike | null;
        if (st) return resolve(result(fromStatus(st)));
        if (why === 'timeout') {
          return resolve(result({ outcome: 'timeout', exitCode: null, message: `timed out after ${formatGoDuration(o.timeoutNanos ?? 0n)}; the stream was closed but the command may still be running in the container` }));
        }
        if (why === 'interrupted') {
          return resolve(result({ outcome: 'interrupted', exitCode: null, message: 'interrupted; the stream was closed but the command may still be running in the container' }));
        }
        const detail = state.protocolError ? `: ${state.protocolError}` : '';
        resolve(result({ outcome: 'connection-lost', exitCode: null, message: `the connection closed before the command reported an exit status (close code ${state.closeCode ?? 'none'})${detail}; the command may or may not have run` }));
      };
      if (ws.readyState === WebSocket.CLOSED) finish();
      else ws.once('close', finish);
    });
  }
}
