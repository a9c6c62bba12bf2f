// Builds dist/: kubectl-ark_hooks.cjs (a tiny entry that answers --version), cli.cjs (the commands),
// kube.cjs (cluster access with @kubernetes/client-node) and yaml.cjs (annotate --local's round trip). Each part is loaded only when needed,
// with a V8 code cache (below), so --version, --help and -f runs never load the client. In a single
// executable (scripts/dist.ts) cli.cjs and kube.cjs are assets of the executable instead of files.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { clipanionPatch } from './clipanion-patch.ts';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
let commit = process.env.ARK_HOOKS_COMMIT ?? 'unknown';
if (!process.env.ARK_HOOKS_COMMIT) {
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
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

// Lazily loaded parts: the CLI (dist/cli.cjs) and cluster access (dist/kube.cjs). Each is a file next
// to the entry, or an asset of a single executable, and is compiled with a V8 code cache.
// (Node's module compile cache, module.enableCompileCache, was enabled here too; no part is loaded
// through require, so it cached nothing and only cost a mkdir per run.)
const lazyRuntime = (asset) => `
const path = require('node:path');
let sea = null;
try { sea = require('node:sea'); } catch {}
if (sea && sea.isSea()) {
  const vm = require('node:vm');
  const src = sea.getAsset('${asset}', 'utf8');
  const m = { exports: {} };
  vm.compileFunction(src, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: '${asset}' })(m.exports, require, m, '${asset}', '.');
  module.exports = m.exports;
} else {
  module.exports = loadWithCodeCache(path.join(__dirname, '${asset}'));
}
// Node's compile cache is written right after compiling, so it lacks every function V8 compiles
// lazily while the command runs (most of them): here the code cache is written after the first run
// instead, into the user's cache folder, keyed by the file's size and time and the Node.js version
// (V8 rejects a cache that does not fit, and a new one is written). About 17 ms less for list -f.
function loadWithCodeCache(file) {
  const fs = require('node:fs');
  const vm = require('node:vm');
  const src = fs.readFileSync(file, 'utf8');
  let cacheFile = null;
  let cachedData;
  try {
    const st = fs.statSync(file);
    // $HOME is what os.homedir() answers first; node:os is loaded only without it.
    const home = process.env.XDG_CACHE_HOME || path.join(process.env.HOME || require('node:os').homedir(), '.cache');
    cacheFile = path.join(home, 'kubectl-ark-hooks', 'code-cache', path.basename(file) + '-' + st.size + '-' + Math.floor(st.mtimeMs) + '-' + process.version + '-' + process.arch);
    cachedData = fs.readFileSync(cacheFile);
  } catch {}
  const script = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + src + '\\n})', { filename: file, cachedData });
  const m = { exports: {} };
  script.runInThisContext().call(m.exports, m.exports, require, m, file, path.dirname(file));
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
        const tmp = cacheFile + '.' + process.pid;
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
      } catch {}
    });
  }
  return m.exports;
}
`;

/** Turns `import(spec)` from a file ending in `importer` into a lazy load of dist/<asset>. */
const lazy = (name, spec, importer, asset) => ({
  name,
  setup(b) {
    b.onResolve({ filter: new RegExp('^' + spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + '$') }, (args) =>
      args.importer.endsWith(importer) ? { path: asset, namespace: name } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: name }, () => ({ contents: lazyRuntime(asset), loader: 'js' }));
  },
});
const lazyKube = lazy('lazy-kube', './kube/index.ts', 'kube-loader.ts', 'kube.cjs');
const lazyCli = lazy('lazy-cli', '../src/entry.ts', 'kubectl-ark_hooks.ts', 'cli.cjs');
const lazyYaml = lazy('lazy-yaml', './roundtrip.ts', 'roundtrip-loader.ts', 'yaml.cjs');

/** Builds the three parts into `out` (dist/ by default; `npm run dist` uses a folder of its own). */
export async function buildAll(out = `${root}dist`) {
  await Promise.all([
    build({ ...common, entryPoints: [`${root}src/entry.ts`], outfile: `${out}/cli.cjs`, plugins: [lazyKube, lazyYaml, clipanionPatch] }),
    build({ ...common, entryPoints: [`${root}src/kube/index.ts`], outfile: `${out}/kube.cjs` }),
    // annotate --local's round-trip YAML editing (the `yaml` library), loaded only there.
    build({ ...common, entryPoints: [`${root}src/manifests/roundtrip.ts`], outfile: `${out}/yaml.cjs` }),
  ]);
  // The command overview (`kubectl ark-hooks --help`) is the same on every run: render it once
  // here, so that the entry prints it without loading the commands.
  const overview = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(`${out}/cli.cjs`)}).runFromProcess(['--help'])`], {
    env: { ...process.env, NO_COLOR: '1' },
  }).toString();
  await build({
    ...common,
    define: { ...common.define, __ARK_HOOKS_OVERVIEW__: JSON.stringify(overview) },
    entryPoints: [`${root}cmd/kubectl-ark_hooks.ts`],
    outfile: `${out}/kubectl-ark_hooks.cjs`,
    banner: { js: '#!/usr/bin/env node' },
    plugins: [lazyCli],
  });
}

if (process.argv[1] === new URL(import.meta.url).pathname) await buildAll();
