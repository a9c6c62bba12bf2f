// `npm run bench -- startup`: how long a command takes before it does anything, against `node -e 0`
// (the floor: Node.js itself) and `kubectl version --client`. Min / median / max of 15 runs after two
// warm-up runs (the warm-up also fills V8's compile cache, as any earlier run on a machine would).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from './exec.ts';
import { median, row, sample } from './exec.ts';

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
  const floor = await s([NODE, '-e', '0']);
  report(row('start-up', 'node -e 0 (the floor)', floor));
  const kubectl = await s(['kubectl', 'version', '--client']);
  report(row('start-up', 'kubectl version --client', kubectl));
  const base = { name: 'node -e 0', ms: median(floor.ms) };
  report(row('start-up', 'bundle --version', await s([NODE, BUNDLE, '--version']), base, '<= 1.3x'));
  report(row('start-up', 'bundle --help', await s([NODE, BUNDLE, '--help']), base, '<= 1.3x'));
  const examples = join(ROOT, 'examples');
  report(row('start-up', 'bundle list -f examples/', await s([NODE, BUNDLE, 'list', '-f', examples]), base, '<= 2x'));
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
  report(row('start-up', 'standalone --version', await s([sea, '--version']), k, '< 1x'));
  report(row('start-up', 'standalone --help', await s([sea, '--help']), k));
}
