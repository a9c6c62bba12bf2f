// npm run bench: start-up, listing at cluster scale, and running hooks across many pods, each
// measured side by side with its baseline in the same run (medians after a warm-up; wall time and
// peak RSS of the whole process from GNU time). Prints a table and writes bench/RESULTS.md.
// Nothing here asserts a timing: the figures are for people to read.
//
//   npm run bench                 everything
//   npm run bench -- startup      one section (startup, list, run, cluster-list: not part of "everything")

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { TestApiServer } from '../test/support/apiserver.ts';
import { clusterListSection, listSection } from './list.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const NODE = process.execPath;
const BUNDLE = join(ROOT, 'dist', 'kubectl-ark_hooks.cjs');
/** What users run from a checkout: the launcher adds the memory flag the standalone build also sets. */
const LAUNCHER = join(ROOT, 'bin', 'kubectl-ark_hooks');
const HAS_GNU_TIME = existsSync('/usr/bin/time');

interface Sample {
  ms: number;
  rssMb: number | null;
}

function once(cmd: string[], env: NodeJS.ProcessEnv = process.env): Promise<Sample & { code: number | null; stderr: string }> {
  const timeFile = join(mkdtempSync(join(tmpdir(), 'bench-')), 'time');
  const argv = HAS_GNU_TIME ? ['/usr/bin/time', '-f', '%M', '-o', timeFile, ...cmd] : cmd;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      let rssMb: number | null = null;
      if (HAS_GNU_TIME && existsSync(timeFile)) rssMb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024;
      resolve({ ms, rssMb, code, stderr });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function measure(cmd: string[], runs: number, env?: NodeJS.ProcessEnv, warmup = 2): Promise<{ ms: number; rssMb: number | null }> {
  for (let i = 0; i < warmup; i++) await once(cmd, env);
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await once(cmd, env);
    if (s.code !== 0) throw new Error(`${cmd.join(' ')} exited ${s.code}: ${s.stderr.slice(0, 300)}`);
    samples.push(s);
  }
  const rss = samples.map((s) => s.rssMb).filter((x): x is number => x !== null);
  return { ms: median(samples.map((s) => s.ms)), rssMb: rss.length ? median(rss) : null };
}

interface Row {
  section: string;
  what: string;
  ms: number;
  rssMb: number | null;
  vs?: string;
  ratio?: number;
  target?: string;
}
const rows: Row[] = [];
const fmt = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);

function add(section: string, what: string, r: { ms: number; rssMb: number | null }, base?: { name: string; ms: number }, target?: string) {
  const row: Row = { section, what, ms: r.ms, rssMb: r.rssMb };
  if (base) {
    row.vs = base.name;
    row.ratio = r.ms / base.ms;
  }
  if (target) row.target = target;
  rows.push(row);
  process.stderr.write(
    `${section}: ${what}: ${fmt(r.ms)}${r.rssMb ? `, ${r.rssMb.toFixed(0)} MB` : ''}${row.ratio ? `, ${row.ratio.toFixed(2)}x ${base?.name}` : ''}\n`,
  );
}

function standaloneBinary(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sea-'));
  const archive = join(
    ROOT,
    'dist',
    'release',
    'kubectl-ark_hooks_v' + JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version + '_linux_amd64.tar.gz',
  );
  if (!existsSync(archive)) return null;
  execFileSync('tar', ['-xzf', archive, '-C', dir]);
  return join(dir, 'kubectl-ark_hooks');
}

async function startup() {
  const runs = 15;
  const floor = await measure([NODE, '-e', '0'], runs);
  add('start-up', 'node -e 0 (the floor)', floor);
  const kubectl = await measure(['kubectl', 'version', '--client'], runs);
  add('start-up', 'kubectl version --client', kubectl);
  const base = { name: 'node -e 0', ms: floor.ms };
  add('start-up', 'bundle --version', await measure([NODE, BUNDLE, '--version'], runs), base, '<= 1.3x');
  add('start-up', 'bundle --help', await measure([NODE, BUNDLE, '--help'], runs), base, '<= 1.3x');
  add('start-up', 'bundle list -f examples/', await measure([NODE, BUNDLE, 'list', '-f', join(ROOT, 'examples')], runs), base, '< 150 ms');
  const sea = standaloneBinary();
  if (sea) {
    add(
      'start-up',
      'standalone --version',
      await measure([sea, '--version'], runs),
      { name: 'kubectl version --client', ms: kubectl.ms },
      '< 1x',
    );
    add('start-up', 'standalone --help', await measure([sea, '--help'], runs), { name: 'kubectl version --client', ms: kubectl.ms });
  } else process.stderr.write('start-up: no standalone executable (run npm run dist first); skipped\n');
}

async function running() {
  const server = await new TestApiServer().start();
  const pods = 1000;
  for (let i = 0; i < pods; i++) server.addPod('hooks', `p-${i}`, { annotations: { 'pre.hook.backup.velero.io/command': '["work"]' } });
  const kc = server.writeKubeconfig({ namespace: 'hooks' });
  const env = { ...process.env, KUBECACHEDIR: mkdtempSync(join(tmpdir(), 'kc-cache-')) };
  server.execHandler = () => ({ delayMs: 100 });
  const ideal = (pods * 100) / 32;
  const par = await measure([LAUNCHER, 'run', '--kubeconfig', kc, '--phase', 'pre', '--yes', '--parallel', '32', '-o', 'json'], 3, env, 1);
  add('run', '1000 pods x 100 ms hook, --parallel 32', par, { name: `ideal ${fmt(ideal)}`, ms: ideal }, '<= 1.5x ideal');
  // What users do today: a shell loop of kubectl exec. 50 pods, extrapolated to 1000.
  const loopPods = 50;
  const script = `for i in $(seq 0 ${loopPods - 1}); do kubectl --kubeconfig ${kc} exec -n hooks p-$i -- work >/dev/null || exit 1; done`;
  const loop = await measure(['sh', '-c', script], 1, env, 0);
  const loop1000 = { ms: (loop.ms * pods) / loopPods, rssMb: loop.rssMb };
  add('run', `shell loop of kubectl exec (${loopPods} pods, x${pods / loopPods})`, loop1000);
  rows[rows.length - 2]!.vs = `${rows[rows.length - 2]!.vs}; kubectl loop ${fmt(loop1000.ms)}`;
  server.execHandler = () => ({});
  const serial = await measure(
    [LAUNCHER, 'run', '--kubeconfig', kc, '--phase', 'pre', '--yes', '--parallel', '1', '-o', 'json'],
    3,
    env,
    1,
  );
  const startupOnly = await measure([LAUNCHER, 'run', '--kubeconfig', kc, '--phase', 'pre', '--yes', '-l', 'none=none'], 3, env, 1);
  const perHook = (serial.ms - startupOnly.ms) / pods;
  add('run', '1000 pods x 0 ms hook, --parallel 1', serial);
  rows.push({
    section: 'run',
    what: 'per-hook overhead (0 ms hook, --parallel 1, start-up and listing subtracted)',
    ms: perHook,
    rssMb: null,
    target: '< 5 ms',
  });
  process.stderr.write(`run: per-hook overhead ${perHook.toFixed(2)} ms\n`);
  await server.stop();
}

const sections: Record<string, () => Promise<void>> = {
  startup,
  list: () => listSection(process.env.BENCH_LIST_SIZES?.split(',').map(Number)),
  run: running,
  'cluster-list': () => clusterListSection(),
};
const wanted = process.argv.slice(2).filter((a) => sections[a]);
for (const name of wanted.length ? wanted : ['startup', 'list', 'run']) await (sections[name] as () => Promise<void>)();

const line = (r: Row) =>
  `| ${r.section} | ${r.what} | ${r.what.startsWith('per-hook') || r.what.startsWith('linearity') ? `${r.ms.toFixed(2)} ms` : fmt(r.ms)} | ${r.rssMb ? `${r.rssMb.toFixed(0)} MB` : '-'} | ${r.ratio ? `${r.ratio.toFixed(2)}x ${r.vs}` : (r.vs ?? '-')} | ${r.target ?? '-'} |`;
const head = ['| section | what | median wall | peak RSS | ratio | target |', '|---|---|---|---|---|---|'];
process.stdout.write([...head, ...rows.map(line)].join('\n') + '\n');
// RESULTS.md keeps the newest figures per section: a partial run replaces only its sections.
const resultsFile = join(ROOT, 'bench', 'RESULTS.md');
const ran = new Set(rows.map((r) => r.section));
const kept =
  existsSync(resultsFile) && wanted.length
    ? readFileSync(resultsFile, 'utf8')
        .split('\n')
        .filter((l) => /^\| (start-up|run) \|/.test(l) && !ran.has(l.split('|')[1]?.trim() ?? ''))
    : [];
const order = ['start-up', 'run'];
// The list sections (bench/list.ts) write their own blocks, <!-- name:begin --> … <!-- name:end -->: kept as they are.
const blocks = existsSync(resultsFile)
  ? (readFileSync(resultsFile, 'utf8').match(/<!-- ([\w-]+):begin -->[\s\S]*?<!-- \1:end -->/g) ?? [])
  : [];
const all = [...kept, ...rows.map(line)].sort(
  (a, b) => order.indexOf(a.split('|')[1]?.trim() ?? '') - order.indexOf(b.split('|')[1]?.trim() ?? ''),
);
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
if (rows.length > 0)
  writeFileSync(
    resultsFile,
    `# Benchmark results\n\nNewest \`npm run bench\` figures per section (last written ${new Date().toISOString().slice(0, 10)}: ${[...ran].join(', ')}), ${machine}.\nMedians after a warm-up; peak RSS of the whole process (GNU time). What the profiles showed and what was\nchanged: [PROFILES.md](PROFILES.md).\n\n${[...head, ...all].join('\n')}\n${blocks.map((b) => `\n${b}\n`).join('')}`,
  );
