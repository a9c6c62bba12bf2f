// `npm run bench -- startup`: how long a command takes before it does anything, against `node -e 0`
// (the floor: Node.js itself) and `kubectl version --client`. Min / median / max of 30 runs (the
// floor and the bundle in turns) or 15 (the others) after two warm-up runs (the warm-up also writes
// the code cache of dist/cli.cjs, as any earlier run on a machine would).
//
//   BENCH_COMPARE=/path/to/other/checkout npm run bench -- startup
//     also measures that checkout's bundle (--version, list -f) in the same turns.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report, Samples } from './exec.ts';
import { commitOf, interleaved, median, row, sample } from './exec.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = process.execPath;
const BUNDLE = join(ROOT, 'dist', 'kubectl-ark_hooks.cjs');
const LAUNCHER = join(ROOT, 'bin', 'kubectl-ark_hooks');

function standaloneBinary(): string | null {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  const archive = join(ROOT, 'dist', 'release', `kubectl-ark_hooks_v${version}_linux_amd64.tar.gz`);
  if (!existsSync(archive)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-sea-'));
  execFileSync('tar', ['-xzf', archive, '-C', dir]);
  return join(dir, 'kubectl-ark_hooks');
}

export async function startupSection(report: Report): Promise<void> {
  const runs = 15;
  const s = (cmd: string[]) => sample(cmd, runs, process.env, 2);
  const examples = join(ROOT, 'examples');
  // The floor and the bundle's commands in turns (A B C … A B C …, 30 runs each), so that each sees
  // the same load of a shared machine: their ratios are what the goals are about. With BENCH_COMPARE
  // the other checkout's bundle takes its turns too ("before" rows for PROFILES.md).
  const other = process.env.BENCH_COMPARE;
  const otherBundle = other ? join(other, 'dist', 'kubectl-ark_hooks.cjs') : null;
  const before = other ? ` (before: ${process.env.BENCH_COMPARE_COMMIT ?? commitOf(other)})` : '';
  const turns = [
    [NODE, '-e', '0'],
    [NODE, BUNDLE, '--version'],
    [NODE, BUNDLE, '--help'],
    [NODE, BUNDLE, 'list', '-f', examples],
    ...(otherBundle
      ? [
          [NODE, otherBundle, '--version'],
          [NODE, otherBundle, 'list', '-f', examples],
        ]
      : []),
  ];
  const [floor, version, help, list, beforeVersion, beforeList] = await interleaved(
    turns.map((cmd) => ({ cmd })),
    2 * runs,
    2,
  );
  report(row('start-up', 'node -e 0 (the floor)', floor as Samples));
  const kubectl = await s(['kubectl', 'version', '--client']);
  report(row('start-up', 'kubectl version --client', kubectl));
  const base = { name: 'node -e 0', ms: median((floor as Samples).ms) };
  report(row('start-up', 'bundle --version', version as Samples, base, '<= 1.3x'));
  if (beforeVersion) report(row('start-up', `bundle --version${before}`, beforeVersion, base, '<= 1.3x'));
  report(row('start-up', 'bundle --help', help as Samples, base, '<= 1.3x'));
  report(row('start-up', 'bundle list -f examples/', list as Samples, base, '<= 2x'));
  if (beforeList) report(row('start-up', `bundle list -f examples/${before}`, beforeList, base, '<= 2x'));
  report(
    row(
      'start-up',
      'bin/kubectl-ark_hooks list -f examples/ (the launcher: sh, then node)',
      await s([LAUNCHER, 'list', '-f', examples]),
      base,
    ),
  );
  const sea = standaloneBinary();
  if (!sea) {
    process.stderr.write('start-up: no standalone executable (run npm run dist first); skipped\n');
    return;
  }
  const k = { name: 'kubectl version --client', ms: median(kubectl.ms) };
  try {
    report(row('start-up', 'standalone --version', await s([sea, '--version']), k, '< 1x'));
    report(row('start-up', 'standalone --help', await s([sea, '--help']), k));
  } finally {
    // The unpacked archive is ~150 MB: not left in the temporary folder.
    rmSync(dirname(sea), { recursive: true, force: true });
  }
}
