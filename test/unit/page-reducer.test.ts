// The listing keeps of each pod only what the hook model reads (src/kube/pick.ts picks it out of the
// page, flows/inventory.ts reducePod keeps the hook-key annotations, inertPod counts the pods that
// nothing can come of). The report built from what is kept must be the report built from the whole
// pods: on the realistic corpus, with odd pods added, under several targets, with and without a
// Backup whose scope and spec hooks differ between the target and the newest Velero.
import test from 'ava';
import type { BackupModel, NamespaceInfo } from '../../src/hooks/backup.ts';
import { readBackup } from '../../src/hooks/backup.ts';
import { buildPlan, compareWithNewest } from '../../src/hooks/plan.ts';
import { OFFLINE_INDEX } from '../../src/hooks/scope.ts';
import type { Target } from '../../src/hooks/targets.ts';
import { NEWEST_VELERO, targetByName } from '../../src/hooks/targets.ts';
import type { PodInput } from '../../src/hooks/types.ts';
import { PHASES } from '../../src/hooks/types.ts';
import { podFromObject } from '../../src/hooks/workloads.ts';
import { Listing, inertPod, reducePod } from '../../src/flows/inventory.ts';
import type { Judge } from '../../src/flows/inventory.ts';
import type { Shape } from '../../src/kube/pick.ts';
import { NotJson, POD_SHAPE, listShape, pickJson } from '../../src/kube/pick.ts';
import { buildReport } from '../../src/report/hook-report.ts';
import type { HookReport } from '../../src/report/hook-report.ts';
import { realisticPods } from '../support/realistic-pods.ts';

import type { Obj } from '../support/apiserver.ts';

/** The realistic corpus with a hook on one pod in three, and pods that exercise every check. */
function corpus(): Obj[] {
  const pods = [...realisticPods(1500, { seed: 5, hookFraction: 0.33, namespaces: 12 })];
  pods.forEach((p, i) => {
    const a = p.metadata.annotations;
    if (i % 50 === 1) p.metadata.deletionTimestamp = '2026-11-27T00:00:00Z';
    if (i % 70 === 2) p.status.phase = 'Failed';
    if (i % 90 === 3) p.spec.containers = [];
    if (i % 110 === 4) a['Pre.Hook.Backup.Velero.io/Command'] = '["/bin/true"]';
    if (i % 130 === 5) a.note = 42;
    if (i % 150 === 6) p.status.containerStatuses[0].state = { waiting: { reason: 'CrashLoopBackOff' } };
    if (i % 170 === 7)
      p.spec.initContainers = [
        { name: 'istio-proxy', restartPolicy: 'Always', image: 'x' },
        { name: 'init', image: 'y' },
      ];
    if (i % 190 === 8) a['pre.hook.backup.velero.io/command'] = 'not json "\\u00e9\u00e9\u{1f600}';
    if (i % 210 === 9) p.metadata.labels.ünï = 'cødé';
  });
  return pods;
}

const NAMESPACES: NamespaceInfo[] = Array.from({ length: 12 }, (_, i) => ({
  name: `team-${String(i).padStart(3, '0')}`,
  labels: (i === 3 ? { 'velero.io/exclude-from-backup': 'true' } : {}) as Record<string, string>,
}));

const BACKUP = {
  apiVersion: 'velero.io/v1',
  kind: 'Backup',
  metadata: { name: 'nightly', namespace: 'velero' },
  spec: {
    includedNamespaces: ['*'],
    excludedNamespaces: ['team-002'],
    hooks: {
      resources: [
        {
          name: 'db',
          includedNamespaces: ['team-001', 'team-004'],
          labelSelector: { matchLabels: { app: 'mysql' } },
          pre: [{ exec: { command: ['/bin/sync'] } }],
        },
        {
          name: 'cache',
          labelSelector: { matchLabels: { app: 'redis' } },
          post: [{ exec: { command: ['redis-cli', 'save'], container: 'redis' } }],
        },
      ],
    },
  },
};

function report(pods: PodInput[], target: Target, withBackup: boolean, inert = 0): HookReport {
  const ctx = { target, index: OFFLINE_INDEX, namespaces: NAMESPACES };
  const scope = withBackup ? readBackup(BACKUP, ctx) : null;
  const plan = buildPlan(pods, { target, phases: PHASES, scope });
  compareWithNewest(plan, pods, { target, phases: PHASES, scope }, { index: OFFLINE_INDEX, namespaces: NAMESPACES });
  const inv = {
    plan,
    source: { type: 'cluster' as const, context: 'c', server: 's' },
    scope: { namespace: '*', phases: [...PHASES], target: { name: target.name, versions: '', chosenBy: '' } },
    target,
    podsSeen: 1500,
    ...(inert > 0 ? { inertPods: inert } : {}),
  };
  return buildReport(inv, false);
}

function judges(target: Target, withBackup: boolean): Judge[] {
  const ctx = { target, index: OFFLINE_INDEX, namespaces: NAMESPACES };
  const scope: BackupModel | null = withBackup ? readBackup(BACKUP, ctx) : null;
  const out: Judge[] = [{ backup: scope, target }];
  if (scope && target !== NEWEST_VELERO) out.push({ backup: readBackup(BACKUP, { ...ctx, target: NEWEST_VELERO }), target: NEWEST_VELERO });
  return out;
}

const raw = corpus();
const full = raw.map((p) => podFromObject(p) as PodInput);
const page = pickJson(
  JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { continue: 'x' }, items: raw }),
  listShape(POD_SHAPE),
) as {
  items: Obj[];
};

for (const name of ['velero-1.18', 'velero-1.7', 'velero-1.10', 'ark-0.9']) {
  for (const withBackup of [false, true]) {
    test(`${name}${withBackup ? ' with a Backup' : ''}: the report from the reduced pods is the report from the whole pods`, (t) => {
      const target = targetByName(name) as Target;
      const reduced = page.items.map((p) => reducePod(p) as PodInput);
      const want = report(full, target, withBackup);
      t.true(want.pods.length > 20, `the corpus gives hooks to report (${want.pods.length} pods)`);
      t.deepEqual(report(reduced, target, withBackup), want);
      // Counting the inert pods instead of keeping them changes nothing either.
      const j = judges(target, withBackup);
      let inert = 0;
      const kept = reduced.filter((p) => {
        const x = inertPod(p, j);
        if (x) inert += x.covered ? 1 : 0;
        return !x;
      });
      t.true(kept.length < reduced.length / 2, `most pods are inert (${kept.length} of ${reduced.length} kept)`);
      t.deepEqual(report(kept, target, withBackup, inert), want);
    });
  }
}

test('a reduced pod keeps only the annotations that are (or look like) hook keys', (t) => {
  const p = reducePod({
    metadata: { name: 'a', annotations: { 'pre.hook.backup.velero.io/command': '["x"]', 'PRE.hook.backup.velero.io/x': 'y', other: 'z' } },
  }) as PodInput;
  t.deepEqual(Object.keys(p.annotations), ['pre.hook.backup.velero.io/command', 'PRE.hook.backup.velero.io/x']);
});

test('picking gives what JSON.parse gives, for the picked fields', (t) => {
  const text = JSON.stringify(raw.slice(0, 200));
  t.deepEqual(pickJson(text, true), JSON.parse(text));
  t.deepEqual(pickJson(Buffer.from(text), [true]), JSON.parse(text));
  const odd =
    '{"a\\"b":1, "__proto__": {"x": 1}, "s": "\\\\\\"}{][", "u": "\u00e9\u{1f600}\\u00e9", "n": [1, -2.5e3, true, null, {}, []] }';
  t.deepEqual(pickJson(odd, true), JSON.parse(odd));
  const picked = pickJson(odd, JSON.parse('{"__proto__": true, "s": true, "u": true}')) as Obj;
  t.deepEqual(Object.keys(picked), ['__proto__', 's', 'u']);
  t.deepEqual(picked, { ...Object.fromEntries([['__proto__', { x: 1 }]]), s: '\\"}{][', u: 'é😀é' });
  t.is(Object.getPrototypeOf(picked), Object.prototype, '__proto__ is an own property, as with JSON.parse');
  t.deepEqual(pickJson('{"items": [{"a": 1, "b": {"c": [1]}}, 5]}', { items: [{ a: true }] }), { items: [{ a: 1 }, 5] });
});

test('picking refuses what is not one JSON document', (t) => {
  for (const bad of ['', '{', '{"a": [1, 2}', '{"a": "x', '{"a": 1} x', '{"a" 1}', '{"a": 1,}', '[1 2]', '{"a": tru}'])
    t.throws(() => pickJson(bad, { a: true }), { instanceOf: NotJson }, JSON.stringify(bad));
});

test('each: the elements of a list go through map as they are picked, and the list holds what it returns', (t) => {
  const item: Shape = { a: true };
  const seen: unknown[] = [];
  const map = (x: unknown) => {
    seen.push(x);
    return seen.length;
  };
  const doc = '{"items": [{"a": 1, "b": 2}, {"a": 2}], "other": [{"a": 3}]}';
  t.deepEqual(pickJson(doc, { items: [item], other: [{ a: true }] }, undefined, { shape: item, map }), {
    items: [1, 2],
    other: [{ a: 3 }],
  });
  t.deepEqual(seen, [{ a: 1 }, { a: 2 }], 'only the elements picked by that shape (the same object), in order');
  seen.length = 0;
  t.throws(() => pickJson('{"items": [{"a": 1}, {"a": 2}, {"a": ', { items: [item] }, undefined, { shape: item, map }), {
    instanceOf: NotJson,
  });
  t.deepEqual(seen, [{ a: 1 }, { a: 2 }], 'a truncated page throws after the elements before the fault');
});

test('a listing remembers the kept pods, and every pod once the keys come out of order', (t) => {
  const l = new Listing();
  t.false(l.repeated('a/1', false));
  t.true(l.repeated('a/1', false), 'the same key again is a repeat even if not kept');
  t.false(l.repeated('a/2', true));
  t.true(l.repeated('a/2', true), 'a kept pod is remembered');
  t.false(l.repeated('a/3', false));
  t.true(l.repeated('a/2', true), 'out of order: the kept pod is found');
  t.false(l.repeated('a/0', false), 'out of order: a new pod');
  t.true(l.repeated('a/0', false), 'and from then on every pod is remembered');
  l.next();
  t.false(l.repeated('b/1', false), 'a new list starts over');
});
