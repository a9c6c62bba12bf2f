// `npm run bench -- run` and `npm run bench -- cluster-run`: running hooks across many pods, side by
// side with the ways people do it by hand (a serial `kubectl exec` loop, `xargs -P 32 kubectl exec`),
// every command launched the same way: `kubectl …` with the same kubectl binary and kubeconfig, ours
// through kubectl's plugin dispatch (`kubectl ark-hooks`). The test API server runs in a process of
// its own (`node bench/exec.ts --serve`), so that the measured client never shares its event loop.
// Figures are min / median / max of several runs after a warm-up; nothing here asserts a timing.
//
//   BENCH_COMPARE=/path/to/other/checkout npm run bench -- run
//     also measures the main rows with that checkout's build ("before" figures for PROFILES.md);
//     BENCH_COMPARE_COMMIT names its commit when it is not a git checkout of this repository.
//   BENCH_RUN_PARTS=memory npm run bench -- run
//     only some parts of the run section (comma-separated: parallel, overhead, memory; default all):
//     memory is the 1,000 hooks x 1 MiB rows, each report format measured on both builds in turns.

import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HAS_GNU_TIME = existsSync('/usr/bin/time');

/** A row of RESULTS.md (bench/run.ts prints and files it). */
export interface BenchRow {
  section: string;
  what: string;
  /** Median; min and max of the same samples. */
  ms: number;
  min?: number;
  max?: number;
  /** ms is not a wall time but a per-item figure (printed with two decimals). */
  perItem?: boolean;
  rssMb: number | null;
  vs?: string;
  ratio?: number;
  target?: string;
}
export type Report = (row: BenchRow) => void;

export interface Samples {
  ms: number[];
  rssMb: number[];
  /** CPU time (user + system) of the command and its children, from GNU time: less sensitive to the load of a shared machine than wall time. */
  cpuMs: number[];
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** One run of `cmd`: wall time, and peak RSS from GNU time. */
export function once(
  cmd: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ms: number; rssMb: number | null; cpuMs: number | null; code: number | null; stderr: string }> {
  const timeFile = join(mkdtempSync(join(tmpdir(), 'bench-')), 'time');
  const argv = HAS_GNU_TIME ? ['/usr/bin/time', '-f', '%M %U %S', '-o', timeFile, ...cmd] : cmd;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 100_000) stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      let rssMb: number | null = null;
      let cpuMs: number | null = null;
      if (HAS_GNU_TIME && existsSync(timeFile)) {
        const [kb, user, sys] = (readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
        rssMb = (kb ?? 0) / 1024;
        cpuMs = ((user ?? 0) + (sys ?? 0)) * 1000;
      }
      resolve({ ms, rssMb, cpuMs, code, stderr });
    });
  });
}

/** `runs` samples after `warmup` runs; a failed run is an error (a figure of a failure is no figure). */
export async function sample(cmd: string[], runs: number, env?: NodeJS.ProcessEnv, warmup = 1): Promise<Samples> {
  return (await interleaved([{ cmd, env }], runs, warmup))[0] as Samples;
}

/**
 * Samples of several commands taken in turns (A B A B …), so that each sees the same load of a
 * shared machine: for before/after comparisons.
 */
export async function interleaved(
  cmds: { cmd: string[]; env?: NodeJS.ProcessEnv | undefined }[],
  runs: number,
  warmup = 1,
): Promise<Samples[]> {
  const out: Samples[] = cmds.map(() => ({ ms: [], rssMb: [], cpuMs: [] }));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [k, c] of cmds.entries()) {
      const s = await once(c.cmd, c.env);
      if (i < warmup) continue;
      if (s.code !== 0) throw new Error(`${c.cmd.join(' ')} exited ${s.code}: ${s.stderr.slice(-500)}`);
      const o = out[k] as Samples;
      o.ms.push(s.ms);
      if (s.rssMb !== null) o.rssMb.push(s.rssMb);
      if (s.cpuMs !== null) o.cpuMs.push(s.cpuMs);
    }
  }
  return out;
}

export const fmt = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);

/** A row from samples; `base` makes the ratio of the medians. */
export function row(section: string, what: string, s: Samples, base?: { name: string; ms: number }, target?: string): BenchRow {
  const r: BenchRow = {
    section,
    what,
    ms: median(s.ms),
    min: Math.min(...s.ms),
    max: Math.max(...s.ms),
    rssMb: s.rssMb.length ? median(s.rssMb) : null,
  };
  if (base) {
    r.vs = base.name;
    r.ratio = r.ms / base.ms;
  }
  if (target) r.target = target;
  return r;
}

/** Scales samples of a part (n of `total` items) to the whole: for baselines too slow to run in full. */
const scaled = (s: Samples, factor: number): Samples => ({
  ms: s.ms.map((x) => x * factor),
  rssMb: s.rssMb,
  cpuMs: s.cpuMs.map((x) => x * factor),
});

// ---- the test API server, in a process of its own ----------------------------------------------

interface ServerStats {
  execs: number;
  /** The most exec sessions open at the same time, from the server's own log. */
  maxOpen: number;
  tlsConnections: number;
  tlsResumed: number;
  restRequests: number;
  /** CPU the server process used (user + system). */
  cpuMs: number;
}

/** The control side of `node bench/exec.ts --serve`: JSON lines both ways. */
class ServerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly replies: ((line: string) => void)[] = [];
  kubeconfig = '';

  constructor(pods: number) {
    this.child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', String(pods)], { stdio: 'pipe' });
    this.child.stderr.on('data', (c: Buffer) => process.stderr.write(`bench server: ${c}`));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.replies.shift()?.(line));
  }

  private ask(msg: object | null): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.replies.push((line) => resolve(JSON.parse(line)));
      if (msg) this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    });
  }

  async start(): Promise<this> {
    this.kubeconfig = (await this.ask(null)).kubeconfig as string;
    return this;
  }

  /** What each exec does from now on: wait `delayMs`, print `stdoutBytes`, exit 0. */
  async behave(delayMs: number, stdoutBytes = 0): Promise<void> {
    await this.ask({ op: 'behave', delayMs, stdoutBytes });
  }

  /** Counters since the previous call. */
  async stats(): Promise<ServerStats> {
    return (await this.ask({ op: 'stats' })) as unknown as ServerStats;
  }

  stop(): void {
    this.child.stdin.end();
  }
}

async function serve(pods: number): Promise<void> {
  const { TestApiServer } = await import('../test/support/apiserver.ts');
  const server = await new TestApiServer().start();
  for (let i = 0; i < pods; i++) server.addPod('hooks', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["work"]' } });
  let behaviour: { delayMs: number; stdout?: Buffer } = { delayMs: 0 };
  server.execHandler = () => behaviour;
  let since = { execs: 0, requests: 0, tls: { ...server.tls }, cpu: process.cpuUsage() };
  const stats = (): ServerStats => {
    const execs = server.execs.slice(since.execs);
    const edges = execs.flatMap((e) => [
      [e.startedAt, 1],
      [e.finishedAt ?? Number.POSITIVE_INFINITY, -1],
    ]) as [number, number][];
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    let maxOpen = 0;
    for (const [, d] of edges) {
      open += d;
      maxOpen = Math.max(maxOpen, open);
    }
    const cpu = process.cpuUsage(since.cpu);
    const out = {
      execs: execs.length,
      maxOpen,
      tlsConnections: server.tls.connections - since.tls.connections,
      tlsResumed: server.tls.resumed - since.tls.resumed,
      restRequests: server.requests.slice(since.requests).filter((q) => q.status !== 101).length,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
    // The logs grow with every run; the counters only need what came after the last reading.
    server.execs.length = 0;
    server.requests.length = 0;
    since = { execs: 0, requests: 0, tls: { ...server.tls }, cpu: process.cpuUsage() };
    return out;
  };
  process.stdout.write(`${JSON.stringify({ kubeconfig: server.writeKubeconfig({ namespace: 'hooks' }) })}\n`);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const msg = JSON.parse(line) as { op: string; delayMs?: number; stdoutBytes?: number };
    if (msg.op === 'behave') {
      behaviour = { delayMs: msg.delayMs ?? 0, ...(msg.stdoutBytes ? { stdout: Buffer.alloc(msg.stdoutBytes, 'x') } : {}) };
      process.stdout.write('{"ok":true}\n');
    } else if (msg.op === 'stats') process.stdout.write(`${JSON.stringify(stats())}\n`);
  }
  await server.stop();
}

// ---- what is measured --------------------------------------------------------------------------

/** A build to measure: this checkout, or the one in BENCH_COMPARE. */
interface Build {
  label: string;
  env: NodeJS.ProcessEnv;
}

/** The commit of a checkout, "+changes" when files (other than Markdown) differ from it. */
export function commitOf(dir: string): string {
  try {
    const head = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=no', '--', '.', ':!*.md'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

/** The commit of this checkout, "+changes" when files (other than Markdown) differ from it. */
export const COMMIT = commitOf(ROOT);

function builds(): Build[] {
  const mine: Build = { label: '', env: { ...process.env, PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` } };
  const other = process.env.BENCH_COMPARE;
  if (!other) return [mine];
  if (!existsSync(join(other, 'bin', 'kubectl-ark_hooks'))) throw new Error(`BENCH_COMPARE: no bin/kubectl-ark_hooks in ${other}`);
  return [
    mine,
    {
      label: ` (before: ${process.env.BENCH_COMPARE_COMMIT ?? commitOf(other)})`,
      env: { ...process.env, PATH: `${join(other, 'bin')}:${process.env.PATH}` },
    },
  ];
}

const PODS = 1000;
const PARALLEL = 32;

async function parallelRun(report: Report, server: ServerProcess, kc: string, all: Build[]): Promise<number> {
  await server.behave(100);
  const ideal = Math.ceil(PODS / PARALLEL) * 100;
  const cmd = ['kubectl', 'ark-hooks', 'run', '--kubeconfig', kc, '--phase', 'pre', '--yes', '--parallel', String(PARALLEL), '-o', 'json'];
  // With BENCH_COMPARE both builds run in turns, so that each sees the same load.
  await server.stats();
  const runs = 5;
  const samples = await interleaved(
    all.map((b) => ({ cmd, env: b.env })),
    runs,
    1,
  );
  const st = await server.stats();
  const per = all.length * (runs + 1);
  for (const [k, b] of all.entries()) {
    const s = samples[k] as Samples;
    const r = row(
      'run',
      `${PODS} pods x 100 ms hook, --parallel ${PARALLEL}${b.label}`,
      s,
      { name: `ideal ${fmt(ideal)} (ceil(${PODS}/${PARALLEL}) x 100 ms)`, ms: ideal },
      b.label ? undefined : '<= 1.15x ideal',
    );
    r.vs += `; client CPU ${fmt(median(s.cpuMs))}`;
    if (k === 0)
      r.vs += `; server: up to ${st.maxOpen} execs at once, ${st.tlsResumed}/${st.tlsConnections} TLS sessions resumed, ${st.restRequests / per} REST calls and ${fmt(st.cpuMs / per)} CPU a run`;
    report(r);
  }
  const ours = median((samples[0] as Samples).ms);
  // The same pods at the same parallelism by hand: one kubectl process per pod, 32 at a time. A
  // sample of the pods (whole rounds of 32), scaled to all of them.
  const n = 128;
  const script = `seq 0 ${n - 1} | xargs -P ${PARALLEL} -I{} kubectl --kubeconfig ${kc} exec -n hooks p-{} -- work`;
  const xargs = scaled(await sample(['sh', '-c', `${script} >/dev/null`], 3, all[0]?.env, 0), PODS / n);
  report(
    row('run', `xargs -P ${PARALLEL} kubectl exec, 100 ms hook (${n} of the ${PODS} pods, scaled x${(PODS / n).toFixed(2)})`, xargs, {
      name: `ideal ${fmt(ideal)}`,
      ms: ideal,
    }),
  );
  report({
    section: 'run',
    what: `run --parallel ${PARALLEL} vs xargs -P ${PARALLEL} kubectl exec`,
    ms: ours,
    rssMb: null,
    ratio: ours / median(xargs.ms),
    vs: 'xargs (medians)',
  });
  const loopPods = 20;
  const loopScript = `for i in $(seq 0 ${loopPods - 1}); do kubectl --kubeconfig ${kc} exec -n hooks p-$i -- work >/dev/null || exit 1; done`;
  const loop = scaled(await sample(['sh', '-c', loopScript], 3, all[0]?.env, 0), PODS / loopPods);
  report(row('run', `serial kubectl exec loop, 100 ms hook (${loopPods} pods, scaled x${PODS / loopPods})`, loop));
  return ours;
}

async function overhead(report: Report, server: ServerProcess, kc: string, all: Build[]): Promise<void> {
  await server.behave(0);
  const base = ['kubectl', 'ark-hooks', 'run', '--kubeconfig', kc, '--yes', '-o', 'json'];
  // The same start-up and listing of the 1000 pods, with no hook to run (they have pre hooks only).
  const none = await interleaved(
    all.map((b) => ({ cmd: [...base, '--phase', 'post'], env: b.env })),
    5,
    1,
  );
  await server.stats();
  const runs = 5;
  const serial = await interleaved(
    all.map((b) => ({ cmd: [...base, '--phase', 'pre', '--parallel', '1'], env: b.env })),
    runs,
    1,
  );
  const st = await server.stats();
  for (const [k, b] of all.entries()) {
    const [n, s] = [none[k] as Samples, serial[k] as Samples];
    report(row('run', `${PODS} pods x 0 ms hook, --parallel 1${b.label}`, s));
    report(row('run', `the same start-up and listing of ${PODS} pods, no hook to run (--phase post)${b.label}`, n));
    const per = s.ms.map((x) => (x - median(n.ms)) / PODS);
    report({
      section: 'run',
      what: `per-hook overhead (0 ms hook, --parallel 1, the run without hooks subtracted)${b.label}`,
      ms: median(per),
      min: Math.min(...per),
      max: Math.max(...per),
      perItem: true,
      rssMb: null,
      vs: `client CPU ${((median(s.cpuMs) - median(n.cpuMs)) / PODS).toFixed(2)} ms a hook; server CPU ${(st.cpuMs / (all.length * (runs + 1) * PODS)).toFixed(2)} ms a hook`,
      ...(b.label ? {} : { target: '<= 2 ms' }),
    });
  }
  const loopPods = 20;
  const script = `for i in $(seq 0 ${loopPods - 1}); do kubectl --kubeconfig ${kc} exec -n hooks p-$i -- work >/dev/null || exit 1; done`;
  const loop = await sample(['sh', '-c', script], 3, all[0]?.env, 0);
  const each = loop.ms.map((x) => x / loopPods);
  report({
    section: 'run',
    what: `kubectl exec, one process per hook (serial loop of ${loopPods}, 0 ms hook): time per hook`,
    ms: median(each),
    min: Math.min(...each),
    max: Math.max(...each),
    perItem: true,
    rssMb: loop.rssMb.length ? median(loop.rssMb) : null,
  });
}

/** The report formats of the 1 MiB rows, and whether each is also measured with --output-dir. */
const MEMORY_OUTPUTS: [output: string, withDir: boolean][] = [
  ['table', false],
  ['table', true],
  ['json', false],
  ['json', true],
  ['yaml', false],
  ['jsonpath={.summary.hooks}', false],
];

async function memory(report: Report, server: ServerProcess, kc: string, all: Build[]): Promise<void> {
  await server.behave(0, 1024 * 1024);
  for (const [output, withDir] of MEMORY_OUTPUTS) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-out-'));
    const cmd = [
      'kubectl',
      'ark-hooks',
      'run',
      '--kubeconfig',
      kc,
      '--phase',
      'pre',
      '--yes',
      '--parallel',
      String(PARALLEL),
      '-o',
      output,
    ];
    if (withDir) cmd.push('--output-dir', join(dir, 'out'));
    const sh = ['sh', '-c', `${cmd.map((a) => `'${a}'`).join(' ')} >/dev/null; s=$?; rm -rf '${dir}/out'; exit $s`];
    // With BENCH_COMPARE both builds run in turns, so that each sees the same load.
    const samples = await interleaved(
      all.map((b) => ({ cmd: sh, env: b.env })),
      3,
      0,
    );
    rmSync(dir, { recursive: true, force: true });
    for (const [k, b] of all.entries()) {
      const s = samples[k] as Samples;
      const r = row(
        'run',
        `${PODS} hooks x 1 MiB output, --parallel ${PARALLEL}, -o ${output}${withDir ? ' --output-dir' : ''}${b.label}`,
        s,
      );
      r.vs = `client CPU ${fmt(median(s.cpuMs))}`;
      if (!b.label) r.target = '<= 200 MB';
      report(r);
    }
  }
}

/** `npm run bench -- run`. */
export async function runSection(report: Report): Promise<void> {
  const all = builds();
  const parts: [string, (report: Report, server: ServerProcess, kc: string, all: Build[]) => Promise<unknown>][] = [
    ['parallel', parallelRun],
    ['overhead', overhead],
    ['memory', memory],
  ];
  const wanted = (process.env.BENCH_RUN_PARTS ?? 'parallel,overhead,memory').split(',');
  for (const [name, part] of parts) {
    if (!wanted.includes(name)) continue;
    // A fresh server for each part: the test server keeps a record of every request and exec, and
    // after the ~12,000 execs of one part its own CPU per exec had grown by a quarter (0.86 -> 1.08 ms).
    const server = await new ServerProcess(PODS).start();
    try {
      await part(report, server, server.kubeconfig, all);
    } finally {
      server.stop();
    }
  }
}

// ---- the real control plane (test/cluster) -----------------------------------------------------

const CLUSTER_PODS = 200;

function kubectlIn(kc: string, args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', kc, ...args], { input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

/** 200 pods on kwok's node, each with a pre hook `sleep 0.1` that the exec shim runs on this host. */
function clusterPods(kc: string, ns: string): void {
  kubectlIn(kc, ['create', 'namespace', ns]);
  const items = Array.from({ length: CLUSTER_PODS }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${i}`, namespace: ns, annotations: { 'pre.hook.backup.velero.io/command': '["sleep","0.1"]' } },
    spec: { nodeName: 'kwok-node-0', containers: [{ name: 'main', image: 'none' }] },
  }));
  kubectlIn(kc, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  kubectlIn(kc, ['wait', '--for', 'condition=Ready', 'pod', '--all', '-n', ns, '--timeout', '300s']);
}

/** The by-hand way on the real control plane: one `kubectl exec` after another. */
async function kubectlExecLoop(report: Report, kc: string, ns: string, benv: NodeJS.ProcessEnv): Promise<void> {
  const loopPods = 40;
  const loop = await sample(
    ['sh', '-c', `for i in $(seq 0 ${loopPods - 1}); do kubectl --kubeconfig ${kc} exec -n ${ns} p-$i -- sleep 0.1 || exit 1; done`],
    3,
    benv,
    0,
  );
  const each = loop.ms.map((x) => x / loopPods - 100);
  report({
    section: 'cluster-run',
    what: `kubectl exec loop (${loopPods} pods): time per hook beyond the 100 ms sleep`,
    ms: median(each),
    min: Math.min(...each),
    max: Math.max(...each),
    perItem: true,
    rssMb: loop.rssMb.length ? median(loop.rssMb) : null,
  });
}

/**
 * `npm run bench -- cluster-run`: 200 hooks through a real kube-apiserver's exec endpoint (to the
 * kubelet exec shim of test/cluster), ours against kubectl exec. Starts the control plane and stops
 * it; heavy for a shared 2-core machine, so run it on its own.
 */
export async function clusterRunSection(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ark-hooks-bench-cluster-'));
  const env = { ...process.env, ARK_HOOKS_CLUSTER_DIR: dir };
  const down = () => execFileSync(join(ROOT, 'test', 'cluster', 'down'), { env, stdio: 'ignore' });
  try {
    const out = execFileSync(join(ROOT, 'test', 'cluster', 'up'), { env, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
    const kc = out.trim().split('\n').pop() as string;
    const ns = `bench-run-${Date.now().toString(36)}`;
    clusterPods(kc, ns);
    const all = builds();
    const benv = { ...(all[0] as Build).env };
    const ideal = Math.ceil(CLUSTER_PODS / PARALLEL) * 100;
    const run = ['kubectl', 'ark-hooks', 'run', '--kubeconfig', kc, '-n', ns, '--phase', 'pre', '--yes', '-o', 'json'];
    // With BENCH_COMPARE both builds run in turns, so that each sees the same load.
    const parallel = await interleaved(
      all.map((b) => ({ cmd: [...run, '--parallel', String(PARALLEL)], env: b.env })),
      3,
      1,
    );
    for (const [k, b] of all.entries())
      report(
        row('cluster-run', `${CLUSTER_PODS} pods x sleep 0.1, --parallel ${PARALLEL}${b.label}`, parallel[k] as Samples, {
          name: `ideal ${fmt(ideal)} (ceil(${CLUSTER_PODS}/${PARALLEL}) x 100 ms)`,
          ms: ideal,
        }),
      );
    const ours = parallel[0] as Samples;
    const xargs = await sample(
      ['sh', '-c', `seq 0 ${CLUSTER_PODS - 1} | xargs -P ${PARALLEL} -I{} kubectl --kubeconfig ${kc} exec -n ${ns} p-{} -- sleep 0.1`],
      3,
      benv,
      1,
    );
    report(
      row('cluster-run', `xargs -P ${PARALLEL} kubectl exec, the same ${CLUSTER_PODS} pods`, xargs, {
        name: `ideal ${fmt(ideal)}`,
        ms: ideal,
      }),
    );
    report({
      section: 'cluster-run',
      what: `run --parallel ${PARALLEL} vs xargs -P ${PARALLEL} kubectl exec`,
      ms: median(ours.ms),
      rssMb: null,
      ratio: median(ours.ms) / median(xargs.ms),
      vs: 'xargs (medians)',
    });
    const none = await interleaved(
      all.map((b) => ({ cmd: run.map((a) => (a === 'pre' ? 'post' : a)), env: b.env })),
      3,
      1,
    );
    const serial = await interleaved(
      all.map((b) => ({ cmd: [...run, '--parallel', '1'], env: b.env })),
      2,
      0,
    );
    for (const [k, b] of all.entries()) {
      const s = serial[k] as Samples;
      report(row('cluster-run', `${CLUSTER_PODS} pods x sleep 0.1, --parallel 1${b.label}`, s));
      const per = s.ms.map((x) => (x - median((none[k] as Samples).ms)) / CLUSTER_PODS - 100);
      report({
        section: 'cluster-run',
        what: `per-hook overhead beyond the 100 ms sleep (--parallel 1, the run without hooks subtracted)${b.label}`,
        ms: median(per),
        min: Math.min(...per),
        max: Math.max(...per),
        perItem: true,
        rssMb: null,
      });
    }
    await kubectlExecLoop(report, kc, ns, benv);
  } finally {
    down();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--serve') await serve(Number(process.argv[3] ?? PODS));
