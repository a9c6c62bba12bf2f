// The views of the reports: tables and text for a terminal, json and yaml; names from the cluster
// are escaped in every text view.
import test from 'ava';
import { preflight } from '../../src/flows/preflight.ts';
import { renderAnnotated, resultLines } from '../../src/output/annotate.ts';
import { progressLine, Progress } from '../../src/output/progress.ts';
import { hookReportNotes, renderFindings, renderHookReport, renderValidation } from '../../src/output/render.ts';
import { renderPlan, renderRunReport } from '../../src/output/run-report.ts';
import { makeStyle } from '../../src/output/term.ts';
import type { TargetResult } from '../../src/report/annotate-report.ts';
import { buildReport, validationReport } from '../../src/report/hook-report.ts';
import { buildRunReport } from '../../src/report/run-report.ts';
import { hookResult, inventory, podResult } from './fixtures.ts';
import { pod } from './helpers.ts';

const plain = makeStyle(false);

test('list table: one row per hook, status from the worst finding; the findings and the judging target are notes (stderr)', (t) => {
  const report = buildReport(inventory());
  const out = renderHookReport(report, { format: 'table', showAll: false, style: plain });
  const notes = hookReportNotes(report, { wide: false, showAll: false, style: plain });
  const lines = out.split('\n');
  t.regex(lines[0] ?? '', /^NAMESPACE\s+POD\s+PHASE\s+SOURCE\s+CONTAINER\s+COMMAND\s+ON-ERROR\s+TIMEOUT\s+STATUS$/);
  t.regex(out, /ns\s+db\s+pre\s+velero annotation\s+app \(default\)\s+\/sbin\/fsfreeze --freeze \/data\s+Continue\s+2m0s\s+ok/);
  t.regex(out, /ns\s+web\s+pre\s+.*nope\s+\/bin\/sync\s+.*error: container-not-found/);
  t.false(out.includes('error: ns/web'), 'the table holds no finding');
  t.regex(notes, /^error: ns\/web: pre.hook.backup.velero.io\/container: container "nope"/);
  t.true(notes.endsWith('Judged as velero-1.18 (Velero v1.18.0+)\n'));
});

test('list --all shows pods without hooks; wide adds the HOOK column; json is the report itself', (t) => {
  const report = buildReport(inventory(), true);
  t.regex(renderHookReport(report, { format: 'table', showAll: true, style: plain }), /ns\s+idle\s+-\s+-\s+-\s+-\s+-\s+-\s+no hooks/);
  t.regex(renderHookReport(report, { format: 'wide', showAll: true, style: plain }).split('\n')[0] ?? '', /STATUS\s+HOOK$/);
  t.deepEqual(JSON.parse(renderHookReport(report, { format: 'json', showAll: true, style: plain })), JSON.parse(JSON.stringify(report)));
});

test('an empty list prints no table and says where it looked, with a singular for one pod', (t) => {
  const report = buildReport(inventory(['pre'], [pod({}, { name: 'a' })]));
  t.is(renderHookReport(report, { format: 'table', showAll: false, style: plain }), '');
  t.regex(
    hookReportNotes(report, { wide: false, showAll: false, style: plain }),
    /^No hooks found in any namespace \(1 pod in scope\)\.\n/,
  );
});

test('control characters in names and messages are escaped in every text view', (t) => {
  const evil = inventory(
    ['pre'],
    [
      pod(
        { 'pre.hook.backup.velero.io/command': '["/bin/sync"]', 'pre.hook.backup.velero.io/container': 'x\u001b[2J' },
        { name: 'p\u001b]0;t\u0007' },
      ),
    ],
  );
  const report = buildReport(evil);
  for (const out of [
    renderHookReport(report, { format: 'table', showAll: false, style: plain }),
    renderFindings(report.findings, plain, true),
  ]) {
    t.false(out.includes('\u001b'), out);
    t.true(out.includes('^['));
  }
});

test('validate: findings, then the verdict; quiet prints nothing when there is nothing to say', (t) => {
  const bad = renderValidation(validationReport(buildReport(inventory()), false), plain, false);
  t.regex(bad, /^error: ns\/web: .*\n1 error, 0 warnings in 3 hooks of 3 pods, judged as velero-1.18\n$/);
  const clean = validationReport(buildReport(inventory(['pre'], [pod({ 'pre.hook.backup.velero.io/command': '["/bin/sync"]' })])), false);
  t.is(renderValidation(clean, plain, false), '0 errors, 0 warnings in 1 hook of 1 pod, judged as velero-1.18\n');
  t.is(renderValidation(clean, plain, true), '');
  t.is(
    renderValidation(clean, makeStyle(true), false),
    '\u001b[32m0 errors, 0 warnings in 1 hook of 1 pod, judged as velero-1.18\u001b[39m\n',
  );
});

test('dry-run plan: each hook with its container, command as typed, and what would fail', async (t) => {
  const out = renderPlan(await preflight(inventory(['pre']), null), plain);
  t.true(out.startsWith('Judged as velero-1.18 (Velero v1.18.0+)\nns/db\n  pre 1  velero annotation\n'));
  t.regex(
    out,
    /container: app \(default: first container\)   on-error: Continue   timeout: 2m0s\n      \$ \/sbin\/fsfreeze --freeze \/data\n/,
  );
  t.regex(out, /would fail: container "nope"/);
  t.regex(out, /A real run would fail: 1 of 2 hooks in 1 pod cannot run:\n  ns\/web: pre hook 1: container "nope"/);
  const clean = renderPlan(await preflight(inventory(['post']), null), plain);
  t.true(clean.endsWith('\nPlan: 1 hook in 1 pod; no problem found.\n'));
});

test('run report table: one row per hook, the summary line, the command of wrap', (t) => {
  const r = buildRunReport(
    inventory(),
    new Date(0),
    [
      {
        phase: 'pre',
        pods: [
          podResult([hookResult(), hookResult({ index: 2, result: 'failed', exitCode: 7, message: 'exit code 7', durationMs: 1500 })]),
        ],
      },
    ],
    null,
  );
  const out = renderRunReport({ ...r, command: { argv: ['snap'], exitCode: 0, signal: null, skipped: false } }, plain);
  t.regex(out, /^POD\s+PHASE\s+CONTAINER\s+HOOK\s+RESULT\s+EXIT\s+DURATION\s+MESSAGE\n/);
  t.regex(out, /ns\/db\s+pre\s+app\s+2 velero annotation\s+failed\s+7\s+1\.5s\s+exit code 7\n/);
  t.regex(out, /\n2 hooks: 1 succeeded, 1 failed, 0 skipped, 0 not run, 0 interrupted; command exited 0\n$/);
  t.is(
    renderRunReport(buildRunReport(inventory(), new Date(0), [], 'SIGTERM'), plain),
    'No hooks ran.\n\n0 hooks: 0 succeeded, 0 failed, 0 skipped, 0 not run, 0 interrupted; interrupted by SIGTERM\n',
  );
});

test('progress: one line per pod; --show-output prints each line of output with its origin, escaped', (t) => {
  t.is(progressLine(podResult([hookResult(), hookResult({ index: 2 })]), 1, 3, plain), '[1/3] pre ns/db: ok (2 hooks)\n');
  t.is(
    progressLine(podResult([hookResult({ result: 'timeout', message: 'timed out after 30s' })]), 2, 3, plain),
    '[2/3] pre ns/db: failed (hook 1: timed out after 30s)\n',
  );
  t.is(
    progressLine(podResult([hookResult({ result: 'skipped', message: 'skipped: not running' })]), 3, 3, plain),
    '[3/3] pre ns/db: skipped (skipped: not running)\n',
  );
  const said: string[] = [];
  const shown = new Progress({ showOutput: true, maxOutputBytes: 65536, style: plain, say: (s) => said.push(s) });
  shown.hookDone(hookResult({ stdout: 'one\n\ntwo\u001b[2J\n', stderr: 'oops\n', outputTruncated: true }));
  t.deepEqual(said, [
    '[ns/db/app] (the last 64 KiB)\n',
    '[ns/db/app] one\n',
    '[ns/db/app] two^[[2J\n',
    '[ns/db/app stderr] (the last 64 KiB)\n',
    '[ns/db/app stderr] oops\n',
  ]);
  const quiet: string[] = [];
  new Progress({ showOutput: false, maxOutputBytes: 1, style: plain, say: (s) => quiet.push(s) }).hookDone(hookResult({ stdout: 'x\n' }));
  t.deepEqual(quiet, []);
});

test('annotate: a status line per object, warnings and errors for stderr; -o prints one object or a List', (t) => {
  const ok: TargetResult = {
    ref: 'deployment.apps/db',
    namespace: 'ns',
    template: true,
    status: 'annotated',
    warnings: ['w\u0007'],
    findings: [],
    changes: {},
    object: { kind: 'Deployment' },
  };
  t.deepEqual(resultLines(ok, 'client'), { stderr: 'warning: w^G\n', status: 'deployment.apps/db annotated (pod template) (dry run)\n' });
  t.deepEqual(resultLines({ ...ok, status: 'unchanged', warnings: [] }, 'server'), {
    stderr: '',
    status: 'deployment.apps/db unchanged (pod template)\n',
  });
  t.deepEqual(resultLines({ ...ok, status: 'failed', error: 'no', warnings: [] }, 'none'), { stderr: 'error: no\n', status: '' });
  t.deepEqual(JSON.parse(renderAnnotated({ results: [ok] }, 'json')), { kind: 'Deployment' });
  t.deepEqual(JSON.parse(renderAnnotated({ results: [ok, { ...ok, object: { kind: 'Pod' } }] }, 'json')), {
    apiVersion: 'v1',
    kind: 'List',
    items: [{ kind: 'Deployment' }, { kind: 'Pod' }],
  });
  t.is(renderAnnotated({ results: [], documents: [{ a: 1 }, { b: 2 }] }, 'yaml'), 'a: 1\n---\nb: 2\n');
});
