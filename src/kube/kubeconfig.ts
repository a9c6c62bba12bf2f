// Loads the user's kubectl configuration with kubectl's rules (not client-node's): KUBECONFIG
// files merged first-wins, missing or empty files skipped, paths resolved against the file that
// names them, and the --kubeconfig/--context/--cluster/--user/--namespace overrides.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, User } from '@kubernetes/client-node';
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
  /** kubectl's -s/--server: the API server's address, over the cluster's (works without a kubeconfig). */
  server?: string | undefined;
  /** kubectl's --token: a bearer token that replaces the user's credentials (token, tokenFile, exec, auth-provider, basic). */
  token?: string | undefined;
  insecureSkipTlsVerify?: boolean | undefined;
  certificateAuthority?: string | undefined;
  clientCertificate?: string | undefined;
  clientKey?: string | undefined;
  tlsServerName?: string | undefined;
  /** Impersonation: --as, --as-group (repeatable), --as-uid. */
  as?: string | undefined;
  asGroups?: readonly string[] | undefined;
  asUid?: string | undefined;
}

/** Who the requests impersonate (Impersonate-User, Impersonate-Group, Impersonate-Uid headers). */
export interface Impersonation {
  user: string;
  groups: string[];
  uid?: string;
  /** The kubeconfig's as-user-extra (kubectl has no flag for it): Impersonate-Extra-KEY headers. */
  extra?: Record<string, string[]>;
}

export interface ResolvedKubeConfig {
  kc: KubeConfig;
  contextName: string;
  namespace: string;
  server: string;
  userName: string;
  impersonation?: Impersonation;
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

/** The context name shown in messages when -s/--server is used without any kubeconfig. */
export const FLAGS_CONTEXT = '(--server)';
const EFFECTIVE = 'ark-hooks-flags';

/**
 * -s/--server as client-go reads it: an address without a scheme is https when the flags set up TLS
 * (a CA, a client certificate, insecure-skip-tls-verify), else http (client-go's DefaultServerURL).
 */
export function serverFlag(flags: KubeFlags): string | undefined {
  const s = flags.server;
  if (!s || /^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s || undefined;
  const tls = flags.insecureSkipTlsVerify === true || !!flags.certificateAuthority || !!flags.clientCertificate;
  return `${tls ? 'https' : 'http'}://${s}`;
}

export function loadKubeConfig(given: KubeFlags, env: NodeJS.ProcessEnv = process.env): ResolvedKubeConfig {
  const flags: KubeFlags = { ...given, server: serverFlag(given) };
  registerSecret(flags.token);
  const { files, explicit } = kubeconfigFiles(flags, env);
  const configs = files.map((f) => readConfigFile(f, explicit)).filter((c): c is RawConfig => c !== null);
  const kc = new KubeConfig();
  if (configs.length === 0 && !flags.kubeconfig && env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
    kc.loadFromCluster();
    const ctx = kc.getContextObject(kc.getCurrentContext());
    const resolved = applyConnectionFlags(kc, flags, finish(kc, flags, ctx?.namespace));
    checkTls(kc, flags);
    return withImpersonation(resolved, flags, undefined);
  }
  // kubectl works from its flags alone (-s URL, --token, --certificate-authority, …), and with a kubeconfig
  // that sets no current-context: the flags' cluster comes last, so it is used only when nothing else is.
  if (flags.server) configs.push(flagsOnly(flags.server, flags.namespace));
  if (configs.length === 0) {
    throw new UserError(
      `no Kubernetes configuration found (looked in ${files.join(', ')}); set KUBECONFIG, pass --kubeconfig or --server, or run the cluster's login command (kubectl config view shows what kubectl uses)`,
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
  const resolved = applyConnectionFlags(kc, flags, finish(kc, flags, undefined));
  const raw = merged.users.find((u) => u.name === resolved.userName);
  const user = raw && isObject(raw.user) ? raw.user : undefined;
  checkTls(kc, flags);
  checkLikeKubectl(kc, user, resolved, flags);
  return withImpersonation(resolved, flags, user);
}

/** A configuration of the -s/--server flag alone, with no credentials (the other flags add them). */
function flagsOnly(server: string, namespace: string | undefined): RawConfig {
  const context = { cluster: FLAGS_CONTEXT, user: FLAGS_CONTEXT, ...(namespace ? { namespace } : {}) };
  return {
    clusters: [{ name: FLAGS_CONTEXT, cluster: { server } }],
    users: [{ name: FLAGS_CONTEXT, user: {} }],
    contexts: [{ name: FLAGS_CONTEXT, context }],
    'current-context': FLAGS_CONTEXT,
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

/** --as/--as-group/--as-uid over the user's as/as-groups/as-uid, as kubectl merges them; groups or a uid need a user. */
export function impersonation(
  flags: Pick<KubeFlags, 'as' | 'asGroups' | 'asUid'>,
  user: Record<string, unknown> | undefined,
  userName: string,
): Impersonation | undefined {
  const name = flags.as || (typeof user?.as === 'string' ? user.as : '');
  const groups = flags.asGroups && flags.asGroups.length > 0 ? [...flags.asGroups] : strings(user?.['as-groups']);
  const uid = flags.asUid || (typeof user?.['as-uid'] === 'string' ? user['as-uid'] : '');
  const rawExtra = user?.['as-user-extra'];
  const extra: Record<string, string[]> = {};
  if (isObject(rawExtra)) for (const [k, v] of Object.entries(rawExtra)) if (strings(v).length > 0) extra[k] = strings(v);
  const hasExtra = Object.keys(extra).length > 0;
  if (!name) {
    if (groups.length === 0 && !uid && !hasExtra) return undefined;
    throw new UserError(
      `requesting uid, groups or user-extra for ${userName || 'the current user'} without impersonating a user; pass --as USER as well (or drop --as-group/--as-uid)`,
    );
  }
  return { user: name, groups, ...(uid ? { uid } : {}), ...(hasExtra ? { extra } : {}) };
}

function withImpersonation(resolved: ResolvedKubeConfig, flags: KubeFlags, user: Record<string, unknown> | undefined): ResolvedKubeConfig {
  const imp = impersonation(flags, user, resolved.userName);
  return imp ? { ...resolved, impersonation: imp } : resolved;
}

/**
 * kubectl's connection flags over the chosen cluster and user (client-go's ConfigOverrides): -s, --tls-server-name,
 * and --insecure-skip-tls-verify/--certificate-authority, either of which replaces all three TLS-trust fields of the
 * cluster; --token replaces the user's credentials (a client certificate stays, as in client-go);
 * --client-certificate/--client-key replace the user's pair.
 */
function applyConnectionFlags(kc: KubeConfig, flags: KubeFlags, resolved: ResolvedKubeConfig): ResolvedKubeConfig {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const trust = flags.insecureSkipTlsVerify === true || !!flags.certificateAuthority;
  const clusterOver = !!flags.server || !!flags.tlsServerName || trust;
  const userOver = !!flags.token || !!flags.clientCertificate || !!flags.clientKey;
  if (!cluster || (!clusterOver && !userOver)) return resolved;
  const c: Cluster = {
    ...cluster,
    name: EFFECTIVE,
    server: flags.server || cluster.server,
    ...(flags.tlsServerName ? { tlsServerName: flags.tlsServerName } : {}),
    ...(trust
      ? {
          skipTLSVerify: flags.insecureSkipTlsVerify === true,
          caData: undefined,
          caFile: flags.certificateAuthority ? resolve(flags.certificateAuthority) : undefined,
        }
      : {}),
  };
  refuseDataAndFile(user, flags, resolved.userName);
  let u: User = { ...(user ?? { name: EFFECTIVE }), name: EFFECTIVE };
  if (flags.token) {
    const { exec: _e, authProvider: _a, username: _u, password: _p, ...rest } = u;
    u = { ...rest, token: flags.token };
  }
  if (flags.clientCertificate) u = { ...u, certFile: resolve(flags.clientCertificate), certData: undefined };
  if (flags.clientKey) u = { ...u, keyFile: resolve(flags.clientKey), keyData: undefined };
  kc.addCluster(c);
  kc.addUser(u);
  kc.addContext({ name: EFFECTIVE, cluster: EFFECTIVE, user: EFFECTIVE, namespace: resolved.namespace });
  kc.setCurrentContext(EFFECTIVE);
  return { ...resolved, server: redactUrl(c.server) };
}

/** client-go's refusal of a client certificate (or key) file from the flags over the same data in the kubeconfig. */
function refuseDataAndFile(user: User | null, flags: KubeFlags, userName: string): void {
  const both = [
    user?.certData && flags.clientCertificate ? ['client-cert', 'client-certificate'] : null,
    user?.keyData && flags.clientKey ? ['client-key', 'client-key'] : null,
  ].find((x) => x !== null);
  if (!both) return;
  const [short, long] = both as [string, string];
  throw new UserError(
    `invalid configuration: ${short}-data and ${short} are both specified for ${userName} (${long}-data in the kubeconfig, --${long} on the command line; kubectl refuses this too): choose a user without ${long}-data with --user, or drop --${long}`,
  );
}

/** client-go's refusal of a CA together with insecure-skip-tls-verify, from the kubeconfig or from the flags. */
function checkTls(kc: KubeConfig, flags: KubeFlags): void {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.skipTLSVerify || !(cluster.caData || cluster.caFile)) return;
  const where =
    flags.insecureSkipTlsVerify || flags.certificateAuthority
      ? '--insecure-skip-tls-verify and --certificate-authority were both given; drop one'
      : `cluster "${cluster.name}" of the kubeconfig sets both insecure-skip-tls-verify and certificate-authority; remove one`;
  throw new UserError(`specifying a root certificates file with the insecure flag is not allowed (${where})`);
}

/** Refusals kubectl (client-go) makes about the chosen user, and kubectl's tokenFile. */
function checkLikeKubectl(kc: KubeConfig, user: Record<string, unknown> | undefined, resolved: ResolvedKubeConfig, flags: KubeFlags) {
  if (!user) return;
  const provider = user['auth-provider'];
  if (isObject(provider) && provider.name === 'gcp' && !flags.token) {
    // client-go removed the gcp provider (1.26); client-node would run its cmd-path through a shell.
    throw new UserError(
      `The gcp auth plugin has been removed. Please use the "gke-gcloud-auth-plugin" kubectl/client-go credential plugin instead (user "${resolved.userName}" of the kubeconfig). See https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke for further details`,
    );
  }
  const tokenFile = typeof user.tokenFile === 'string' && user.tokenFile !== '' ? user.tokenFile : undefined;
  if (tokenFile && !flags.token) setTokenFile(kc, tokenFile, typeof user.token === 'string' && user.token !== '');
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
