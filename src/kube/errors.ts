// Turns what client-node throws into one line that says what to do.

import { ApiException } from '@kubernetes/client-node';
import { UserError, oneLine } from '../errors.ts';
import { RefusedAnswer } from './http.ts';

export interface ErrorContext {
  contextName: string;
  server: string;
  /** What we were doing, e.g. 'list pods in namespace "prod"'. */
  action: string;
  requestTimeoutMs?: number;
  /** The name the server's certificate is checked against when it is not the server address's host (--tls-server-name). */
  tlsServerName?: string;
}

/** The metav1.Status message in an ApiException body, if any. */
export function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return statusMessage(parsed);
    } catch {
      return body.trim() === '' ? undefined : oneLine(body).slice(0, 300);
    }
  }
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return undefined;
}

const TLS_UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

function causeCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function httpStatusError(code: number, message: string | undefined, ctx: ErrorContext): UserError {
  const msg = message ? oneLine(message) : undefined;
  switch (code) {
    case 401:
      return new UserError(
        `You must be logged in to the server (Unauthorized): the server ${ctx.server} rejected the credentials of context "${ctx.contextName}"; log in again or refresh the token in your kubeconfig`,
      );
    case 403:
      return new UserError(
        `Error from server (Forbidden): ${msg ?? `cannot ${ctx.action}`}; ask a cluster admin for this permission, or use a context that has it`,
      );
    case 404:
      return new UserError(`Error from server (NotFound): ${msg ?? `not found while trying to ${ctx.action}`}`);
    case 409:
      return new UserError(`Error from server (Conflict): ${msg ?? 'conflict'}`);
    case 410:
      return new UserError(`Error from server (Expired): ${msg ?? 'the list expired'}; run the command again`);
    case 422:
      return new UserError(`Error from server (Invalid): ${msg ?? 'invalid request'}`);
    case 429:
      return new UserError(`Error from server (TooManyRequests): ${msg ?? 'the API server is throttling requests'}; try again later`);
    default:
      return new UserError(`Error from server (${code}): ${msg ?? `failed to ${ctx.action}`}`);
  }
}

export function toUserError(e: unknown, ctx: ErrorContext): UserError {
  if (e instanceof UserError) return e;
  if (e instanceof RefusedAnswer) return new UserError(`failed to ${ctx.action}: ${oneLine(e.message)}`);
  if (e instanceof ApiException) return httpStatusError(e.code, statusMessage(e.body), ctx);
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
    const secs = ctx.requestTimeoutMs ? `${ctx.requestTimeoutMs / 1000}s` : 'the time allowed';
    return new UserError(`the API server ${ctx.server} did not answer within ${secs} (--request-timeout) while trying to ${ctx.action}`);
  }
  const code = causeCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'ECONNREFUSED') {
    return new UserError(
      `cannot reach the API server at ${ctx.server} (connection refused); check that the cluster is up and that context "${ctx.contextName}" is the right one`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new UserError(
      `cannot resolve the API server host of ${ctx.server}; check the server address of context "${ctx.contextName}" and your network/VPN`,
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') {
    return new UserError(`the connection to ${ctx.server} was closed unexpectedly while trying to ${ctx.action}; try again`);
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new UserError(`connecting to ${ctx.server} timed out; check the server address and your network/VPN`);
  }
  if (code && TLS_UNTRUSTED.has(code)) {
    return new UserError(
      `TLS: the certificate of ${ctx.server} is not trusted (${code}); set certificate-authority(-data) for this cluster in the kubeconfig, or pass --certificate-authority`,
    );
  }
  if (code === 'CERT_HAS_EXPIRED') return new UserError(`TLS: the certificate of ${ctx.server} has expired`);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    if (ctx.tlsServerName)
      return new UserError(
        `TLS: the certificate of ${ctx.server} is not valid for the server name "${ctx.tlsServerName}" (tls-server-name); fix --tls-server-name or the cluster's tls-server-name`,
      );
    return new UserError(
      `TLS: the certificate of ${ctx.server} is not valid for that host name; fix the server address or set tls-server-name in the kubeconfig (or pass --tls-server-name)`,
    );
  }
  if (/HTTP protocol is not allowed/.test(message)) {
    return new UserError(
      `the server ${ctx.server} uses plain http; set insecure-skip-tls-verify: true for this cluster in the kubeconfig, or use https`,
    );
  }
  if (/URL that includes credentials/.test(message)) {
    return new UserError(
      `the server address of context "${ctx.contextName}" (${ctx.server}) holds a user name and password, which this client does not send; remove them from clusters[].cluster.server and put the credentials in users[].user`,
    );
  }
  if (/No active cluster/.test(message)) return new UserError(`context "${ctx.contextName}" has no cluster; fix the kubeconfig`);
  if (code === 'ENOENT' && /spawn/.test(message)) {
    return new UserError(
      `the credential plugin of context "${ctx.contextName}" cannot be started (${oneLine(message)}); install it or fix users[].user.exec.command`,
    );
  }
  return new UserError(`failed to ${ctx.action}: ${oneLine(message)}${code ? ` (${code})` : ''}`);
}
