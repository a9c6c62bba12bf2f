// npm run bench: start-up, listing at cluster scale, and running hooks across many pods, each
// measured side by side with its baseline in the same run (medians after a warm-up; wall time and
// peak RSS of the whole process from GNU time). Prints a table and writes bench/RESULTS.md.
// Nothing here asserts a timing: the figures are for people to read.
//
//   npm run bench                 everything
//   npm run bench -- startup      one section (startup, list, run, cluster-list, cluster-run); `npm run bench`
//                                 runs all but the cluster ones (they start a real control plane: run them alone)

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './exec.ts';
import { COMMIT, clusterRunSection, runSection } from './exec.ts';
import { clusterListSection, listSection } from './list.ts';
import { startupSection } from './startup.ts';

const ROOT = new URL('..', import.meta.url).pathname;
type Row = BenchRow;
const rows: Row[] = [];
/** Rows from bench/exec.ts and bench/startup.ts, printed as they come like the others. */
const report = (r: Row) => {
  rows.push(r);
  const range = r.min !== undefined && r.max !== undefined ? ` (${show(r, r.min)}-${show(r, r.max)})` : '';
  process.stderr.write(
    `${r.section}: ${r.what}: ${show(r, r.ms)}${range}${r.rssMb ? `, ${r.rssMb.toFixed(0)} MB` : ''}${r.ratio ? `, ${r.ratio.toFixed(2)}x ${r.vs}` : r.vs ? `, ${r.vs}` : ''}\n`,
  );
};
const fmt = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);
const show = (r: Row, n: number) => (r.perItem || r.what.startsWith('linearity') ? `${n.toFixed(2)} ms` : fmt(n));

const sections: Record<string, () => Promise<void>> = {
  startup: () => startupSection(report),
  list: () => listSection(process.env.BENCH_LIST_SIZES?.split(',').map(Number)),
  run: () => runSection(report),
  'cluster-list': () => clusterListSection(),
  'cluster-run': () => clusterRunSection(report),
};
const wanted = process.argv.slice(2).filter((a) => sections[a]);
const loadAtStart = loadavg()[0] ?? 0;
for (const name of wanted.length ? wanted : Object.keys(sections).filter((k) => !k.startsWith('cluster-')))
  await (sections[name] as () => Promise<void>)();

// Each row says what was measured when: the commit ("+changes": with uncommitted changes), the date
// and the 1-minute load average at the start and at the end of the run (a shared machine).
const measured = `${COMMIT}, ${new Date().toISOString().slice(0, 10)}, load ${loadAtStart.toFixed(1)} → ${loadavg()[0]?.toFixed(1)}`;
const line = (r: Row) =>
  `| ${r.section} | ${r.what} | ${show(r, r.ms)} | ${r.min !== undefined && r.max !== undefined ? `${show(r, r.min)} - ${show(r, r.max)}` : '-'} | ${r.rssMb ? `${r.rssMb.toFixed(0)} MB` : '-'} | ${r.ratio ? `${r.ratio.toFixed(2)}x ${r.vs}` : (r.vs ?? '-')} | ${r.target ?? '-'} | ${measured} |`;
const head = [
  '| section | what | median | min - max | peak RSS (median) | ratio | target | measured (commit, date, load at start → end) |',
  '|---|---|---|---|---|---|---|---|',
];
process.stdout.write([...head, ...rows.map(line)].join('\n') + '\n');
// RESULTS.md keeps the newest figures per section: a partial run replaces only its sections.
const resultsFile = join(ROOT, 'bench', 'RESULTS.md');
const ran = new Set(rows.map((r) => r.section));
const kept =
  existsSync(resultsFile) && wanted.length
    ? readFileSync(resultsFile, 'utf8')
        .split('\n')
        .filter((l) => /^\| (start-up|run|cluster-run) \|/.test(l) && !ran.has(l.split('|')[1]?.trim() ?? ''))
    : [];
const order = ['start-up', 'run', 'cluster-run'];
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
