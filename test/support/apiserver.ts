// A Kubernetes API server for tests and benchmarks: HTTPS on loopback, the real wire protocol
// (discovery, lists with limit/continue and selectors, patches, metav1.Status errors, RBAC-style
// 403s, SelfSubjectAccessReview, and pod exec over WebSocket v5/v4), with injectable faults.
// Both @kubernetes/client-node and the real kubectl binary talk to it (see apiserver-fidelity tests).

import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { Pki } from './certs.ts';
import { testPki } from './certs.ts';
import { labelsMatch, parseLabelSelector } from './selector.ts';

export type Obj = Record<string, any>;

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  verbs: string[];
  subresources?: { name: string; kind: string; verbs: string[] }[];
}

const CRUD = ['create', 'delete', 'get', 'list', 'patch', 'update'];

export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: '',
    version: 'v1',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    verbs: CRUD,
    subresources: [{ name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] }],
  },
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: CRUD,
  },
  { group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], verbs: CRUD },
  {
    group: '',
    version: 'v1',
    plural: 'replicationcontrollers',
    singular: 'replicationcontroller',
    kind: 'ReplicationController',
    namespaced: true,
    shortNames: ['rc'],
    verbs: CRUD,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    verbs: CRUD,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    verbs: CRUD,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    verbs: CRUD,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    verbs: CRUD,
  },
  { group: 'batch', version: 'v1', plural: 'jobs', singular: 'job', kind: 'Job', namespaced: true, verbs: CRUD },
  {
    group: 'batch',
    version: 'v1',
    plural: 'cronjobs',
    singular: 'cronjob',
    kind: 'CronJob',
    namespaced: true,
    shortNames: ['cj'],
    verbs: CRUD,
  },
  { group: 'ark.heptio.com', version: 'v1', plural: 'backups', singular: 'backup', kind: 'Backup', namespaced: true, verbs: CRUD },
  { group: 'velero.io', version: 'v1', plural: 'backups', singular: 'backup', kind: 'Backup', namespaced: true, verbs: CRUD },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    plural: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
  },
];

export interface RequestAttributes {
  user: string;
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface TestUser {
  name: string;
  /** Decides each request, as RBAC would; absent = allowed everything. */
  allow?: (a: RequestAttributes) => boolean;
  /** 401 for every request, as an expired token gets. */
  expired?: boolean;
}

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdout: boolean;
  stderr: boolean;
  stdin: boolean;
  tty: boolean;
  protocol: string;
  user: string;
  startedAt: number;
  finishedAt?: number;
  /** WebSocket pings received from the client. */
  pings: number;
  /** Sessions of the same namespace open when this one started, itself included (the server's own count, no clock). */
  openAtStart: number;
  /** How the session ended: 'status' (a status frame was sent), 'client-closed', 'dropped', 'no-status'. */
  ended?: string;
  /** The exit code the server reported in the status frame (0 for Success). */
  exitCode?: number;
  /** The TLS connection the session came on: when its handshake ended (Date.now()), and whether it resumed a TLS session. */
  connection?: { securedAt: number; resumed: boolean };
  /** Set when the server misbehaved on purpose (drop, no status, hang, internal error): an injected fault. */
  fault?: string;
}

export interface ExecBehaviour {
  stdout?: string | Buffer;
  stderr?: string | Buffer;
  exitCode?: number;
  /** Milliseconds before the command "finishes". */
  delayMs?: number;
  /** Never finish (until the client closes the socket). */
  hang?: boolean;
  /** Cut the connection (no status) after writing the output. */
  drop?: boolean;
  /** Finish with an InternalError status, e.g. 'container not found ("app")'. */
  internalError?: string;
  /** Close normally without sending any status frame. */
  noStatus?: boolean;
  /** Raw frames (channel byte first) sent after the output and before the status: v5 close frames, unknown channels. */
  frames?: Buffer[];
  /** A pause after `frames`, so that the client handles them before the status arrives (not in the same read). */
  pauseAfterFramesMs?: number;
}

export type ExecHandler = (req: ExecRequest) => ExecBehaviour | Promise<ExecBehaviour>;

export interface Fault {
  match: (req: { method: string; path: string; query: URLSearchParams; upgrade: boolean }) => boolean;
  status?: number;
  body?: Obj;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  destroy?: boolean;
  /** How many requests it applies to (default: all). */
  times?: number;
  /** Hostile answers (see test/support/hostile.ts): a redirect, a raw or endless body, a computed body. */
  hostile?: HostileAnswer;
}

export interface HostileAnswer {
  /** 302 (or `status`) with this Location. */
  redirect?: string;
  /** This body as is, with this content type and optional Content-Encoding (status default 200). */
  raw?: { body: string | Buffer; contentType?: string; encoding?: string };
  /** A body that never ends (gzip-encoded on the wire with `gzip`), sent until the client goes away. */
  endless?: { contentType?: string; gzip?: boolean; prefix?: string };
  /** Upgrades only: the answer's head and `prefix` of a body announced longer, then nothing more (the connection left open). */
  stall?: { prefix?: string };
  /** A JSON body computed per request, e.g. a list that ignores the namespace or the selector. */
  respond?: (req: { method: string; path: string; query: URLSearchParams }) => unknown;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  user: string;
  verb: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  contentType?: string;
  status: number;
  at: number;
  /** Set when an injected fault answered this request (a status, or a destroyed socket). */
  fault?: true;
  /** The request's headers as sent, one value per header line (lower-case names). */
  headers: Record<string, string[]>;
  /** The TLS server name the client asked for (SNI), when it sent one. */
  servername?: string;
  /** The CN of a client certificate signed by the test CA. */
  clientCN?: string;
}

/** What a request's connection carried: its header lines, SNI and client certificate. */
function wireOf(req: IncomingMessage): Pick<LoggedRequest, 'headers' | 'servername' | 'clientCN'> {
  const sock = req.socket as Socket & {
    servername?: string | false;
    authorized?: boolean;
    getPeerCertificate?: () => { subject?: { CN?: string } };
  };
  const cn = sock.authorized ? sock.getPeerCertificate?.()?.subject?.CN : undefined;
  return {
    headers: { ...req.headersDistinct } as Record<string, string[]>,
    ...(typeof sock.servername === 'string' ? { servername: sock.servername } : {}),
    ...(cn ? { clientCN: cn } : {}),
  };
}

export interface KubeconfigOptions {
  user?: string;
  namespace?: string;
  context?: string;
  /** Write into this file instead of a new temporary one. */
  path?: string;
}

function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/**
 * An object stored as its JSON text (addPreserialisedPod): the store keeps a small stand-in with the
 * metadata the server filters on, and answers with the text, so 100k pods of 6 KB cost their text,
 * not ten times as much in parsed objects, and pages are not serialised again on every request.
 */
const PRESERIALISED = Symbol('preserialised JSON');

/** The JSON text of an answer; stored texts are written as they are. */
function serialise(body: unknown): string {
  if (typeof body !== 'object' || body === null) return JSON.stringify(body);
  const text = (body as Obj)[PRESERIALISED as unknown as string];
  if (typeof text === 'string') return text;
  const items = (body as Obj).items;
  if (!Array.isArray(items) || !items.some((i) => i?.[PRESERIALISED])) return JSON.stringify(body);
  // "items" is the last key of a list: write the others, then the items one by one.
  const head = JSON.stringify({ ...(body as Obj), items: undefined });
  const parts = items.map((i) => (i?.[PRESERIALISED] as string | undefined) ?? JSON.stringify(i));
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"items":[${parts.join(',')}]}`;
}

function typeKey(group: string, plural: string) {
  return `${group}/${plural}`;
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Obj = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function jsonPointer(path: string): string[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

class PatchError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** RFC 6902 JSON patch (add, remove, replace, test). */
export function jsonPatch(target: Obj, ops: unknown): Obj {
  if (!Array.isArray(ops)) throw new PatchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const doc = structuredClone(target);
  for (const op of ops as Obj[]) {
    const parts = jsonPointer(String(op.path ?? ''));
    const last = parts.pop();
    let parent: any = doc;
    for (const p of parts) {
      if (parent === undefined || parent === null) break;
      parent = parent[p];
    }
    if (last === undefined || parent === undefined || parent === null || typeof parent !== 'object') {
      throw new PatchError(
        422,
        `the server rejected our request due to an error in our request: jsonpatch ${op.op} operation does not apply: doc is missing path: "${op.path}"`,
      );
    }
    switch (op.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
        else parent[last] = op.value;
        break;
      case 'replace':
        if (!(last in parent)) throw new PatchError(422, `jsonpatch replace operation does not apply: doc is missing key: ${op.path}`);
        parent[last] = op.value;
        break;
      case 'remove':
        if (!(last in parent)) throw new PatchError(422, `jsonpatch remove operation does not apply: doc is missing key: ${op.path}`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      case 'test':
        if (JSON.stringify(parent[last]) !== JSON.stringify(op.value))
          throw new PatchError(422, `testing value ${op.path} failed: test operation failed`);
        break;
      default:
        throw new PatchError(400, `unsupported JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}

function ageText(created: string | undefined): string {
  if (!created) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(created)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
}

const EXEC_PROTOCOLS_DEFAULT = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export interface ApiServerOptions {
  /** The minor version /version reports (kubectl's dispatcher picks its binary by it). */
  minor?: number;
  /** Exec subprotocols the server accepts, in preference order. */
  execProtocols?: string[];
  /** Answer /api and /apis with aggregated discovery (apidiscovery.k8s.io/v2) when the client asks for it. */
  aggregatedDiscovery?: boolean;
  pki?: Pki;
}

export class TestApiServer {
  readonly pki: Pki;
  readonly users = new Map<string, TestUser>();
  readonly requests: LoggedRequest[] = [];
  readonly execs: ExecRequest[] = [];
  /** Sessions without a finishedAt yet. */
  private readonly openExecs = new Set<ExecRequest>();
  readonly faults: Fault[] = [];
  execHandler: ExecHandler = () => ({ exitCode: 0 });
  /** Added to every REST request, for benchmarks and timeouts. */
  latencyMs = 0;
  /**
   * TCP connections accepted; TLS connections secured, how many of them resumed an earlier TLS
   * session, and how many closed without a request. tcp - connections never finished a handshake.
   */
  readonly tls = { tcp: 0, connections: 0, resumed: 0, unused: 0 };
  private readonly connectionOf = new WeakMap<object, { securedAt: number; resumed: boolean; used: boolean }>();
  private readonly store = new Map<string, Map<string, Obj>>();
  private readonly sortedKeys = new Map<string, string[]>();
  private rv = 1000;
  private server: Server | undefined;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private readonly liveSockets = new Set<WebSocket>();
  private readonly options: Required<Omit<ApiServerOptions, 'pki'>>;
  port = 0;

  constructor(options: ApiServerOptions = {}) {
    this.pki = options.pki ?? testPki();
    this.options = {
      minor: options.minor ?? 32,
      execProtocols: options.execProtocols ?? EXEC_PROTOCOLS_DEFAULT,
      aggregatedDiscovery: options.aggregatedDiscovery ?? false,
    };
    for (const t of RESOURCE_TYPES) this.store.set(typeKey(t.group, t.plural), new Map());
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      handleProtocols: (offered) => {
        for (const p of offered) if (this.options.execProtocols.includes(p)) return p;
        return false;
      },
    });
    this.users.set('admin-token', { name: 'admin' });
    this.addObject('', 'namespaces', { metadata: { name: 'default' } });
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const tls = { cert: this.pki.serverCert, key: this.pki.serverKey, ca: this.pki.caCert, requestCert: true, rejectUnauthorized: false };
    this.server = createServer(tls, (req, res) => {
      this.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) this.send(res, 500, status(500, 'InternalError', `test server bug: ${e.message}`));
      });
    });
    this.server.keepAliveTimeout = 5000;
    this.server.on('secureConnection', (s: TLSSocket) => {
      this.tls.connections++;
      if (s.isSessionReused()) this.tls.resumed++;
      const c = { securedAt: Date.now(), resumed: s.isSessionReused(), used: false };
      this.connectionOf.set(s, c);
      s.once('close', () => {
        if (!c.used) this.tls.unused++;
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.tls.tcp++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req, socket, head) => {
      this.handleUpgrade(req, socket, head).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** TCP connections still open. */
  get openConnections(): number {
    return this.sockets.size;
  }

  async stop(): Promise<void> {
    for (const ws of this.liveSockets) ws.terminate();
    for (const s of this.sockets) s.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Fault responses this server actually sent: injected REST/upgrade faults and misbehaving exec sessions. */
  faultsSent(): { requests: number; execs: number; total: number } {
    const requests = this.requests.filter((q) => q.fault).length;
    const execs = this.execs.filter((e) => e.fault).length;
    return { requests, execs, total: requests + execs };
  }

  // ---- test set-up -------------------------------------------------------------------------

  addUser(token: string, user: TestUser): void {
    this.users.set(token, user);
  }

  writeKubeconfig(opts: KubeconfigOptions = {}): string {
    const token = [...this.users.entries()].find(([, u]) => u.name === (opts.user ?? 'admin'))?.[0] ?? opts.user ?? 'admin-token';
    const context = opts.context ?? 'test';
    const file = opts.path ?? join(mkdtempSync(join(tmpdir(), 'ark-hooks-kubeconfig-')), 'config');
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'test-cluster',
          cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.pki.caCert).toString('base64') },
        },
      ],
      users: [{ name: opts.user ?? 'admin', user: { token } }],
      contexts: [
        { name: context, context: { cluster: 'test-cluster', user: opts.user ?? 'admin', namespace: opts.namespace ?? 'default' } },
      ],
      'current-context': context,
    };
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  private type(group: string, plural: string): ResourceType | undefined {
    return RESOURCE_TYPES.find((t) => t.group === group && t.plural === plural);
  }

  addObject(group: string, plural: string, obj: Obj): Obj {
    const t = this.type(group, plural);
    if (!t) throw new Error(`unknown resource ${group}/${plural}`);
    const o = structuredClone(obj);
    o.apiVersion ??= t.group ? `${t.group}/${t.version}` : t.version;
    o.kind ??= t.kind;
    o.metadata ??= {};
    if (t.namespaced) {
      o.metadata.namespace ??= 'default';
      this.ensureNamespace(o.metadata.namespace);
    }
    o.metadata.uid ??= randomUUID();
    o.metadata.creationTimestamp ??= new Date(Date.now() - 3600_000).toISOString();
    o.metadata.resourceVersion = this.nextRv();
    const key = t.namespaced ? `${o.metadata.namespace}/${o.metadata.name}` : String(o.metadata.name);
    const bucket = this.store.get(typeKey(group, plural)) as Map<string, Obj>;
    if (!bucket.has(key)) this.sortedKeys.delete(typeKey(group, plural));
    bucket.set(key, o);
    return o;
  }

  private ensureNamespace(ns: string) {
    const bucket = this.store.get('/namespaces') as Map<string, Obj>;
    if (!bucket.has(ns)) {
      bucket.set(ns, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, uid: randomUUID(), resourceVersion: this.nextRv(), creationTimestamp: new Date().toISOString() },
        status: { phase: 'Active' },
      });
      this.sortedKeys.delete('/namespaces');
    }
  }

  getObject(group: string, plural: string, namespace: string, name: string): Obj | undefined {
    return this.store.get(typeKey(group, plural))?.get(namespace ? `${namespace}/${name}` : name);
  }

  deleteObject(group: string, plural: string, namespace: string, name: string): boolean {
    const ok = this.store.get(typeKey(group, plural))?.delete(namespace ? `${namespace}/${name}` : name) ?? false;
    if (ok) this.sortedKeys.delete(typeKey(group, plural));
    return ok;
  }

  /** A running pod with the given containers (default: one container "app"). */
  addPod(
    namespace: string,
    name: string,
    opts: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      containers?: string[];
      phase?: string;
      running?: Record<string, boolean>;
      owner?: { kind: string; name: string };
      deletionTimestamp?: string;
    } = {},
  ): Obj {
    const containers = opts.containers ?? ['app'];
    const phase = opts.phase ?? 'Running';
    return this.addObject('', 'pods', {
      metadata: {
        name,
        namespace,
        labels: opts.labels ?? {},
        annotations: opts.annotations ?? {},
        ...(opts.owner
          ? {
              ownerReferences: [
                { apiVersion: 'apps/v1', kind: opts.owner.kind, name: opts.owner.name, uid: randomUUID(), controller: true },
              ],
            }
          : {}),
        ...(opts.deletionTimestamp ? { deletionTimestamp: opts.deletionTimestamp } : {}),
      },
      spec: { nodeName: 'node-1', containers: containers.map((c) => ({ name: c, image: 'busybox:1.36' })) },
      status: {
        phase,
        containerStatuses: containers.map((c) => {
          const running = opts.running?.[c] ?? phase === 'Running';
          return {
            name: c,
            ready: running,
            restartCount: 0,
            image: 'busybox:1.36',
            imageID: '',
            state: running ? { running: { startedAt: new Date().toISOString() } } : { waiting: { reason: 'ContainerCreating' } },
          };
        }),
      },
    });
  }

  /**
   * A pod stored as its JSON text, for benchmarks at cluster scale: listed and read like any pod
   * (label selectors and namespaces apply; field selectors see only metadata), never patched.
   */
  addPreserialisedPod(pod: Obj): void {
    const meta = pod.metadata ?? {};
    const namespace = String(meta.namespace ?? 'default');
    this.ensureNamespace(namespace);
    const stub: Obj = { metadata: { name: meta.name, namespace, labels: meta.labels ?? {} } };
    stub[PRESERIALISED as unknown as string] = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...pod });
    const bucket = this.store.get(typeKey('', 'pods')) as Map<string, Obj>;
    const key = `${namespace}/${meta.name}`;
    if (!bucket.has(key)) this.sortedKeys.delete(typeKey('', 'pods'));
    bucket.set(key, stub);
  }

  addBackup(group: 'velero.io' | 'ark.heptio.com', namespace: string, name: string, spec: Obj): Obj {
    return this.addObject(group, 'backups', { metadata: { name, namespace }, spec });
  }

  list(group: string, plural: string): Obj[] {
    return [...(this.store.get(typeKey(group, plural))?.values() ?? [])];
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) {
    const text = serialise(body);
    res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Audit-Id': randomUUID(),
      ...headers,
    });
    res.end(text);
  }

  /** Writes a hostile answer (faults with `hostile`). */
  private hostileAnswer(
    res: ServerResponse,
    code: number,
    h: HostileAnswer,
    req: { method: string; path: string; query: URLSearchParams },
  ) {
    if (h.redirect !== undefined) {
      res.writeHead(code, { Location: h.redirect, 'Content-Length': 0 });
      res.end();
    } else if (h.raw) {
      const headers: Record<string, string | number> = {
        'Content-Type': h.raw.contentType ?? 'application/json',
        'Content-Length': Buffer.byteLength(h.raw.body),
      };
      if (h.raw.encoding) headers['Content-Encoding'] = h.raw.encoding;
      res.writeHead(code, headers);
      res.end(h.raw.body);
    } else if (h.endless) {
      res.writeHead(code, {
        'Content-Type': h.endless.contentType ?? 'application/json',
        ...(h.endless.gzip ? { 'Content-Encoding': 'gzip' } : {}),
      });
      this.endless(res, h.endless);
    } else if (h.respond) {
      this.send(res, code, h.respond(req));
    }
  }

  /** Streams filler (gzip-compressed with `gzip`) into `out` until it is closed or errors. */
  private endless(
    out: NodeJS.WritableStream & { destroyed?: boolean; on(e: string, f: () => void): unknown },
    e: { gzip?: boolean; prefix?: string },
  ) {
    const filler = Buffer.alloc(64 * 1024, ' ');
    let stopped = false;
    const stop = () => (stopped = true);
    out.on('close', stop);
    out.on('error', stop);
    const sink: NodeJS.WritableStream = e.gzip ? createGzip({ level: 9 }) : out;
    if (e.gzip) (sink as NodeJS.ReadWriteStream).pipe(out);
    sink.on('error', stop);
    if (e.prefix) sink.write(e.prefix);
    const pump = () => {
      while (!stopped && !out.destroyed) {
        if (!sink.write(filler)) {
          sink.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  private authenticate(req: IncomingMessage): { user?: TestUser; token?: string } {
    const auth = req.headers.authorization;
    if (!auth || !auth.startsWith('Bearer ')) {
      // A client certificate signed by our CA counts as its CN.
      const sock = req.socket as Socket & { authorized?: boolean; getPeerCertificate?: () => { subject?: { CN?: string } } };
      const cn = sock.authorized ? sock.getPeerCertificate?.()?.subject?.CN : undefined;
      if (cn) return { user: this.users.get(`cert:${cn}`) ?? { name: cn } };
      return {};
    }
    const token = auth.slice('Bearer '.length).trim();
    return { user: this.users.get(token), token };
  }

  private takeFault(req: { method: string; path: string; query: URLSearchParams; upgrade: boolean }): Fault | undefined {
    const i = this.faults.findIndex((f) => f.match(req) && (f.times === undefined || f.times > 0));
    if (i < 0) return undefined;
    const f = this.faults[i] as Fault;
    if (f.times !== undefined) f.times--;
    return f;
  }

  /** Parses a REST path into request attributes (k8s RequestInfo). */
  private requestInfo(
    method: string,
    path: string,
    query: URLSearchParams,
  ): Omit<RequestAttributes, 'user'> & { type?: ResourceType; isResource: boolean } {
    const parts = path.split('/').filter(Boolean);
    let group = '';
    let version = '';
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      version = parts[1] as string;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1] as string;
      version = parts[2] as string;
      rest = parts.slice(3);
    } else return { verb: method.toLowerCase(), group: '', resource: '', subresource: '', namespace: '', name: '', isResource: false };
    let namespace = '';
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1] as string;
      rest = rest.slice(2);
    }
    const resource = rest[0] ?? '';
    const name = rest[1] ?? '';
    const subresource = rest[2] ?? '';
    if (resource === 'namespaces' && rest.length === 2 && !namespace) namespace = name;
    const type = RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === resource);
    let verb = method.toLowerCase();
    if (verb === 'get' && !name) verb = query.get('watch') === 'true' ? 'watch' : 'list';
    if (verb === 'post') verb = 'create';
    if (verb === 'put') verb = 'update';
    return { verb, group, resource, subresource, namespace, name, type, isResource: resource !== '' };
  }

  private forbidden(a: RequestAttributes): Obj {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
    const what = a.name ? `${a.resource} "${a.name}"` : a.resource;
    return status(
      403,
      'Forbidden',
      `${what} is forbidden: User "${a.user}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${where}`,
      { ...(a.name ? { name: a.name } : {}), kind: a.resource },
    );
  }

  private async readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.markUsed(req.socket);
    const url = new URL(req.url ?? '/', 'https://x');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const info = this.requestInfo(method, path, url.searchParams);
    const log: LoggedRequest = {
      method,
      path,
      query: url.search,
      user: '',
      verb: info.verb,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
      status: 0,
      at: Date.now(),
      ...wireOf(req),
    };
    if (req.headers['content-type']) log.contentType = req.headers['content-type'];
    this.requests.push(log);
    const reply = (code: number, body: unknown, headers?: Record<string, string>) => {
      log.status = code;
      this.send(res, code, body, headers);
    };

    const fault = this.takeFault({ method, path, query: url.searchParams, upgrade: false });
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (fault) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.destroy) {
        log.status = -1;
        log.fault = true;
        req.socket.destroy();
        return;
      }
      if (fault.hostile) {
        log.fault = true;
        log.status = fault.status ?? (fault.hostile.redirect ? 302 : 200);
        return this.hostileAnswer(res, log.status, fault.hostile, { method, path, query: url.searchParams });
      }
      if (fault.status) {
        log.fault = true;
        return reply(fault.status, fault.body ?? status(fault.status, 'InternalError', 'injected fault'), fault.headers);
      }
    }

    const { user } = this.authenticate(req);
    if (!user || user.expired) return reply(401, status(401, 'Unauthorized', 'Unauthorized'));
    log.user = user.name;

    if (path === '/version') {
      const minor = this.options.minor;
      return reply(200, {
        major: '1',
        minor: String(minor),
        gitVersion: `v1.${minor}.0`,
        gitCommit: 'test',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.26',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
    }
    if (
      (path === '/api' || path === '/apis') &&
      this.options.aggregatedDiscovery &&
      /as=APIGroupDiscoveryList/.test(req.headers.accept ?? '')
    ) {
      return reply(200, this.aggregatedList(path === '/api'), {
        'Content-Type': 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      });
    }
    if (path === '/api')
      return reply(200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }],
      });
    if (path === '/apis') return reply(200, this.groupList());
    if (path === '/api/v1' || /^\/apis\/[^/]+\/[^/]+$/.test(path)) {
      const list = this.resourceList(path);
      return list ? reply(200, list) : reply(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    if (!info.isResource || !info.type) return reply(404, status(404, 'NotFound', 'the server could not find the requested resource'));

    const attrs: RequestAttributes = {
      user: user.name,
      verb: info.verb,
      group: info.group,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    };
    if (info.resource === 'selfsubjectaccessreviews') {
      if (method !== 'POST')
        return reply(405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
      return this.selfSubjectAccessReview(req, user, reply);
    }
    if (user.allow && !user.allow(attrs)) return reply(403, this.forbidden(attrs));
    if (info.subresource)
      return reply(400, status(400, 'BadRequest', `subresource ${info.subresource} is served over WebSocket upgrade only`));

    const type = info.type;
    if (info.verb === 'list') {
      const list = this.listObjects(type, info.namespace, url.searchParams, req.headers.accept ?? '');
      return reply(list.kind === 'Status' ? (list.code as number) : 200, list);
    }
    if (info.verb === 'get') {
      const obj = this.getObject(type.group, type.plural, info.namespace, info.name);
      return obj ? reply(200, obj) : reply(404, this.notFound(type, info.name));
    }
    if (info.verb === 'create') {
      let body: Obj;
      try {
        body = JSON.parse(await this.readBody(req));
      } catch {
        return reply(400, status(400, 'BadRequest', 'the request body is not valid JSON'));
      }
      body.metadata ??= {};
      if (type.namespaced) body.metadata.namespace ??= info.namespace;
      if (!body.metadata.name && body.metadata.generateName) body.metadata.name = body.metadata.generateName + randomUUID().slice(0, 5);
      if (!body.metadata.name)
        return reply(
          422,
          status(422, 'Invalid', `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`),
        );
      if (this.getObject(type.group, type.plural, type.namespaced ? body.metadata.namespace : '', body.metadata.name)) {
        return reply(
          409,
          status(409, 'AlreadyExists', `${type.plural}${type.group ? '.' + type.group : ''} "${body.metadata.name}" already exists`),
        );
      }
      if (url.searchParams.get('dryRun') === 'All') return reply(201, body);
      return reply(201, this.addObject(type.group, type.plural, body));
    }
    if (info.verb === 'patch') return this.patch(req, type, info.namespace, info.name, url.searchParams, reply);
    if (info.verb === 'delete') {
      const existed = this.getObject(type.group, type.plural, info.namespace, info.name);
      if (!existed) return reply(404, this.notFound(type, info.name));
      if (url.searchParams.get('dryRun') !== 'All') this.deleteObject(type.group, type.plural, info.namespace, info.name);
      return reply(200, existed);
    }
    return reply(405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
  }

  private notFound(type: ResourceType, name: string): Obj {
    const what = type.group ? `${type.plural}.${type.group}` : type.plural;
    return status(404, 'NotFound', `${what} "${name}" not found`, { name, group: type.group, kind: type.plural });
  }

  private groupList(): Obj {
    const groups = [...new Set(RESOURCE_TYPES.filter((t) => t.group).map((t) => t.group))];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((g) => {
        const v = (RESOURCE_TYPES.find((t) => t.group === g) as ResourceType).version;
        return {
          name: g,
          versions: [{ groupVersion: `${g}/${v}`, version: v }],
          preferredVersion: { groupVersion: `${g}/${v}`, version: v },
        };
      }),
    };
  }

  /** apidiscovery.k8s.io/v2 APIGroupDiscoveryList: the core group (/api) or every named group (/apis). */
  private aggregatedList(core: boolean): Obj {
    const groups = [...new Set(RESOURCE_TYPES.filter((t) => (core ? !t.group : !!t.group)).map((t) => t.group))];
    return {
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2',
      metadata: {},
      items: groups.map((g) => {
        const types = RESOURCE_TYPES.filter((t) => t.group === g);
        const version = (types[0] as ResourceType).version;
        return {
          metadata: g ? { name: g } : {},
          versions: [
            {
              version,
              freshness: 'Current',
              resources: types.map((t) => ({
                resource: t.plural,
                responseKind: { group: t.group, version: t.version, kind: t.kind },
                scope: t.namespaced ? 'Namespaced' : 'Cluster',
                singularResource: t.singular,
                verbs: t.verbs,
                ...(t.shortNames ? { shortNames: t.shortNames } : {}),
                ...(t.subresources
                  ? {
                      subresources: t.subresources.map((sr) => ({
                        subresource: sr.name,
                        responseKind: { group: '', version: 'v1', kind: sr.kind },
                        verbs: sr.verbs,
                      })),
                    }
                  : {}),
              })),
            },
          ],
        };
      }),
    };
  }

  private resourceList(path: string): Obj | null {
    const parts = path.split('/').filter(Boolean);
    const group = parts[0] === 'api' ? '' : (parts[1] as string);
    const version = parts[0] === 'api' ? (parts[1] as string) : (parts[2] as string);
    const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
    if (types.length === 0) return null;
    const resources: Obj[] = [];
    for (const t of types) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: t.verbs,
        ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      });
      for (const s of t.subresources ?? [])
        resources.push({ name: `${t.plural}/${s.name}`, singularName: '', namespaced: t.namespaced, kind: s.kind, verbs: s.verbs });
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }

  private sorted(type: ResourceType): string[] {
    const k = typeKey(type.group, type.plural);
    let keys = this.sortedKeys.get(k);
    if (!keys) {
      keys = [...(this.store.get(k) as Map<string, Obj>).keys()].sort();
      this.sortedKeys.set(k, keys);
    }
    return keys;
  }

  private listObjects(type: ResourceType, namespace: string, q: URLSearchParams, accept: string): Obj {
    const bucket = this.store.get(typeKey(type.group, type.plural)) as Map<string, Obj>;
    const labelSel = q.get('labelSelector');
    const sel = labelSel ? parseLabelSelector(labelSel) : null;
    if (sel && !sel.ok) return status(400, 'BadRequest', `unable to parse requirement: ${sel.error}`);
    const fields = (q.get('fieldSelector') ?? '')
      .split(',')
      .filter(Boolean)
      .map((f) => {
        const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(f) as RegExpExecArray;
        return { path: (m?.[1] ?? '').split('.'), neg: m?.[2] === '!=', value: m?.[3] ?? '' };
      });
    const limit = Number(q.get('limit') ?? '0');
    let startAfter = '';
    const cont = q.get('continue');
    if (cont) {
      try {
        startAfter = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')).start;
      } catch {
        return status(400, 'BadRequest', 'continue key is not valid: illegal base64 data');
      }
    }
    const keys = this.sorted(type);
    let i = 0;
    if (startAfter) {
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((keys[mid] as string) <= startAfter) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    const prefix = type.namespaced && namespace ? `${namespace}/` : '';
    const items: Obj[] = [];
    let last = '';
    let more = false;
    let remaining = 0;
    for (; i < keys.length; i++) {
      const key = keys[i] as string;
      if (prefix && !key.startsWith(prefix)) {
        if (key > prefix) break;
        continue;
      }
      const obj = bucket.get(key) as Obj;
      if (sel?.ok && !labelsMatch(sel.reqs, obj.metadata?.labels ?? {})) continue;
      if (!fields.every((f) => (String(f.path.reduce((o: any, p) => o?.[p], obj) ?? '') === f.value) !== f.neg)) continue;
      if (limit > 0 && items.length >= limit) {
        more = true;
        remaining++;
        continue;
      }
      items.push(obj);
      last = key;
    }
    const rv = String(this.rv);
    const metadata: Obj = { resourceVersion: rv };
    if (more) {
      metadata.continue = Buffer.from(JSON.stringify({ start: last, rv })).toString('base64');
      metadata.remainingItemCount = remaining;
    }
    if (/as=Table/.test(accept) && type.plural === 'pods') return this.podTable(items, metadata);
    return { kind: `${type.kind}List`, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, metadata, items };
  }

  private podTable(items: Obj[], metadata: Obj): Obj {
    const col = (name: string, type: string, format = '') => ({ name, type, format, description: '', priority: 0 });
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata,
      columnDefinitions: [
        col('Name', 'string', 'name'),
        col('Ready', 'string'),
        col('Status', 'string'),
        col('Restarts', 'string'),
        col('Age', 'string'),
      ],
      rows: items.map((p) => {
        const cs: Obj[] = p.status?.containerStatuses ?? [];
        const ready = cs.filter((c) => c.ready).length;
        return {
          cells: [
            p.metadata.name,
            `${ready}/${(p.spec?.containers ?? []).length}`,
            p.metadata.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Unknown'),
            '0',
            ageText(p.metadata.creationTimestamp),
          ],
          object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata },
        };
      }),
    };
  }

  private async patch(
    req: IncomingMessage,
    type: ResourceType,
    namespace: string,
    name: string,
    q: URLSearchParams,
    reply: (code: number, body: unknown) => void,
  ): Promise<void> {
    const existing = this.getObject(type.group, type.plural, namespace, name);
    const text = await this.readBody(req);
    if (!existing) return reply(404, this.notFound(type, name));
    let patch: unknown;
    try {
      patch = JSON.parse(text);
    } catch {
      return reply(400, status(400, 'BadRequest', 'the body of the request was in an unknown format'));
    }
    const ct = (req.headers['content-type'] ?? '').split(';')[0];
    let updated: Obj;
    try {
      if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json') {
        if (!isObject(patch))
          return reply(400, status(400, 'BadRequest', 'json: cannot unmarshal array into Go value of type map[string]interface {}'));
        const wantRv = (patch as Obj).metadata?.resourceVersion;
        if (wantRv !== undefined && wantRv !== existing.metadata.resourceVersion) {
          return reply(
            409,
            status(
              409,
              'Conflict',
              `Operation cannot be fulfilled on ${type.plural}${type.group ? '.' + type.group : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
              { name, kind: type.plural },
            ),
          );
        }
        updated = mergePatch(existing, patch) as Obj;
      } else if (ct === 'application/json-patch+json') {
        updated = jsonPatch(existing, patch);
      } else {
        return reply(
          415,
          status(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
          ),
        );
      }
    } catch (e) {
      if (e instanceof PatchError) return reply(e.code, status(e.code, e.code === 422 ? 'Invalid' : 'BadRequest', e.message));
      throw e;
    }
    if (updated.metadata?.name !== existing.metadata.name || updated.metadata?.namespace !== existing.metadata.namespace) {
      return reply(422, status(422, 'Invalid', `${type.kind} "${name}" is invalid: metadata.name: Invalid value: field is immutable`));
    }
    for (const field of ['annotations', 'labels']) {
      const m = updated.metadata?.[field];
      if (m !== undefined && m !== null && (!isObject(m) || Object.values(m).some((v) => typeof v !== 'string'))) {
        return reply(
          422,
          status(422, 'Invalid', `${type.kind} "${name}" is invalid: metadata.${field}: Invalid value: values must be strings`),
        );
      }
    }
    const rvBefore = existing.metadata.resourceVersion;
    const changed =
      JSON.stringify({ ...updated, metadata: { ...updated.metadata, resourceVersion: rvBefore } }) !== JSON.stringify(existing);
    if (q.get('dryRun') === 'All') return reply(200, updated);
    if (changed) {
      updated.metadata.resourceVersion = this.nextRv();
      (this.store.get(typeKey(type.group, type.plural)) as Map<string, Obj>).set(namespace ? `${namespace}/${name}` : name, updated);
    }
    return reply(200, updated);
  }

  private async selfSubjectAccessReview(req: IncomingMessage, user: TestUser, reply: (code: number, body: unknown) => void): Promise<void> {
    let body: Obj;
    try {
      body = JSON.parse(await this.readBody(req));
    } catch {
      return reply(400, status(400, 'BadRequest', 'the request body is not valid JSON'));
    }
    const ra = body.spec?.resourceAttributes ?? {};
    const attrs: RequestAttributes = {
      user: user.name,
      verb: ra.verb ?? '',
      group: ra.group ?? '',
      resource: ra.resource ?? '',
      subresource: ra.subresource ?? '',
      namespace: ra.namespace ?? '',
      name: ra.name ?? '',
    };
    const allowed = !user.allow || user.allow(attrs);
    reply(201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: body.spec,
      status: { allowed, ...(allowed ? { reason: 'test RBAC allows it' } : {}) },
    });
  }

  // ---- exec ------------------------------------------------------------------------------------

  private rejectUpgrade(socket: Duplex, code: number, body: Obj, headers: Record<string, string> = {}) {
    const text = JSON.stringify(body);
    const reason =
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'Not Found',
        429: 'Too Many Requests',
        500: 'Internal Server Error',
        503: 'Service Unavailable',
      }[code] ?? 'Error';
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}Connection: close\r\n\r\n${text}`,
    );
  }

  private markUsed(socket: object): void {
    const c = this.connectionOf.get(socket);
    if (c) c.used = true;
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.markUsed(socket);
    const url = new URL(req.url ?? '/', 'https://x');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const info = this.requestInfo(method, path, url.searchParams);
    const isWebSocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const log: LoggedRequest = {
      method,
      path,
      query: url.search,
      user: '',
      verb: isWebSocket ? 'get' : 'create',
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
      status: 0,
      at: Date.now(),
      ...wireOf(req),
    };
    this.requests.push(log);
    const reject = (code: number, body: Obj, headers?: Record<string, string>) => {
      log.status = code;
      this.rejectUpgrade(socket, code, body, headers);
    };
    const fault = this.takeFault({ method, path, query: url.searchParams, upgrade: true });
    if (fault) {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.destroy) {
        log.status = -1;
        log.fault = true;
        socket.destroy();
        return;
      }
      if (fault.hostile?.endless) {
        log.fault = true;
        log.status = fault.status ?? 500;
        socket.write(`HTTP/1.1 ${log.status} Refused\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n`);
        return this.endless(socket, fault.hostile.endless);
      }
      if (fault.hostile?.stall) {
        log.fault = true;
        log.status = fault.status ?? 500;
        const prefix = fault.hostile.stall.prefix ?? '';
        socket.write(
          `HTTP/1.1 ${log.status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${prefix.length + 1000}\r\n\r\n${prefix}`,
        );
        return;
      }
      if (fault.status) {
        log.fault = true;
        return reject(fault.status, fault.body ?? status(fault.status, 'InternalError', 'injected fault'), fault.headers);
      }
    }
    const { user } = this.authenticate(req);
    if (!user || user.expired) return reject(401, status(401, 'Unauthorized', 'Unauthorized'));
    log.user = user.name;
    if (info.resource !== 'pods' || info.subresource !== 'exec' || info.group !== '') {
      return reject(400, status(400, 'BadRequest', `upgrade requests are only served for pods/exec`));
    }
    // The WebSocket upgrade is a GET (authorised as get pods/exec); SPDY is a POST (create).
    const attrs: RequestAttributes = {
      user: user.name,
      verb: isWebSocket ? 'get' : 'create',
      group: '',
      resource: 'pods',
      subresource: 'exec',
      namespace: info.namespace,
      name: info.name,
    };
    if (user.allow && !user.allow(attrs)) return reject(403, this.forbidden(attrs));
    const pod = this.getObject('', 'pods', info.namespace, info.name);
    if (!pod) return reject(404, status(404, 'NotFound', `pods "${info.name}" not found`, { name: info.name, kind: 'pods' }));
    const containers: string[] = (pod.spec?.containers ?? []).map((c: Obj) => c.name);
    let container = url.searchParams.get('container') ?? '';
    if (container === '') {
      if (containers.length === 1) container = containers[0] as string;
      else
        return reject(
          400,
          status(400, 'BadRequest', `a container name must be specified for pod ${info.name}, choose one of: [${containers.join(' ')}]`),
        );
    }
    if (!containers.includes(container))
      return reject(400, status(400, 'BadRequest', `container ${container} is not valid for pod ${info.name}`));
    if (!pod.spec?.nodeName) return reject(400, status(400, 'BadRequest', `pod ${info.name} does not have a host assigned`));
    const command = url.searchParams.getAll('command');
    if (command.length === 0) return reject(400, status(400, 'BadRequest', 'you must specify at least 1 command'));
    const flag = (n: string) => ['true', '1'].includes(url.searchParams.get(n) ?? '');
    if (!isWebSocket) {
      // The WebSocket path would have worked; kubectl only falls back to SPDY on a refusal.
      return reject(400, status(400, 'BadRequest', 'the test API server speaks WebSocket exec only (SPDY is not implemented)'));
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!offered.some((p) => this.options.execProtocols.includes(p))) {
      return reject(400, status(400, 'BadRequest', `unable to upgrade: no supported subprotocol in [${offered.join(' ')}]`));
    }
    log.status = 101;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // Counted over the sessions still open (not the whole history: a benchmark makes tens of thousands).
      let openAtStart = 1;
      for (const e of this.openExecs) if (e.namespace === info.namespace) openAtStart++;
      const exec: ExecRequest = {
        namespace: info.namespace,
        pod: info.name,
        container,
        command,
        stdout: flag('stdout'),
        stderr: flag('stderr'),
        stdin: flag('stdin'),
        tty: flag('tty'),
        protocol: ws.protocol,
        user: user.name,
        startedAt: Date.now(),
        pings: 0,
        openAtStart,
      };
      const c = this.connectionOf.get(socket);
      if (c) exec.connection = { securedAt: c.securedAt, resumed: c.resumed };
      this.execs.push(exec);
      this.openExecs.add(exec);
      this.runExec(ws, exec, pod).catch(() => ws.terminate());
    });
  }

  private async runExec(ws: WebSocket, exec: ExecRequest, pod: Obj): Promise<void> {
    this.liveSockets.add(ws);
    let closed = false;
    ws.on('close', () => {
      closed = true;
      exec.ended ??= 'client-closed';
      exec.finishedAt ??= Date.now();
      this.openExecs.delete(exec);
      this.liveSockets.delete(ws);
    });
    ws.on('ping', () => exec.pings++);
    ws.on('error', () => undefined);
    ws.on('message', () => undefined); // stdin, resize and close frames are accepted and ignored
    const running = (pod.status?.containerStatuses ?? []).find((c: Obj) => c.name === exec.container)?.state?.running;
    let behaviour: ExecBehaviour;
    if (!running) behaviour = { internalError: `unable to upgrade connection: container not found ("${exec.container}")` };
    else behaviour = await this.execHandler(exec);
    if (behaviour.drop) exec.fault = 'drop';
    else if (behaviour.noStatus) exec.fault = 'no-status';
    else if (behaviour.hang) exec.fault = 'hang';
    else if (behaviour.internalError && running) exec.fault = 'internal-error';
    const sendStream = (channel: number, data: string | Buffer | undefined, wanted: boolean) => {
      if (data === undefined || !wanted) return;
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
      for (let off = 0; off < buf.length; off += 32 * 1024) {
        ws.send(Buffer.concat([Buffer.from([channel]), buf.subarray(off, off + 32 * 1024)]), { binary: true });
      }
    };
    if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
    if (closed) return;
    sendStream(1, behaviour.stdout, exec.stdout);
    sendStream(2, behaviour.stderr, exec.stderr);
    for (const f of behaviour.frames ?? []) ws.send(f, { binary: true });
    if (behaviour.pauseAfterFramesMs) await new Promise((r) => setTimeout(r, behaviour.pauseAfterFramesMs));
    if (closed) return;
    if (behaviour.hang) return; // the client has to give up and close
    if (behaviour.drop) {
      exec.ended = 'dropped';
      setTimeout(() => ws.terminate(), 20);
      return;
    }
    if (behaviour.noStatus) {
      exec.ended = 'no-status';
      ws.close(1000);
      return;
    }
    let st: Obj;
    if (behaviour.internalError) {
      st = {
        metadata: {},
        status: 'Failure',
        message: `Internal error occurred: ${behaviour.internalError}`,
        reason: 'InternalError',
        details: { causes: [{ message: behaviour.internalError }] },
        code: 500,
      };
    } else if ((behaviour.exitCode ?? 0) === 0) {
      st = { metadata: {}, status: 'Success' };
    } else {
      const n = behaviour.exitCode as number;
      st = {
        metadata: {},
        status: 'Failure',
        message: `command terminated with non-zero exit code: command terminated with exit code ${n}`,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(n) }] },
      };
    }
    exec.ended = 'status';
    if (!behaviour.internalError) exec.exitCode = behaviour.exitCode ?? 0;
    exec.finishedAt = Date.now();
    this.openExecs.delete(exec);
    ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(st))]), { binary: true });
    ws.close(1000);
  }
}

/** Starts a test API server on an ephemeral loopback port. */
export async function startApiServer(options: ApiServerOptions = {}): Promise<TestApiServer> {
  return new TestApiServer(options).start();
}
