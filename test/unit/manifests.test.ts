import test from 'ava';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podFromObject } from '../../src/hooks/workloads.ts';
import { loadManifests, parseManifestText } from '../../src/manifests/load.ts';

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
