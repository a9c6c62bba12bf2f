// The one place that talks to a Kubernetes API server for reads. Callers get plain JSON objects.

import { CoreV1Api, CustomObjectsApi, Observable } from '@kubernetes/client-node';
import type { ConfigurationOptions, KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors.ts';
import type { ErrorContext } from './errors.ts';
import { toUserError } from './errors.ts';
import { apiClient, getPicked, setConnection } from './http.ts';
import { POD_SHAPE, PageBuffer, listShape } from './pick.ts';
import { REQUEST_LEVEL, RequestLog } from './request-log.ts';
import type { KubeFlags, ResolvedKubeConfig } from './kubeconfig.ts';
import { loadKubeConfig } from './kubeconfig.ts';

export const PAGE_SIZE = 500;
export const READ_ATTEMPTS = 5;
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ETIMEDOUT']);

/** Milliseconds to wait before retrying a read, or null when the error is not transient. */
export function retryDelayMs(e: unknown, attempt: number): number | null {
  const backoff = Math.min(200 * 2 ** (attempt - 1), 3000);
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'number') {
    if (!RETRYABLE_STATUS.has(code)) return null;
    const headers = (e as { headers?: Record<string, string> }).headers ?? {};
    const after = Number(headers['retry-after'] ?? headers['Retry-After']);
    return Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 10_000) : backoff;
  }
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return RETRYABLE_NETWORK.has(c) ? backoff : null;
    cur = (cur as { cause?: unknown }).cause;
  }
  return null;
}

export type RawObject = Record<string, unknown>;

/** A page of pods as the listing reads it: each pod with only what a hook needs (pick.ts). */
const POD_LIST = listShape(POD_SHAPE);

/** Paging trusts no server: a continue token seen before means the listing would loop forever. */
export function checkContinue(seen: Set<string>, token: string | undefined, action: string): void {
  if (token === undefined) return;
  if (seen.has(token))
    throw new UserError(
      `the API server returned the same continue token twice while trying to ${action}; stopped paging (a server or proxy that loops); try again, or report it to the cluster admin`,
    );
  seen.add(token);
}

export interface BackupLocation {
  group: 'velero.io' | 'ark.heptio.com';
  namespace: string;
}

export interface ClusterOptions extends KubeFlags {
  /** kubectl's --request-timeout: "0" (none), "30s", "1m" or a bare number of seconds. */
  requestTimeout?: string | undefined;
  /** kubectl's --disable-compression: responses are not asked for gzip. */
  disableCompression?: boolean | undefined;
  /** kubectl's -v level: from 6 every request is logged to `logSink` (request-log.ts). */
  verbosity?: number | undefined;
  /** Receives one -v log line at a time (stderr, control characters escaped by the caller). */
  logSink?: ((line: string) => void) | undefined;
}

export function parseRequestTimeout(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '0') return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new UserError(`invalid --request-timeout "${value}": use a duration such as 30s or 1m, or 0 for none`, 2);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
}

export class Cluster {
  readonly config: ResolvedKubeConfig;
  readonly requestTimeoutMs: number | undefined;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(options: ClusterOptions, env: NodeJS.ProcessEnv = process.env) {
    this.requestTimeoutMs = parseRequestTimeout(options.requestTimeout);
    this.config = loadKubeConfig(options, env);
    const log =
      options.logSink && (options.verbosity ?? 0) >= REQUEST_LEVEL
        ? new RequestLog({ level: options.verbosity ?? 0, sink: options.logSink })
        : undefined;
    setConnection(this.config.kc, {
      impersonation: this.config.impersonation,
      disableCompression: options.disableCompression === true,
      log,
    });
    this.core = apiClient(this.config.kc, CoreV1Api);
    this.custom = apiClient(this.config.kc, CustomObjectsApi);
  }

  get kc(): KubeConfig {
    return this.config.kc;
  }

  get namespace(): string {
    return this.config.namespace;
  }

  errorContext(action: string): ErrorContext {
    const ctx: ErrorContext = { contextName: this.config.contextName, server: this.config.server, action };
    if (this.requestTimeoutMs !== undefined) ctx.requestTimeoutMs = this.requestTimeoutMs;
    const sni = this.kc.getCurrentCluster()?.tlsServerName;
    if (sni) ctx.tlsServerName = sni;
    return ctx;
  }

  /** Per-call options: the request timeout as an abort signal. */
  callOptions(): ConfigurationOptions | undefined {
    const ms = this.requestTimeoutMs;
    if (ms === undefined) return undefined;
    return {
      middleware: [
        {
          pre: (c) => {
            c.setSignal(AbortSignal.timeout(ms));
            return new Observable(Promise.resolve(c));
          },
          post: (r) => new Observable(Promise.resolve(r)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  /** A request that changes something: sent once, never retried blindly. */
  async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toUserError(e, this.errorContext(action));
    }
  }

  /**
   * A request without side effects: retried on throttling (429, honouring Retry-After), on 5xx and
   * on a dropped connection, up to READ_ATTEMPTS times with exponential backoff.
   */
  async read<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.withRetries(fn);
    } catch (e) {
      throw toUserError(e, this.errorContext(action));
    }
  }

  /** The retry loop of read(), rethrowing the last error as it came. */
  async withRetries<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const wait = retryDelayMs(e, attempt);
        if (wait === null || attempt >= READ_ATTEMPTS) throw e;
        this.retries++;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** How many reads were retried, for reports. */
  retries = 0;

  /**
   * Lists pods page by page (limit/continue), so memory stays bounded by one page. Of each page only
   * what a hook needs is built (pick.ts: no managedFields, env, probes…; not client-node's model
   * classes, which copy every field), and the caller keeps what it needs before the next page.
   * With `map`, each pod goes through it as soon as it is picked and the page holds what it returns
   * (pick.ts Each: the picked pods then die young).
   */
  async *listPods<T = RawObject>(namespace: string | null, labelSelector?: string, map?: (raw: unknown) => T): AsyncGenerator<T[]> {
    let cont: string | undefined;
    const where = namespace === null ? 'in all namespaces' : `in namespace "${namespace}"`;
    const tokens = new Set<string>();
    const buffer = new PageBuffer();
    const each = map ? { shape: POD_SHAPE, map } : undefined;
    const base = namespace === null ? '/api/v1/pods' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    do {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (cont) query.set('continue', cont);
      if (labelSelector !== undefined) query.set('labelSelector', labelSelector);
      const page = (await this.read(`list pods ${where}`, () =>
        getPicked(this.kc, `${base}?${query}`, POD_LIST, this.requestTimeoutMs, buffer, each),
      )) as { items?: unknown; metadata?: { continue?: unknown } } | null;
      if (!Array.isArray(page?.items))
        throw new UserError(
          `the API server ${this.config.server} answered the request to list pods ${where} without a list of items; check the server address of context "${this.config.contextName}"`,
        );
      yield page.items as T[];
      const next = page.metadata?.continue;
      cont = typeof next === 'string' && next !== '' ? next : undefined;
      checkContinue(tokens, cont, `list pods ${where}`);
    } while (cont);
  }

  /** Names of the namespaces (for shell completion). */
  async namespaceNames(): Promise<string[]> {
    const list = await this.read('list namespaces', () => this.core.listNamespace({ limit: 500 }, this.callOptions()));
    return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
  }

  /** Namespaces with their labels, filtered by a label selector (exclude-from-backup). */
  async namespacesWithLabels(labelSelector: string): Promise<{ name: string; labels: Record<string, string> }[]> {
    const out: { name: string; labels: Record<string, string> }[] = [];
    let cont: string | undefined;
    do {
      const page = await this.read(`list namespaces labelled ${labelSelector}`, () =>
        this.core.listNamespace({ limit: PAGE_SIZE, _continue: cont, labelSelector }, this.callOptions()),
      );
      for (const n of page.items) out.push({ name: n.metadata?.name ?? '', labels: { ...(n.metadata?.labels ?? {}) } });
      cont = page.metadata?._continue || undefined;
    } while (cont);
    return out;
  }

  /** Reads a Backup; tries Velero then Ark unless the group is fixed. */
  async getBackup(name: string, locations: BackupLocation[]): Promise<RawObject> {
    const tried: string[] = [];
    for (const loc of locations) {
      try {
        const obj = (await this.withRetries(() =>
          this.custom.getNamespacedCustomObject(
            { group: loc.group, version: 'v1', namespace: loc.namespace, plural: 'backups', name },
            this.callOptions(),
          ),
        )) as RawObject;
        return obj;
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code === 404) {
          tried.push(`backups.${loc.group} in namespace "${loc.namespace}"`);
          continue;
        }
        throw toUserError(e, this.errorContext(`get backup "${name}" (${loc.group}) in namespace "${loc.namespace}"`));
      }
    }
    throw new UserError(
      `backup "${name}" not found (looked for ${tried.join(' and ')}); check the name with "velero backup get", or pass --backup-namespace if Velero/Ark runs in another namespace`,
    );
  }
}
