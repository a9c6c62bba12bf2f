// The HTTP boundary of every REST call. client-node's generated clients get this transport instead
// of their default fetch wrapper, because that one trusts the server: it follows any redirect (to
// another origin, to plain http), reads a body of any size (endless, or a gzip bomb once inflated)
// and hands `null` or an HTML page to the decoder. Here a redirect is followed only within the
// origin (same scheme, host and port), a body is read up to MAX_RESPONSE_BYTES after decompression,
// and a 2xx answer must be a JSON object. Credentials come from the kubeconfig (client-node), plus
// kubectl's `tokenFile`, read again for every request so a rotated token is picked up.

import { readFileSync } from 'node:fs';
import { fetch } from 'undici';
import type { Response } from 'undici';
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
import type { Shape } from './pick.ts';
import { NotJson, PageBuffer, pickJson } from './pick.ts';

export const MAX_RESPONSE_BYTES = 128 * 1024 * 1024;
const MAX_REDIRECTS = 10;

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

/** The kubeconfig's authentication, with credential-plugin errors made safe and tokenFile applied. */
function authentication(kc: KubeConfig): SecurityAuthentication {
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

function tooLarge(url: string): RefusedAnswer {
  return new RefusedAnswer(
    `the answer of ${redactUrl(url)} is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB (an endless or decompression-bomb body?); stopped reading it`,
  );
}

/** Reads a body into `into` (reused from call to call), up to MAX_RESPONSE_BYTES. */
async function readBytesBounded(body: ReadableStream<Uint8Array> | null, url: string, into: PageBuffer): Promise<void> {
  into.length = 0;
  if (!body) return;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    if (into.length + value.byteLength > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url);
    }
    into.push(value);
  }
}

async function readBounded(body: ReadableStream<Uint8Array> | null, url: string): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url);
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** Sends a request, following redirects within the origin only; the answer's body is left unread. */
async function openFollowing(request: RequestContext): Promise<{ resp: Response; url: string }> {
  let url = request.getUrl();
  let method = request.getHttpMethod().toString();
  let body = request.getBody() as string | undefined;
  const headers = request.getHeaders();
  for (let hops = 0; ; hops++) {
    const resp = await fetch(url, {
      method,
      body: body ?? null,
      headers,
      signal: request.getSignal() ?? null,
      dispatcher: request.getDispatcher() as Dispatcher | undefined,
      redirect: 'manual',
    } as Parameters<typeof fetch>[1]);
    const location = resp.headers.get('location');
    if (resp.status >= 300 && resp.status < 400 && location !== null) {
      await resp.body?.cancel().catch(() => undefined);
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
      if (resp.status === 303 || ((resp.status === 301 || resp.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next.href;
      continue;
    }
    return { resp, url };
  }
}

/** A 2xx answer must be JSON: refuses another content type, or a body (`head`: its start) that is not an object. */
function refuseNonJson(url: string, contentType: string | null, head: string): void {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== '' && !type.includes('json')) {
    throw new RefusedAnswer(
      `the API server answered ${redactUrl(url)} with ${type.slice(0, 60)}, not a Kubernetes API answer (a login page or a proxy?): check the server address of the context`,
    );
  }
  if (head.trim() !== '' && !head.trimStart().startsWith('{')) {
    throw new RefusedAnswer(
      `the API server answered ${redactUrl(url)} with a body that is not a JSON object (${JSON.stringify(head.trim().slice(0, 20))}…)`,
    );
  }
}

function headersOf(resp: Response): Record<string, string> {
  const out: Record<string, string> = {};
  resp.headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

async function send(request: RequestContext): Promise<ResponseContext> {
  const { resp, url } = await openFollowing(request);
  const text = await readBounded(resp.body as ReadableStream<Uint8Array> | null, url);
  if (resp.status >= 200 && resp.status < 300) refuseNonJson(url, resp.headers.get('content-type'), text);
  return new ResponseContext(resp.status, headersOf(resp), {
    text: () => Promise.resolve(text),
    binary: () => Promise.resolve(Buffer.from(text, 'utf8')),
  } as unknown as ConstructorParameters<typeof ResponseContext>[2]);
}

const boundedHttp = wrapHttpLibrary({ send });

/** The configuration every API client is built with (instead of KubeConfig.makeApiClient's). */
export function apiConfiguration(kc: KubeConfig): Configuration {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  return createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: authentication(kc) },
    httpApi: boundedHttp,
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
  const resp = await send(ctx);
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
 * a hook needs of each pod, not the whole page; see pick.ts).
 */
export async function getPicked(
  kc: KubeConfig,
  path: string,
  shape: Shape,
  timeoutMs?: number,
  buffer = new PageBuffer(),
): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const ctx = new RequestContext(cluster.server.replace(/\/+$/, '') + path, HttpMethod.GET);
  ctx.setHeaderParam('Accept', 'application/json');
  ctx.setHeaderParam('User-Agent', 'kubectl-ark-hooks');
  await authentication(kc).applySecurityAuthentication(ctx);
  if (timeoutMs) ctx.setSignal(AbortSignal.timeout(timeoutMs));
  const { resp, url } = await openFollowing(ctx);
  const body = resp.body as ReadableStream<Uint8Array> | null;
  if (resp.status < 200 || resp.status >= 300)
    throw new ApiException(resp.status, `HTTP ${resp.status}`, await readBounded(body, url), headersOf(resp));
  await readBytesBounded(body, url, buffer);
  refuseNonJson(url, resp.headers.get('content-type'), new TextDecoder().decode(buffer.bytes.subarray(0, Math.min(buffer.length, 1024))));
  try {
    return pickJson(buffer.bytes, shape, buffer.length);
  } catch (e) {
    if (e instanceof NotJson) throw new RefusedAnswer(`GET ${path} did not return JSON`);
    throw e;
  }
}
