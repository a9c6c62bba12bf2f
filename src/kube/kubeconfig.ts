// Loads the user's kubectl configuration with kubectl's rules (not client-node's): KUBECONFIG
// files merged first-wins, missing or empty files skipped, paths resolved against the file that
// names them, and the --kubeconfig/--context/--cluster/--user/--namespace overrides.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigFiles } from './kubeconfig-files.ts';
import * as yaml from 'js-yaml';
import { UserError } from '../errors.ts';

export interface KubeFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  cluster?: string | undefined;
  user?: string | undefined;
  namespace?: string | undefined;
}

export interface ResolvedKubeConfig {
  kc: KubeConfig;
  contextName: string;
  namespace: string;
  server: string;
  userName: string;
}

type Named = { name?: unknown; [k: string]: unknown };
interface RawConfig {
  clusters: Named[];
  users: Named[];
  contexts: Named[];
  'current-context'?: string;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function absolutize(obj: Record<string, unknown>, keys: string[], base: string) {
  for (const k of keys) {
    const v = obj[k];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) obj[k] = resolve(base, v);
  }
}

/** Reads one kubeconfig file; null when it is missing or empty (kubectl skips those). */
function readConfigFile(file: string, explicit: boolean): RawConfig | null {
  if (!existsSync(file)) {
    if (explicit) throw new UserError(`error: kubeconfig file "${file}" does not exist`);
    return null;
  }
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new UserError(`error: kubeconfig "${file}" is a directory, not a file`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`error: cannot read kubeconfig "${file}": ${(e as Error).message}`);
  }
  if (text.trim() === '') return null;
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new UserError(`error: kubeconfig "${file}" is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return null;
  if (!isObject(doc)) throw new UserError(`error: kubeconfig "${file}" is not a kubeconfig (expected a YAML map)`);
  const base = dirname(resolve(file));
  const list = (v: unknown) => (Array.isArray(v) ? v.filter(isObject) : []) as Named[];
  const clusters = list(doc.clusters);
  const users = list(doc.users);
  for (const c of clusters) if (isObject(c.cluster)) absolutize(c.cluster, ['certificate-authority'], base);
  for (const u of users) {
    if (!isObject(u.user)) continue;
    absolutize(u.user, ['client-certificate', 'client-key', 'tokenFile', 'token-file'], base);
    const exec = u.user.exec;
    // kubectl resolves a relative exec command that contains a path separator against the file.
    if (isObject(exec) && typeof exec.command === 'string' && !isAbsolute(exec.command) && (exec.command.includes(sep) || exec.command.includes('/'))) {
      exec.command = resolve(base, exec.command);
    }
  }
  const current = typeof doc['current-context'] === 'string' ? doc['current-context'] : undefined;
  return { clusters, users, contexts: list(doc.contexts), ...(current ? { 'current-context': current } : {}) };
}

/** kubectl's merge: the first file to define a name or current-context wins. */
export function mergeConfigs(configs: RawConfig[]): RawConfig {
  const merged: RawConfig = { clusters: [], users: [], contexts: [] };
  const add = (target: Named[], items: Named[]) => {
    for (const item of items) {
      if (typeof item.name !== 'string' || item.name === '') continue;
      if (!target.some((t) => t.name === item.name)) target.push(item);
    }
  };
  for (const c of configs) {
    add(merged.clusters, c.clusters);
    add(merged.users, c.users);
    add(merged.contexts, c.contexts);
    if (!merged['current-context'] && c['current-context']) merged['current-context'] = c['current-context'];
  }
  return merged;
}

export function loadKubeConfig(flags: KubeFlags, env: NodeJS.ProcessEnv = process.env): ResolvedKubeConfig {
  const { files, explicit } = kubeconfigFiles(flags, env);
  const configs = files.map((f) => readConfigFile(f, explicit)).filter((c): c is RawConfig => c !== null);
  const kc = new KubeConfig();
  if (configs.length === 0) {
    if (!flags.kubeconfig && env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
      kc.loadFromCluster();
      const ctx = kc.getContextObject(kc.getCurrentContext());
      return finish(kc, flags, ctx?.namespace);
    }
    throw new UserError(
      `error: no Kubernetes configuration found (looked in ${files.join(', ')}); set KUBECONFIG, pass --kubeconfig, or run the cluster's login command (kubectl config view shows what kubectl uses)`,
    );
  }
  const merged = mergeConfigs(configs);
  try {
    kc.loadFromString(JSON.stringify({ apiVersion: 'v1', kind: 'Config', ...merged }), { onInvalidEntry: 'filter' });
  } catch (e) {
    throw new UserError(`error: invalid kubeconfig: ${(e as Error).message.split('\n')[0]}`);
  }
  return finish(kc, flags, undefined);
}

function finish(kc: KubeConfig, flags: KubeFlags, inClusterNamespace: string | undefined): ResolvedKubeConfig {
  let contextName = flags.context ?? kc.getCurrentContext();
  const base = contextName ? kc.getContextObject(contextName) : null;
  if (flags.context && !base) throw new UserError(`error: context "${flags.context}" does not exist in the kubeconfig`);
  if (!base && !flags.cluster) {
    throw new UserError('error: current-context is not set; pass --context, or run "kubectl config use-context NAME"');
  }
  const clusterName = flags.cluster ?? base?.cluster ?? '';
  const userName = flags.user ?? base?.user ?? '';
  if (!kc.getCluster(clusterName)) throw new UserError(`error: cluster "${clusterName}" does not exist in the kubeconfig`);
  if (flags.user && !kc.getUser(userName)) throw new UserError(`error: auth info "${userName}" does not exist in the kubeconfig`);
  const namespace = flags.namespace ?? base?.namespace ?? inClusterNamespace ?? 'default';
  if (flags.cluster || flags.user || flags.namespace) {
    const name = `ark-hooks-effective-${contextName ?? 'none'}`;
    kc.addContext({ name, cluster: clusterName, user: userName, namespace });
    kc.setCurrentContext(name);
    contextName = contextName ?? name;
  } else {
    kc.setCurrentContext(contextName as string);
  }
  const server = kc.getCluster(clusterName)?.server ?? '';
  return { kc, contextName: contextName as string, namespace, server, userName };
}
