// Output for scripts (issue #17): -o name, jsonpath=, jsonpath-file=, custom-columns=,
// custom-columns-file=, --no-headers and --sort-by over the report, checked against the real
// kubectl where kubectl has the same output; stdout for data and stderr for diagnostics; the table
// cut only on a terminal; wrap -o json readable by jq; dry-run's count of what it shows.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecRequest, TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { ROOT, arkHooks as runCli, run } from '../support/cli.ts';

const V = 'hook.backup.velero.io';
const LONG = [
  '/bin/sh',
  '-c',
  'pg_dumpall --clean --if-exists -U postgres > /var/lib/postgresql/backup/full-dump-before-the-volume-snapshot.sql',
];
const CAUSE = 'the real cause of this failure is written at the very end of a long message: disk quota exceeded';

let server: TestApiServer;
let kc: string;
let noexec: string;
const dir = mkdtempSync(join(tmpdir(), 'scripting-'));

const ann = (phase: 'pre' | 'post', command: string[], extra: Record<string, string> = {}) => {
  const out: Record<string, string> = { [`${phase}.${V}/command`]: JSON.stringify(command) };
  for (const [k, v] of Object.entries(extra)) out[`${phase}.${V}/${k}`] = v;
  return out;
};

test.before(async () => {
  server = await startApiServer();
  server.execHandler = (r: ExecRequest) =>
    r.command[0] === 'fail-long' ? { internalError: `${'x'.repeat(120)} ${CAUSE}` } : { stdout: `hook-output-of-${r.pod}\n` };
  server.addUser('noexec-token', { name: 'noexec', allow: (a) => a.subresource !== 'exec' });
  server.addPod('shop', 'web-0', { annotations: { ...ann('pre', ['/bin/sync']), ...ann('post', ['/bin/true']) } });
  server.addPod('shop', 'db-10', { annotations: ann('pre', LONG, { timeout: '2m' }) });
  server.addPod('shop', 'db-9', { annotations: ann('pre', ['/bin/sync'], { timeout: '45s' }) });
  server.addPod('shop', 'plain-0', {});
  server.addPod('billing', 'web-0', { annotations: ann('post', ['/bin/true']) });
  server.addPod('failing', 'a-0', { annotations: ann('pre', ['fail-long'], { 'on-error': 'Continue' }) });
  server.addPod('wrapped', 'w-0', { annotations: { ...ann('pre', ['/bin/sync']), ...ann('post', ['/bin/true']) } });
  server.addPod('denied', 'd-0', { annotations: ann('pre', ['/bin/sync']) });
  server.addPod('denied', 'd-1', { annotations: ann('pre', ['/bin/sync']) });
  server.addPod('denied', 'd-2', { annotations: ann('pre', ['/bin/sync']) });
  server.addPod('empty', 'nothing-0', {});
  kc = server.writeKubeconfig({ namespace: 'shop' });
  noexec = server.writeKubeconfig({ user: 'noexec', namespace: 'denied' });
});
test.after.always(() => server.stop());

const cli = (args: string[], opts: { env?: Record<string, string>; input?: string } = {}) =>
  runCli([args[0] as string, '--kubeconfig', kc, ...args.slice(1)], {
    env: { ARK_HOOKS_TARGET: 'velero-1.18', ...(opts.env ?? {}) },
    input: opts.input,
  });

/** The real kubectl's jsonpath over a JSON file (offline: annotate --local prints the object it read). */
function kubectlJsonPath(file: string, template: string): string {
  return execFileSync('kubectl', ['annotate', '-f', file, '--local', 'x=y', '-o', `jsonpath=${template}`], {
    env: { PATH: process.env.PATH, HOME: dir },
  }).toString('utf8');
}

test('list -o name: one pod/NAME line per pod with hooks, no namespace (as kubectl get -A -o name)', async (t) => {
  const r = await cli(['list', '-A', '-o', 'name']);
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse((await cli(['list', '-A', '-o', 'json'])).stdout);
  const expected = report.pods.filter((p: { hooks: unknown[] }) => p.hooks.length > 0).map((p: { name: string }) => `pod/${p.name}\n`);
  t.is(r.stdout, expected.join(''));
  t.is(r.stdout.split('\n').filter((l) => l === 'pod/web-0').length, 2, 'web-0 of shop and of billing, each once');
  t.false(r.stdout.includes('plain-0'), 'a pod without hooks is not listed');
  const all = await cli(['list', '-o', 'name', '--all']);
  t.true(all.stdout.split('\n').includes('pod/plain-0'), '--all: every pod in scope');
  const dry = await cli(['dry-run', '-o', 'name', '--phase', 'pre']);
  t.deepEqual(dry.stdout.split('\n').filter(Boolean).sort(), ['pod/db-10', 'pod/db-9', 'pod/web-0']);
});

test('list -o jsonpath= runs over the report of -o json and prints what the real kubectl prints for it', async (t) => {
  const json = await cli(['list', '-A', '-o', 'json']);
  const file = join(dir, 'report.json');
  writeFileSync(file, json.stdout);
  for (const template of [
    '{.pods[*].name}',
    '{range .pods[*]}{.namespace}/{.name}{"\\t"}{.hooks[*].phase}{"\\n"}{end}',
    '{.pods[?(@.namespace=="billing")].name}',
    '{range .pods[*]}{.hooks[?(@.phase=="pre")].command}{"\\n"}{end}',
    '{..timeout}',
    '{.pods[0,1].name} {.summary}',
    '{.pods[-1:].hooks[0].source}',
  ]) {
    const r = await cli(['list', '-A', '-o', `jsonpath=${template}`]);
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout, kubectlJsonPath(file, template), template);
  }
  const tpl = join(dir, 'names.tpl');
  writeFileSync(tpl, '{range .pods[*]}{.name}{"\\n"}{end}');
  const fromFile = await cli(['list', '-o', `jsonpath-file=${tpl}`]);
  t.is(fromFile.stdout, 'db-10\ndb-9\nweb-0\n');
});

test('jsonpath errors are one line in kubectl words; a missing key prints nothing, as kubectl does', async (t) => {
  const parse = await cli(['list', '-o', 'jsonpath={.pods[']);
  t.is(parse.code, 2);
  t.is(parse.stdout, '');
  t.is(parse.stderr, 'error: error parsing jsonpath {.pods[, unterminated array\n');
  const exec = await cli(['list', '-o', 'jsonpath={.pods[7].name}']);
  t.is(exec.code, 1);
  t.is(
    exec.stderr,
    'error: error executing jsonpath "{.pods[7].name}": Error executing template: array index out of bounds: index 7, length 3\n',
  );
  const missing = await cli(['list', '-o', 'jsonpath={.nothing}{.pods[*].nope}']);
  t.is(missing.code, 0, missing.stderr);
  t.is(missing.stdout, '');
  const strict = await cli(['list', '-o', 'jsonpath={.nothing}', '--allow-missing-template-keys=false']);
  t.is(strict.code, 1);
  t.is(strict.stderr, 'error: error executing jsonpath "{.nothing}": Error executing template: nothing is not found\n');
  const empty = await cli(['list', '-o', 'jsonpath=']);
  t.is(empty.stderr, 'error: template format specified but no template given\n');
  const noFile = await cli(['list', '-o', `jsonpath-file=${join(dir, 'absent.tpl')}`]);
  t.is(noFile.code, 1);
  t.regex(noFile.stderr, /^error: error reading template .*absent\.tpl, ENOENT\n$/);
  const bad = await cli(['list', '-o', 'xml']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^error: invalid --output "xml": use one of table, wide, json, yaml, name, jsonpath=\.\.\., jsonpath-file=/);
});

test('custom-columns, custom-columns-file, --no-headers and --sort-by (natural order, every format)', async (t) => {
  const r = await cli(['list', '-o', 'custom-columns=POD:.name,TIMEOUTS:.hooks[*].timeout,NONE:.nope', '--sort-by=.name']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(
    r.stdout.split('\n').map((l) => l.split(/\s+/).filter(Boolean)),
    [['POD', 'TIMEOUTS', 'NONE'], ['db-9', '45s', '<none>'], ['db-10', '2m0s', '<none>'], ['web-0', '30s,30s', '<none>'], []],
    'db-9 before db-10, several values joined by commas, <none> where nothing is found',
  );
  const spec = join(dir, 'cols.txt');
  writeFileSync(spec, 'NAME    PHASES\n.name   {.hooks[*].phase}\n');
  const fromFile = await cli(['list', '-o', `custom-columns-file=${spec}`, '--no-headers', '--sort-by={.hooks[0].timeout}']);
  t.deepEqual(
    fromFile.stdout.split('\n').map((l) => l.split(/\s+/).filter(Boolean)),
    [['db-10', 'pre'], ['web-0', 'pre,post'], ['db-9', 'pre'], []],
    'sorted by the text of the first timeout: 2m0s, 30s, 45s',
  );
  const table = await cli(['list', '--no-headers', '--sort-by=.name']);
  t.deepEqual(
    table.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/)[0]),
    ['db-9', 'db-10', 'web-0', 'web-0'],
    'the table without its header, in the sorted order',
  );
  const json = JSON.parse((await cli(['list', '-o', 'json', '--sort-by=.name'])).stdout);
  t.deepEqual(
    json.pods.map((p: { name: string }) => p.name),
    ['db-9', 'db-10', 'web-0'],
  );
  const nowhere = await cli(['list', '--sort-by=.nope']);
  t.is(nowhere.code, 1);
  t.is(nowhere.stderr, 'error: couldn\'t find any field with path "{.nope}" in the list of objects\n');
  const badSpec = await cli(['list', '-o', 'custom-columns=POD']);
  t.is(badSpec.code, 2);
  t.is(badSpec.stderr, 'error: unexpected custom-columns spec: POD, expected <header>:<json-path-expr>\n');
  const findings = await cli(['validate', '-f', 'examples/', '-o', 'custom-columns=CODE:.code', '--sort-by=.code', '--no-headers']);
  const codes = findings.stdout.split('\n').filter(Boolean);
  t.true(codes.length > 2);
  t.deepEqual(codes, [...codes].sort(), 'validate sorts its findings');
});

test('COMMAND is whole when piped, cut to the width on a terminal; -o wide is never cut', async (t) => {
  const r = await cli(['list']);
  t.true(r.stdout.includes(`'${LONG[2]}'`), 'piped: the whole command');
  t.false(r.stdout.includes('…'));
  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!hasScript) return t.log('no script(1) here: the terminal half is not checked');
  const tty = await run('script', ['-qec', `stty cols 120; kubectl ark-hooks list --kubeconfig ${kc}`, '/dev/null'], {
    env: { ARK_HOOKS_TARGET: 'velero-1.18', NO_COLOR: '1' },
  });
  const lines = tty.stdout.split(/\r?\n/).filter((l) => /^(db-|web-|POD )/.test(l));
  t.true(lines.length >= 4, tty.stdout);
  t.true(
    lines.every((l) => l.length <= 120),
    lines.map((l) => l.length).join(','),
  );
  t.regex(tty.stdout, /\/bin\/sh -c 'pg_dumpall[^\n]*…/);
});

test('stdout is data, stderr diagnostics: findings, "No hooks found" and -f errors; plurals', async (t) => {
  const none = await cli(['list', '-n', 'empty']);
  t.is(none.code, 0);
  t.is(none.stdout, '');
  t.regex(none.stderr, /^No hooks found in namespace "empty" \(1 pod in scope\)\.\n/);
  const readme = await cli(['list', '-f', 'README.md']);
  t.is(readme.code, 1, 'kubectl stops on a file that is not YAML or JSON');
  t.is(readme.stdout, '');
  t.regex(readme.stderr, /^error: README\.md: not valid YAML or JSON/m);
  const json = await cli(['list', '-f', 'README.md', '-o', 'json']);
  t.is(json.code, 1);
  t.is(JSON.parse(json.stdout).kind, 'HookReport');
  t.regex(json.stderr, /^error: README\.md: not valid YAML or JSON/);
  const dry = await cli(['dry-run', '-f', 'README.md']);
  t.is(dry.code, 1, 'a plan without the file is not the plan');
  t.regex(dry.stdout, /A real run would fail \(1 problem\):\n {2}README\.md: not valid YAML or JSON/);
  // In a directory only .yaml, .yml and .json files are read (as kubectl): README.md there is no error.
  const walk = await cli(['list', '-f', 'examples/pods']);
  t.is(walk.code, 0, walk.stderr);
});

test('run --show-output: the hook output is data on stdout; with -o json it goes to stderr; MESSAGE is never cut', async (t) => {
  const table = await cli(['run', '--phase', 'pre', '-n', 'shop', '--yes', '--show-output']);
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^\[shop\/web-0\/app\] hook-output-of-web-0$/m);
  t.notRegex(table.stderr, /hook-output-of/);
  t.regex(table.stderr, /^\[\d\/3\] pre shop\/web-0: ok \(1 hook\)$/m, 'progress on stderr');
  const json = await cli(['run', '--phase', 'pre', '-n', 'shop', '--yes', '--show-output', '-o', 'json']);
  t.is(JSON.parse(json.stdout).kind, 'HookRun', 'stdout holds the report only');
  t.regex(json.stderr, /^\[shop\/web-0\/app\] hook-output-of-web-0$/m);
  const names = await cli(['run', '--phase', 'pre', '-n', 'shop', '--yes', '-o', 'name']);
  t.deepEqual(names.stdout.split('\n').filter(Boolean).sort(), ['pod/db-10', 'pod/db-9', 'pod/web-0']);
  const failed = await cli(['run', '--phase', 'pre', '-n', 'failing', '--yes']);
  t.is(failed.code, 1);
  t.true(failed.stdout.includes(CAUSE), failed.stdout);
});

test('wrap -o json: stdout holds the report only (COMMAND prints to stderr) so jq can read it', async (t) => {
  const r = await cli(['wrap', '-n', 'wrapped', '--yes', '-o', 'json', '--', 'sh', '-c', 'echo from-the-command']);
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.is(report.command.exitCode, 0);
  t.regex(r.stderr, /^from-the-command$/m);
  const jp = await cli(['wrap', '-n', 'wrapped', '--yes', '-o', 'jsonpath={.command.exitCode}', '--', 'sh', '-c', 'echo hi']);
  t.is(jp.stdout, '0');
  const table = await cli(['wrap', '-n', 'wrapped', '--yes', '--', 'sh', '-c', 'echo from-the-command']);
  t.regex(table.stdout, /^from-the-command\n/, 'with the table, COMMAND keeps stdout');
});

test('dry-run counts the hooks it shows failing, from the same report', async (t) => {
  const r = await runCli(['dry-run', '--kubeconfig', noexec], { env: { ARK_HOOKS_TARGET: 'velero-1.18' } });
  t.is(r.code, 1);
  t.is((r.stdout.match(/would fail: you may not get or create pods\/exec in namespace denied/g) ?? []).length, 3);
  t.regex(r.stdout, /A real run would fail: 3 of 3 hooks in 3 pods cannot run:\n/);
  const plan = JSON.parse((await runCli(['dry-run', '--kubeconfig', noexec, '-o', 'json'], { env: {} })).stdout);
  t.like(plan.summary, { hooks: 3, failingHooks: 3, failingPods: 3 });
});

test('dry-run counts the hooks shown with errors apart from those that cannot run, and never says "no problem" over them', async (t) => {
  const examples = join(ROOT, 'examples');
  const env = { ARK_HOOKS_TARGET: 'velero-1.18' };
  const plan = JSON.parse((await runCli(['dry-run', '-f', examples, '-o', 'json'], { env })).stdout);
  type Hook = { problem?: string; warnings: string[] };
  const hooks: Hook[] = plan.pods.flatMap((p: { hooks: Hook[] }) => p.hooks);
  const errored = hooks.filter((h) => !h.problem && h.warnings.some((w) => w.startsWith('error:'))).length;
  t.true(errored > 0, 'the examples hold a hook with an error that does not stop the run');
  t.is(plan.summary.erroredHooks, errored);
  const text = await runCli(['dry-run', '-f', examples], { env });
  const line = new RegExp(`^${errored} more hooks? (has|have) errors shown above: Ark/Velero run`, 'm');
  t.regex(text.stdout, line);
  // Only the pre phase of the broken workload: nothing blocks it, but its hook has errors.
  const pre = await runCli(['dry-run', '-f', join(examples, 'workloads', 'broken-hooks.yaml'), '--phase', 'pre'], { env });
  t.is(pre.code, 0, pre.stderr);
  t.notRegex(pre.stdout, /no problem found/);
  t.regex(pre.stdout, /nothing stops the run\.\n1 hook has errors shown above/);
});
