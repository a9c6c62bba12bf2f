// Choosing a target: names, versions and image tags (detection reads the tag of the server image).
import test from 'ava';
import { resolveTargetName } from '../../src/hooks/targets.ts';
import { versionFromImage } from '../../src/kube/discovery.ts';

const name = (text: string) => {
  const r = resolveTargetName(text);
  return r.ok ? r.target.name : `error: ${r.reason}`;
};

test('--target takes names, product-versions, bare versions, and ark/velero', (t) => {
  t.is(name('velero-1.18'), 'velero-1.18');
  t.is(name('1.12.3'), 'velero-1.11');
  t.is(name('v1.12.3'), 'velero-1.11');
  t.is(name('1.7.0'), 'velero-1.7');
  t.is(name('1.7.1'), 'velero-1.7.1');
  t.is(name('1.8'), 'velero-1.7.1');
  t.is(name('velero-1.16'), 'velero-1.15.1', 'the ItemBlock order reached 1.15.1 as a backport (pkg/backup/backup.go@v1.15.1)');
  t.is(name('1.15.0'), 'velero-1.13');
  t.is(name('ark-0.10'), 'ark-0.9');
  t.is(name('0.8.1'), 'ark-0.7');
  t.is(name('ark'), 'ark-0.9');
  t.is(name('velero'), 'velero-1.18');
  t.is(name('1.19.0-rc.1'), 'velero-1.18');
  t.true(
    resolveTargetName('1.19.0').ok &&
      /newer than the newest release checked/.test((resolveTargetName('1.19.0') as { note?: string }).note ?? ''),
  );
  t.regex(name('ark-1.2'), /^error: Ark has no version 1\.2\.0/);
  t.regex(name('velero-0.9'), /^error: Velero has no version 0\.9\.0/);
  t.regex(name('0.6.0'), /^error: version 0\.6\.0 is older than Ark v0\.7\.0/);
  t.regex(name('newest'), /^error: unknown target "newest"/);
});

test('only a version tag of the server image counts', (t) => {
  t.is(versionFromImage('velero/velero:v1.12.3'), 'v1.12.3');
  t.is(versionFromImage('registry.example.com:5000/velero/velero:v1.9.2'), 'v1.9.2');
  t.is(versionFromImage('gcr.io/heptio-images/ark:v0.10.1'), 'v0.10.1');
  t.is(versionFromImage('velero/velero:latest'), null);
  t.is(versionFromImage('velero/velero'), null);
  t.is(versionFromImage('registry.example.com:5000/velero/velero'), null, 'a registry port is not a tag');
  t.is(versionFromImage('velero/velero:v1.12.3@sha256:0123'), null, 'a digest pins something else');
  t.is(versionFromImage('velero/velero:main'), null);
});
