// Builds dist/: kubectl-ark_hooks.cjs (the CLI) and kube.cjs (cluster access with
// @kubernetes/client-node). The CLI loads kube.cjs only when a command needs a cluster, so --help,
// --version and -f runs start as fast as node itself. In a single executable (scripts/dist.mjs)
// kube.cjs is an asset of the executable instead of a file.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
let commit = process.env.ARK_HOOKS_COMMIT ?? 'unknown';
if (!process.env.ARK_HOOKS_COMMIT) {
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    // not a git checkout
  }
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  minify: true,
  legalComments: 'external',
  logLevel: 'warning',
  define: {
    __ARK_HOOKS_VERSION__: JSON.stringify(`v${pkg.version}`),
    __ARK_HOOKS_COMMIT__: JSON.stringify(commit),
  },
};

// The lazy entry: from src/kube-loader.ts, `import('./kube/index.ts')` becomes this module.
const KUBE_RUNTIME = `
const path = require('node:path');
// kube.cjs is 2 MB: V8's compile cache (in the OS temp directory) saves most of its load time.
try { require('node:module').enableCompileCache?.(); } catch {}
let sea = null;
try { sea = require('node:sea'); } catch {}
if (sea && sea.isSea()) {
  const vm = require('node:vm');
  const src = sea.getAsset('kube.cjs', 'utf8');
  const m = { exports: {} };
  vm.compileFunction(src, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: 'kube.cjs' })(m.exports, require, m, 'kube.cjs', '.');
  module.exports = m.exports;
} else {
  module.exports = require(path.join(__dirname, 'kube.cjs'));
}
`;

const lazyKube = {
  name: 'lazy-kube',
  setup(b) {
    b.onResolve({ filter: /^\.\/kube\/index\.ts$/ }, (args) => (args.importer.endsWith('kube-loader.ts') ? { path: 'kube-runtime', namespace: 'lazy-kube' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-kube' }, () => ({ contents: KUBE_RUNTIME, loader: 'js' }));
  },
};

export async function buildAll() {
  await Promise.all([
    build({ ...common, entryPoints: [`${root}cmd/kubectl-ark_hooks.ts`], outfile: `${root}dist/kubectl-ark_hooks.cjs`, banner: { js: '#!/usr/bin/env node' }, plugins: [lazyKube] }),
    build({ ...common, entryPoints: [`${root}src/kube/index.ts`], outfile: `${root}dist/kube.cjs` }),
  ]);
}

if (process.argv[1] === new URL(import.meta.url).pathname) await buildAll();
