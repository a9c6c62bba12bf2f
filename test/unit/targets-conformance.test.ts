// Conformance of each version target with the upstream source of that version. Every case names
// the file@tag (a test table or the code) it was taken from, and runs against the targets whose
// range that source covers, and only those. Cases come from the Ark/Velero test tables where one
// exists (item_hook_handler_test.go, includes_excludes_test.go, expand_test.go) and from the code
// otherwise. The expectations are written out here, never computed by the module under test.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { resolveAnnotationHook } from '../../src/hooks/annotations.ts';
import type { NamespaceInfo } from '../../src/hooks/backup.ts';
import { backupCovers, namespaceCovered } from '../../src/hooks/backup.ts';
import { buildPlan } from '../../src/hooks/plan.ts';
import { BUILTIN_RESOURCES, OFFLINE_INDEX, resourcesIncludePods, shouldInclude } from '../../src/hooks/scope.ts';
import type { Target } from '../../src/hooks/targets.ts';
import { TARGETS, resolveTargetName } from '../../src/hooks/targets.ts';
import type { Phase } from '../../src/hooks/types.ts';
import { backupFor, codes, pod } from './helpers.ts';

const ALL = TARGETS.map((t) => t.name);
const ARK = ['ark-0.7', 'ark-0.9'];
/** Targets from `first` (inclusive) to `last` (inclusive), in table order. */
function range(first: string, last = TARGETS[TARGETS.length - 1]?.name as string): string[] {
  const a = ALL.indexOf(first);
  const b = ALL.indexOf(last);
  if (a < 0 || b < 0 || b < a) throw new Error(`bad range ${first}..${last}`);
  return ALL.slice(a, b + 1);
}

interface Case {
  targets: string[];
  source: string;
  name: string;
  check: (t: ExecutionContext, target: Target) => void;
}

const cases: Case[] = [];
const add = (targets: string[], source: string, name: string, check: Case['check']) => cases.push({ targets, source, name, check });

// ---------------------------------------------------------------------------------------------
// Annotation parsing: TestGetPodExecHookFromAnnotations, for the un-prefixed, pre. and post. keys.
const THIRTY_S = 30_000_000_000n;
for (const [targets, domain, source] of [
  [ARK, 'hook.backup.ark.heptio.com', 'pkg/backup/item_hook_handler_test.go@v0.10.0'],
  [range('velero-0.11'), 'hook.backup.velero.io', 'internal/hook/item_hook_handler_test.go@v1.18.0'],
] as const) {
  for (const prefix of ['', 'pre.', 'post.']) {
    const phase: Phase = prefix === 'post.' ? 'post' : 'pre';
    const key = (f: string) => `${prefix}${domain}/${f}`;
    const hookOf = (t: Target, ann: Record<string, string>) => resolveAnnotationHook(pod(ann), phase, t, 'ns/p').hook;
    add([...targets], source, `${prefix || 'legacy '}missing command annotation → no hook`, (t, tg) => t.is(hookOf(tg, {}), null));
    add([...targets], source, `${prefix || 'legacy '}malformed command json array → the raw text`, (t, tg) =>
      t.deepEqual(hookOf(tg, { [key('command')]: '[blarg' })?.command, ['[blarg']),
    );
    add([...targets], source, `${prefix || 'legacy '}valid command json array`, (t, tg) =>
      t.deepEqual(hookOf(tg, { [key('command')]: '["a","b","c"]' })?.command, ['a', 'b', 'c']),
    );
    add([...targets], source, `${prefix || 'legacy '}command as a string`, (t, tg) =>
      t.deepEqual(hookOf(tg, { [key('command')]: '/usr/bin/foo' })?.command, ['/usr/bin/foo']),
    );
    add([...targets], source, `${prefix || 'legacy '}hook mode set to continue`, (t, tg) =>
      t.is(hookOf(tg, { [key('command')]: '/usr/bin/foo', [key('on-error')]: 'Continue' })?.onError, 'Continue'),
    );
    add([...targets], source, `${prefix || 'legacy '}hook mode set to fail`, (t, tg) =>
      t.is(hookOf(tg, { [key('command')]: '/usr/bin/foo', [key('on-error')]: 'Fail' })?.onError, 'Fail'),
    );
    add([...targets], source, `${prefix || 'legacy '}use the specified timeout 5m3s`, (t, tg) =>
      t.is(hookOf(tg, { [key('command')]: '/usr/bin/foo', [key('timeout')]: '5m3s' })?.timeoutNanos, 303_000_000_000n),
    );
    add([...targets], source, `${prefix || 'legacy '}invalid timeout is ignored (the executor's default 30s)`, (t, tg) =>
      t.is(hookOf(tg, { [key('command')]: '/usr/bin/foo', [key('timeout')]: 'invalid' })?.timeoutNanos, THIRTY_S),
    );
    add([...targets], source, `${prefix || 'legacy '}use the specified container`, (t, tg) => {
      const h = resolveAnnotationHook(
        pod({ [key('command')]: '/usr/bin/foo', [key('container')]: 'some-container' }, { containers: ['app', 'some-container'] }),
        phase,
        tg,
        'ns/p',
      ).hook;
      t.is(h?.container, 'some-container');
    });
  }
}

// Which families a target reads, and in which order.
const both = (pre: string) => ({
  [`${pre}hook.backup.ark.heptio.com/command`]: '["ark"]',
  [`${pre}hook.backup.velero.io/command`]: '["velero"]',
});
add(
  ARK,
  'pkg/backup/item_hook_handler.go@v0.10.0 (podBackupHookCommandAnnotationKey = hook.backup.ark.heptio.com)',
  'only ark.heptio.com keys are read',
  (t, tg) => {
    t.deepEqual(resolveAnnotationHook(pod(both('pre.')), 'pre', tg, 'ns/p').hook?.command, ['ark']);
    const onlyVelero = pod({ 'pre.hook.backup.velero.io/command': '["velero"]' });
    t.is(resolveAnnotationHook(onlyVelero, 'pre', tg, 'ns/p').hook, null);
    t.deepEqual(codes(buildPlan([onlyVelero], { target: tg, phases: ['pre', 'post'] }).pods[0]?.findings ?? []), ['velero-keys-ignored']);
  },
);
add(
  ['velero-0.11'],
  'pkg/backup/item_hook_handler.go@v0.11.0 (getPodExecHookFromAnnotations: velero first, then ark)',
  'both families; velero.io wins, the ark.heptio.com set is the fallback',
  (t, tg) => {
    t.deepEqual(resolveAnnotationHook(pod(both('pre.')), 'pre', tg, 'ns/p').hook?.command, ['velero']);
    t.deepEqual(resolveAnnotationHook(pod({ 'post.hook.backup.ark.heptio.com/command': '["ark"]' }), 'post', tg, 'ns/p').hook?.command, [
      'ark',
    ]);
    t.deepEqual(
      resolveAnnotationHook(
        pod({ 'pre.hook.backup.ark.heptio.com/command': '["pre-ark"]', 'hook.backup.velero.io/command': '["legacy-velero"]' }),
        'pre',
        tg,
        'ns/p',
      ).hook?.command,
      ['pre-ark'],
      'prefixed sets of both families before the legacy sets',
    );
  },
);
add(
  range('velero-1.0'),
  'pkg/backup/item_hook_handler.go@v1.0.0 (only hook.backup.velero.io keys)',
  'ark.heptio.com keys are ignored, with ark-keys-ignored naming v1.0.0',
  (t, tg) => {
    const p = pod({
      'pre.hook.backup.ark.heptio.com/command': '["/sbin/fsfreeze","--freeze","/d"]',
      'pre.hook.backup.ark.heptio.com/container': 'app',
    });
    t.is(resolveAnnotationHook(p, 'pre', tg, 'ns/p').hook, null);
    const f = buildPlan([p], { target: tg, phases: ['pre', 'post'] }).pods[0]?.findings.find((x) => x.code === 'ark-keys-ignored');
    t.is(f?.severity, 'error', 'the pre hook the user meant never runs');
    t.regex(f?.message ?? '', /stopped reading hook\.backup\.ark\.heptio\.com keys in v1\.0\.0/);
  },
);
add(
  ALL,
  'pkg/backup/item_hook_handler.go@v0.7.0 and internal/hook/item_hook_handler.go@v1.18.0 (legacy keys only when the pre hook is nil)',
  'legacy keys: pre only, and only when the pre. command is absent',
  (t, tg) => {
    const d = tg.families[0] === 'ark' ? 'hook.backup.ark.heptio.com' : 'hook.backup.velero.io';
    t.deepEqual(resolveAnnotationHook(pod({ [`${d}/command`]: '["legacy"]' }), 'pre', tg, 'ns/p').hook?.command, ['legacy']);
    t.is(resolveAnnotationHook(pod({ [`${d}/command`]: '["legacy"]' }), 'post', tg, 'ns/p').hook, null);
    t.deepEqual(
      resolveAnnotationHook(pod({ [`${d}/command`]: '["legacy"]', [`pre.${d}/command`]: '["pre"]' }), 'pre', tg, 'ns/p').hook?.command,
      ['pre'],
    );
  },
);

// ---------------------------------------------------------------------------------------------
// on-error: the executor's default and the handler's check.
const unsetSpec = { hooks: { resources: [{ name: 'h', pre: [{ exec: { command: ['a'] } }, { exec: { command: ['b'] } }] }] } };
add(
  range('ark-0.7', 'velero-1.7.1'),
  'pkg/podexec/pod_command_executor.go@v1.8.0 (hook.OnError = Fail after the container and command checks) and pkg/backup/pod_command_executor.go@v0.10.0',
  'unset on-error: Fail after an exec failure, Continue when the hook is rejected',
  (t, tg) => {
    const h = buildPlan([pod({})], { target: tg, phases: ['pre'], scope: backupFor(tg, unsetSpec) }).pods[0]?.hooks[0];
    t.deepEqual([h?.onError, h?.onErrorIfRejected], ['Fail', 'Continue']);
  },
);
add(
  range('velero-1.9'),
  'pkg/podexec/pod_command_executor.go@v1.9.0 (localHook := *hook) and internal/hook/item_hook_handler.go@v1.9.0 (checks hook.Exec.OnError)',
  'unset or invalid on-error acts as Continue',
  (t, tg) => {
    const h = buildPlan([pod({})], { target: tg, phases: ['pre'], scope: backupFor(tg, unsetSpec) }).pods[0]?.hooks[0];
    t.deepEqual([h?.onError, h?.onErrorIfRejected], ['Continue', 'Continue']);
    t.true(codes(h?.findings ?? []).includes('on-error-unset-continues'), 'and says so where a later hook would run');
    const d = tg.families[0] === 'ark' ? 'ark.heptio.com' : 'velero.io';
    t.is(
      resolveAnnotationHook(
        pod({ [`pre.hook.backup.${d}/command`]: '["x"]', [`pre.hook.backup.${d}/on-error`]: 'fail' }),
        'pre',
        tg,
        'ns/p',
      ).hook?.onError,
      'Continue',
    );
  },
);
add(
  range('ark-0.7', 'velero-1.7.1'),
  'pkg/podexec/pod_command_executor.go@v1.8.0 (setDefaultHookContainer writes into the shared spec hook, #4499)',
  'spec hook defaults stick across pods',
  (t, tg) => {
    const spec = { hooks: { resources: [{ name: 'h', pre: [{ exec: { command: ['x'] } }] }] } };
    const plan = buildPlan([pod({}, { name: 'a', containers: ['db'] }), pod({}, { name: 'b', containers: ['web'] })], {
      target: tg,
      phases: ['pre'],
      scope: backupFor(tg, spec),
    });
    t.is(plan.pods[1]?.hooks[0]?.container, 'db');
    t.is(plan.pods[1]?.hooks[0]?.onErrorIfRejected, 'Fail', 'the default Fail written on the first pod sticks too');
  },
);
add(range('velero-1.9'), 'pkg/podexec/pod_command_executor.go@v1.9.0 (localHook)', 'spec hook defaults are per pod', (t, tg) => {
  const spec = { hooks: { resources: [{ name: 'h', pre: [{ exec: { command: ['x'] } }] }] } };
  const plan = buildPlan([pod({}, { name: 'a', containers: ['db'] }), pod({}, { name: 'b', containers: ['web'] })], {
    target: tg,
    phases: ['pre'],
    scope: backupFor(tg, spec),
  });
  t.is(plan.pods[1]?.hooks[0]?.container, 'web');
});

// ---------------------------------------------------------------------------------------------
// IncludesExcludes.ShouldInclude: TestShouldInclude.
const include = [
  ['empty - include everything', [], [], 'foo', true],
  ['include *', ['*'], [], 'foo', true],
  ['include specific - found', ['foo', 'bar', 'baz'], [], 'foo', true],
  ['include specific - not found', ['foo', 'baz'], [], 'bar', false],
  ['include *, exclude foo', ['*'], ['foo'], 'foo', false],
  ['include *, exclude foo, check bar', ['*'], ['foo'], 'bar', true],
  ['both include and exclude foo', ['foo'], ['foo'], 'foo', false],
] as const;
for (const [name, inc, exc, check, want] of include) {
  add(range('ark-0.7', 'velero-1.0'), 'pkg/util/collections/includes_excludes_test.go@v0.10.0 (TestShouldInclude)', name, (t, tg) =>
    t.is(shouldInclude(inc, exc, check, tg.listMatch), want),
  );
  add(range('velero-1.0.1'), 'pkg/util/collections/includes_excludes_test.go@v1.0.1 (TestShouldInclude)', name, (t, tg) =>
    t.is(shouldInclude(inc, exc, check, tg.listMatch), want),
  );
}
for (const [name, inc, exc, check, want] of [
  ['wildcard include', ['*.bar'], [], 'foo.bar', true],
  ['wildcard include fail', ['*.bar'], [], 'bar.foo', false],
  ['wildcard exclude', ['*'], ['*.bar'], 'foo.bar', false],
  ['wildcard exclude fail', ['*'], ['*.bar'], 'bar.foo', true],
] as const) {
  add(range('velero-1.0.1'), 'pkg/util/collections/includes_excludes_test.go@v1.0.1 (TestShouldInclude)', name, (t, tg) =>
    t.is(shouldInclude(inc, exc, check, tg.listMatch), want),
  );
}
add(
  range('ark-0.7', 'velero-1.0'),
  'pkg/util/collections/includes_excludes.go@v1.0.0 (sets.String.Has)',
  'a glob is a literal name',
  (t, tg) => {
    t.false(shouldInclude(['*.bar'], [], 'foo.bar', tg.listMatch));
    t.true(shouldInclude(['*.bar'], [], '*.bar', tg.listMatch));
  },
);
add(
  range('velero-1.0.1'),
  'pkg/util/collections/includes_excludes.go@v1.0.1 (globStringSet.match returns false at the first pattern that does not compile)',
  'an invalid glob ends the match',
  (t, tg) => {
    t.false(shouldInclude(['[ab', 'zzz*'], [], 'zzz1', tg.listMatch), '"[ab" sorts first and fails to compile');
    t.true(shouldInclude(['AAA*', '[ab'], [], 'AAA1', tg.listMatch), '"AAA*" sorts before "[" and matches');
  },
);

// ---------------------------------------------------------------------------------------------
// Backup-level namespace validation: TestValidateNamespaceIncludesExcludes and the wildcard rules.
const nsValid = (tg: Target, inc: string[], exc: string[] = []) =>
  backupFor(tg, { includedNamespaces: inc, excludedNamespaces: exc }).validationErrors.length === 0;
for (const [name, inc, exc, valid] of [
  ['empty includes (everything) is allowed', [], [], true],
  ['include everything', ['*'], [], true],
  ['include everything not allowed with other includes', ['*', 'foo'], [], false],
  ['exclude everything not allowed', ['foo'], ['*'], false],
  ['excludes cannot contain items in includes', ['foo', 'bar'], ['bar'], false],
] as const) {
  add(
    ALL,
    'pkg/util/collections/includes_excludes_test.go@v0.10.0 (TestValidateIncludesExcludes; same rules in every later version)',
    `namespace lists: ${name}`,
    (t, tg) => t.is(nsValid(tg, [...inc], [...exc]), valid),
  );
}
add(
  range('ark-0.7', 'velero-1.4'),
  'pkg/controller/backup_controller.go@v1.6.0 (ValidateIncludesExcludes only)',
  'namespace names are not validated',
  (t, tg) => {
    t.true(nsValid(tg, ['foo?', 'foo.bar', 'bar_321']));
    t.true(nsValid(tg, ['']));
  },
);
for (const [name, inc, exc, valid] of [
  ['empty string is invalid', [''], [], false],
  ['asterisk by itself is valid', ['*'], [], true],
  [
    'alphanumeric names with optional dash inside are valid',
    ['foobar', 'bar-321', 'foo123bar'],
    ['123bar', 'barfoo', 'foo-321', 'bar123foo'],
    true,
  ],
  ['not starting or ending with an alphanumeric character is invalid', ['-123foo'], ['foo321-'], false],
  ['special characters in name is invalid', ['foo?', 'foo.bar', 'bar_321'], ['$foo', 'foo*bar', 'bar=321'], false],
  ['a glob with * is invalid', ['app-*'], [], false],
] as const) {
  add(['velero-1.7'], 'pkg/util/collections/includes_excludes_test.go@v1.7.0 (TestValidateNamespaceIncludesExcludes)', name, (t, tg) =>
    t.is(nsValid(tg, [...inc], [...exc]), valid),
  );
}
for (const [name, inc, exc, valid] of [
  ['asterisk by itself is valid', ['*'], [], true],
  [
    'alphanumeric names with optional dash inside are valid',
    ['foobar', 'bar-321', 'foo123bar'],
    ['123bar', 'barfoo', 'foo-321', 'bar123foo'],
    true,
  ],
  ['not starting or ending with an alphanumeric character is invalid', ['-123foo'], ['foo321-'], false],
  ['special characters in name is invalid', ['foo?', 'foo.bar', 'bar_321'], ['$foo', 'foo>bar', 'bar=321'], false],
  ['empty string includes is valid (includes nothing)', [''], [], true],
  ['excludes can contain wildcard', ['foo', 'bar'], ['nginx-ingress-*', '*-bar', '*-ingress-*'], true],
  ['includes can contain wildcard', ['*-foo', 'kube-*', '*kube*'], ['bar'], true],
] as const) {
  add(
    range('velero-1.7.1', 'velero-1.15.1'),
    'pkg/util/collections/includes_excludes_test.go@v1.7.1 (TestValidateNamespaceIncludesExcludes)',
    name,
    (t, tg) => t.is(nsValid(tg, [...inc], [...exc]), valid),
  );
}
add(
  range('velero-1.7.1', 'velero-1.15.1'),
  'pkg/util/collections/includes_excludes.go@v1.7.1 (validateNamespaceName: "*" → "x", then RFC 1123)',
  '? [ { ! | fail; ** passes',
  (t, tg) => {
    for (const bad of ['ns?', 'ns[1]', 'ns{a,b}', 'ns!', 'a|b']) t.false(nsValid(tg, [bad]), bad);
    t.true(nsValid(tg, ['app-**']));
  },
);
for (const [pattern, valid] of [
  ['ns[abc]', true],
  ['ns[a-z]', true],
  ['ns[0-9]', true],
  ['prefix-[abc]-suffix', true],
  ['ns[abc', false],
  ['[abc', false],
  ['ns-abc]', false],
  [']ns-abc', false],
  ['ns[abc]]', false],
  ['ns[]', false],
  ['[]', false],
  ['kube-**', false],
  ['app-{prod,staging}', false],
  ['ns(1|2)', false],
  ['ns[!a]', false],
  ['app-*', true],
  ['ns?', true],
  ['*', true],
] as const) {
  add(
    ['velero-1.18'],
    'pkg/util/wildcard/expand_test.go@v1.18.0 and site/content/docs/v1.18/namespace-glob-patterns.md',
    `namespace pattern ${JSON.stringify(pattern)} is ${valid ? 'valid' : 'invalid'}`,
    (t, tg) => t.is(nsValid(tg, [pattern]), valid),
  );
}

// ---------------------------------------------------------------------------------------------
// Which namespaces a Backup takes pods from.
const covered = (tg: Target, inc: string[], exc: string[], active: string[]) =>
  active.filter((ns) => namespaceCovered({ includedNamespaces: inc, excludedNamespaces: exc, target: tg }, ns));
for (const [name, inc, exc, active, want] of [
  ['no includes/excludes - all active namespaces', [], [], ['default', 'kube-system', 'test'], ['default', 'kube-system', 'test']],
  ['asterisk includes - all active namespaces', ['*'], [], ['default', 'kube-system', 'test'], ['default', 'kube-system', 'test']],
  ['specific includes - only those namespaces', ['default', 'test'], [], ['default', 'kube-system', 'test'], ['default', 'test']],
  ['includes with excludes', ['*'], ['kube-system'], ['default', 'kube-system', 'test'], ['default', 'test']],
  [
    'wildcard includes - expands and filters',
    ['kube-*'],
    [],
    ['default', 'kube-system', 'kube-public', 'test'],
    ['kube-system', 'kube-public'],
  ],
  [
    'wildcard includes with wildcard excludes',
    ['app-*'],
    ['*-test'],
    ['app-prod', 'app-dev', 'app-test', 'default'],
    ['app-prod', 'app-dev'],
  ],
  ['wildcard matches nothing - empty result', ['nonexistent-*'], [], ['default', 'kube-system'], []],
  ['excludes all namespaces from includes', ['default', 'test'], ['default', 'test'], ['default', 'test', 'prod'], []],
  ['question mark wildcard pattern', ['ns-?'], [], ['ns-1', 'ns-2', 'ns-10', 'default'], ['ns-1', 'ns-2']],
] as const) {
  add(['velero-1.18'], 'pkg/util/collections/includes_excludes_test.go@v1.18.0 (TestResolveNamespaceList)', name, (t, tg) =>
    t.deepEqual(covered(tg, [...inc], [...exc], [...active]), [...want]),
  );
}
add(
  ['velero-1.18'],
  'pkg/util/collections/includes_excludes.go@v1.18.0 (NamespaceIncludesExcludes.ShouldInclude: expanded and empty includes → nothing)',
  'no includes and a glob exclude select nothing',
  (t, tg) => {
    t.deepEqual(covered(tg, [], ['kube-*'], ['default', 'kube-system']), []);
    t.true(codes(backupFor(tg, { excludedNamespaces: ['kube-*'] }).findings).includes('expanded-includes-empty'));
  },
);
add(
  range('velero-1.0.1', 'velero-1.15.1'),
  'pkg/backup/item_collector.go@v1.17.0 (getNamespacesToList lists each include by name) with includes_excludes.go@v1.0.1 (glob excludes)',
  'a glob include selects nothing; a glob exclude works',
  (t, tg) => {
    t.deepEqual(covered(tg, ['kube-*'], [], ['default', 'kube-system']), []);
    t.deepEqual(covered(tg, ['*'], ['kube-*'], ['default', 'kube-system']), ['default']);
    t.deepEqual(covered(tg, [], ['*-test'], ['app-prod', 'app-test']), ['app-prod']);
  },
);
add(
  range('ark-0.7', 'velero-1.0'),
  'pkg/util/collections/includes_excludes.go@v0.10.0 (exact strings)',
  'globs match nothing but their literal name',
  (t, tg) => {
    t.deepEqual(covered(tg, ['kube-*'], [], ['default', 'kube-system']), []);
    t.deepEqual(covered(tg, ['*'], ['kube-*'], ['default', 'kube-system']), ['default', 'kube-system']);
  },
);
add(
  range('velero-1.10'),
  'pkg/controller/backup_controller.go@v1.10.0 (labelled namespaces appended to ExcludedNamespaces before validation)',
  'velero.io/exclude-from-backup=true namespaces are excluded; listed in includes too it fails validation',
  (t, tg) => {
    const nss: NamespaceInfo[] = [
      { name: 'secret', labels: { 'velero.io/exclude-from-backup': 'true' } },
      { name: 'app', labels: {} },
    ];
    const b = backupFor(tg, {}, 'b', nss);
    t.false(backupCovers(b, pod({}, { namespace: 'secret' })).covered);
    t.true(backupCovers(b, pod({}, { namespace: 'app' })).covered);
    const both = backupFor(tg, { includedNamespaces: ['secret', 'app'] }, 'b', nss);
    t.true(both.fatal);
    t.regex(both.validationErrors.join('\n'), /excludes list cannot contain an item in the includes list: secret/);
  },
);
add(
  range('ark-0.7', 'velero-1.9'),
  'pkg/controller/backup_controller.go@v1.9.0 (no namespace label lookup)',
  'namespace labels do not exclude',
  (t, tg) => {
    const b = backupFor(tg, {}, 'b', [{ name: 'secret', labels: { 'velero.io/exclude-from-backup': 'true' } }]);
    t.true(backupCovers(b, pod({}, { namespace: 'secret' })).covered);
  },
);

// ---------------------------------------------------------------------------------------------
// Resource names: discovery mapping, unresolvable names, "*" in excludes, scoped filters.
const CLUSTER = { resources: BUILTIN_RESOURCES, complete: true };
const res = (tg: Target, inc: string[], exc: string[] = []) =>
  resourcesIncludePods(inc, exc, { mode: tg.listMatch, unresolvable: tg.unresolvableResource, index: CLUSTER }).includesPods;
add(
  range('ark-0.7', 'velero-1.2'),
  'pkg/backup/backup.go@v1.3.0 (getResourceIncludesExcludes returns "" when discovery cannot resolve, and "" is skipped)',
  'an unresolvable name is dropped: a list of only such names matches every pod (#2461)',
  (t, tg) => {
    t.true(res(tg, ['nosuchthing']));
    t.false(res(tg, ['nosuchthing', 'deployments']));
  },
);
add(
  range('velero-1.4'),
  'pkg/backup/backup.go@v1.4.0 ("If we can\'t resolve it, return it as-is", #2461)',
  'an unresolvable name is kept and matches nothing',
  (t, tg) => t.false(res(tg, ['nosuchthing'])),
);
add(
  ALL,
  'pkg/util/collections/includes_excludes.go@v1.4.0 ("wildcards are invalid for excludes, so ignore them"); before v1.4 discovery cannot resolve "*" and it is dropped',
  '"*" in excludedResources is dropped',
  (t, tg) => t.true(res(tg, [], ['*'])),
);
add(
  ALL,
  'pkg/backup/backup.go@v0.10.0 (helper.ResourceFor via the shortcut expander)',
  'po, pod, Pods and pods resolve to pods; deployments never matches a pod (#6043)',
  (t, tg) => {
    for (const n of ['po', 'pod', 'Pods', 'pods']) t.true(res(tg, [n]), n);
    t.false(res(tg, ['deployments']));
    t.false(res(tg, ['leases']), 'leases is built in (coordination.k8s.io)');
  },
);
add(
  range('velero-1.11'),
  'pkg/util/collections/includes_excludes.go@v1.11.0 (GetScopeResourceIncludesExcludes: a resource of the other scope maps to "")',
  'a cluster-scoped name in includedNamespaceScopedResources is dropped',
  (t, tg) => {
    const only = backupFor(tg, { includedNamespaceScopedResources: ['persistentvolumes'] });
    t.true(only.resources.includesPods, 'the list is left empty, which includes every namespace-scoped resource');
    t.deepEqual(only.resources.wrongScope, ['persistentvolumes']);
    t.false(backupFor(tg, { includedNamespaceScopedResources: ['persistentvolumes', 'configmaps'] }).resources.includesPods);
    t.true(
      backupFor(tg, { includedResources: ['pods'], includedNamespaceScopedResources: ['pods'] }).fatal,
      'old and new filters cannot be mixed',
    );
  },
);
add(
  range('velero-0.11', 'velero-1.10'),
  'pkg/apis/velero/v1/backup.go@v1.10.0 (no *ScopedResources fields)',
  'includedNamespaceScopedResources is ignored',
  (t, tg) => {
    const b = backupFor(tg, { includedNamespaceScopedResources: ['configmaps'] });
    t.true(b.resources.includesPods);
    t.true(codes(b.findings).includes('field-not-in-target'));
  },
);

// ---------------------------------------------------------------------------------------------
// Which pods run hooks at all.
add(['ark-0.7'], 'pkg/backup/item_backupper.go@v0.7.0 (no deletionTimestamp check)', 'a terminating pod still runs its hooks', (t, tg) => {
  const p = buildPlan([pod({ 'pre.hook.backup.ark.heptio.com/command': '["x"]' }, { deletionTimestamp: '2026-01-01T00:00:00Z' })], {
    target: tg,
    phases: ['pre'],
  }).pods[0];
  t.is(p?.skip, undefined);
});
add(
  range('ark-0.9'),
  'pkg/backup/item_backupper.go@v0.9.0 ("Skipping item because it\'s being deleted")',
  'a terminating pod is skipped',
  (t, tg) => {
    const d = tg.families[0] === 'ark' ? 'ark.heptio.com' : 'velero.io';
    const p = buildPlan([pod({ [`pre.hook.backup.${d}/command`]: '["x"]' }, { deletionTimestamp: '2026-01-01T00:00:00Z' })], {
      target: tg,
      phases: ['pre'],
    }).pods[0];
    t.regex(p?.skip ?? '', /terminating/);
  },
);
add(
  range('ark-0.7', 'velero-1.11'),
  'pkg/podexec/pod_command_executor.go@v1.12.0 (no phase check)',
  'a Succeeded pod is not skipped (exec fails)',
  (t, tg) => {
    const d = tg.families[0] === 'ark' ? 'ark.heptio.com' : 'velero.io';
    const p = buildPlan([pod({ [`pre.hook.backup.${d}/command`]: '["x"]' }, { phase: 'Succeeded' })], { target: tg, phases: ['pre'] })
      .pods[0];
    t.is(p?.skip, undefined);
    t.true(codes(p?.findings ?? []).includes('pod-not-running'));
  },
);
add(
  range('velero-1.13'),
  'pkg/podexec/pod_command_executor.go@v1.13.0 ("Pod entered phase %s before some post-backup exec hooks ran")',
  'a Succeeded or Failed pod is skipped',
  (t, tg) => {
    for (const phase of ['Succeeded', 'Failed']) {
      const p = buildPlan([pod({ 'pre.hook.backup.velero.io/command': '["x"]' }, { phase })], { target: tg, phases: ['pre'] }).pods[0];
      t.regex(p?.skip ?? '', new RegExp(phase));
    }
  },
);
add(
  range('ark-0.7', 'velero-1.0.1'),
  'pkg/backup/item_backupper.go@v1.1.0 (no exclude-from-backup label check)',
  'a pod labelled velero.io/exclude-from-backup=true is backed up',
  (t, tg) => {
    t.true(backupCovers(backupFor(tg, {}), pod({}, { labels: { 'velero.io/exclude-from-backup': 'true' } })).covered);
  },
);
add(
  range('velero-1.2'),
  'pkg/backup/item_backupper.go@v1.2.0 ("Excluding item because it has label velero.io/exclude-from-backup=true")',
  'a pod labelled velero.io/exclude-from-backup=true is not backed up',
  (t, tg) => {
    t.false(backupCovers(backupFor(tg, {}), pod({}, { labels: { 'velero.io/exclude-from-backup': 'true' } })).covered);
    t.true(
      backupCovers(backupFor(tg, {}), pod({}, { labels: { 'velero.io/exclude-from-backup': 'false' } })).covered,
      'only "true" counts (pkg/backup/backup_test.go@v1.10.0)',
    );
  },
);

// ---------------------------------------------------------------------------------------------
// Hook handler: TestHandleHooks.
const hookSpecs = (extra: object = {}) => ({
  hooks: {
    resources: [
      {
        name: 'hook1',
        pre: [{ exec: { container: 'app', command: ['pre-1a'] } }, { exec: { container: 'app', command: ['pre-1b'] } }],
        post: [{ exec: { container: 'app', command: ['post-1a'] } }],
        ...extra,
      },
    ],
  },
});
add(
  ALL,
  'pkg/backup/item_hook_handler_test.go@v0.10.0 and internal/hook/item_hook_handler_test.go@v1.18.0 (TestHandleHooks)',
  'pod, no annotation, spec (multiple pre hooks) = run spec, in order',
  (t, tg) => {
    const p = buildPlan([pod({})], { target: tg, phases: ['pre', 'post'], scope: backupFor(tg, hookSpecs()) }).pods[0];
    t.deepEqual(
      p?.hooks.map((h) => [h.phase, h.command[0]]),
      [
        ['pre', 'pre-1a'],
        ['pre', 'pre-1b'],
        ['post', 'post-1a'],
      ],
    );
  },
);
add(
  ALL,
  'pkg/backup/item_hook_handler_test.go@v0.10.0 and internal/hook/item_hook_handler_test.go@v1.18.0 (TestHandleHooks)',
  'pod, annotation & spec = run annotation (per phase)',
  (t, tg) => {
    const d = tg.families[0] === 'ark' ? 'ark.heptio.com' : 'velero.io';
    const p = buildPlan([pod({ [`post.hook.backup.${d}/command`]: '["ann"]' })], {
      target: tg,
      phases: ['pre', 'post'],
      scope: backupFor(tg, hookSpecs()),
    }).pods[0];
    t.deepEqual(
      p?.hooks.map((h) => [h.phase, h.source.type, h.command[0]]),
      [
        ['pre', 'spec', 'pre-1a'],
        ['pre', 'spec', 'pre-1b'],
        ['post', 'annotation', 'ann'],
      ],
    );
  },
);
for (const [name, extra, applies] of [
  ['ns exclude', { excludedNamespaces: ['ns'] }, false],
  ['resource exclude', { excludedResources: ['pods'] }, false],
  ['label selector mismatch', { labelSelector: { matchLabels: { foo: 'bar' } } }, false],
  ['namespace in included list', { includedNamespaces: ['ns'] }, true],
  ['namespace not in included list', { includedNamespaces: ['other'] }, false],
  ['resource in included list', { includedResources: ['pods'] }, true],
  ['resource not in included list', { includedResources: ['deployments'] }, false],
] as const) {
  add(
    ALL,
    'pkg/backup/item_hook_handler_test.go@v0.10.0 (spec hooks not applicable; TestResourceHookApplicableTo) and internal/hook/item_hook_handler_test.go@v1.18.0',
    `hook entry: ${name}`,
    (t, tg) => {
      const p = buildPlan([pod({})], { target: tg, phases: ['pre'], scope: backupFor(tg, hookSpecs(extra)) }).pods[0];
      t.is((p?.hooks.length ?? 0) > 0, applies);
    },
  );
}
add(
  range('ark-0.7', 'velero-1.0'),
  'pkg/backup/item_hook_handler.go@v0.10.0 (resourceHook.applicableTo with a string-set IncludesExcludes)',
  'hook entry namespaces are literal: "sh*" does not apply in namespace shop, "*" in excludes excludes nothing',
  (t, tg) => {
    const inc = buildPlan([pod({}, { namespace: 'shop' })], {
      target: tg,
      phases: ['pre'],
      scope: backupFor(tg, hookSpecs({ includedNamespaces: ['sh*'] })),
    }).pods[0];
    t.deepEqual(inc?.hooks, []);
    const exc = buildPlan([pod({}, { namespace: 'shop' })], {
      target: tg,
      phases: ['pre'],
      scope: backupFor(tg, hookSpecs({ excludedNamespaces: ['*'] })),
    }).pods[0];
    t.is(exc?.hooks.length, 2);
  },
);
add(
  range('velero-1.0.1'),
  'internal/hook/item_hook_handler.go@v1.18.0 (ResourceHookSelector.applicableTo with glob IncludesExcludes, unvalidated)',
  'hook entry namespaces are globs: "sh*" applies in namespace shop, "*" in excludes excludes every namespace',
  (t, tg) => {
    const inc = buildPlan([pod({}, { namespace: 'shop' })], {
      target: tg,
      phases: ['pre'],
      scope: backupFor(tg, hookSpecs({ includedNamespaces: ['sh*'] })),
    }).pods[0];
    t.is(inc?.hooks.length, 2);
    const exc = buildPlan([pod({}, { namespace: 'shop' })], {
      target: tg,
      phases: ['pre'],
      scope: backupFor(tg, hookSpecs({ excludedNamespaces: ['*'] })),
    }).pods[0];
    t.deepEqual(exc?.hooks, []);
  },
);
add(
  ARK.concat('velero-0.11'),
  'pkg/apis/ark/v1/backup.go@v0.10.0 (Hooks: deprecated, used as pre when pre is empty)',
  'the deprecated hooks field runs as pre',
  (t, tg) => {
    const p = buildPlan([pod({})], {
      target: tg,
      phases: ['pre'],
      scope: backupFor(tg, { hooks: { resources: [{ name: 'old', hooks: [{ exec: { command: ['old'] } }] }] } }),
    }).pods[0];
    t.deepEqual(
      p?.hooks.map((h) => h.command[0]),
      ['old'],
    );
  },
);
add(range('velero-1.0'), 'pkg/apis/velero/v1/backup.go@v1.0.0 (no Hooks field)', 'the deprecated hooks field is ignored', (t, tg) => {
  const p = buildPlan([pod({})], {
    target: tg,
    phases: ['pre'],
    scope: backupFor(tg, { hooks: { resources: [{ name: 'old', hooks: [{ exec: { command: ['old'] } }] }] } }),
  }).pods[0];
  t.deepEqual(p?.hooks, []);
});

// ---------------------------------------------------------------------------------------------
// Choosing a target from a version.
add(ALL, 'the release tags in the mirror (git tag)', 'the first and last versions of the range map to this target', (t, tg) => {
  for (const v of [tg.from, tg.lastChecked]) {
    const r = resolveTargetName(v);
    t.true(r.ok && r.target.name === tg.name, `${v} → ${r.ok ? r.target.name : r.reason}`);
  }
});

// Every target has cases, and every case names a source with a tag.
test('every target has conformance cases, each citing file@tag', (t) => {
  for (const name of ALL)
    t.true(
      cases.filter((c) => c.targets.includes(name)).length >= 20,
      `${name}: ${cases.filter((c) => c.targets.includes(name)).length} cases`,
    );
  for (const c of cases) t.regex(c.source, /@v\d+\.\d+\.\d+|git tag/, c.name);
  t.true(OFFLINE_INDEX.resources.length > 40);
});

for (const c of cases) {
  for (const name of c.targets) {
    const target = TARGETS.find((x) => x.name === name) as Target;
    test(`${name} | ${c.name} [${c.source}]`, (t) => c.check(t, target));
  }
}
