// Backups and plans under explicit targets (the old blend's expectations, each pinned to the target
// whose behaviour they describe).
import test from 'ava';
import { backupCovers, readBackup } from '../../src/hooks/backup.ts';
import { allFindings, buildPlan } from '../../src/hooks/plan.ts';
import { BUILTIN_RESOURCES, OFFLINE_INDEX, globMatches, resourcesIncludePods, shouldInclude } from '../../src/hooks/scope.ts';
import { backupFor, codes, ctx, pod, target } from './helpers.ts';

const V118 = target('velero-1.18');
const ARK = target('ark-0.9');
const velero = (spec: object, name = 'b') => backupFor(V118, spec, name);
const ark = (spec: object, name = 'b') => backupFor(ARK, spec, name);
const CLUSTER_INDEX = { resources: BUILTIN_RESOURCES, complete: true };
const arkRes = { mode: 'exact' as const, unresolvable: 'drop' as const, index: CLUSTER_INDEX };
const veleroRes = { mode: 'glob' as const, unresolvable: 'keep' as const, index: CLUSTER_INDEX };

test('ShouldInclude: excludes win; empty or * includes everything; exact vs glob', (t) => {
  t.true(shouldInclude([], [], 'a', 'exact'));
  t.true(shouldInclude(['*'], [], 'a', 'exact'));
  t.false(shouldInclude(['a'], ['a'], 'a', 'exact'));
  t.false(shouldInclude(['app-*'], [], 'app-1', 'exact'), 'Ark matches literally');
  t.true(shouldInclude(['app-*'], [], 'app-1', 'glob'), 'Velero matches globs');
  t.true(shouldInclude([], ['*'], 'x', 'exact'), 'Ark: a literal * excludes nothing');
  t.false(shouldInclude([], ['*'], 'x', 'glob'), 'Velero: * excludes everything');
  t.true(globMatches('{prod,stage}-?', 'prod-1'));
  t.false(globMatches('[!a]x', 'ax'));
});

test('resource names: short names resolve, unknown names differ between Ark and Velero', (t) => {
  t.true(resourcesIncludePods(['po'], [], arkRes).includesPods);
  t.true(resourcesIncludePods(['Pod'], [], veleroRes).includesPods);
  t.false(resourcesIncludePods(['deployments'], [], arkRes).includesPods, '#6043');
  t.false(resourcesIncludePods(['pvc', 'pv'], [], veleroRes).includesPods, '#3240');
  t.false(resourcesIncludePods([], ['pods'], arkRes).includesPods);
  t.true(resourcesIncludePods(['nosuchthing'], [], arkRes).includesPods, 'Ark drops unknown names; an empty list matches all (#2461)');
  t.false(resourcesIncludePods(['nosuchthing'], [], veleroRes).includesPods, 'Velero >= 1.4 keeps them');
  const offline = resourcesIncludePods(['nosuchthing'], [], { ...arkRes, index: OFFLINE_INDEX });
  t.deepEqual(offline.unsure, ['nosuchthing'], 'offline, a name that is not built in may be a CRD');
  t.not(offline.includesPods, offline.includesPodsIfMissing, 'and the outcome depends on it');
});

test('Backup scope: namespaces, resources, labels, orLabelSelectors, exclude label', (t) => {
  const b = velero({ includedNamespaces: ['shop*'], excludedNamespaces: ['shop-test'], labelSelector: { matchLabels: { backup: 'yes' } } });
  t.true(backupCovers(b, pod({}, { namespace: 'shop', labels: { backup: 'yes' } })).covered);
  t.false(backupCovers(b, pod({}, { namespace: 'shop-test', labels: { backup: 'yes' } })).covered);
  const miss = backupCovers(b, pod({}, { namespace: 'shop', labels: {} }));
  t.false(miss.covered);
  if (!miss.covered) t.regex(miss.reason, /labelSelector "backup=yes"/);
  const or = velero({ orLabelSelectors: [{ matchLabels: { a: '1' } }, { matchLabels: { b: '1' } }] });
  t.true(backupCovers(or, pod({}, { labels: { b: '1' } })).covered);
  t.false(backupCovers(or, pod({}, { labels: { c: '1' } })).covered);
  t.false(backupCovers(velero({}), pod({}, { labels: { 'velero.io/exclude-from-backup': 'true' } })).covered);
  t.false(backupCovers(velero({ includedResources: ['pvc'] }), pod({})).covered);
});

test('invalid selectors and failed validation make the whole Backup fail', (t) => {
  const bad = velero({
    hooks: {
      resources: [
        {
          name: 'h',
          labelSelector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] },
          pre: [{ exec: { command: ['x'] } }],
        },
      ],
    },
  });
  t.true(bad.fatal);
  t.true(codes(bad.findings).includes('invalid-selector'));
  t.false(backupCovers(bad, pod({})).covered);
  t.true(velero({ includedNamespaces: ['*', 'a'] }).fatal);
  t.true(velero({ includedNamespaces: ['a'], excludedNamespaces: ['a'] }).fatal);
  t.true(velero({ labelSelector: { matchLabels: { a: 'b' } }, orLabelSelectors: [{ matchLabels: { a: 'c' } }] }).fatal);
  t.false(velero({ includedNamespaces: ['a'] }).fatal);
});

test('Backup objects of the wrong shape give findings, never exceptions', (t) => {
  for (const raw of [
    null,
    'text',
    [],
    { spec: 'x' },
    { spec: { includedNamespaces: 'a' } },
    { spec: { hooks: { resources: [null, 3, { pre: 'x' }] } } },
  ]) {
    t.notThrows(() => readBackup(raw, ctx(V118)));
  }
  t.true(
    codes(readBackup({ apiVersion: 'velero.io/v1', spec: { includedNamespaces: 'a' } }, ctx(V118)).findings).includes('invalid-field-type'),
  );
  t.true(
    codes(readBackup({ apiVersion: 'velero.io/v1', spec: { includeNamespaces: ['a'] } }, ctx(V118)).findings).includes('unknown-field'),
  );
});

const hooksSpec = (resources: object[]) => ({ hooks: { resources } });

test('annotations replace spec hooks per phase, not per pod', (t) => {
  const b = velero(
    hooksSpec([{ name: 'spec-hooks', pre: [{ exec: { command: ['spec-pre'] } }], post: [{ exec: { command: ['spec-post'] } }] }]),
  );
  const p = pod({ 'post.hook.backup.velero.io/command': '["ann-post"]' });
  const plan = buildPlan([p], { target: V118, phases: ['pre', 'post'], scope: b });
  const hooks = plan.pods[0]?.hooks ?? [];
  t.deepEqual(
    hooks.map((h) => [h.phase, h.source.type, h.command[0]]),
    [
      ['pre', 'spec', 'spec-pre'],
      ['post', 'annotation', 'ann-post'],
    ],
  );
  t.deepEqual(codes(plan.pods[0]?.findings ?? []), ['annotation-shadows-spec']);
});

test('every matching spec entry runs, in order; non-matching entries do not', (t) => {
  const b = velero(
    hooksSpec([
      { name: 'one', pre: [{ exec: { command: ['1a'] } }, { exec: { command: ['1b'] } }] },
      { name: 'other-ns', includedNamespaces: ['elsewhere'], pre: [{ exec: { command: ['no'] } }] },
      {
        name: 'two',
        labelSelector: { matchLabels: { app: 'db' } },
        pre: [{ exec: { command: ['2'], container: 'sidecar', onError: 'Continue', timeout: '1m' } }],
      },
      { name: 'deploys', includedResources: ['deployments'], pre: [{ exec: { command: ['no'] } }] },
    ]),
  );
  const plan = buildPlan([pod({}, { labels: { app: 'db' } })], { target: V118, phases: ['pre'], scope: b });
  const hooks = plan.pods[0]?.hooks ?? [];
  t.deepEqual(
    hooks.map((h) => h.command[0]),
    ['1a', '1b', '2'],
  );
  t.deepEqual(
    hooks.map((h) => h.name),
    ['one', 'one', 'two'],
  );
  t.is(hooks[2]?.container, 'sidecar');
  t.is(hooks[2]?.onError, 'Continue');
  t.is(hooks[2]?.timeoutNanos, 60_000_000_000n);
  t.true(codes(allFindings(plan)).includes('hook-excludes-pods'));
});

test('Ark: the deprecated hooks field runs as pre when pre is empty; Velero ignores it', (t) => {
  const spec = hooksSpec([{ name: 'old', hooks: [{ exec: { command: ['old'] } }] }]);
  const a = buildPlan([pod({})], { target: ARK, phases: ['pre'], scope: ark(spec) });
  t.deepEqual(
    a.pods[0]?.hooks.map((h) => h.command[0]),
    ['old'],
  );
  const v = buildPlan([pod({})], { target: V118, phases: ['pre'], scope: velero(spec) });
  t.deepEqual(v.pods[0]?.hooks, []);
  t.true(codes(allFindings(v)).includes('deprecated-hooks-field'));
});

test('spec hook problems: empty name, bad command, invalid onError and timeout', (t) => {
  const b = velero(hooksSpec([{ name: '', pre: [{ exec: { command: 'fsfreeze --freeze', onError: 'fail', timeout: '10' } }] }]));
  const plan = buildPlan([pod({})], { target: V118, phases: ['pre'], scope: b });
  const all = codes(allFindings(plan));
  for (const c of ['empty-hook-name', 'command-not-string-array', 'invalid-on-error', 'invalid-timeout']) t.true(all.includes(c), c);
  t.is(all.filter((c) => c === 'empty-hook-name').length, 1, 'reported once');
});

test('Ark <= 1.8 sticky container (#4499) is what the Ark target plans for later pods', (t) => {
  // pod_command_executor.go@v0.10.0 setDefaultHookContainer writes into the shared spec hook.
  const spec = hooksSpec([{ name: 'h', pre: [{ exec: { command: ['x'] } }] }]);
  const pods = [pod({}, { name: 'a', containers: ['db'] }), pod({}, { name: 'b', containers: ['web'] })];
  const plan = buildPlan(pods, { target: ARK, phases: ['pre'], scope: ark(spec) });
  t.is(plan.pods[1]?.hooks[0]?.container, 'db', "Ark reuses the first pod's container");
  t.deepEqual(codes(plan.pods[1]?.hooks[0]?.findings ?? []), ['sticky-container-not-found', 'sticky-on-error']);
  t.deepEqual(plan.pods[0]?.hooks[0]?.findings, []);
  const v = buildPlan(pods, { target: target('velero-1.9'), phases: ['pre'], scope: backupFor('velero-1.9', spec) });
  t.is(v.pods[1]?.hooks[0]?.container, 'web', 'Velero >= 1.9 defaults per pod (pod_command_executor.go@v1.9.0 localHook)');
});

test('freeze without unfreeze, pod state and terminating pods', (t) => {
  const freeze = { 'pre.hook.backup.velero.io/command': '["/sbin/fsfreeze","--freeze","/d"]' };
  const plan = buildPlan(
    [
      pod(freeze, { name: 'a' }),
      pod({ ...freeze, 'post.hook.backup.velero.io/command': '["fsfreeze","-u","/d"]' }, { name: 'b' }),
      pod(freeze, { name: 'c', phase: 'Succeeded' }),
      pod(freeze, { name: 'd', deletionTimestamp: '2026-01-01T00:00:00Z' }),
      pod(freeze, { name: 'e', phase: 'Pending', containerRunning: { app: false } }),
    ],
    { target: V118, phases: ['pre', 'post'] },
  );
  const byName = Object.fromEntries(plan.pods.map((p) => [p.name, p]));
  t.true(codes(byName.a?.findings ?? []).includes('freeze-without-unfreeze'));
  t.false(codes(byName.b?.findings ?? []).includes('freeze-without-unfreeze'));
  t.regex(byName.c?.skip ?? '', /Succeeded/);
  t.regex(byName.d?.skip ?? '', /terminating/);
  t.true(codes(byName.e?.findings ?? []).includes('pod-not-running'));
  t.deepEqual(codes(byName.e?.hooks[0]?.findings ?? []), ['container-not-running']);
});

test('pods with hooks outside the Backup scope are reported as excluded', (t) => {
  const b = velero({ includedNamespaces: ['prod'] });
  const plan = buildPlan(
    [pod({ 'pre.hook.backup.velero.io/command': '["x"]' }, { namespace: 'dev' }), pod({}, { namespace: 'dev', name: 'q' })],
    { target: V118, phases: ['pre', 'post'], scope: b },
  );
  t.is(plan.pods.length, 0);
  t.deepEqual(
    plan.excluded.map((x) => x.object),
    ['dev/p'],
  );
});

test('buildPlan with consume gives the same plan and empties the array it was given (a listing lets its pods go)', (t) => {
  const spec = hooksSpec([{ name: 'h', pre: [{ exec: { command: ['x'] } }] }]);
  const names = ['m', 'c', 'x', 'a', 'q'];
  const make = () =>
    names.map((name, i) =>
      pod(i % 2 ? { 'pre.hook.backup.velero.io/command': '["/bin/true"]' } : {}, {
        name,
        namespace: i % 3 ? 'b' : 'a',
        containers: ['db'],
      }),
    );
  for (const tgt of [V118, ARK]) {
    const scope = tgt === ARK ? ark(spec) : velero(spec);
    const kept = make();
    const given = make();
    const expected = buildPlan(kept, { target: tgt, phases: ['pre', 'post'], scope });
    t.deepEqual(buildPlan(given, { target: tgt, phases: ['pre', 'post'], scope }, true), expected, tgt.name);
    t.is(given.length, 0, `${tgt.name}: the given array is emptied`);
    t.deepEqual(
      kept.map((p) => p.name),
      names,
      `${tgt.name}: without consume the caller's array is left as it was`,
    );
  }
});
