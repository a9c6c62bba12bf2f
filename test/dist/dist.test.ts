// The krew release: standalone executables per platform, archives, the generated plugin.yaml
// (checked by krew's own validate-krew-manifest too), real krew installs, the arm64 build under
// qemu, the macOS ad-hoc signatures checked structurally, and reproducibility: two more builds, at
// once, into other folders with an empty cache, give the same bytes.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { verifySignature } from '../../scripts/macho.ts';
import { validateManifest } from '../../scripts/krew-manifest.ts';
import { archiveName, binName, manifest, RELEASE_DIR, sha256, TARGETS, TEMPLATE } from '../../scripts/dist.ts';
import { startApiServer } from '../support/apiserver.ts';
import { ROOT, run } from '../support/cli.ts';
import { krewBinary, qemuAarch64, unavailable, validateKrewManifestBinary } from '../support/tools.ts';

const manifestFile = join(RELEASE_DIR, 'plugin.yaml');
const archive = (id: string) => join(RELEASE_DIR, archiveName(TARGETS.find((t) => t.id === id) as (typeof TARGETS)[number]));

function extract(id: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ark-${id}-`));
  if (id.startsWith('windows')) execFileSync('unzip', ['-q', archive(id), '-d', dir]);
  else execFileSync('tar', ['-xzf', archive(id), '-C', dir]);
  return dir;
}

/** A PATH with kubectl and nothing else: no Node.js. */
function kubectlOnlyPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-only-'));
  symlinkSync(execFileSync('sh', ['-c', 'command -v kubectl']).toString().trim(), join(dir, 'kubectl'));
  return dir;
}

/** `node scripts/dist.ts ARGS`, what npm run dist runs. */
function dist(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/dist.ts', ...args], {
      cwd: ROOT,
      // The user's environment (npm needs its proxy and CA settings), without Node options or a
      // commit override that would change what is built.
      env: { ...process.env, NODE_OPTIONS: undefined, ARK_HOOKS_COMMIT: undefined, SOURCE_DATE_EPOCH: undefined, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** What a build could leave behind in the repository: changes to plugin.yaml and new files. (Edits
 * to other files are left out so that a developer's editing during the run cannot fail the test.) */
const gitStatus = () =>
  execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('??') || / plugin\.yaml$/.test(l))
    .join('\n');
let statusBefore = '';
let statusAfter = '';
let buildLog = '';

test.before(async () => {
  statusBefore = gitStatus();
  // npm run dist, for every target (4 minutes on the 2-core machine shared with other builds).
  const r = await dist([]);
  if (r.code !== 0) throw new Error(`npm run dist failed: ${r.stderr}`);
  statusAfter = gitStatus();
  buildLog = r.stderr;
});

test('the release leaves the work tree as it was: the committed plugin.yaml is a template', (t) => {
  t.is(statusAfter, statusBefore);
  t.log(buildLog.trimEnd());
  t.notRegex(readFileSync(TEMPLATE, 'utf8'), /^\s*sha256:/m);
});

test('the generated plugin.yaml follows the krew and krew-index rules and matches the archives', (t) => {
  const text = readFileSync(manifestFile, 'utf8');
  const m = load(text) as {
    spec: {
      platforms: { selector: { matchLabels: { os: string; arch: string } }; sha256: string; uri: string; bin: string }[];
      version: string;
    };
  };
  t.deepEqual(validateManifest(m), []);
  t.is(m.spec.platforms.length, 5);
  for (const p of m.spec.platforms) {
    const target = TARGETS.find((x) => x.os === p.selector.matchLabels.os && x.arch === p.selector.matchLabels.arch);
    t.truthy(target);
    if (!target) continue;
    t.is(p.sha256, sha256(archive(target.id)));
    t.is(readFileSync(`${archive(target.id)}.sha256`, 'utf8'), `${p.sha256}  ${archiveName(target)}\n`);
    t.true(p.uri.endsWith(`/releases/download/${m.spec.version}/${archiveName(target)}`));
    t.is(p.bin, binName(target));
  }
  t.is(
    text,
    manifest(
      readFileSync(TEMPLATE, 'utf8'),
      new Map(m.spec.platforms.map((p) => [`${p.selector.matchLabels.os}-${p.selector.matchLabels.arch}`, p.sha256])),
    ),
  );
});

const validator = validateKrewManifestBinary();
(unavailable(validator) ? test.skip : test)(
  "krew's own validate-krew-manifest accepts the generated plugin.yaml and rejects a broken one",
  (t) => {
    if ('skip' in validator) return t.fail(validator.skip);
    // krew-index names the file after the plugin. -skip-install: the uris are not published yet; the
    // install that the validator would do (and its LICENSE check) is the krew test below, per platform.
    const file = join(mkdtempSync(join(tmpdir(), 'krew-validate-')), 'ark-hooks.yaml');
    copyFileSync(manifestFile, file);
    const ok = spawnSync(validator.path, ['-manifest', file, '-skip-install'], { encoding: 'utf8' });
    t.is(ok.status, 0, ok.stderr);
    t.regex(ok.stderr, /structural validation OK/);
    t.regex(ok.stderr, /no overlapping spec\.platform\[\]\.selector/);
    writeFileSync(file, readFileSync(manifestFile, 'utf8').replace(/^ {2}version: .*$/m, '  version: 0.1'));
    const bad = spawnSync(validator.path, ['-manifest', file, '-skip-install'], { encoding: 'utf8' });
    t.not(bad.status, 0);
    t.regex(bad.stderr, /failed to parse plugin version/);
  },
);

test('two more builds at once, into other folders and with an empty cache, both succeed and give the same bytes', async (t) => {
  t.timeout(25 * 60_000); // four target builds on a machine shared with other builds
  // Both download linux-amd64's Node into the same empty cache at the same moment; between them
  // they also rebuild the macOS (Mach-O signature) and Windows (zip) archives.
  const tmp = mkdtempSync(join(tmpdir(), 'ark-dist-twice-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true })); // about 700 MB: archives, Node packages
  const env = { ARK_HOOKS_CACHE: join(tmp, 'cache') };
  const [a, b] = await Promise.all([
    dist(['--targets=linux-amd64,darwin-arm64', `--out=${join(tmp, 'a')}`], env),
    dist(['--targets=linux-amd64,windows-amd64', `--out=${join(tmp, 'b')}`], env),
  ]);
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  const compared: string[] = [];
  for (const out of ['a', 'b']) {
    for (const id of out === 'a' ? ['linux-amd64', 'darwin-arm64'] : ['linux-amd64', 'windows-amd64']) {
      const name = archiveName(TARGETS.find((x) => x.id === id) as (typeof TARGETS)[number]);
      const again = join(tmp, out, name);
      t.true(readFileSync(again).equals(readFileSync(archive(id))), `${out}/${name} is byte-identical to the first build's`);
      t.is(readFileSync(`${again}.sha256`, 'utf8'), readFileSync(`${archive(id)}.sha256`, 'utf8'));
      compared.push(`${out}/${name}`);
    }
  }
  t.log(`byte-identical: ${compared.join(', ')}`);
  t.deepEqual(
    readdirSync(join(tmp, 'cache', 'node-26.10.0')).filter((f) => f.startsWith('.')),
    [],
    'no temporary downloads or folders are left in the cache',
  );
});

test('the validator rejects what krew-index rejects', (t) => {
  const good = load(readFileSync(manifestFile, 'utf8')) as { spec: Record<string, unknown> & { platforms: Record<string, unknown>[] } };
  const bad = structuredClone(good);
  bad.spec.shortDescription = 'A kubectl plugin to validate and run backup hooks of Velero';
  (bad.spec.platforms[0] as Record<string, unknown>).sha256 = 'ABC';
  bad.spec.platforms.push(structuredClone(bad.spec.platforms[1] as Record<string, unknown>));
  const problems = validateManifest(bad).join('\n');
  t.regex(problems, /at most 50/);
  t.regex(problems, /must not say "plugin" or "kubectl"/);
  t.regex(problems, /64 lower-case hex/);
  t.regex(problems, /overlaps/);
});

test('archives hold only regular files: the executable (0755), the completion helper and LICENSE, owned by 0:0 and dated at the commit', (t) => {
  const date = execFileSync('git', ['log', '-1', '--format=%cd', '--date=format-local:%Y-%m-%d %H:%M', 'HEAD'], {
    cwd: ROOT,
    env: { ...process.env, TZ: 'UTC' },
    encoding: 'utf8',
  }).trim();
  for (const target of TARGETS) {
    const dir = extract(target.id);
    const names = readdirSync(dir).sort();
    t.deepEqual(
      names,
      [binName(target), 'LICENSE', target.os === 'windows' ? 'kubectl_complete-ark_hooks.cmd' : 'kubectl_complete-ark_hooks'].sort(),
      target.id,
    );
    for (const n of names) t.true(statSync(join(dir, n)).isFile());
    if (target.os !== 'windows') {
      const listing = execFileSync('tar', ['--utc', '--numeric-owner', '-tvzf', archive(target.id)]).toString();
      t.regex(listing, /^-rwxr-xr-x \S+\s+\d+ \S+ \S+ kubectl-ark_hooks$/m);
      t.notRegex(listing, /^[lhd]/m, 'no links or directories');
      const lines = listing.trimEnd().split('\n');
      t.deepEqual(
        lines.map((l) => l.split(/\s+/).pop()),
        ['LICENSE', 'kubectl-ark_hooks', 'kubectl_complete-ark_hooks'],
        'sorted',
      );
      for (const l of lines) t.true(l.includes(` 0/0 `) && l.includes(` ${date} `), l);
      t.is(readFileSync(archive(target.id)).readUInt32LE(4), 0, 'no time in the gzip header');
    }
    t.is(readFileSync(join(dir, 'LICENSE'), 'utf8'), readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
  }
});

test('macOS executables carry a valid ad-hoc signature; the Windows one is a PE with the SEA fuse flipped', (t) => {
  for (const id of ['darwin-amd64', 'darwin-arm64']) {
    const exe = readFileSync(join(extract(id), 'kubectl-ark_hooks'));
    const check = verifySignature(exe);
    t.deepEqual(check.problems, [], id);
    t.is(check.identifier, 'kubectl-ark_hooks');
    t.true(exe.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'), `${id}: the SEA fuse is flipped`);
  }
  const exe = readFileSync(join(extract('windows-amd64'), 'kubectl-ark_hooks.exe'));
  t.is(exe.toString('latin1', 0, 2), 'MZ');
  t.is(exe.toString('latin1', exe.readUInt32LE(0x3c), exe.readUInt32LE(0x3c) + 4), 'PE\0\0');
  t.true(exe.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'));
});

const krew = krewBinary();
(unavailable(krew) ? test.skip : test)('krew installs every archive with its LICENSE (as validate-krew-manifest would)', (t) => {
  if ('skip' in krew) return t.fail(krew.skip);
  const manifest = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'ark-hooks.yaml');
  writeFileSync(manifest, readFileSync(manifestFile));
  for (const target of TARGETS) {
    const krewRoot = mkdtempSync(join(tmpdir(), 'krew-root-'));
    const env = { PATH: process.env.PATH, HOME: krewRoot, KREW_ROOT: krewRoot, KREW_OS: target.os, KREW_ARCH: target.arch };
    const install = spawnSync(krew.path, ['install', `--manifest=${manifest}`, `--archive=${archive(target.id)}`], {
      env,
      encoding: 'utf8',
    });
    t.is(install.status, 0, `${target.id}: ${install.stderr}`);
    const store = join(krewRoot, 'store', 'ark-hooks', readFileSync(manifestFile, 'utf8').match(/^ {2}version: (\S+)$/m)?.[1] ?? '?');
    t.true(existsSync(join(store, 'LICENSE')), `${target.id}: LICENSE installed`);
    t.true(statSync(join(store, binName(target))).isFile(), `${target.id}: ${binName(target)} installed`);
    t.regex(install.stderr + install.stdout, /Caveats:[\s\S]*pods\/exec/, `${target.id}: krew shows the caveats`);
  }
});

(unavailable(krew) ? test.skip : test)('krew installs the linux-amd64 archive, and kubectl ark-hooks runs with no Node.js on PATH', (t) => {
  if ('skip' in krew) return t.fail(krew.skip);
  const krewRoot = mkdtempSync(join(tmpdir(), 'krew-root-'));
  const tools = kubectlOnlyPath();
  symlinkSync(krew.path, join(tools, 'kubectl-krew'));
  const manifest = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'ark-hooks.yaml');
  writeFileSync(manifest, readFileSync(manifestFile));
  const env = { PATH: `${join(krewRoot, 'bin')}:${tools}`, HOME: krewRoot, KREW_ROOT: krewRoot, KREW_OS: 'linux', KREW_ARCH: 'amd64' };
  const install = spawnSync('kubectl', ['krew', 'install', `--manifest=${manifest}`, `--archive=${archive('linux-amd64')}`], {
    env,
    encoding: 'utf8',
  });
  t.is(install.status, 0, install.stderr);
  t.regex(install.stdout + install.stderr, /Installed plugin: ark-hooks/);
  t.throws(() => execFileSync('sh', ['-c', 'command -v node'], { env }), undefined, 'no node on this PATH');
  const listed = execFileSync('kubectl', ['ark-hooks', 'list', '-f', join(ROOT, 'examples')], { env, encoding: 'utf8' });
  t.regex(listed, /^NAMESPACE\s+POD\s+PHASE/);
  t.regex(listed, /mysql-0\s+pre\s+velero annotation\s+fsfreeze/);
  const plugins = execFileSync('kubectl', ['plugin', 'list', '--name-only'], { env, encoding: 'utf8' });
  t.regex(plugins, /^kubectl-ark_hooks$/m);
});

test('the standalone executable talks to a cluster (client loaded from its kube.cjs asset) and completes', async (t) => {
  const dir = extract('linux-amd64');
  const server = await startApiServer();
  try {
    server.addPod('default', 'db-0', { annotations: { 'pre.hook.backup.velero.io/command': '["/bin/true"]' } });
    const r = await run(join(dir, 'kubectl-ark_hooks'), ['list', '--kubeconfig', server.writeKubeconfig(), '-o', 'json'], {
      env: { PATH: kubectlOnlyPath() },
    });
    t.is(r.code, 0, r.stderr);
    t.deepEqual(
      JSON.parse(r.stdout).pods.map((p: { name: string }) => p.name),
      ['db-0'],
    );
    const env = { PATH: `${dir}:${kubectlOnlyPath()}`, KUBECONFIG: server.writeKubeconfig() };
    const sub = await run('kubectl', ['__complete', 'ark-hooks', ''], { env });
    t.regex(sub.stdout, /^list$/m, sub.stderr);
    t.regex(sub.stdout, /^wrap$/m);
    const phase = await run('kubectl', ['__complete', 'ark-hooks', 'run', '--phase', ''], { env });
    t.regex(phase.stdout, /^pre\npost\n/);
    const ns = await run('kubectl', ['__complete', 'ark-hooks', 'list', '-n', ''], { env });
    t.regex(ns.stdout, /^default$/m);
    const pods = await run('kubectl', ['__complete', 'ark-hooks', 'annotate', ''], { env });
    t.regex(pods.stdout, /^db-0$/m);
  } finally {
    await server.stop();
  }
});

test('the standalone executable wraps a command: its guardian (__guard) starts from the executable itself, and post runs', async (t) => {
  // wrap starts COMMAND through a second copy of the program; in a single executable that copy is the
  // executable (no script path), which only this test runs.
  const dir = extract('linux-amd64');
  const server = await startApiServer();
  try {
    server.addPod('default', 'db-0', {
      annotations: { 'pre.hook.backup.velero.io/command': '["freeze"]', 'post.hook.backup.velero.io/command': '["thaw"]' },
    });
    const marker = join(mkdtempSync(join(tmpdir(), 'sea-wrap-')), 'ran');
    const r = await run(
      join(dir, 'kubectl-ark_hooks'),
      ['wrap', '--kubeconfig', server.writeKubeconfig(), '--yes', '--', 'touch', marker],
      { env: { PATH: kubectlOnlyPath() + ':/usr/bin:/bin' } },
    );
    t.is(r.code, 0, r.stderr);
    t.true(existsSync(marker), 'COMMAND ran');
    t.deepEqual(
      server.execs.map((e) => e.command[0]),
      ['freeze', 'thaw'],
    );
  } finally {
    await server.stop();
  }
});

test('a user NODE_OPTIONS cannot leak into the executable', async (t) => {
  const dir = extract('linux-amd64');
  const r = await run(join(dir, 'kubectl-ark_hooks'), ['--version'], { env: { NODE_OPTIONS: '--require /nonexistent/evil.js' } });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^kubectl-ark_hooks v\d/);
});

const q = qemuAarch64();
(unavailable(q) ? test.skip : test)('the linux-arm64 executable starts under qemu-user', (t) => {
  if ('skip' in q) return t.fail(q.skip);
  const dir = extract('linux-arm64');
  const exe = join(dir, 'kubectl-ark_hooks');
  t.is(readFileSync(exe).readUInt16LE(18), 183, 'an ELF for EM_AARCH64');
  chmodSync(exe, 0o755);
  const out = execFileSync(q.path, ['-L', q.sysroot, exe, '--version'], { encoding: 'utf8', timeout: 120_000 });
  t.regex(out, /^kubectl-ark_hooks v\d+\.\d+\.\d+ \(commit \S+, node v26\.10\.0\)/);
});
