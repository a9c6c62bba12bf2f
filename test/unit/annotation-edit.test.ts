// planAnnotationEdit: which keys annotate changes, what conflicts without --overwrite, and the
// findings about the hooks as they will be read after the edit.
import test from 'ava';
import type { EditRequest } from '../../src/hooks/edit.ts';
import { planAnnotationEdit } from '../../src/hooks/edit.ts';
import { pod, target } from './helpers.ts';

const V118 = target('velero-1.18');
const req = (over: Partial<EditRequest> = {}): EditRequest => ({
  target: V118,
  writes: [{ phase: 'pre', command: ['/bin/sync'] }],
  removePhases: [],
  family: 'velero',
  removeFamilies: ['ark', 'velero'],
  legacy: false,
  overwrite: false,
  ...over,
});

test('a new hook: only the keys with a value change; the command is a JSON array', (t) => {
  const r = planAnnotationEdit(
    pod({ other: 'x' }),
    'pod ns/p',
    req({ writes: [{ phase: 'pre', command: ['/bin/sh', '-c', 'sync'], timeout: '2m' }] }),
  );
  t.deepEqual(r.changes, { 'pre.hook.backup.velero.io/command': '["/bin/sh","-c","sync"]', 'pre.hook.backup.velero.io/timeout': '2m' });
  t.deepEqual(r.after, {
    other: 'x',
    'pre.hook.backup.velero.io/command': '["/bin/sh","-c","sync"]',
    'pre.hook.backup.velero.io/timeout': '2m',
  });
  t.true(r.changed);
  t.deepEqual(r.conflicts, []);
});

test('the same hook again changes nothing', (t) => {
  const r = planAnnotationEdit(pod({ 'pre.hook.backup.velero.io/command': '["/bin/sync"]' }), 'pod ns/p', req());
  t.deepEqual(r.changes, {});
  t.false(r.changed);
});

test('a different existing value is a conflict without --overwrite, a change with it; a stale field is deleted', (t) => {
  const existing = pod({ 'pre.hook.backup.velero.io/command': '["/old"]', 'pre.hook.backup.velero.io/container': 'sidecar' });
  const r = planAnnotationEdit(existing, 'pod ns/p', req());
  t.deepEqual(r.conflicts.map((c) => [c.key, c.current, c.wanted]).sort(), [
    ['pre.hook.backup.velero.io/command', '["/old"]', '["/bin/sync"]'],
    ['pre.hook.backup.velero.io/container', 'sidecar', null],
  ]);
  const o = planAnnotationEdit(existing, 'pod ns/p', req({ overwrite: true }));
  t.deepEqual(o.conflicts, []);
  t.deepEqual(o.changes, { 'pre.hook.backup.velero.io/command': '["/bin/sync"]', 'pre.hook.backup.velero.io/container': null });
});

test('--remove deletes the prefixed and legacy pre keys of both families, and is never a conflict', (t) => {
  const existing = pod({
    'pre.hook.backup.ark.heptio.com/command': '["a"]',
    'hook.backup.velero.io/command': '["b"]',
    'post.hook.backup.velero.io/command': '["c"]',
  });
  const r = planAnnotationEdit(existing, 'pod ns/p', req({ writes: [], removePhases: ['pre'] }));
  t.deepEqual(r.changes, { 'pre.hook.backup.ark.heptio.com/command': null, 'hook.backup.velero.io/command': null });
  t.deepEqual(r.after, { 'post.hook.backup.velero.io/command': '["c"]' });
  t.deepEqual(r.conflicts, []);
});

test('findings are about the hook as the target will read it: a container not in the pod is an error', (t) => {
  const r = planAnnotationEdit(pod({}), 'pod ns/p', req({ writes: [{ phase: 'pre', command: ['/bin/sync'], container: 'nope' }] }));
  t.deepEqual(
    r.findings.map((f) => [f.severity, f.code]),
    [['error', 'container-not-found']],
  );
});

test('writing the family the target reads second (velero-0.11 reads velero.io first): the finding says it is shadowed', (t) => {
  const r = planAnnotationEdit(
    pod({ 'pre.hook.backup.velero.io/command': '["/x"]' }),
    'pod ns/p',
    req({ target: target('velero-0.11'), family: 'ark' }),
  );
  t.true(
    r.findings.some((f) => f.code === 'written-hook-shadowed' && f.field === 'pre.hook.backup.velero.io/command'),
    JSON.stringify(r.findings),
  );
});

test('a family the target does not read: no findings here (the command warns once)', (t) => {
  const r = planAnnotationEdit(
    pod({}),
    'pod ns/p',
    req({ family: 'ark', writes: [{ phase: 'pre', command: ['/bin/sync'], container: 'nope' }] }),
  );
  t.deepEqual(r.findings, []);
  t.deepEqual(Object.keys(r.changes).sort(), ['pre.hook.backup.ark.heptio.com/command', 'pre.hook.backup.ark.heptio.com/container']);
});

test('--legacy writes the un-prefixed pre keys and does not warn about them', (t) => {
  const r = planAnnotationEdit(pod({}), 'pod ns/p', req({ legacy: true }));
  t.deepEqual(Object.keys(r.changes), ['hook.backup.velero.io/command']);
  t.false(r.findings.some((f) => f.code === 'legacy-keys'));
});
