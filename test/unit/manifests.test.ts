import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podFromObject } from '../../src/hooks/workloads.ts';
import { InputRefused, loadManifests, parseManifestText, readTextBounded } from '../../src/manifests/load.ts';

const noStdin = () => Promise.reject(new Error('no stdin'));

test('multi-document YAML, JSON and List objects', (t) => {
  const r = parseManifestText(
    'kind: Pod\nmetadata: {name: a}\n---\n---\n{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"b"}}, 3]}\n',
    'f.yaml',
  );
  t.deepEqual(
    r.documents.map((d) => [d.object.metadata && (d.object.metadata as { name: string }).name, d.origin]),
    [
      ['a', 'f.yaml#1'],
      ['b', 'f.yaml#3[0]'],
    ],
  );
  t.is(r.findings.length, 1, 'the non-object list item is a finding');
});

test('broken files are findings with a line number; the other files are still read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-'));
  writeFileSync(join(dir, 'bad.yaml'), 'kind: Pod\nmetadata: {name: [\n');
  writeFileSync(join(dir, 'bin.yaml'), Buffer.from([0, 1, 2, 3]));
  writeFileSync(join(dir, 'good.yaml'), 'kind: Pod\nmetadata: {name: ok}\n');
  writeFileSync(join(dir, 'ignored.txt'), 'not read');
  mkdirSync(join(dir, 'sub'));
  symlinkSync(dir, join(dir, 'sub', 'loop'));
  const r = await loadManifests([dir], noStdin);
  t.deepEqual(
    r.documents.map((d) => (d.object.metadata as { name: string }).name),
    ['ok'],
  );
  t.is(r.files, 3);
  t.regex(r.findings.find((f) => f.object.endsWith('bad.yaml'))?.message ?? '', /not valid YAML or JSON at line \d+/);
  t.regex(r.findings.find((f) => f.object.endsWith('bin.yaml'))?.message ?? '', /binary/);
});

test('a path that does not exist is an error; stdin is read once', async (t) => {
  await t.throwsAsync(loadManifests(['/nonexistent/x.yaml'], noStdin), { message: /does not exist/ });
  const r = await loadManifests(['-', '-'], () => Promise.resolve('kind: Pod\nmetadata: {name: s}\n'));
  t.is(r.documents.length, 1);
});

test('pod templates of every workload kind', (t) => {
  const template = { metadata: { annotations: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } };
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']) {
    const p = podFromObject({ kind, metadata: { name: 'w' }, spec: { template } });
    t.deepEqual([p?.kind, p?.namespace, p?.annotations.a, p?.containers], [kind, 'default', 'b', ['c']]);
  }
  const cj = podFromObject({ kind: 'CronJob', metadata: { name: 'w', namespace: 'n' }, spec: { jobTemplate: { spec: { template } } } });
  t.deepEqual([cj?.namespace, cj?.annotations.a], ['n', 'b']);
  t.is(podFromObject({ kind: 'ConfigMap', metadata: { name: 'x' } }), null);
});

test('malformed pods give findings and keep the valid parts', (t) => {
  const p = podFromObject({
    kind: 'Pod',
    metadata: { name: 'x', annotations: { good: 'yes', bad: 5 }, labels: 'nope' },
    spec: { containers: 'x', initContainers: [{ name: 'proxy', restartPolicy: 'Always' }, { name: 'init' }] },
  });
  t.deepEqual(p?.annotations, { good: 'yes' });
  t.deepEqual(p?.containers, []);
  t.deepEqual(p?.sidecars, ['proxy']);
  t.deepEqual(p?.initContainers, ['init']);
  t.deepEqual(p?.findings.map((f) => f.code).sort(), ['invalid-field-type', 'no-containers', 'non-string-value']);
});

test('pods from the client library: Date timestamps and owner references', (t) => {
  const p = podFromObject({
    kind: 'Pod',
    metadata: {
      name: 'x',
      uid: 'u-1',
      deletionTimestamp: new Date('2026-01-02T03:04:05Z'),
      ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', controller: true }],
    },
    spec: { containers: [{ name: 'c' }] },
    status: { phase: 'Running', containerStatuses: [{ name: 'c', state: { running: {} } }] },
  });
  t.is(p?.deletionTimestamp, '2026-01-02T03:04:05.000Z');
  t.deepEqual(p?.owner, { kind: 'ReplicaSet', name: 'rs' });
  t.deepEqual(p?.containerRunning, { c: true });
  t.is(p?.uid, 'u-1');
});

test('readTextBounded: a regular file whole, with multi-byte text, empty, and one byte over the limit', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mf-read-'));
  const text = 'kind: Pod # é ü 日本\n'.repeat(5000);
  writeFileSync(join(dir, 'a.yaml'), text);
  t.is(readTextBounded(join(dir, 'a.yaml')), text);
  writeFileSync(join(dir, 'empty.yaml'), '');
  t.is(readTextBounded(join(dir, 'empty.yaml')), '');
  writeFileSync(join(dir, 'big.yaml'), 'x'.repeat(101));
  t.is(readTextBounded(join(dir, 'big.yaml'), 101), 'x'.repeat(101));
  t.throws(() => readTextBounded(join(dir, 'big.yaml'), 100), { instanceOf: InputRefused, message: /larger than/ });
  // Larger than one 1 MiB chunk: read in several, joined.
  const large = `${'y'.repeat(1024 * 1024 - 1)}é${'z'.repeat(300_000)}`;
  writeFileSync(join(dir, 'large.yaml'), large);
  t.is(readTextBounded(join(dir, 'large.yaml')), large);
});

/** A FIFO that `cat` fills with `bytes` (the reader gets them 64 KiB or less at a time). */
function fifo(bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'mf-fifo-'));
  writeFileSync(join(dir, 'data'), bytes);
  spawnSync('mkfifo', [join(dir, 'in')]);
  spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', join(dir, 'data'), join(dir, 'in')], { stdio: 'ignore' }).unref();
  return join(dir, 'in');
}

test('readTextBounded: a FIFO across several reads and chunks, a NUL in a later read, and one over the limit', (t) => {
  const text = 'a: b\n'.repeat(600_000); // 3 MB: three 1 MiB buffers filled by many short reads
  t.is(readTextBounded(fifo(Buffer.from(text))), text);
  t.throws(() => readTextBounded(fifo(Buffer.concat([Buffer.from('a: b\n'.repeat(100_000)), Buffer.from([0])]))), {
    instanceOf: InputRefused,
    message: /binary data/,
  });
  t.throws(() => readTextBounded(fifo(Buffer.from('x'.repeat(200_000))), 150_000), { instanceOf: InputRefused, message: /larger than/ });
});
