// Trust boundary "inputs": every input has a bound and a one-line error instead of growing without
// limit or crashing: device files and endless stdin for -f and --backup-file, a kubeconfig alias
// bomb, a 130,000-pod List file. And fidelity: YAML merge keys in -f resolve as kubectl's decoder
// (sigs.k8s.io/yaml, yaml.v2 semantics) resolves them. Through the built CLI.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arkHooks, baseEnv, ROOT } from '../support/cli.ts';
import { recordInputs } from '../support/reliability-log.ts';

const V = 'hook.backup.velero.io';
const tmp = () => mkdtempSync(join(tmpdir(), 'bounds-'));
const LIMIT = { timeoutMs: 120_000 };

test('-f /dev/zero and /dev/urandom: refused as binary, in one line, without reading forever', async (t) => {
  for (const dev of ['/dev/zero', '/dev/urandom']) {
    const r = await arkHooks(['validate', '-f', dev], LIMIT);
    t.is(r.signal, null, `${dev} ended by itself`);
    t.is(r.code, 1);
    t.regex(r.stdout, new RegExp(`error: ${dev}: binary data`));
  }
  recordInputs(2, 'device files');
});

test('--backup-file /dev/zero: one-line error', async (t) => {
  const dir = tmp();
  writeFileSync(join(dir, 'p.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c}]}\n');
  const r = await arkHooks(['list', '-f', join(dir, 'p.yaml'), '--backup-file', '/dev/zero'], LIMIT);
  t.is(r.signal, null);
  t.is(r.code, 1);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /--backup-file .*\/dev\/zero.*binary data/);
  recordInputs(1, 'backup-file device');
});

test('endless stdin for -f -: stopped at the size limit with one line', async (t) => {
  const child = spawn('kubectl', ['ark-hooks', 'list', '-f', '-'], { env: baseEnv(), cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const line = Buffer.from('# an endless comment line, as from `yes`\n'.repeat(1000));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.on('error', () => undefined);
  let open = true;
  const pump = () => {
    while (open && child.stdin.write(line));
    if (open) child.stdin.once('drain', pump);
  };
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  pump();
  const r = await done;
  open = false;
  clearTimeout(timer);
  t.is(r.signal, null);
  t.is(r.code, 1);
  t.is(stderr.trim().split('\n').length, 1, stderr);
  t.regex(stderr, /stdin .*more than \d+ MiB/);
  recordInputs(1, 'endless stdin');
});

test('a kubeconfig alias bomb is refused quickly, in one line', async (t) => {
  const dir = tmp();
  let y = 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]\n';
  for (let i = 1; i <= 9; i++)
    y += `a${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(',')}]\n`;
  y += 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1", extensions: *a9}}]\n';
  writeFileSync(join(dir, 'config'), y);
  const r = await arkHooks(['list', '--kubeconfig', join(dir, 'config')], LIMIT);
  t.is(r.signal, null);
  t.is(r.code, 1);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /kubeconfig .* expands to more than/);
  recordInputs(1, 'kubeconfig alias bomb');
});

test('a List file with 130,000 pods is read', async (t) => {
  const dir = tmp();
  const items = [];
  for (let i = 0; i < 130_000; i++)
    items.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: 'big' }, spec: { containers: [{ name: 'c' }] } });
  (items[7] as { metadata: Record<string, unknown> }).metadata.annotations = { [`pre.${V}/command`]: '["/bin/sync"]' };
  writeFileSync(join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const r = await arkHooks(['list', '-f', join(dir, 'list.json'), '-o', 'json'], LIMIT);
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.is(report.summary.podsSeen, 130_000);
  t.deepEqual(
    report.pods.map((p: { name: string }) => p.name),
    ['p-7'],
  );
  recordInputs(1, '130k-pod List');
});

test('YAML merge keys in -f resolve as kubectl does (yaml.v2 order: later keys win, earlier list entries win)', async (t) => {
  const dir = tmp();
  writeFileSync(
    join(dir, 'pod.yaml'),
    [
      'x-hooks: &hooks',
      `  pre.${V}/command: '["/sbin/fsfreeze","--freeze","/data"]'`,
      `  pre.${V}/container: fsfreeze`,
      `  pre.${V}/timeout: 2m`,
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: db-0',
      '  namespace: shop',
      '  annotations:',
      `    pre.${V}/timeout: 5m`,
      '    <<: *hooks',
      `    post.${V}/command: '["/sbin/fsfreeze","--unfreeze","/data"]'`,
      '    <<: [{"extra": "first"}, {"extra": "second"}]',
      'spec:',
      '  containers: [{name: db}, {name: fsfreeze}]',
      '',
    ].join('\n'),
  );
  const r = await arkHooks(['list', '-f', join(dir, 'pod.yaml'), '-o', 'json'], LIMIT);
  t.is(r.code, 0, r.stderr);
  const pod = JSON.parse(r.stdout).pods[0];
  const pre = pod.hooks.find((h: { phase: string }) => h.phase === 'pre');
  t.deepEqual(pre.command, ['/sbin/fsfreeze', '--freeze', '/data']);
  t.is(pre.container, 'fsfreeze');
  t.is(pre.timeout, '2m0s', 'the merge comes after "5m", so yaml.v2 lets it win');
  t.truthy(pod.hooks.find((h: { phase: string }) => h.phase === 'post'));
  const v = await arkHooks(['validate', '-f', join(dir, 'pod.yaml')], LIMIT);
  t.is(v.code, 0, v.stdout + v.stderr);
  recordInputs(1, 'YAML merge keys');
});
