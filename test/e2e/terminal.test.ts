// Trust boundary "terminal": what a namespace tenant writes (annotation values, container names, hook
// output, server messages) reaches a human view only escaped, as kubectl's printers.EscapeTerminal
// does, plus C1 controls and bidi overrides; -o json|yaml keep the raw values; Events carry no raw
// sequences and no argv unless asked. Through the built CLI against the test API server.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks } from '../support/cli.ts';

const V = 'hook.backup.velero.io';
const OSC52 = '\u001b]52;c;ZXZpbA==\u0007';
const CLEAR = '\u001b[2J';
const SPOOF = '\r[shop/web-9/app] spoofed line';
const BIDI = '\u202eevil';
const C1 = '\u009b31m';
const HOSTILE_ARGV = ['/bin/echo', OSC52, CLEAR, `x${SPOOF}`, BIDI, C1];
// What must never reach a terminal: ESC, a bare CR, BEL, C1 controls, bidi overrides/isolates.
const RAW = /[\u001b\r\u0007\u0080-\u009f\u202a-\u202e\u2066-\u2069]/;

let s: TestApiServer;
let kc: string;

test.before(async () => {
  s = await startApiServer();
  s.addPod('evil', 'p-0', {
    containers: ['app', `side${CLEAR}`],
    annotations: {
      [`pre.${V}/command`]: JSON.stringify(HOSTILE_ARGV),
      [`post.${V}/command`]: '["true"]',
      [`post.${V}/container`]: `side${CLEAR}`,
    },
  });
  s.addPod('evil', 'p-1', {
    annotations: { [`pre.${V}/command`]: '["/bin/true"]', [`pre.${V}/container`]: `missing${OSC52}`, [`pre.${V}/timeout`]: `3${CLEAR}` },
  });
  s.execHandler = (r) =>
    r.pod === 'p-0' && r.command[0] === '/bin/echo'
      ? { stdout: `line1${SPOOF}\n${OSC52}done\n`, stderr: `${CLEAR}${BIDI}\n`, exitCode: 3 }
      : { exitCode: 0 };
  kc = s.writeKubeconfig({ namespace: 'evil' });
});
test.after.always(() => s.stop());

const cli = (args: string[]) => arkHooks([...args, '--kubeconfig', kc]);

test('list -A (table and wide), validate and dry-run escape control sequences; -o json keeps them raw', async (t) => {
  for (const args of [['list', '-A'], ['list', '-A', '-o', 'wide'], ['validate'], ['dry-run', '--phase', 'pre']]) {
    const r = await cli(args);
    t.notRegex(r.stdout + r.stderr, RAW, args.join(' '));
    t.true((r.stdout + r.stderr).includes('^['), `${args.join(' ')}: ESC shown as ^[ like kubectl`);
  }
  const wide = await cli(['list', '-A', '-o', 'wide']);
  t.true(wide.stdout.includes('\\u202e'), 'bidi override shown as an escape');
  t.true(wide.stdout.includes('\\r[shop/web-9/app]'), 'bare CR shown as \\r');
  const json = await cli(['list', '-A', '-o', 'json']);
  const hook = JSON.parse(json.stdout)
    .pods.find((p: { name: string }) => p.name === 'p-0')
    .hooks.find((h: { phase: string }) => h.phase === 'pre');
  t.deepEqual(hook.command, HOSTILE_ARGV, 'json keeps the raw argv');
  const yaml = await cli(['list', '-A', '-o', 'yaml']);
  t.notRegex(yaml.stdout, /[\u001b\r\u0007]/, 'yaml quotes control characters itself (double-quoted escapes)');
});

test('run --show-output, progress lines and the summary escape hook output and messages', async (t) => {
  const r = await cli(['run', '--phase', 'pre', '--yes', '--show-output']);
  t.is(r.code, 1, r.stderr);
  t.notRegex(r.stdout + r.stderr, RAW);
  // The hook output that --show-output asks for is data: stdout (issue #17).
  t.regex(r.stdout, /\[evil\/p-0\/app\] line1\\r\[shop\/web-9\/app\] spoofed line/, "a CR cannot forge another pod's line");
  t.regex(r.stdout, /\[evil\/p-0\/app\] \^\[\]52;c;ZXZpbA==\^Gdone/);
  t.regex(r.stderr, /\[1\/2\] pre evil\/p-\d/);
});

test('server error messages are escaped', async (t) => {
  s.faults.push({
    match: (q) => q.path === '/api/v1/namespaces/evil403/pods',
    status: 403,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message: `pods is forbidden ${CLEAR}${OSC52}\rok`,
    },
  });
  const r = await cli(['list', '-n', 'evil403']);
  t.is(r.code, 1);
  t.notRegex(r.stderr, RAW);
  t.regex(r.stderr, /forbidden \^\[\[2J\^\[\]52;c;ZXZpbA==\^G\\rok/);
  t.is(r.stderr.trim().split('\n').length, 1);
});

test('--record-events: Event messages are escaped and carry no argv unless --record-events-with-command', async (t) => {
  const before = s.list('', 'events').length;
  const r = await cli(['run', '--phase', 'post', '--yes', '--record-events']);
  t.is(r.code, 0, r.stderr);
  const events = s.list('', 'events').slice(before);
  t.true(events.length >= 1);
  for (const e of events) {
    t.notRegex(e.message, RAW);
    t.false(e.message.includes('true'), `no argv: ${e.message}`);
  }
  t.true(
    events.some((e) => e.message.includes('^[[2J')),
    'the container name is escaped, not dropped',
  );
  const before2 = s.list('', 'events').length;
  const r2 = await cli(['run', '--phase', 'post', '--yes', '--record-events-with-command']);
  t.is(r2.code, 0, r2.stderr);
  const withCmd = s.list('', 'events').slice(before2);
  t.true(withCmd.length >= 1);
  t.true(
    withCmd.every((e) => e.message.includes('["true"]')),
    'argv included when asked',
  );
});

test('-f manifests: findings and tables escape values from files too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'esc-'));
  const f = join(dir, 'pod.yaml');
  writeFileSync(
    f,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `p${OSC52}`,
        namespace: 'n',
        annotations: { [`pre.${V}/command`]: JSON.stringify(HOSTILE_ARGV), [`pre.${V}/on-error`]: `Fail${CLEAR}` },
      },
      spec: { containers: [{ name: 'app' }] },
    }),
  );
  for (const args of [['list'], ['validate'], ['dry-run']]) {
    const r = await arkHooks([...args, '-f', f]);
    t.notRegex(r.stdout + r.stderr, RAW, args.join(' '));
  }
});

test('shell completion never offers a name with control characters', async (t) => {
  s.addPod('evil-complete', `p-${CLEAR}`);
  s.addPod('evil-complete', 'p-plain');
  const r = await arkHooks(['__complete', 'annotate', '--kubeconfig', kc, '-n', 'evil-complete', '']);
  t.is(r.code, 0, r.stderr);
  t.notRegex(r.stdout, RAW);
  t.regex(r.stdout, /^p-plain$/m);
});
