// kubectl's -v request log and --color through the built plugin (`kubectl ark-hooks …`): -v=6 logs one
// line per request the server saw (REST and exec upgrades) to stderr only, -v=7 adds request headers,
// -v=8 response headers and bodies cut as kubectl cuts them; credentials never appear; control
// characters from the server are escaped. --color auto|always|never, --color alone, --no-color, NO_COLOR.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoggedRequest, TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { clientCertificate } from '../support/certs.ts';
import type { RunResult } from '../support/cli.ts';
import { arkHooks, run } from '../support/cli.ts';

let server: TestApiServer;
let kc: string;
const V = 'hook.backup.velero.io';
const LONG_TOKEN = 'verbose-token-0123456789abcdef';
const KLOG = /^I\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ (http|exec)\.ts\] /;

test.before(async () => {
  server = await startApiServer();
  server.addUser(LONG_TOKEN, { name: 'admin' });
  for (let i = 0; i < 3; i++)
    server.addPod('default', `web-${i}`, { annotations: { [`pre.${V}/command`]: '["/bin/true"]', note: 'x'.repeat(4000) } });
  kc = server.writeKubeconfig({ namespace: 'default' });
});
test.after.always(() => server.stop());

async function seen(fn: () => Promise<RunResult>): Promise<{ r: RunResult; requests: LoggedRequest[] }> {
  const from = server.requests.length;
  const r = await fn();
  return { r, requests: server.requests.slice(from) };
}

const logLines = (stderr: string) => stderr.split('\n').filter((l) => KLOG.test(l));

test.serial("-v=6: one line per request on stderr, in kubectl's shape; stdout is the same report", async (t) => {
  const plain = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json']);
  const { r, requests } = await seen(() => arkHooks(['list', '--kubeconfig', kc, '-o', 'json', '-v=6']));
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), JSON.parse(plain.stdout), 'stdout unchanged by -v');
  t.deepEqual(logLines(plain.stderr), [], 'no log without -v');
  const lines = logLines(r.stderr);
  t.is(lines.length, requests.length, 'one line per request the server saw');
  for (const q of requests) {
    const url = `https://127.0.0.1:${server.port}${q.path}${q.query}`;
    const status = q.status === 200 ? '200 OK' : q.status === 404 ? '404 Not Found' : String(q.status);
    t.true(
      lines.some(
        (l) =>
          l
            .replace(KLOG, '')
            .match(/^(\S+) (\S+) (.*) in \d+ milliseconds$/)
            ?.slice(1, 4)
            .join(' ') === `${q.method} ${url} ${status}`,
      ),
      `${q.method} ${url} ${status} logged`,
    );
  }
  t.regex(
    r.stderr,
    /http\.ts\] GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/default\/pods\?limit=500 200 OK in \d+ milliseconds\n/,
  );
  for (const v of ['--v=6', '-v6', '-v 6']) {
    const other = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json', ...v.split(' ')]);
    t.is(logLines(other.stderr).length, lines.length, v);
  }
  const low = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json', '-v=5']);
  t.deepEqual(logLines(low.stderr), [], '-v=5 logs no requests');
});

test.serial("the pods request's -v=6 line and -v=7 masking read as kubectl's (its file names aside)", async (t) => {
  const body = (stderr: string, file: RegExp) =>
    stderr
      .split('\n')
      .filter((l) => file.test(l))
      .map((l) => l.replace(/^I\d{4} \S+ +\d+ \S+\] /, '').replace(/ in \d+ milliseconds$/, ' in N milliseconds'));
  const pods = (lines: string[]) => lines.filter((l) => l.includes('/api/v1/namespaces/default/pods?limit=500'));
  const theirs = await run('kubectl', ['--kubeconfig', kc, 'get', 'pods', '-o', 'name', '-v=6']);
  const ours = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json', '-v=6']);
  t.is(theirs.code, 0, theirs.stderr);
  const want = pods(body(theirs.stderr, /round_trippers\.go:\d+\]/));
  t.is(want.length, 1, theirs.stderr);
  t.deepEqual(pods(body(ours.stderr, /http\.ts\]/)), want);
  const theirs7 = await run('kubectl', ['--kubeconfig', kc, 'get', 'pods', '-o', 'name', '-v=7']);
  const ours7 = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json', '-v=7']);
  const auth = (lines: string[]) => lines.filter((l) => l.trim().startsWith('Authorization:'));
  t.deepEqual([...new Set(auth(body(ours7.stderr, /http\.ts\]/)))], [...new Set(auth(body(theirs7.stderr, /round_trippers/)))]);
  t.deepEqual([...new Set(auth(body(ours7.stderr, /http\.ts\]/)))], ['    Authorization: Bearer <masked>']);
});

test.serial('-v=6 logs the exec upgrade of a hook (101 Switching Protocols)', async (t) => {
  const r = await arkHooks(['run', '--kubeconfig', kc, '--phase', 'pre', '--yes', '-o', 'json', '-v=6']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).kind !== undefined, true);
  t.regex(
    r.stderr,
    /exec\.ts\] GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/default\/pods\/web-0\/exec\?\S+ 101 Switching Protocols in \d+ milliseconds\n/,
  );
});

test.serial(
  '-v=7 and -v=8: headers (credentials masked), impersonation, bodies cut at 1024 (-v=9: 10240); no secret anywhere',
  async (t) => {
    const cert = clientCertificate(server.pki, 'carol');
    const key = readFileSync(cert.key, 'utf8');
    const keyBody = key.split('\n')[1] as string;
    const r7 = await arkHooks([
      'list',
      '--kubeconfig',
      kc,
      '--token',
      LONG_TOKEN,
      '--as',
      'bob',
      '--as-group',
      'g1',
      '--as-group',
      'g2',
      '-o',
      'json',
      '-v=7',
    ]);
    t.is(r7.code, 0, r7.stderr);
    t.regex(r7.stderr, /http\.ts\] GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/default\/pods\?limit=500\n/);
    t.regex(r7.stderr, /http\.ts\]     Authorization: Bearer <masked>\n/);
    t.regex(
      r7.stderr,
      /http\.ts\]     Impersonate-User: bob\n.*http\.ts\]     Impersonate-Group: g1\n.*http\.ts\]     Impersonate-Group: g2\n/,
    );
    t.regex(r7.stderr, /Response Status: 200 OK in \d+ milliseconds\n/);
    t.notRegex(r7.stderr, /Response Body/);
    const r8 = await arkHooks([
      'list',
      '--kubeconfig',
      kc,
      '--token',
      LONG_TOKEN,
      '--client-certificate',
      cert.cert,
      '--client-key',
      cert.key,
      '-o',
      'json',
      '-v=8',
    ]);
    t.is(r8.code, 0, r8.stderr);
    t.regex(r8.stderr, /http\.ts\]     Content-Type: application\/json\n/);
    const body = /http\.ts\] Response Body: (\{"kind":"PodList".*)\n/.exec(r8.stderr)?.[1] ?? '';
    t.regex(body, /^.{1024} \[truncated \d+ chars\]$/);
    const r9 = await arkHooks(['list', '--kubeconfig', kc, '--token', LONG_TOKEN, '-o', 'json', '-v=9']);
    t.regex(/Response Body: (\{"kind":"PodList".*)\n/.exec(r9.stderr)?.[1] ?? '', /^.{10240} \[truncated \d+ chars\]$/);
    for (const r of [r7, r8, r9]) {
      t.false(r.stderr.includes(LONG_TOKEN), 'the token never appears');
      t.false(r.stderr.includes('admin-token'), "the kubeconfig's token never appears");
      t.false(r.stderr.includes(keyBody), 'the client key never appears');
    }
    // A basic-auth user: its password never appears either (the server refuses it; the log shows the attempt).
    const file = join(server.pki.dir, 'basic-verbose');
    const password = 'basic-password-abcdef012345';
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: server.url, 'certificate-authority': join(server.pki.dir, 'ca.crt') } }],
        users: [{ name: 'u', user: { username: 'alice', password } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
        'current-context': 'x',
      }),
    );
    const basic = await arkHooks(['list', '--kubeconfig', file, '-o', 'json', '-v=8']);
    t.regex(basic.stderr, /Authorization: Basic <masked>\n/);
    t.false(basic.stderr.includes(password));
    t.false(basic.stderr.includes(Buffer.from(`alice:${password}`).toString('base64')));
  },
);

test.serial('-v=8: control characters in what the server sends are escaped; the error stays one line', async (t) => {
  server.faults.push({
    match: (q) => q.path === '/api/v1/namespaces/default/pods',
    status: 500,
    times: 5,
    hostile: { raw: { body: '{"kind":"Status","status":"Failure","code":500,"message":"boom\u001b]52;c;ZXZpbA==\u0007\u001b[2J"}' } },
  });
  const r = await arkHooks(['list', '--kubeconfig', kc, '-o', 'json', '-v=8']);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.notRegex(r.stderr, /[\u001b\u0007]/, 'no raw control character reaches the terminal');
  t.regex(r.stderr, /Response Body: \{"kind":"Status".*boom\^\[\]52;c;ZXZpbA==\^G\^\[\[2J/);
});

test('-v without a level is an error, as in kubectl; a level that is no number too', async (t) => {
  for (const [args, message] of [
    [['-v'], "flag needs an argument: 'v' in -v"],
    [['--v'], 'flag needs an argument: --v'],
    [['-v', 'json'], 'invalid argument "json" for "-v, --v" flag: use a whole number, e.g. -v=6'],
  ] as const) {
    const r = await arkHooks(['list', '-f', 'examples/', ...args]);
    t.is(r.code, 2, args.join(' '));
    t.is(r.stdout, '');
    t.is(r.stderr, `error: ${message}\nSee 'kubectl ark-hooks list --help' for usage.\n`);
  }
});

const BROKEN = 'examples/workloads/broken-hooks.yaml';
const COLOUR = /\u001b\[3\dm/;

test('--color: auto colours a terminal only; always colours a pipe (over NO_COLOR); never and --no-color never', async (t) => {
  const pipe = (args: string[], env: Record<string, string> = {}) => arkHooks(['list', '-f', BROKEN, ...args], { env });
  const tty = (args: string, env: Record<string, string> = {}) =>
    run('script', ['-qec', `kubectl ark-hooks list -f ${BROKEN} ${args}`, '/dev/null'], { env });
  t.notRegex((await pipe([])).stdout, COLOUR, 'auto on a pipe');
  t.notRegex((await pipe(['--color=auto'])).stdout, COLOUR);
  t.regex((await pipe(['--color=always'])).stdout, COLOUR);
  t.regex((await pipe(['--color'])).stdout, COLOUR, '--color alone is always');
  t.regex((await pipe(['--color=always'], { NO_COLOR: '1' })).stdout, COLOUR, 'a flag wins over NO_COLOR');
  t.regex((await tty('')).stdout, COLOUR, 'auto on a terminal');
  t.regex((await tty('--color=auto')).stdout, COLOUR);
  t.notRegex((await tty('--color=never')).stdout, COLOUR);
  t.notRegex((await tty('--no-color')).stdout, COLOUR);
  t.notRegex((await tty('--color=auto', { NO_COLOR: '1' })).stdout, COLOUR);
  const bad = await pipe(['--color=sometimes']);
  t.is(bad.code, 2);
  t.is(bad.stdout, '');
  t.regex(bad.stderr, /^error: invalid --color "sometimes": use one of auto, always, never\n/);
});
