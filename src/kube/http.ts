// The HTTP boundary of every REST call. client-node's generated clients get this transport instead
// of their default fetch wrapper, because that one trusts the server: it follows any redirect (to
// another origin, to plain http), reads a body of any size (endless, or a gzip bomb once inflated)
// and hands `null` or an HTML page to the decoder. Here a redirect is followed only within the
// origin (same scheme, host and port), a body is read up to MAX_RESPONSE_BYTES after decompression,
// and a 2xx answer must be a JSON object. Credentials come from the kubeconfig (client-node), plus
// kubectl's `tokenFile`, read again for every request so a rotated token is picked up. Each request
// also carries the connection's impersonation headers (one Impersonate-Group line per group, as
// client-go sends them: hence undici's request(), fetch() would join them into one line), asks for
// gzip unless --disable-compression, and is written to the -v request log (request-log.ts).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { request as undiciRequest } from 'undici';
import type { Dispatcher } from 'undici';
import {
  ApiException,
  createConfiguration,
  HttpMethod,
  KubernetesObjectApi,
  RequestContext,
  ResponseContext,
  ServerConfiguration,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import type { Configuration, KubeConfig, SecurityAuthentication } from '@kubernetes/client-node';
import { redactUrl, registerSecret } from '../redact.ts';
import type { Impersonation } from './kubeconfig.ts';
import type { RequestLog } from './request-log.ts';
import type { Shape } from './pick.ts';
import type { Each } from './pick.ts';
import { NotJson, PageBuffer, pickJson } from './pick.ts';

export const MAX_RESPONSE_BYTES = 128 * 1024 * 1024;
const MAX_REDIRECTS = 10;
/** The file name in -v log lines (kubectl's are round_trippers.go; ours are our own). */
const LOG_FILE = 'http.ts';

/** An answer the client refuses to use; toUserError turns it into "failed to <action>: <message>". */
export class RefusedAnswer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedAnswer';
  }
}

const tokenFiles = new WeakMap<KubeConfig, { path: string; fallback: boolean }>();

/**
 * Registers kubectl's users[].user.tokenFile for a loaded configuration. `fallback`: the user also has
 * a static token, which client-go uses when the file cannot be read.
 */
export function setTokenFile(kc: KubeConfig, path: string, fallback: boolean): void {
  tokenFiles.set(kc, { path, fallback });
}

/**
 * The bearer token of the user's tokenFile, or undefined. Read for every request (client-go caches it
 * for a minute): a rotated token is used at once, so a long run outlives the token it started with.
 */
export function tokenFromFile(kc: KubeConfig): string | undefined {
  const tf = tokenFiles.get(kc);
  if (tf === undefined) return undefined;
  let token: string;
  try {
    token = readFileSync(tf.path, 'utf8').trim();
  } catch (e) {
    if (tf.fallback) return undefined;
    throw new RefusedAnswer(
      `cannot read the tokenFile "${tf.path}" of the kubeconfig user: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (token === '') {
    if (tf.fallback) return undefined;
    throw new RefusedAnswer(`the tokenFile "${tf.path}" of the kubeconfig user is empty`);
  }
  registerSecret(token);
  return token;
}

/**
 * A credential plugin's failure, without what it printed on stdout: a plugin that prints its token
 * instead of an ExecCredential would otherwise have it echoed by the JSON parser's message.
 */
export function credentialError(e: unknown): Error {
  if (e instanceof SyntaxError) {
    return new RefusedAnswer(
      'the credential plugin (users[].user.exec) printed something that is not an ExecCredential JSON object; its output is not shown, as it may hold a secret',
    );
  }
  const message = e instanceof Error ? e.message : String(e);
  const err = new RefusedAnswer(`the credential plugin (users[].user.exec) failed: ${message.trim() || 'no message'}`);
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') (err as Error & { code?: string }).code = code;
  return err;
}

type DispatcherFactory = (cluster: unknown, agentOptions: Record<string, unknown>) => Dispatcher | undefined;
const sharedDispatchers = new WeakSet<KubeConfig>();

/**
 * Keep-alive for the REST calls: client-node builds a new undici Agent (so a new TCP connection and
 * TLS handshake) for every request; here a kubeconfig reuses one Agent for as long as the TLS
 * material its requests carry is the same (a credential plugin that rotates its client certificate
 * gets a new one).
 */
function shareDispatchers(kc: KubeConfig): void {
  if (sharedDispatchers.has(kc)) return;
  sharedDispatchers.add(kc);
  const target = kc as unknown as { createDispatcher?: DispatcherFactory };
  const create = target.createDispatcher;
  if (typeof create !== 'function') return;
  const cache = new Map<string, Dispatcher | undefined>();
  target.createDispatcher = (cluster, agentOptions) => {
    const h = createHash('sha256').update(JSON.stringify(cluster ?? null));
    for (const name of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername']) {
      const v = agentOptions[name];
      h.update(`${name}=`)
        .update(Buffer.isBuffer(v) || typeof v === 'string' ? v : String(JSON.stringify(v)))
        .update('\0');
    }
    const key = h.digest('hex');
    if (!cache.has(key)) cache.set(key, create.call(kc, cluster, agentOptions));
    return cache.get(key);
  };
}

/** The kubeconfig's authentication, with credential-plugin errors made safe and tokenFile applied. */
function authentication(kc: KubeConfig): SecurityAuthentication {
  shareDispatchers(kc);
  return {
    getName: () => 'kubeconfig',
    applySecurityAuthentication: async (context: RequestContext) => {
      try {
        await kc.applySecurityAuthentication(context);
      } catch (e) {
        throw credentialError(e);
      }
      const token = tokenFromFile(kc);
      if (token !== undefined) context.setHeaderParam('Authorization', `Bearer ${token}`);
    },
  };
}

async function readBounded(body: AsyncIterable<Uint8Array> | null, url: string): Promise<string> {
  if (!body) return '';
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let size = 0;
  for await (const value of body) {
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      throw new RefusedAnswer(
        `the answer of ${redactUrl(url)} is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB (an endless or decompression-bomb body?); stopped reading it`,
      );
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** The body, decompressed as its Content-Encoding says; a broken stream is destroyed with the other. */
function decoded(body: Readable, encoding: string | undefined): Readable {
  const enc = (encoding ?? '').trim().toLowerCase();
  const inflate =
    enc === 'gzip' || enc === 'x-gzip'
      ? createGunzip()
      : enc === 'deflate'
        ? createInflate()
        : enc === 'br'
          ? createBrotliDecompress()
          : null;
  if (!inflate) return body;
  return pipeline(body, inflate, () => undefined) as unknown as Readable;
}

/** Settings of one loaded kubeconfig that every request applies: impersonation, compression, the -v log. */
export interface Connection {
  impersonation?: Impersonation | undefined;
  /** kubectl's --disable-compression: no Accept-Encoding, so the server answers uncompressed. */
  disableCompression?: boolean | undefined;
  log?: RequestLog | undefined;
}

const connections = new WeakMap<KubeConfig, Connection>();

export function setConnection(kc: KubeConfig, c: Connection): void {
  connections.set(kc, c);
}

export function connectionOf(kc: KubeConfig): Connection {
  return connections.get(kc) ?? {};
}

/** An extra's key in a header name, escaped as client-go escapes it (url.PathEscape). */
export function extraKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~$&+=:@]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Impersonate-User, one Impersonate-Group line per group, Impersonate-Uid: as client-go sends them. */
export function impersonationHeaders(imp: Impersonation | undefined): Record<string, string | string[]> {
  if (!imp) return {};
  const extra = Object.entries(imp.extra ?? {}).map(([key, values]) => [`Impersonate-Extra-${extraKey(key)}`, [...values]]);
  return {
    'Impersonate-User': imp.user,
    ...(imp.groups.length > 0 ? { 'Impersonate-Group': [...imp.groups] } : {}),
    ...(imp.uid ? { 'Impersonate-Uid': imp.uid } : {}),
    ...Object.fromEntries(extra),
  };
}

/** Headers as (name, value) lines, repeated headers once per value (for the -v=7 log). */
export function headerLines(headers: Record<string, string | string[] | undefined>): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.push([name, v]);
  }
  return out;
}

/** The request's headers plus the connection's: impersonation (over client-node's), Accept-Encoding. */
function outgoingHeaders(own: Record<string, string>, conn: Connection): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(own)) if (!(conn.impersonation && /^impersonate-/i.test(name))) out[name] = value;
  Object.assign(out, impersonationHeaders(conn.impersonation));
  const hasEncoding = Object.keys(out).some((n) => n.toLowerCase() === 'accept-encoding');
  if (!conn.disableCompression && !hasEncoding) out['Accept-Encoding'] = 'gzip';
  return out;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Reads a body into `into` (reused from call to call), up to MAX_RESPONSE_BYTES. */
async function readBytesBounded(body: AsyncIterable<Uint8Array>, url: string, into: PageBuffer): Promise<void> {
  into.length = 0;
  for await (const value of body) {
    if (into.length + value.byteLength > MAX_RESPONSE_BYTES)
      throw new RefusedAnswer(
        `the answer of ${redactUrl(url)} is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB (an endless or decompression-bomb body?); stopped reading it`,
      );
    into.push(value);
  }
}

/**
 * `into`: a 2xx body goes there as bytes (getPicked), and the ResponseContext carries only its first
 * KiB, for the checks that it is JSON (all of it with the -v log on, which shows it).
 */
async function send(request: RequestContext, conn: Connection, into?: PageBuffer): Promise<ResponseContext> {
  let url = request.getUrl();
  let method = request.getHttpMethod().toString();
  let body = request.getBody() as string | undefined;
  const headers = outgoingHeaders(request.getHeaders(), conn);
  const log = conn.log?.enabled ? conn.log : undefined;
  const parsed = new URL(url);
  // As fetch() refuses it (toUserError explains): credentials belong in users[].user, not in the address.
  if (parsed.username || parsed.password) throw new TypeError('Request cannot be constructed from a URL that includes credentials');
  for (let hops = 0; ; hops++) {
    log?.request(LOG_FILE, method, url, headerLines(headers), body);
    const started = performance.now();
    let resp: Dispatcher.ResponseData<unknown>;
    try {
      resp = await undiciRequest(url, {
        method: method as Dispatcher.HttpMethod,
        body: body ?? null,
        headers,
        signal: request.getSignal() ?? null,
        dispatcher: request.getDispatcher() as Dispatcher | undefined,
      } as Parameters<typeof undiciRequest>[1]);
    } catch (e) {
      log?.failed(LOG_FILE, method, url, performance.now() - started, e);
      throw e;
    }
    // Destroying an unread body emits an error (UND_ERR_ABORTED): nothing to report, the answer is settled.
    resp.body.on('error', () => undefined);
    log?.response(LOG_FILE, method, url, resp.statusCode, performance.now() - started, headerLines(resp.headers));
    const location = first(resp.headers.location);
    if (resp.statusCode >= 300 && resp.statusCode < 400 && location !== undefined) {
      resp.body.destroy();
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new RefusedAnswer(`the API server answered ${redactUrl(url)} with a redirect to an invalid address; not followed`);
      }
      const from = new URL(url);
      if (next.origin !== from.origin) {
        throw new RefusedAnswer(
          `the API server answered ${redactUrl(url)} with a redirect to ${redactUrl(next.href)}, ${next.protocol !== from.protocol ? 'a different scheme' : 'another origin'}; not followed (an API server has no reason to send its client elsewhere): check the server address of the context`,
        );
      }
      if (hops >= MAX_REDIRECTS)
        throw new RefusedAnswer(`the API server redirected ${redactUrl(url)} more than ${MAX_REDIRECTS} times; stopped`);
      if (resp.statusCode === 303 || ((resp.statusCode === 301 || resp.statusCode === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next.href;
      continue;
    }
    const stream = decoded(resp.body, first(resp.headers['content-encoding']));
    let text: string;
    try {
      if (into && resp.statusCode >= 200 && resp.statusCode < 300) {
        await readBytesBounded(stream, url, into);
        // Only the start is needed for the JSON checks; the -v log shows (and counts) the whole body.
        text = new TextDecoder().decode(into.bytes.subarray(0, log ? into.length : Math.min(into.length, 1024)));
      } else text = await readBounded(stream, url);
    } finally {
      stream.destroy();
      resp.body.destroy();
    }
    log?.responseBody(LOG_FILE, text);
    return answer(url, resp.statusCode, resp.headers, text);
  }
}

/** The client's ResponseContext; a 2xx answer must be JSON (not a login page, not `null`). */
function answer(url: string, status: number, headers: Record<string, string | string[] | undefined>, text: string): ResponseContext {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  if (status >= 200 && status < 300) {
    const type = (out['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== '' && !type.includes('json')) {
      throw new RefusedAnswer(
        `the API server answered ${redactUrl(url)} with ${type.slice(0, 60)}, not a Kubernetes API answer (a login page or a proxy?): check the server address of the context`,
      );
    }
    if (text.trim() !== '' && !text.trimStart().startsWith('{')) {
      throw new RefusedAnswer(
        `the API server answered ${redactUrl(url)} with a body that is not a JSON object (${JSON.stringify(text.trim().slice(0, 20))}…)`,
      );
    }
  }
  return new ResponseContext(status, out, {
    text: () => Promise.resolve(text),
    binary: () => Promise.resolve(Buffer.from(text, 'utf8')),
  } as unknown as ConstructorParameters<typeof ResponseContext>[2]);
}

/** Our transport for the API clients of one kubeconfig (its connection settings). */
function transport(kc: KubeConfig) {
  return wrapHttpLibrary({ send: (r: RequestContext) => send(r, connectionOf(kc)) });
}

/** The configuration every API client is built with (instead of KubeConfig.makeApiClient's). */
export function apiConfiguration(kc: KubeConfig): Configuration {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  return createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: authentication(kc) },
    httpApi: transport(kc),
    promiseMiddleware: [
      {
        pre: async (c: RequestContext) => {
          c.setHeaderParam('User-Agent', 'kubectl-ark-hooks');
          return c;
        },
        post: async (r: ResponseContext) => r,
      },
    ],
  });
}

export function apiClient<T>(kc: KubeConfig, type: new (configuration: Configuration) => T): T {
  return new type(apiConfiguration(kc));
}

export function objectApi(kc: KubeConfig): KubernetesObjectApi {
  const api = new KubernetesObjectApi(apiConfiguration(kc));
  (api as unknown as { setDefaultNamespace(kc: KubeConfig): void }).setDefaultNamespace(kc);
  return api;
}

/**
 * GET a JSON document (discovery documents have no typed client) through the same transport and
 * credentials as the API clients: redirects within the origin only, bounded body, credential-plugin
 * errors without their output, tokenFile.
 */
export async function getDocument(kc: KubeConfig, path: string, accept: string, timeoutMs?: number): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const ctx = new RequestContext(cluster.server.replace(/\/+$/, '') + path, HttpMethod.GET);
  ctx.setHeaderParam('Accept', accept);
  ctx.setHeaderParam('User-Agent', 'kubectl-ark-hooks');
  await authentication(kc).applySecurityAuthentication(ctx);
  if (timeoutMs) ctx.setSignal(AbortSignal.timeout(timeoutMs));
  const resp = await send(ctx, connectionOf(kc));
  const text = await resp.body.text();
  if (resp.httpStatusCode < 200 || resp.httpStatusCode >= 300)
    throw new ApiException(resp.httpStatusCode, `HTTP ${resp.httpStatusCode}`, text, resp.headers);
  try {
    return JSON.parse(text);
  } catch {
    throw new RefusedAnswer(`GET ${path} did not return JSON`);
  }
}

/**
 * GET a JSON document like getDocument, building only the fields of `shape` (a pod list page: what
 * a hook needs of each pod, not the whole page; see pick.ts). The body is read into `buffer`,
 * reused from page to page; `each` maps the picked list items as they are built (pick.ts Each).
 */
export async function getPicked(
  kc: KubeConfig,
  path: string,
  shape: Shape,
  timeoutMs?: number,
  buffer = new PageBuffer(),
  each?: Each,
): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const ctx = new RequestContext(cluster.server.replace(/\/+$/, '') + path, HttpMethod.GET);
  ctx.setHeaderParam('Accept', 'application/json');
  ctx.setHeaderParam('User-Agent', 'kubectl-ark-hooks');
  await authentication(kc).applySecurityAuthentication(ctx);
  if (timeoutMs) ctx.setSignal(AbortSignal.timeout(timeoutMs));
  const resp = await send(ctx, connectionOf(kc), buffer);
  if (resp.httpStatusCode < 200 || resp.httpStatusCode >= 300)
    throw new ApiException(resp.httpStatusCode, `HTTP ${resp.httpStatusCode}`, await resp.body.text(), resp.headers);
  try {
    return pickJson(buffer.bytes, shape, buffer.length, each);
  } catch (e) {
    if (e instanceof NotJson) throw new RefusedAnswer(`GET ${path} did not return JSON`);
    throw e;
  }
}
