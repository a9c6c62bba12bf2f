// Loads the user's kubectl configuration with kubectl's rules (not client-node's): KUBECONFIG
// files merged first-wins, missing or empty files skipped, paths resolved against the file that
// names them, and the --kubeconfig/--context/--cluster/--user/--namespace overrides.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigFiles } from './kubeconfig-files.ts';
import { UserError } from '../errors.ts';
import { boundedCopy, MAX_NODES } from '../manifests/load.ts';
import { loadYaml } from '../manifests/yaml.ts';
import { redactUrl, registerSecret } from '../redact.ts';
import { setTokenFile } from './http.ts';
import { isObject } from '../hooks/json.ts';

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

function absolutize(obj: Record<string, unknown>, keys: string[], base: string) {
  for (const k of keys) {
    const v = obj[k];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) obj[k] = resolve(base, v);
  }
}

/** Reads one kubeconfig file; null when it is missing or empty (kubectl skips those). */
function readConfigFile(file: string, explicit: boolean): RawConfig | null {
  if (!existsSync(file)) {
    if (explicit) throw new UserError(`kubeconfig file "${file}" does not exist`);
    return null;
  }
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new UserError(`kubeconfig "${file}" is a directory, not a file`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read kubeconfig "${file}": ${(e as Error).message}`);
  }
  if (text.trim() === '') return null;
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (e) {
    throw new UserError(`kubeconfig "${file}" is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  // YAML aliases are shared references until something copies them: an alias bomb is refused here,
  // before anything expands it (kubectl's YAML decoder refuses "excessive aliasing" the same way).
  const copied = boundedCopy(doc, { nodes: MAX_NODES });
  if (!copied.ok) throw new UserError(`kubeconfig "${file}" is not a usable kubeconfig: it ${copied.reason}`);
  doc = copied.value;
  if (doc === null || doc === undefined) return null;
  if (!isObject(doc)) throw new UserError(`kubeconfig "${file}" is not a kubeconfig (expected a YAML map)`);
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
    if (
      isObject(exec) &&
      typeof exec.command === 'string' &&
      !isAbsolute(exec.command) &&
      (exec.command.includes(sep) || exec.command.includes('/'))
    ) {
      exec.command = resolve(base, exec.command);
    }
  }
  const current = typeof doc['current-context'] === 'string' ? doc['current-context'] : undefined;
  return { clusters, users, contexts: list(doc.contexts), ...(current ? { 'current-context': current } : {}) };
}

/** kubectl's merge: the first file to define a name or current-context wins. Linear in the entries. */
export function mergeConfigs(configs: RawConfig[]): RawConfig {
  const merged: RawConfig = { clusters: [], users: [], contexts: [] };
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  const add = (kind: 'clusters' | 'users' | 'contexts', items: Named[]) => {
    const names = seen[kind];
    for (const item of items) {
      if (typeof item.name !== 'string' || item.name === '' || names.has(item.name)) continue;
      names.add(item.name);
      merged[kind].push(item);
    }
  };
  for (const c of configs) {
    add('clusters', c.clusters);
    add('users', c.users);
    add('contexts', c.contexts);
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
      `no Kubernetes configuration found (looked in ${files.join(', ')}); set KUBECONFIG, pass --kubeconfig, or run the cluster's login command (kubectl config view shows what kubectl uses)`,
    );
  }
  const merged = mergeConfigs(configs);
  try {
    kc.loadFromString(JSON.stringify({ apiVersion: 'v1', kind: 'Config', ...merged }), { onInvalidEntry: 'filter' });
  } catch (e) {
    throw new UserError(`invalid kubeconfig: ${(e as Error).message.split('\n')[0]}`);
  }
  for (const u of merged.users) {
    if (!isObject(u.user)) continue;
    registerSecret(u.user.token);
    registerSecret(u.user.password);
  }
  const resolved = finish(kc, flags, undefined);
  checkLikeKubectl(kc, merged, resolved);
  return resolved;
}

/** Refusals kubectl (client-go) makes about the chosen cluster and user, and kubectl's tokenFile. */
function checkLikeKubectl(kc: KubeConfig, merged: RawConfig, resolved: ResolvedKubeConfig) {
  const cluster = kc.getCurrentCluster();
  if (cluster?.skipTLSVerify && (cluster.caData || cluster.caFile)) {
    throw new UserError(
      `specifying a root certificates file with the insecure flag is not allowed (cluster "${cluster.name}" of the kubeconfig sets both insecure-skip-tls-verify and certificate-authority; remove one)`,
    );
  }
  const raw = merged.users.find((u) => u.name === resolved.userName);
  const user = raw && isObject(raw.user) ? raw.user : undefined;
  if (!user) return;
  const provider = user['auth-provider'];
  if (isObject(provider) && provider.name === 'gcp') {
    // client-go removed the gcp provider (1.26); client-node would run its cmd-path through a shell.
    throw new UserError(
      `The gcp auth plugin has been removed. Please use the "gke-gcloud-auth-plugin" kubectl/client-go credential plugin instead (user "${resolved.userName}" of the kubeconfig). See https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke for further details`,
    );
  }
  const tokenFile = typeof user.tokenFile === 'string' && user.tokenFile !== '' ? user.tokenFile : undefined;
  if (tokenFile) setTokenFile(kc, tokenFile, typeof user.token === 'string' && user.token !== '');
}

function finish(kc: KubeConfig, flags: KubeFlags, inClusterNamespace: string | undefined): ResolvedKubeConfig {
  let contextName = flags.context ?? kc.getCurrentContext();
  const base = contextName ? kc.getContextObject(contextName) : null;
  if (flags.context && !base) throw new UserError(`context "${flags.context}" does not exist in the kubeconfig`);
  if (!base && !flags.cluster) {
    throw new UserError('current-context is not set; pass --context, or run "kubectl config use-context NAME"');
  }
  const clusterName = flags.cluster ?? base?.cluster ?? '';
  const userName = flags.user ?? base?.user ?? '';
  if (!kc.getCluster(clusterName)) throw new UserError(`cluster "${clusterName}" does not exist in the kubeconfig`);
  if (flags.user && !kc.getUser(userName)) throw new UserError(`auth info "${userName}" does not exist in the kubeconfig`);
  const namespace = flags.namespace ?? base?.namespace ?? inClusterNamespace ?? 'default';
  if (flags.cluster || flags.user || flags.namespace) {
    const name = `ark-hooks-effective-${contextName ?? 'none'}`;
    kc.addContext({ name, cluster: clusterName, user: userName, namespace });
    kc.setCurrentContext(name);
    contextName = contextName ?? name;
  } else {
    kc.setCurrentContext(contextName as string);
  }
  // Shown in messages and reports only: a password in the URL is masked (kubectl prints "user:***").
  const server = redactUrl(kc.getCluster(clusterName)?.server ?? '');
  return { kc, contextName: contextName as string, namespace, server, userName };
}
