// A corpus of bad inputs through list, validate and annotate: each gives a finding or a one-line
// error naming the object and field, never a stack trace, and the good pod beside them is still
// processed. Plus a fuzz test of the annotation parser, bounded by a seed and a count (FUZZ_SEED,
// FUZZ_COUNT), so that two runs try the same inputs and a failure replays from its seed.
import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAnnotationHook } from '../../src/hooks/annotations.ts';
import { readBackup } from '../../src/hooks/backup.ts';
import { allFindings, buildPlan } from '../../src/hooks/plan.ts';
import { OFFLINE_INDEX } from '../../src/hooks/scope.ts';
import { TARGETS } from '../../src/hooks/targets.ts';
import type { PodInput } from '../../src/hooks/types.ts';
import { arkHooks } from '../support/cli.ts';
import { recordInputs } from '../support/reliability-log.ts';

interface Case {
  name: string;
  content: string | Buffer;
  /** A finding must name this file; 'ok' cases are valid input that must not break anything. */
  expect: 'finding' | 'ok';
}

const V = 'pre.hook.backup.velero.io';
const podYaml = (annotations: Record<string, unknown>, spec: unknown = { containers: [{ name: 'app' }] }) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'corpus', annotations }, spec });
const backupYaml = (spec: unknown) =>
  JSON.stringify({ apiVersion: 'velero.io/v1', kind: 'Backup', metadata: { name: 'b', namespace: 'velero' }, spec });

function corpus(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, content: string | Buffer, expect: Case['expect'] = 'finding') => cases.push({ name, content, expect });
  const commands: [string, unknown, Case['expect']][] = [
    ['cmd-invalid-json', '["a",', 'finding'],
    ['cmd-open-bracket', '[', 'finding'],
    ['cmd-numbers', '[1,2]', 'finding'],
    ['cmd-nulls', '[null]', 'finding'],
    ['cmd-empty-array', '[]', 'finding'],
    ['cmd-object-element', '["a",{}]', 'finding'],
    ['cmd-object', '{"a":1}', 'finding'],
    ['cmd-leading-space', '  ["a"]', 'finding'],
    ['cmd-plain-spaces', 'fsfreeze --freeze /data', 'finding'],
    ['cmd-shell', 'a|b', 'finding'],
    ['cmd-program-spaces', '["/bin/sh -c x"]', 'finding'],
    ['cmd-empty-program', '[""]', 'finding'],
    ['cmd-yaml-null', null, 'finding'],
    ['cmd-number', 5, 'finding'],
    ['cmd-bool', true, 'finding'],
    ['cmd-list', ['a'], 'finding'],
    ['cmd-1mb-string', 'x '.repeat(512 * 1024), 'finding'],
    ['cmd-1mb-array', JSON.stringify(Array.from({ length: 100_000 }, () => 'argument')), 'ok'],
    ['cmd-unicode', '["é","漢字"]', 'ok'],
    ['cmd-nul-char', '["a\\u0000b"]', 'ok'],
    ['cmd-ok', '["/bin/true"]', 'ok'],
  ];
  for (const [name, value, expect] of commands) add(`${name}.json`, podYaml({ [`${V}/command`]: value }), expect);
  const timeouts: [string, string, Case['expect']][] = [
    ['empty', '', 'finding'],
    ['negative', '-1s', 'finding'],
    ['unitless', '300', 'finding'],
    ['exponent', '1e3s', 'finding'],
    ['overflow', '9999999999999h', 'finding'],
    ['space-before', ' 5s', 'finding'],
    ['space-inside', '5 s', 'finding'],
    ['zero', '0', 'finding'],
    ['word', 'abc', 'finding'],
    ['dash', '-', 'finding'],
    ['dot', '.s', 'finding'],
    ['double', '1h1h', 'ok'],
    ['plus', '+5s', 'ok'],
    ['fraction', '1.5m', 'ok'],
  ];
  for (const [name, value, expect] of timeouts)
    add(`timeout-${name}.json`, podYaml({ [`${V}/command`]: '["x"]', [`${V}/timeout`]: value }), expect);
  const onErrors: [string, Case['expect']][] = [
    ['fail', 'finding'],
    ['FAIL', 'finding'],
    ['continue', 'finding'],
    ['CONTINUE', 'finding'],
    ['cOnTiNuE', 'finding'],
    ['yes', 'finding'],
    ['Fail ', 'finding'],
    ['Fail', 'ok'],
    ['Continue', 'ok'],
    ['', 'ok'],
  ];
  for (const [i, [value, expect]] of onErrors.entries())
    add(`onerror-${i}.json`, podYaml({ [`${V}/command`]: '["x"]', [`${V}/on-error`]: value }), expect);
  for (const [i, c] of ['nope', 'a/b', '../..', 'x'.repeat(300), 'café', ' app'].entries())
    add(`container-${i}.json`, podYaml({ [`${V}/command`]: '["x"]', [`${V}/container`]: c }));
  add('pod-no-containers.json', podYaml({ [`${V}/command`]: '["x"]' }, {}));
  add('pod-containers-string.json', podYaml({ [`${V}/command`]: '["x"]' }, { containers: 'x' }));
  add('pod-containers-null-item.json', podYaml({ [`${V}/command`]: '["x"]' }, { containers: [null] }));
  add(
    'pod-no-spec.json',
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'corpus', annotations: { [`${V}/command`]: '["x"]' } },
    }),
  );
  add(
    'pod-annotations-list.json',
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'corpus', annotations: ['a'] },
      spec: { containers: [{ name: 'a' }] },
    }),
  );
  add('pod-key-typo.json', podYaml({ [`${V}/comand`]: '["x"]' }));
  add('pod-key-case.json', podYaml({ 'PRE.hook.backup.velero.io/command': '["x"]' }));
  add('backup-bad-operator.json', backupYaml({ labelSelector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] } }));
  add('backup-matchlabels-number.json', backupYaml({ labelSelector: { matchLabels: { a: 1 } } }));
  add('backup-selector-string.json', backupYaml({ labelSelector: 'app=x' }));
  add('backup-unknown-field.json', backupYaml({ includeNamespaces: ['a'] }));
  add('backup-namespaces-string.json', backupYaml({ includedNamespaces: 'a' }));
  add('backup-resources-not-list.json', backupYaml({ hooks: { resources: { name: 'x' } } }));
  add('backup-hook-no-exec.json', backupYaml({ hooks: { resources: [{ name: 'x', pre: [{}] }] } }));
  add('backup-hook-bad-command.json', backupYaml({ hooks: { resources: [{ name: 'x', pre: [{ exec: { command: 'sync now' } }] }] } }));
  add(
    'backup-or-and-selector.json',
    backupYaml({ labelSelector: { matchLabels: { a: 'b' } }, orLabelSelectors: [{ matchLabels: { a: 'c' } }] }),
  );
  add('backup-spec-string.json', backupYaml('nope'));
  add('not-yaml.yaml', ': : :\n- [\n');
  add('binary.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff, 0xfe, 0x00]));
  const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 0; i < 9; i++)
    lol.push(
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
    );
  add('anchor-bomb.yaml', lol.join('\n') + '\n');
  add(
    'anchor-bomb-annotations.yaml',
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: corpus\n  annotations: &x\n    ${V}/command: '["x"]'\n    self: *x\nspec: {containers: [{name: a}]}\n`,
  );
  add('deeply-nested.json', '['.repeat(20_000) + ']'.repeat(20_000));
  add('deeply-nested.yaml', 'a:\n' + Array.from({ length: 3000 }, (_, i) => ' '.repeat(i + 1) + 'a:').join('\n') + ' x\n');
  add('empty.yaml', '', 'ok');
  add('only-comments.yaml', '# nothing here\n', 'ok');
  add('trailing-comma.json', '{"kind": "Pod", "metadata": {"name": "p",},}');
  add('tabs.yaml', 'kind: Pod\nmetadata:\n\tname: p\n');
  add('a-list.yaml', '- 1\n- 2\n');
  add('a-number.yaml', '42\n');
  add('list-with-junk.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [3, 'x', null] }));
  return cases;
}

function writeCorpus(): { dir: string; cases: Case[] } {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
  const cases = corpus();
  for (const c of cases) writeFileSync(join(dir, c.name), c.content);
  writeFileSync(join(dir, 'zz-good.yaml'), podYaml({ [`${V}/command`]: '["/bin/true"]' }).replace('"name":"p"', '"name":"good-0"'));
  mkdirSync(join(dir, 'loop'));
  symlinkSync(dir, join(dir, 'loop', 'back'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.yaml'));
  return { dir, cases };
}

test('list survives the corpus: every bad input is a finding naming it, the good pod is listed', async (t) => {
  const { dir, cases } = writeCorpus();
  t.true(cases.length >= 60, `${cases.length} cases`);
  const r = await arkHooks(['list', '-f', dir, '-o', 'json']);
  // Files that are not YAML/JSON or cannot be read make the exit 1 (#17, as kubectl get -f); the rest is still listed.
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /^error: .*dangling\.yaml: cannot read/m);
  t.notRegex(r.stderr, /\n\s+at /);
  const report = JSON.parse(r.stdout);
  t.true(report.pods.some((p: { name: string; hooks: { status: string }[] }) => p.name === 'good-0' && p.hooks[0]?.status === 'ok'));
  const findings: { object: string; field: string; message: string }[] = report.findings;
  for (const c of cases.filter((x) => x.expect === 'finding')) {
    t.true(
      findings.some((f) => f.object.includes(c.name)),
      `${c.name} has a finding`,
    );
  }
  for (const f of findings) {
    t.true(f.message.length > 0 && !f.message.includes('\n'), 'one line');
  }
  t.true(findings.some((f) => f.object.endsWith('dangling.yaml') && /cannot read/.test(f.message)));
  // The corpus is counted once, here: the other corpus tests feed the same inputs to other commands.
  recordInputs(readdirSync(dir).length, 'corpus (files in the corpus directory)');
});

test('validate on the corpus: exit 1, one line per finding, no stack trace', async (t) => {
  const { dir, cases } = writeCorpus();
  const r = await arkHooks(['validate', '-f', dir]);
  t.is(r.code, 1);
  t.notRegex(r.stdout + r.stderr, /\n\s+at /);
  const lines = r.stdout.trim().split('\n');
  t.true(lines.slice(0, -1).every((l) => /^(error|warning|info): /.test(l)));
  t.regex(lines[lines.length - 1] as string, /^\d+ errors, \d+ warnings in \d+ hooks of \d+ pods, judged as velero-1\.18$/);
});

test('annotate --local refuses a corpus with unreadable files, in one line, writing nothing', async (t) => {
  const { dir } = writeCorpus();
  const r = await arkHooks(['annotate', '--local', '-f', dir, '--phase', 'pre', '--command', '/bin/sync']);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /^error: \S+/);
});

test('annotate --local on each malformed pod: a finding or a clean edit, never a crash', async (t) => {
  let n = 0;
  for (const c of corpus().filter((x) => x.name.endsWith('.json') && !x.name.startsWith('backup') && x.name !== 'trailing-comma.json')) {
    const dir = mkdtempSync(join(tmpdir(), 'one-'));
    writeFileSync(join(dir, c.name), c.content);
    const r = await arkHooks(['annotate', '--local', '-f', join(dir, c.name), '--phase', 'post', '--overwrite', '--command', '/bin/sync']);
    t.true(r.code === 0 || r.code === 1, `${c.name}: ${r.code}`);
    t.notRegex(r.stderr, /\n\s+at |unexpected failure/, c.name);
    n++;
  }
  t.true(n > 30, `${n} pods`);
});

// A small deterministic PRNG, so that a failure can be replayed from the printed seed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

test('fuzz: random annotation maps and Backups never throw, and effective values stay valid', (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261127);
  const count = Number(process.env.FUZZ_COUNT ?? 3000);
  t.log(`seed ${seed}, ${count} inputs (replay with FUZZ_SEED=${seed} FUZZ_COUNT=${count})`);
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const prefixes = ['pre.', 'post.', '', 'PRE.', 'pre'];
  const domains = ['hook.backup.velero.io', 'hook.backup.ark.heptio.com', 'hook.backup.velero.i0'];
  const fields = ['command', 'container', 'on-error', 'timeout', 'comand', ''];
  const values = [
    '',
    '[',
    '[]',
    '["a"]',
    '["a",1]',
    '[null]',
    'x y',
    '-1s',
    '300',
    '5m',
    'Fail',
    'continue',
    'app',
    'side',
    '{}',
    '\u0000',
    'é'.repeat(5),
    ' ["a"]',
  ];
  let runs = 0;
  while (runs < count) {
    const annotations: Record<string, string> = {};
    const n = Math.floor(r() * 8);
    for (let i = 0; i < n; i++) annotations[`${pick(prefixes)}${pick(domains)}/${pick(fields)}`] = r() < 0.2 ? String(r()) : pick(values);
    const pod: PodInput = {
      kind: 'Pod',
      namespace: 'ns',
      name: `p${runs}`,
      labels: r() < 0.5 ? { app: 'a' } : {},
      annotations,
      containers: r() < 0.1 ? [] : ['app', 'side'],
      initContainers: [],
      sidecars: [],
      findings: [],
    };
    const tgt = pick(TARGETS);
    const backup = readBackup(
      {
        apiVersion: pick(['velero.io/v1', 'ark.heptio.com/v1', 'x']),
        spec:
          r() < 0.5
            ? {
                hooks: {
                  resources: [
                    {
                      name: pick(['', 'h']),
                      labelSelector: r() < 0.5 ? { matchLabels: { app: pick(['a', 1]) } } : undefined,
                      pre: [{ exec: { command: pick([['x'], 'x', [], null]), timeout: pick(values), onError: pick(values) } }],
                    },
                  ],
                },
              }
            : pick([null, 'x', {}]),
      },
      { target: tgt, index: OFFLINE_INDEX, namespaces: null },
    );
    const plan = buildPlan([pod], { target: tgt, phases: ['pre', 'post'], scope: r() < 0.5 ? backup : null });
    allFindings(plan);
    for (const phase of ['pre', 'post'] as const) resolveAnnotationHook(pod, phase, tgt, 'o');
    for (const h of plan.pods.flatMap((p) => p.hooks)) {
      if (!(h.onError === 'Fail' || h.onError === 'Continue')) t.fail(`on-error ${h.onError}`);
      if (h.timeoutNanos !== null && h.timeoutNanos <= 0n) t.fail('non-positive timeout');
      if (h.container !== null && typeof h.container !== 'string') t.fail('container type');
    }
    runs++;
  }
  t.is(runs, count);
  recordInputs(runs, `fuzz (seed ${seed})`);
});
