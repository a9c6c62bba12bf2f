// The one place that talks to a Kubernetes API server for reads. Callers get plain JSON objects.

import { CoreV1Api, CustomObjectsApi, Observable } from '@kubernetes/client-node';
import type { ConfigurationOptions, KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors.ts';
import type { ErrorContext } from './errors.ts';
import { toUserError } from './errors.ts';
import type { KubeFlags, ResolvedKubeConfig } from './kubeconfig.ts';
import { loadKubeConfig } from './kubeconfig.ts';

export const PAGE_SIZE = 500;

export type RawObject = Record<string, unknown>;

export interface BackupLocation {
  group: 'velero.io' | 'ark.heptio.com';
  namespace: string;
}

export interface ClusterOptions extends KubeFlags {
  /** kubectl's --request-timeout: "0" (none), "30s", "1m" or a bare number of seconds. */
  requestTimeout?: string | undefined;
}

export function parseRequestTimeout(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '0') return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new UserError(`error: invalid --request-timeout "${value}": use a duration such as 30s or 1m, or 0 for none`, 2);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
}

/** Reviver that turns client-node's model instances back into the JSON the API sent. */
function plain<T>(obj: T): RawObject {
  return JSON.parse(JSON.stringify(obj)) as RawObject;
}

export class Cluster {
  readonly config: ResolvedKubeConfig;
  readonly requestTimeoutMs: number | undefined;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(options: ClusterOptions, env: NodeJS.ProcessEnv = process.env) {
    this.requestTimeoutMs = parseRequestTimeout(options.requestTimeout);
    this.config = loadKubeConfig(options, env);
    this.core = this.config.kc.makeApiClient(CoreV1Api);
    this.custom = this.config.kc.makeApiClient(CustomObjectsApi);
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

  async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toUserError(e, this.errorContext(action));
    }
  }

  /** Lists pods page by page (limit/continue), so memory stays bounded by one page. */
  async *listPods(namespace: string | null, labelSelector?: string): AsyncGenerator<RawObject[]> {
    let cont: string | undefined;
    const where = namespace === null ? 'in all namespaces' : `in namespace "${namespace}"`;
    do {
      const page = await this.call(`list pods ${where}`, () =>
        namespace === null
          ? this.core.listPodForAllNamespaces({ limit: PAGE_SIZE, _continue: cont, labelSelector }, this.callOptions())
          : this.core.listNamespacedPod({ namespace, limit: PAGE_SIZE, _continue: cont, labelSelector }, this.callOptions()),
      );
      yield page.items.map(plain);
      cont = page.metadata?._continue || undefined;
    } while (cont);
  }

  /** Names of the namespaces (for shell completion). */
  async namespaceNames(): Promise<string[]> {
    const list = await this.call('list namespaces', () => this.core.listNamespace({ limit: 500 }, this.callOptions()));
    return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
  }

  /** Reads a Backup; tries Velero then Ark unless the group is fixed. */
  async getBackup(name: string, locations: BackupLocation[]): Promise<RawObject> {
    const tried: string[] = [];
    for (const loc of locations) {
      try {
        const obj = (await this.custom.getNamespacedCustomObject(
          { group: loc.group, version: 'v1', namespace: loc.namespace, plural: 'backups', name },
          this.callOptions(),
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
      `error: backup "${name}" not found (looked for ${tried.join(' and ')}); check the name with "velero backup get", or pass --backup-namespace if Velero/Ark runs in another namespace`,
    );
  }
}
