// The list benchmark (issue #18), `npm run bench -- list` and `npm run bench -- cluster-list`:
// `kubectl ark-hooks list` against the by-hand way, `kubectl get pods -A -o jsonpath=…` reading the
// same hook annotations, on realistic pods (test/support/realistic-pods.ts, ~6.5 KB of JSON each).
// Both sides are launched the same way: through kubectl's plugin dispatch (`kubectl ark-hooks …`
// and `kubectl get …`, the same kubectl binary on PATH), stdout to /dev/null. The test API server
// runs in its own process (bench/list-server.ts), so its CPU and memory are not the client's.
// Each figure: min / median / max of the wall time and of the peak RSS (GNU time) after a warm-up.
// Writes its own block of bench/RESULTS.md (between <!-- list:begin --> and <!-- list:end -->, or
// cluster-list) and leaves the rest of the file as it is. Nothing here asserts a timing.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { realisticPods } from '../test/support/realistic-pods.ts';
import { once as timed } from './exec.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const NODE = process.execPath;
const LAUNCHER = join(ROOT, 'bin', 'kubectl-ark_hooks');
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
/** The hook commands of both phases, as someone would read them by hand. */
const JSONPATH =
  'jsonpath={range .items[*]}{.metadata.namespace}{"\\t"}{.metadata.name}{"\\t"}{.metadata.annotations.pre\\.hook\\.backup\\.velero\\.io/command}{"\\t"}{.metadata.annotations.post\\.hook\\.backup\\.velero\\.io/command}{"\\n"}{end}';

interface Stat {
  min: number;
  median: number;
  max: number;
}
interface Figure {
  ms: Stat;
  rssMb: Stat;
  runs: number;
}

const NONE: Figure = { ms: { min: 0, median: 0, max: 0 }, rssMb: { min: 0, median: 0, max: 0 }, runs: 0 };

function availableGiB(): number {
  const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) / 2 ** 20 : 0;
}

const stat = (xs: number[]): Stat => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
};

/** One run through bench/exec.ts's timer (GNU time): a failed command ends the bench. */
async function once(cmd: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; rssMb: number }> {
  const r = await timed(cmd, env);
  if (r.code !== 0) throw new Error(`${cmd.join(' ')} exited ${r.code}: ${r.stderr.slice(-400)}`);
  return { ms: r.ms, rssMb: r.rssMb ?? Number.NaN };
}

async function measure(cmd: string[], env: NodeJS.ProcessEnv, runs: number, warmup: number): Promise<Figure> {
  for (let i = 0; i < warmup; i++) await once(cmd, env);
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await once(cmd, env));
  return { ms: stat(samples.map((s) => s.ms)), rssMb: stat(samples.map((s) => s.rssMb)), runs };
}

/** PATH with `kubectl-ark_hooks` (this checkout's launcher) first, for kubectl's plugin dispatch. */
function pluginEnv(): NodeJS.ProcessEnv {
  const bin = mkdtempSync(join(tmpdir(), 'bench-list-bin-'));
  symlinkSync(LAUNCHER, join(bin, 'kubectl-ark_hooks'));
  return { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, KUBECACHEDIR: mkdtempSync(join(tmpdir(), 'kc-cache-')) };
}

/** Starts bench/list-server.ts with `pods` pods; resolves with its kubeconfig and a stop function. */
async function startServer(pods: number): Promise<{ kubeconfig: string; stop: () => void }> {
  const child = spawn(NODE, [join(ROOT, 'bench', 'list-server.ts'), String(pods)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`list-server exited ${code}`)));
  });
  return { kubeconfig: (JSON.parse(line) as { kubeconfig: string }).kubeconfig, stop: () => child.stdin.end() };
}

interface Row {
  what: string;
  fig: Figure;
  vs?: { name: string; ms: number };
  target?: string;
}

const fmtMs = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);
const fmtStat = (s: Stat, f: (n: number) => string) => `${f(s.min)} / **${f(s.median)}** / ${f(s.max)}`;
const mb = (n: number) => `${n.toFixed(0)} MB`;

function report(rows: Row[]): string[] {
  return rows.map((r) =>
    r.fig === NONE
      ? `| ${r.what} | - | - | - | - |`
      : `| ${r.what} | ${fmtStat(r.fig.ms, fmtMs)} | ${fmtStat(r.fig.rssMb, mb)} | ${r.vs ? `${(r.fig.ms.median / r.vs.ms).toFixed(2)}x ${r.vs.name}` : '-'} | ${r.target ?? '-'} |`,
  );
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no', 'src', 'bench', 'test/support'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

/** Replaces (or appends) the block `name` of RESULTS.md; the rest of the file is left as it is. */
export function writeBlock(name: string, body: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body.trimEnd()}\n${end}`;
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  const next = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS, next);
}

const machine = () =>
  `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).split('\n')[0]}`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');

const HEAD = [
  '| what | wall min / **median** / max | peak RSS min / **median** / max | ratio (medians) | target |',
  '|---|---|---|---|---|',
];

/** Hooks reported by `list -A -o json` (the summary), for the bytes-per-hook figure. */
async function hooksReported(kubeconfig: string, env: NodeJS.ProcessEnv): Promise<number> {
  const out = execFileSync('kubectl', ['ark-hooks', 'list', '--kubeconfig', kubeconfig, '-A', '-o', 'json'], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as { summary: { hooks: number } }).summary.hooks;
}

async function onePodCount(n: number, env: NodeJS.ProcessEnv, rows: Row[], memo: Map<number, { rss: number; hooks: number }>) {
  const t0 = Date.now();
  const server = await startServer(n);
  process.stderr.write(`list: ${n} pods served (${((Date.now() - t0) / 1000).toFixed(0)} s), load ${load()}\n`);
  try {
    const kc = server.kubeconfig;
    const big = n >= 100_000;
    const runs = n >= 30_000 ? 3 : 5;
    // kubectl holds the whole list: ~1.2 GB at 10k pods of this size, so ~12 GB at 100k. On a shared
    // machine it runs only when that much is free.
    const free = availableGiB();
    if (big && free < 16) {
      process.stderr.write(`list: ${n}: kubectl skipped: ${free.toFixed(1)} GiB available, 16 needed\n`);
      rows.push({ what: `${n} pods: kubectl get pods -A -o jsonpath=… skipped (${free.toFixed(1)} GiB free, ~12 GB needed)`, fig: NONE });
    }
    const kubectl =
      big && free < 16
        ? NONE
        : await measure(['kubectl', 'get', 'pods', '--kubeconfig', kc, '-A', '-o', JSONPATH], env, big ? 1 : runs, big ? 0 : 1);
    const base = kubectl === NONE ? undefined : { name: 'jsonpath', ms: kubectl.ms.median };
    if (kubectl !== NONE) rows.push({ what: `${n} pods: kubectl get pods -A -o jsonpath=… (the by-hand way)`, fig: kubectl });
    process.stderr.write(`list: ${n}: kubectl jsonpath ${fmtMs(kubectl.ms.median)}, ${mb(kubectl.rssMb.median)}\n`);
    const ours = (args: string[]) => measure(['kubectl', 'ark-hooks', 'list', '--kubeconfig', kc, ...args], env, runs, 1);
    const table = await ours(['-A']);
    const json = await ours(['-A', '-o', 'json']);
    const backup = await ours(['--backup', 'nightly']);
    const memTarget = big ? '<= 150 MB' : undefined;
    rows.push({
      what: `${n} pods: kubectl ark-hooks list -A (table)`,
      fig: table,
      vs: base,
      target: `<= 0.5x${memTarget ? `, ${memTarget}` : ''}`,
    });
    rows.push({
      what: `${n} pods: kubectl ark-hooks list -A -o json`,
      fig: json,
      vs: base,
      target: `<= 0.5x${memTarget ? `, ${memTarget}` : ''}`,
    });
    rows.push({ what: `${n} pods: table vs -o json`, fig: table, vs: { name: '-o json', ms: json.ms.median }, target: '<= 1.2x' });
    rows.push({ what: `${n} pods: kubectl ark-hooks list --backup nightly (table)`, fig: backup, vs: base, target: memTarget });
    for (const [w, f] of [
      ['table', table],
      ['json', json],
      ['backup', backup],
    ] as const)
      process.stderr.write(`list: ${n}: ${w} ${fmtMs(f.ms.median)}, ${mb(f.rssMb.median)}\n`);
    memo.set(n, { rss: json.rssMb.median, hooks: await hooksReported(kc, env) });
  } finally {
    server.stop();
  }
}

/** BENCH_LIST_SIZES=1000,10000 (bench/run.ts) picks the sizes; default 1k, 10k, 30k and 100k pods. */
export async function listSection(sizes = [1000, 10_000, 30_000, 100_000]): Promise<void> {
  const env = pluginEnv();
  const rows: Row[] = [];
  const memo = new Map<number, { rss: number; hooks: number }>();
  const loads: string[] = [`start ${load()}`];
  for (const n of sizes) {
    await onePodCount(n, env, rows, memo);
    loads.push(`after ${n}: ${load()}`);
  }
  const notes: string[] = [];
  const lo = memo.get(10_000);
  const hi = memo.get(100_000);
  if (lo && hi && hi.hooks > lo.hooks) {
    const per = ((hi.rss - lo.rss) * 2 ** 20) / (hi.hooks - lo.hooks);
    notes.push(
      `Growth of \`list -A -o json\` from 10k to 100k pods: ${mb(lo.rss)} → ${mb(hi.rss)} for ${lo.hooks} → ${hi.hooks} reported hooks, ${(per / 1024).toFixed(1)} KiB of peak RSS per reported hook (medians; the inert pods are counted, not kept).`,
    );
  }
  writeBlock(
    'list',
    [
      `## list (issue #18): realistic pods, both sides through kubectl plugin dispatch`,
      '',
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${commit()}, ${machine()}.`,
      `Load averages (1/5/15 min): ${loads.join('; ')}. The machine is shared: figures are noisy.`,
      `Pods from test/support/realistic-pods.ts (~6.5 KB of JSON each, 200 namespaces, 5% with hook annotations), served`,
      `pre-serialised by the test API server in its own process; the Backup "nightly" has 5 spec hooks for about 4% of the pods.`,
      'kubectl runs once at 100k pods (no warm-up); every other figure is 5 runs (3 from 30k pods) after one warm-up.',
      '',
      ...HEAD,
      ...report(rows),
      '',
      ...notes,
    ].join('\n'),
  );
}

/** `npm run bench -- cluster-list`: 10k kwok pods on the real control plane (test/cluster), kubectl vs list. */
export async function clusterListSection(pods = 10_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ark-hooks-bench-cluster-'));
  const env = { ...pluginEnv(), ARK_HOOKS_CLUSTER_DIR: dir };
  process.stderr.write(`cluster-list: starting test/cluster in ${dir}\n`);
  execFileSync(join(ROOT, 'test', 'cluster', 'up'), { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const kc = join(dir, 'admin.kubeconfig');
    await createPods(kc, pods);
    const kubectl = await measure(['kubectl', 'get', 'pods', '--kubeconfig', kc, '-A', '-o', JSONPATH], env, 3, 1);
    const base = { name: 'jsonpath', ms: kubectl.ms.median };
    const ours = (args: string[]) =>
      measure(['kubectl', 'ark-hooks', 'list', '--kubeconfig', kc, '--target', 'velero-1.18', ...args], env, 3, 1);
    const rows: Row[] = [
      { what: `${pods} kwok pods: kubectl get pods -A -o jsonpath=…`, fig: kubectl },
      { what: `${pods} kwok pods: kubectl ark-hooks list -A (table)`, fig: await ours(['-A']), vs: base, target: '<= 0.5x' },
      { what: `${pods} kwok pods: kubectl ark-hooks list -A -o json`, fig: await ours(['-A', '-o', 'json']), vs: base, target: '<= 0.5x' },
    ];
    for (const r of rows) process.stderr.write(`cluster-list: ${r.what}: ${fmtMs(r.fig.ms.median)}, ${mb(r.fig.rssMb.median)}\n`);
    writeBlock(
      'cluster-list',
      [
        `## list on the real control plane (test/cluster: kube-apiserver + etcd + kwok)`,
        '',
        `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${commit()}, ${machine()}; load ${load()}.`,
        `${pods} pods created from the realistic generator (status and managedFields left to the API server and kwok) on the kwok node;`,
        `both sides through kubectl plugin dispatch; 3 runs after one warm-up. --target skips detection (no Velero runs there).`,
        '',
        ...HEAD,
        ...report(rows),
      ].join('\n'),
    );
  } finally {
    execFileSync(join(ROOT, 'test', 'cluster', 'down'), { env, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates the pods through the API (32 requests in flight), namespaces first. */
async function createPods(kubeconfig: string, n: number): Promise<void> {
  const kc = readFileSync(kubeconfig, 'utf8');
  const server = /server: (\S+)/.exec(kc)?.[1] as string;
  const token = /token: (\S+)/.exec(kc)?.[1] as string;
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(kc)?.[1] as string, 'base64').toString();
  const { Agent } = await import('undici');
  const dispatcher = new Agent({ connect: { ca }, connections: 32 });
  const post = async (path: string, body: unknown) => {
    const { fetch } = await import('undici');
    for (let attempt = 0; ; attempt++) {
      const r = await fetch(server + path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        dispatcher,
      });
      const text = await r.text();
      if (r.ok || r.status === 409) return;
      if (attempt >= 5 || (r.status < 500 && r.status !== 429)) throw new Error(`POST ${path}: HTTP ${r.status}: ${text.slice(0, 300)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  };
  const namespaces = new Set<string>();
  const items: { ns: string; body: unknown }[] = [];
  for (const p of realisticPods(n)) {
    const { metadata, spec } = p;
    namespaces.add(metadata.namespace);
    items.push({
      ns: metadata.namespace,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels, annotations: metadata.annotations },
        // priority is the Priority admission plugin's to set; only the default ServiceAccount name is safe there.
        spec: { ...spec, nodeName: 'kwok-node-0', serviceAccountName: 'default', serviceAccount: undefined, priority: undefined },
      },
    });
  }
  for (const ns of namespaces) await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  let next = 0;
  let last = Date.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < items.length) {
        const it = items[next++] as { ns: string; body: unknown };
        await post(`/api/v1/namespaces/${it.ns}/pods`, it.body);
        if (Date.now() - last > 30_000) {
          last = Date.now();
          process.stderr.write(`cluster-list: ${next} of ${n} pods created\n`);
        }
      }
    }),
  );
  // kwok marks the pods Running: wait for it, so that the listings are not measured beside 10k status updates.
  const { fetch } = await import('undici');
  for (let i = 0; i < 120; i++) {
    const r = await fetch(`${server}/api/v1/pods?limit=1&fieldSelector=status.phase!%3DRunning`, {
      headers: { authorization: `Bearer ${token}` },
      dispatcher,
    });
    const page = (await r.json()) as { items?: unknown[]; metadata?: { remainingItemCount?: number } };
    if (r.ok && (page.items?.length ?? 0) === 0) break;
    if (i % 6 === 0) process.stderr.write(`cluster-list: ${(page.metadata?.remainingItemCount ?? 0) + 1} pods not Running yet\n`);
    await new Promise((res) => setTimeout(res, 5000));
  }
  await dispatcher.close();
}
