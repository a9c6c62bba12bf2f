// The report objects every output format is a view of: the hook report (list), the validation
// verdict (validate), the plan report (dry-run, without a cluster) and the run report.
import test from 'ava';
import { preflight } from '../../src/flows/preflight.ts';
import { buildReport, validationReport } from '../../src/report/hook-report.ts';
import { buildRunReport, summarize } from '../../src/report/run-report.ts';
import { hookResult, inventory, podResult } from './fixtures.ts';
import { pod } from './helpers.ts';

test('buildReport: pods with hooks (all pods with --all), one entry per hook, counted findings', (t) => {
  const r = buildReport(inventory());
  t.is(r.kind, 'HookReport');
  t.deepEqual(
    r.pods.map((p) => p.name),
    ['db', 'web'],
  );
  t.deepEqual(
    r.pods[0]?.hooks.map((h) => [h.phase, h.timeout, h.status]),
    [
      ['pre', '2m0s', 'ok'],
      ['post', '30s', 'ok'],
    ],
  );
  t.deepEqual(
    r.pods[1]?.hooks.map((h) => [h.container, h.status]),
    [['nope', 'error']],
  );
  t.deepEqual(r.summary, { podsSeen: 3, podsInScope: 3, podsWithHooks: 2, hooks: 3, errors: 1, warnings: 0 });
  t.deepEqual(
    buildReport(inventory(), true).pods.map((p) => p.name),
    ['db', 'idle', 'web'],
  );
});

test('buildReport: pods the Backup leaves out are an info finding each', (t) => {
  const inv = inventory();
  inv.plan.excluded.push({ object: 'ns/other', reason: 'its namespace is excluded' });
  const r = buildReport(inv);
  t.deepEqual(
    r.findings.filter((f) => f.code === 'not-in-backup').map((f) => [f.severity, f.object]),
    [['info', 'ns/other']],
  );
  t.deepEqual(r.excluded, [{ object: 'ns/other', reason: 'its namespace is excluded' }]);
});

test('validationReport: invalid on an error; on a warning only with strict', (t) => {
  t.false(validationReport(buildReport(inventory()), false).valid);
  const warnOnly = inventory(
    ['pre'],
    [pod({ 'pre.hook.backup.velero.io/command': '["/bin/sync"]', 'pre.hook.backup.velero.io/timeout': '' }, { name: 'w' })],
  );
  const report = buildReport(warnOnly);
  t.is(report.summary.errors, 0);
  t.is(report.summary.warnings, 1);
  t.true(validationReport(report, false).valid);
  t.false(validationReport(report, true).valid);
  t.deepEqual(Object.keys(validationReport(report, true)), ['apiVersion', 'kind', 'source', 'scope', 'findings', 'summary', 'valid']);
});

test('preflight without a cluster: the hooks in order, what blocks one, no access checks', async (t) => {
  const r = await preflight(inventory(['pre']), null);
  t.is(r.kind, 'HookPlan');
  t.deepEqual(
    r.pods.map((p) => [p.pod, p.hooks.map((h) => `${h.phase} ${h.index} ${h.command.join(' ')}`)]),
    [
      ['db', ['pre 1 /sbin/fsfreeze --freeze /data']],
      ['web', ['pre 1 /bin/sync']],
    ],
  );
  t.regex(r.pods[1]?.hooks[0]?.problem ?? '', /container "nope" is not in the pod/);
  t.deepEqual(
    r.problems.map((p) => p.object),
    ['ns/web'],
  );
  t.deepEqual(r.access, []);
  t.true(r.wouldFail);
  t.deepEqual(r.summary, { pods: 2, hooks: 2, problems: 1, failingHooks: 1, failingPods: 1, erroredHooks: 0 });
});

test('preflight: a skipped pod is listed, its hooks carry no problem', async (t) => {
  const inv = inventory(['pre'], [pod({ 'pre.hook.backup.velero.io/command': '["/bin/sync"]' }, { name: 'gone', phase: 'Succeeded' })]);
  const r = await preflight(inv, null);
  t.truthy(r.pods[0]?.skip);
  t.is(r.pods[0]?.hooks[0]?.problem, undefined);
  t.false(r.wouldFail);
});

test('preflight: a Backup that fails validation runs no hook, and that is a problem', async (t) => {
  const inv = inventory(['pre']);
  inv.backup = {
    name: 'b',
    namespace: 'velero',
    group: 'velero.io',
    object: 'backup velero/b',
    validationErrors: ['bad selector'],
    fatal: true,
    listsFail: null,
  } as unknown as NonNullable<typeof inv.backup>;
  const r = await preflight(inv, null);
  t.deepEqual(r.backup, {
    name: 'b',
    namespace: 'velero',
    group: 'velero.io',
    failsValidation: true,
    validationErrors: ['bad selector'],
    runsNoHooks: true,
    reason: 'FailedValidation',
  });
  t.true(r.problems.some((p) => p.object === 'backup velero/b' && /would run no hook/.test(p.message)));
});

test('run report: summaries per phase and in total; a failure of any on-error counts as failed', (t) => {
  const pre = [podResult([hookResult(), hookResult({ index: 2, result: 'failed', exitCode: 3, onError: 'Continue' })])];
  const post = [
    podResult([hookResult({ phase: 'post', result: 'not-run' })]),
    podResult([hookResult({ pod: 'x', phase: 'post', result: 'interrupted' })]),
  ];
  t.deepEqual(summarize(pre), { pods: 1, hooks: 2, succeeded: 1, failed: 1, skipped: 0, notRun: 0, interrupted: 0, failModeFailures: 0 });
  const started = new Date('2026-01-01T00:00:00Z');
  const r = buildRunReport(
    inventory(),
    started,
    [
      { phase: 'pre', pods: pre },
      { phase: 'post', pods: post },
    ],
    'SIGINT',
    new Date('2026-01-01T00:00:05Z'),
  );
  t.is(r.kind, 'HookRun');
  t.is(r.startedAt, '2026-01-01T00:00:00.000Z');
  t.is(r.finishedAt, '2026-01-01T00:00:05.000Z');
  t.deepEqual(
    r.phases.map((p) => p.summary.hooks),
    [2, 2],
  );
  t.deepEqual(
    [r.summary.hooks, r.summary.succeeded, r.summary.failed, r.summary.notRun, r.summary.interrupted, r.summary.failModeFailures],
    [4, 1, 1, 1, 1, 1],
  );
  t.is(r.interrupted, 'SIGINT');
});
