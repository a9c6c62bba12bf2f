// The HTTP boundary of every REST call. client-node's generated clients get this transport instead
// of their default fetch wrapper, because that one trusts the server: it follows any redirect (to
// another origin, to plain http), reads a body of any size (endless, or a gzip bomb once inflated)
// and hands `null` or an HTML page to the decoder. Here a redirect is followed only within the
// origin (same scheme, host and port), a body is read up to MAX_RESPONSE_BYTES after decompression,
// and a 2xx answer must be a JSON object. Credentials come from the kubeconfig (client-node), plus
// kubectl's `tokenFile`, read again for every request so a rotated token is picked up.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fetch } from 'undici';
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
      throw new RefusedAnswer(
        `the answer of ${redactUrl(url)} is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB (an endless or decompression-bomb body?); stopped reading it`,
      );
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

async function send(request: RequestContext): Promise<ResponseContext> {
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
    const text = await readBounded(resp.body as ReadableStream<Uint8Array> | null, url);
    const out: Record<string, string> = {};
    resp.headers.forEach((value, name) => {
      out[name] = value;
    });
    if (resp.status >= 200 && resp.status < 300) {
      const type = (resp.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
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
    return new ResponseContext(resp.status, out, {
      text: () => Promise.resolve(text),
      binary: () => Promise.resolve(Buffer.from(text, 'utf8')),
    } as unknown as ConstructorParameters<typeof ResponseContext>[2]);
  }
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
