import test from 'ava';
import { parseCommandAnnotation, resolveAnnotationHook, unknownHookKeys } from '../../src/hooks/annotations.ts';
import { codes, pod, target } from './helpers.ts';

// The old blend read both families (velero.io first): that is Velero v0.11 (item_hook_handler.go@v0.11.0).
const V011 = target('velero-0.11');
const V118 = target('velero-1.18');
const ARK = target('ark-0.9');

const argv = (v: string) => parseCommandAnnotation(v, 'ns/p', 'k').argv;

test('command parsing follows Ark (hooks-spec A3)', (t) => {
  t.deepEqual(argv('["/bin/sh","-c","echo hi"]'), ['/bin/sh', '-c', 'echo hi']);
  t.deepEqual(argv('[blarg'), ['[blarg']);
  t.deepEqual(argv('/usr/bin/foo'), ['/usr/bin/foo']);
  t.deepEqual(argv(' ["a"]'), [' ["a"]'], 'leading space: no trimming, raw text');
  t.deepEqual(argv('[1,2]'), ['[1,2]'], 'non-strings: raw text');
  t.deepEqual(argv('["a",{}]'), ['["a",{}]']);
  t.deepEqual(argv('[]'), []);
  t.deepEqual(argv('["a",null]'), ['a', ''], 'null becomes an empty string');
  t.deepEqual(argv('fsfreeze --freeze /data'), ['fsfreeze --freeze /data'], 'never split on spaces');
});

test('command findings explain what Ark would do', (t) => {
  const f = (v: string) => codes(parseCommandAnnotation(v, 'ns/p', 'k').findings);
  t.deepEqual(f('["/sbin/fsfreeze","--freeze","/data"]'), []);
  t.deepEqual(f('fsfreeze --freeze /data'), ['command-not-json-array']);
  t.deepEqual(f('[blarg'), ['command-invalid-json']);
  t.deepEqual(f('[1,2]'), ['command-not-string-array']);
  t.deepEqual(f(' ["a"]'), ['command-leading-space']);
  t.deepEqual(f('[]'), ['command-empty']);
  t.deepEqual(f('["a",null]'), ['command-null-element']);
  t.deepEqual(f('["/bin/sh -c", "echo"]'), ['command-program-has-spaces']);
  t.deepEqual(f('a|b'), ['command-shell-syntax']);
  const msg = parseCommandAnnotation('echo $HOME && ls', 'ns/p', 'k').findings[0]?.message ?? '';
  t.regex(msg, /\["\/bin\/sh","-c","echo \$HOME && ls"\]/, 'suggests a shell wrapper for shell syntax');
});

const V = 'hook.backup.velero.io';
const A = 'hook.backup.ark.heptio.com';

test('prefixed keys win over legacy keys, and the sets are never mixed', (t) => {
  const p = pod({ [`pre.${V}/command`]: '["a"]', [`${V}/command`]: '["legacy"]', [`${V}/container`]: 'sidecar' });
  const r = resolveAnnotationHook(p, 'pre', V118, 'ns/p');
  t.deepEqual(r.hook?.command, ['a']);
  t.is(r.hook?.container, 'app', 'the legacy container does not leak into the prefixed set');
  t.true(r.hook?.containerDefaulted);
  t.deepEqual(codes(r.findings), ['legacy-and-prefixed']);
});

test('a lone prefixed container without a command is ignored and the legacy set is used', (t) => {
  const p = pod({ [`pre.${V}/container`]: 'sidecar', [`${V}/command`]: '["legacy"]' });
  const r = resolveAnnotationHook(p, 'pre', V118, 'ns/p');
  t.deepEqual(r.hook?.command, ['legacy']);
  t.is(r.hook?.container, 'app');
  t.true(r.hook?.source.type === 'annotation' && r.hook.source.legacy);
  t.deepEqual(codes(r.findings), ['keys-without-command']);
  t.deepEqual(codes(r.hook?.findings ?? []), ['legacy-keys']);
});

test('legacy keys are never used for post', (t) => {
  const p = pod({ [`${A}/command`]: '["legacy"]' });
  t.is(resolveAnnotationHook(p, 'post', V011, 'ns/p').hook, null);
  t.deepEqual(resolveAnnotationHook(p, 'pre', V011, 'ns/p').hook?.command, ['legacy']);
});

test('an empty command means no hook', (t) => {
  const r = resolveAnnotationHook(pod({ [`pre.${V}/command`]: '' }), 'pre', V011, 'ns/p');
  t.is(r.hook, null);
  t.deepEqual(codes(r.findings), ['empty-command']);
});

test('velero-0.11 reads both families; velero wins and the conflict is reported', (t) => {
  const p = pod({ [`pre.${A}/command`]: '["ark"]', [`pre.${V}/command`]: '["velero"]' });
  const r = resolveAnnotationHook(p, 'pre', V011, 'ns/p');
  t.deepEqual(r.hook?.command, ['velero']);
  t.deepEqual(codes(r.findings), ['both-families']);
  t.deepEqual(resolveAnnotationHook(p, 'pre', ARK, 'ns/p').hook?.command, ['ark'], 'Ark reads only ark keys');
  t.deepEqual(resolveAnnotationHook(p, 'pre', V118, 'ns/p').hook?.findings, []);
});

test('Velero v0.11 order: pre.velero, pre.ark, legacy velero, legacy ark', (t) => {
  const p = pod({ [`pre.${A}/command`]: '["pre-ark"]', [`${V}/command`]: '["legacy-velero"]' });
  t.deepEqual(resolveAnnotationHook(p, 'pre', V011, 'ns/p').hook?.command, ['pre-ark']);
});

test('effective values: container, on-error, timeout with findings', (t) => {
  const p = pod({
    [`post.${V}/command`]: '["x"]',
    [`post.${V}/container`]: 'nope',
    [`post.${V}/on-error`]: 'continue',
    [`post.${V}/timeout`]: '300',
  });
  const h = resolveAnnotationHook(p, 'post', V011, 'ns/p').hook;
  t.is(h?.onError, 'Fail', 'velero-0.11: an invalid on-error means Fail after an exec failure (pod_command_executor.go@v0.11.0)');
  t.is(h?.timeoutNanos, 30_000_000_000n, 'an unparsable timeout means 30s');
  t.deepEqual(codes(h?.findings ?? []), ['container-not-found', 'invalid-on-error', 'invalid-timeout']);
  t.regex(h?.findings.find((f) => f.code === 'invalid-timeout')?.message ?? '', /"300s"/);
  t.regex(h?.findings.find((f) => f.code === 'invalid-on-error')?.message ?? '', /write "Continue"/);
  t.regex(h?.findings.find((f) => f.code === 'container-not-found')?.message ?? '', /choose one of: app, sidecar/);
});

test('negative timeout means no timeout; Continue is kept', (t) => {
  const h = resolveAnnotationHook(
    pod({ [`pre.${V}/command`]: '["x"]', [`pre.${V}/timeout`]: '-1s', [`pre.${V}/on-error`]: 'Continue' }),
    'pre',
    V011,
    'ns/p',
  ).hook;
  t.is(h?.timeoutNanos, null);
  t.is(h?.onError, 'Continue');
  t.deepEqual(codes(h?.findings ?? []), ['negative-timeout']);
});

test('containers: init containers, native sidecars, and pods without containers', (t) => {
  const base = { [`pre.${V}/command`]: '["x"]' };
  const init = resolveAnnotationHook(
    pod({ ...base, [`pre.${V}/container`]: 'init' }, { initContainers: ['init'] }),
    'pre',
    V011,
    'ns/p',
  ).hook;
  t.regex(init?.findings[0]?.message ?? '', /init container/);
  const sidecar = resolveAnnotationHook(
    pod({ ...base, [`pre.${V}/container`]: 'proxy' }, { sidecars: ['proxy'] }),
    'pre',
    V011,
    'ns/p',
  ).hook;
  t.regex(sidecar?.findings[0]?.message ?? '', /native sidecar/);
  const none = resolveAnnotationHook(pod(base, { containers: [] }), 'pre', V011, 'ns/p').hook;
  t.is(none?.container, null);
  t.regex(none?.findings[0]?.message ?? '', /need at least 1 container/);
});

test('typos and wrong case in hook keys are reported', (t) => {
  const f = unknownHookKeys(pod({ [`pre.${V}/comand`]: 'x', [`Pre.${V}/command`]: 'y', 'other/key': 'z' }), 'ns/p');
  t.deepEqual(codes(f), ['hook-key-case', 'unknown-hook-key']);
  t.regex(f.find((x) => x.code === 'unknown-hook-key')?.message ?? '', /did you mean "command"/);
});
