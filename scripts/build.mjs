// Bundles the CLI into dist/kubectl-ark_hooks.cjs: one file, so start-up stays fast. The cluster
// client is reached only through dynamic import(), which esbuild turns into a lazily evaluated
// module: --help, --version and -f runs never initialise @kubernetes/client-node.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
let commit = process.env.ARK_HOOKS_COMMIT ?? 'unknown';
if (!process.env.ARK_HOOKS_COMMIT) {
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    // not a git checkout
  }
}

await build({
  entryPoints: [new URL('../cmd/kubectl-ark_hooks.ts', import.meta.url).pathname],
  outfile: new URL('../dist/kubectl-ark_hooks.cjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  minify: true,
  legalComments: 'external',
  banner: { js: '#!/usr/bin/env node' },
  define: {
    __ARK_HOOKS_VERSION__: JSON.stringify(`v${pkg.version}`),
    __ARK_HOOKS_COMMIT__: JSON.stringify(commit),
  },
  logLevel: 'warning',
});
