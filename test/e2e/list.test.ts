// `kubectl ark-hooks list` and `validate`, run as a real process through kubectl's plugin
// dispatch, against the test API server.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks, run } from '../support/cli.ts';

let server: TestApiServer;
let kc: string;

const V = 'hook.backup.velero.io';
const A = 'hook.backup.ark.heptio.com';

test.before(async () => {
  server = await startApiServer();
  server.addPod('shop', 'mysql-0', {
    labels: { app: 'mysql', backup: 'yes' },
    containers: ['mysql', 'freezer'],
    annotations: {
      [`pre.${V}/command`]: '["/sbin/fsfreeze","--freeze","/data"]',
      [`pre.${V}/container`]: 'freezer',
      [`post.${V}/command`]: '["/sbin/fsfreeze","--unfreeze","/data"]',
      [`post.${V}/container`]: 'freezer',
    },
  });
  server.addPod('shop', 'web-0', { labels: { app: 'web', backup: 'yes' } });
  server.addPod('shop', 'broken-0', {
    labels: { app: 'broken' },
    annotations: { [`pre.${V}/command`]: 'sync now', [`pre.${V}/timeout`]: '300' },
  });
  server.addPod('billing', 'pg-0', {
    labels: { app: 'pg', backup: 'yes' },
    annotations: { [`${A}/command`]: '["psql","-c","CHECKPOINT"]' },
  });
  server.addPod('default', 'here-0', { annotations: { [`post.${A}/command`]: '["/bin/true"]' } });
  server.addBackup('velero.io', 'velero', 'nightly', {
    includedNamespaces: ['shop'],
    labelSelector: { matchLabels: { backup: 'yes' } },
    hooks: { resources: [{ name: 'sync-all', pre: [{ exec: { command: ['/bin/sync'], onError: 'Continue' } }] }] },
  });
  server.addBackup('ark.heptio.com', 'heptio-ark', 'weekly', {
    includedNamespaces: ['billing'],
    hooks: { resources: [{ name: 'old', hooks: [{ exec: { command: ['old-style'] } }] }] },
  });
  server.addBackup('velero.io', 'backups-ns', 'elsewhere', { includedNamespaces: ['default'] });
  kc = server.writeKubeconfig({ namespace: 'shop' });
});
test.after.always(() => server.stop());

// The cluster holds both annotation families: velero-0.11 reads both (item_hook_handler.go@v0.11.0).
const list = (args: string[], env: Record<string, string | undefined> = {}) =>
  arkHooks(['list', '--kubeconfig', kc, ...args], { env: { ARK_HOOKS_TARGET: 'velero-0.11', ...env } });

function rows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const end = lines.indexOf('');
  return lines.slice(1, end < 0 ? undefined : end).map((l) => l.split(/\s{2,}/));
}

test('lists the hooks of the context namespace by default, one row per hook', async (t) => {
  const r = await list([]);
  t.is(r.code, 0, r.stderr);
  // One namespace: no NAMESPACE column, as kubectl get without -A.
  t.regex(r.stdout, /^POD\s+PHASE\s+SOURCE\s+CONTAINER\s+COMMAND\s+ON-ERROR\s+TIMEOUT\s+STATUS\n/);
  const r2 = rows(r.stdout);
  t.deepEqual(
    r2.map((x) => [x[0], x[1]]),
    [
      ['broken-0', 'pre'],
      ['mysql-0', 'pre'],
      ['mysql-0', 'post'],
    ],
  );
  t.deepEqual(r2[1]?.slice(2, 7), ['velero annotation', 'freezer', '/sbin/fsfreeze --freeze /data', 'Fail', '30s']);
  // stdout is the table; the findings and the target are diagnostics, on stderr (issue #17).
  t.regex(r.stderr, /^error: shop\/broken-0: pre\.hook\.backup\.velero\.io\/command: command is a plain string with spaces/m);
  t.regex(r.stderr, /^error: shop\/broken-0: pre\.hook\.backup\.velero\.io\/timeout: timeout "300" cannot be parsed/m);
  t.regex(r.stderr, /^Judged as velero-0\.11 /m);
  t.false(r.stdout.includes('error: shop'), 'no finding on stdout');
  t.is(r.stdout.split('\n').filter(Boolean).length, 4, 'the header and three rows, nothing else');
  t.notRegex(r.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');
});

test('-n, -A and -l narrow or widen the scope', async (t) => {
  const billing = rows((await list(['-n', 'billing'])).stdout);
  t.deepEqual(
    billing.map((x) => x[0]),
    ['pg-0'],
  );
  t.deepEqual(billing[0]?.[2], 'ark annotation (legacy)');
  const allOut = (await list(['-A'])).stdout;
  t.regex(allOut, /^NAMESPACE\s+POD\s+PHASE/, '-A has the NAMESPACE column');
  const all = rows(allOut);
  t.deepEqual([...new Set(all.map((x) => x[0]))], ['billing', 'default', 'shop']);
  const sel = rows((await list(['-A', '-l', 'app in (pg,mysql)'])).stdout);
  t.deepEqual([...new Set(sel.map((x) => x[1]))], ['pg-0', 'mysql-0']);
  const pre = rows((await list(['--phase', 'post'])).stdout);
  t.deepEqual(
    pre.map((x) => x[1]),
    ['post'],
  );
});

test('--backup (velero.io in namespace velero): only pods the Backup covers, with its spec hooks', async (t) => {
  const r = await list(['--backup', 'nightly', '-o', 'json']);
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.is(report.kind, 'HookReport');
  t.deepEqual(report.scope.backup, { name: 'nightly', namespace: 'velero', group: 'velero.io' });
  const pods = report.pods.map((p: { name: string }) => p.name);
  t.deepEqual(pods, ['mysql-0', 'web-0'], 'broken-0 lacks the label; other namespaces are not included');
  const web = report.pods.find((p: { name: string }) => p.name === 'web-0');
  t.deepEqual(
    web.hooks.map((h: { source: { type: string; name: string }; onError: string }) => [h.source.type, h.source.name, h.onError]),
    [['spec', 'sync-all', 'Continue']],
  );
  const mysql = report.pods.find((p: { name: string }) => p.name === 'mysql-0');
  t.deepEqual(
    mysql.hooks.map((h: { phase: string; source: { type: string } }) => [h.phase, h.source.type]),
    [
      ['pre', 'annotation'],
      ['post', 'annotation'],
    ],
    'the annotation replaces the spec pre hook',
  );
  t.true(
    report.findings.some((f: { code: string; object: string }) => f.code === 'annotation-shadows-spec' && f.object === 'shop/mysql-0'),
  );
  t.true(report.findings.some((f: { code: string; object: string }) => f.code === 'not-in-backup' && f.object === 'shop/broken-0'));
});

test('--backup finds Ark Backups in heptio-ark, and --backup-namespace elsewhere', async (t) => {
  // No target: detection finds no version, and the ark.heptio.com Backup bounds the choice to Ark.
  const r = await list(['--backup', 'weekly', '-o', 'yaml'], { ARK_HOOKS_TARGET: undefined });
  t.is(r.code, 0, r.stderr);
  t.regex(
    r.stderr,
    /^ark-hooks: cannot tell which Ark\/Velero version .*; the Backup is an ark\.heptio\.com Backup, so it is judged by ark-0\.9 \(Ark v0\.9\.0–v0\.10\.2\)\n$/,
  );
  const report = load(r.stdout) as {
    scope: { backup: { group: string } };
    pods: { name: string; hooks: { command: string[]; source: { type: string } }[] }[];
  };
  t.is(report.scope.backup.group, 'ark.heptio.com');
  t.deepEqual(
    report.pods.map((p) => p.name),
    ['pg-0'],
  );
  t.deepEqual(
    report.pods[0]?.hooks.map((h) => h.command[0]),
    ['psql'],
    'the legacy annotation pre hook replaces the spec hook',
  );
  const other = await list(['--backup', 'elsewhere', '--backup-namespace', 'backups-ns', '-o', 'json']);
  t.deepEqual(
    JSON.parse(other.stdout).pods.map((p: { name: string }) => p.name),
    ['here-0'],
  );
});

test('--backup that does not exist: one line, exit 1', async (t) => {
  const r = await list(['--backup', 'nope'], { ARK_HOOKS_TARGET: undefined });
  t.is(r.code, 1);
  t.is(r.stderr.trim().split('\n').length, 1);
  t.regex(
    r.stderr,
    /backup "nope" not found \(looked for backups\.velero\.io in namespace "velero" and backups\.ark\.heptio\.com in namespace "heptio-ark"\)/,
  );
  t.is(r.stdout, '');
});

test('--backup-file scopes cluster pods with a Backup read from a file', async (t) => {
  const file = join(tmpdir(), `backup-${process.pid}.yaml`);
  writeFileSync(
    file,
    'apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: adhoc, namespace: velero}\nspec:\n  includedNamespaces: [billing]\n',
  );
  const r = await list(['--backup-file', file, '-o', 'json']);
  t.deepEqual(
    JSON.parse(r.stdout).pods.map((p: { name: string }) => p.name),
    ['pg-0'],
  );
});

test('pages through large lists with limit/continue', async (t) => {
  const big = await startApiServer();
  try {
    for (let i = 0; i < 1234; i++)
      big.addPod('bulk', `p-${String(i).padStart(4, '0')}`, { annotations: i % 2 ? { [`pre.${V}/command`]: '["/bin/true"]' } : {} });
    const bigKc = big.writeKubeconfig({ namespace: 'bulk' });
    const r = await arkHooks(['list', '--kubeconfig', bigKc, '-o', 'json', '--all']);
    t.is(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    t.is(report.pods.length, 1234);
    t.is(report.summary.hooks, 617);
    const lists = big.requests.filter((q) => q.verb === 'list' && q.resource === 'pods');
    t.is(lists.length, 3, '1234 pods in pages of 500');
    t.true(lists.slice(1).every((q) => q.query.includes('continue=')));
  } finally {
    await big.stop();
  }
});

test('errors: no kubeconfig, server down, TLS, 401, 403, each one line with exit 1', async (t) => {
  const none = await arkHooks(['list'], { env: { KUBECONFIG: undefined } });
  t.is(none.code, 1);
  t.regex(none.stderr, /^error: no Kubernetes configuration found .*set KUBECONFIG/);

  const down = await startApiServer();
  const downKc = down.writeKubeconfig();
  await down.stop();
  const refused = await arkHooks(['list', '--kubeconfig', downKc]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /^error: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(connection refused\)/);

  const noCa = join(tmpdir(), `noca-${process.pid}.yaml`);
  writeFileSync(
    noCa,
    JSON.stringify({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: server.url } }],
      users: [{ name: 'u', user: { token: 'admin-token' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }),
  );
  const tls = await arkHooks(['list', '--kubeconfig', noCa]);
  t.is(tls.code, 1);
  t.regex(tls.stderr, /^error: TLS: the certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted/);

  server.addUser('expired', { name: 'expired-user', expired: true });
  const unauth = await arkHooks(['list', '--kubeconfig', server.writeKubeconfig({ user: 'expired-user' })]);
  t.is(unauth.code, 1);
  t.regex(unauth.stderr, /You must be logged in to the server \(Unauthorized\).*log in again/);

  server.addUser('nolist', { name: 'nolist', allow: (a) => !(a.verb === 'list' && a.resource === 'pods') });
  // With --target no detection line precedes the error (detection would print one on stderr first).
  const forbidden = await arkHooks(['list', '--target', 'velero-1.18', '--kubeconfig', server.writeKubeconfig({ user: 'nolist' })]);
  t.is(forbidden.code, 1);
  t.regex(
    forbidden.stderr,
    /Error from server \(Forbidden\): pods is forbidden: User "nolist" cannot list resource "pods" in API group "" in the namespace "default"/,
  );

  for (const r of [none, refused, tls, unauth, forbidden]) {
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('KUBECONFIG with several files follows kubectl: the first current-context wins', async (t) => {
  const first = server.writeKubeconfig({ context: 'first', namespace: 'billing' });
  const second = server.writeKubeconfig({ context: 'second', namespace: 'shop' });
  const r = await arkHooks(['list', '-o', 'json'], { env: { KUBECONFIG: `${first}:${second}` } });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(
    JSON.parse(r.stdout).pods.map((p: { name: string }) => p.name),
    ['pg-0'],
  );
  t.is(JSON.parse(r.stdout).source.context, 'first');
  const ctx = await arkHooks(['list', '-o', 'json', '--context', 'second'], { env: { KUBECONFIG: `${first}:${second}` } });
  t.is(JSON.parse(ctx.stdout).scope.namespace, 'shop');
});

test('--request-timeout bounds a slow server', async (t) => {
  const slow = await startApiServer();
  slow.faults.push({
    match: (q) => q.path.endsWith('/pods'),
    delayMs: 10_000,
    status: 200,
    body: { kind: 'PodList', items: [], metadata: {} },
  });
  const r = await arkHooks(['list', '--target', 'velero-1.18', '--kubeconfig', slow.writeKubeconfig(), '--request-timeout', '500ms']);
  // Order, from the server's log: the process had ended before the server answered the list.
  const answered = slow.requests.filter((q) => q.verb === 'list').map((q) => q.status);
  await slow.stop();
  t.is(r.code, 1);
  t.regex(r.stderr, /did not answer within 0\.5s \(--request-timeout\)/);
  // (Under load the client may give up before the server has even logged the request: then nothing was answered either.)
  t.true(
    answered.every((st) => st === 0),
    `the list was still unanswered when the process ended (${answered})`,
  );
});

test('list -f reads manifests with no cluster and no kubeconfig', async (t) => {
  const r = await arkHooks(['list', '-f', 'examples/', '-o', 'json'], { env: { KUBECONFIG: '/nonexistent' } });
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.is(report.source.type, 'files');
  const names = report.pods
    .filter((p: { hooks: unknown[] }) => p.hooks.length > 0)
    .map((p: { kind: string; name: string }) => `${p.kind}/${p.name}`);
  for (const n of ['Pod/mysql-0', 'Pod/redis-0', 'Pod/search-0', 'StatefulSet/postgres', 'CronJob/report', 'Deployment/legacy-app'])
    t.true(names.includes(n), n);
  const codes = new Set(report.findings.map((f: { code: string }) => f.code));
  for (const c of [
    'command-not-json-array',
    'invalid-on-error',
    'invalid-timeout',
    'container-not-found',
    'unknown-hook-key',
    'ark-keys-ignored',
  ])
    t.true(codes.has(c), c);
  t.deepEqual(
    report.scope.target,
    { name: 'velero-1.18', versions: 'Velero v1.18.0+', chosenBy: 'default: the newest Velero (offline; pass --target to choose)' },
    'offline: the newest Velero, named in the report',
  );
  // Ark reads the un-prefixed keys as a pre hook (item_hook_handler.go@v0.10.0).
  const ark = JSON.parse((await arkHooks(['list', '-f', 'examples/', '-o', 'json', '--target', 'ark-0.9'])).stdout);
  t.true(ark.findings.some((f: { code: string }) => f.code === 'legacy-keys'));
  t.false(ark.findings.some((f: { code: string }) => f.code === 'ark-keys-ignored'));
});

test('list -f - reads stdin; -n and -l filter manifests', async (t) => {
  const yaml =
    'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}, annotations: {pre.hook.backup.velero.io/command: "[\\"true\\"]"}}\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, annotations: {pre.hook.backup.velero.io/command: "[\\"true\\"]"}}\nspec: {containers: [{name: c}]}\n';
  const all = await arkHooks(['list', '-f', '-', '-o', 'json'], { input: yaml });
  t.deepEqual(
    JSON.parse(all.stdout).pods.map((p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`),
    ['default/b', 'x/a'],
  );
  const ns = await arkHooks(['list', '-f', '-', '-n', 'x', '-l', 'app=a', '-o', 'json'], { input: yaml });
  t.deepEqual(
    JSON.parse(ns.stdout).pods.map((p: { name: string }) => p.name),
    ['a'],
  );
});

test('validate: findings only, exit 1 on errors, 0 when clean, --strict for warnings', async (t) => {
  const bad = await arkHooks(['validate', '-f', 'examples/']);
  t.is(bad.code, 1);
  t.regex(bad.stdout, /^error: /m);
  t.regex(bad.stdout, /\d+ errors, \d+ warnings in \d+ hooks of \d+ pods, judged as velero-1\.18\n$/);
  const clean = await arkHooks(['validate', '-f', 'examples/pods/mysql-fsfreeze.yaml']);
  t.is(clean.code, 0, clean.stdout);
  t.is(clean.stdout, '0 errors, 0 warnings in 2 hooks of 1 pod, judged as velero-1.18\n');
  const strict = await arkHooks(['validate', '--strict', '-f', 'examples/pods/ark-legacy.yaml']);
  t.is(strict.code, 1);
  const json = await arkHooks(['validate', '-f', 'examples/', '-o', 'json']);
  const parsed = JSON.parse(json.stdout);
  t.is(parsed.kind, 'ValidationReport');
  t.false(parsed.valid);
  // pg-0 has un-prefixed ark.heptio.com keys: read by velero-0.11, ignored (an error) by velero-1.18.
  const cluster = await arkHooks(['validate', '--kubeconfig', kc, '-n', 'billing', '--target', 'velero-0.11']);
  t.is(cluster.code, 0, cluster.stdout + cluster.stderr);
  const newest = await arkHooks(['validate', '--kubeconfig', kc, '-n', 'billing']);
  t.is(newest.code, 1);
  t.regex(
    newest.stdout,
    /error: billing\/pg-0: hook\.backup\.ark\.heptio\.com\/command: 1 hook\.backup\.ark\.heptio\.com key: Velero v1\.18\.0\+ ignores them \(Velero stopped reading hook\.backup\.ark\.heptio\.com keys in v1\.0\.0\), so the pre hook they define never runs/,
  );
});

test('usage errors exit 2 with one line and a pointer to --help', async (t) => {
  for (const args of [
    ['list', '--phase', 'during', '-f', 'examples/'],
    ['list', '--bogus'],
    ['list', '-o', 'xml', '-f', 'examples/'],
    ['list', '-l', 'a in (', '-f', 'examples/'],
  ]) {
    const r = await arkHooks(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, /^error: /);
  }
});

test('--help, --version, and `| head` ending quietly', async (t) => {
  const help = await arkHooks(['list', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /^  kubectl ark-hooks list -A -o json$/m);
  const version = await arkHooks(['--version']);
  t.regex(version.stdout, /^kubectl-ark_hooks v\d+\.\d+\.\d+ \(commit \S+, node v26\./);
  t.deepEqual((await arkHooks(['version'])).stdout, version.stdout);
  const head = await run('sh', ['-c', 'kubectl ark-hooks list -f examples/ -o yaml | head -1']);
  t.is(head.code, 0);
  t.is(head.stderr, '');
  t.is(head.stdout.split('\n').length, 2);
});

test('colour only with a terminal: NO_COLOR and --no-color win', async (t) => {
  // `script` gives the process a pseudo-terminal, like a user's shell.
  const tty = await run('script', ['-qec', 'kubectl ark-hooks list -f examples/workloads/broken-hooks.yaml', '/dev/null']);
  t.regex(tty.stdout, /\u001b\[31m/);
  const noColor = await run('script', ['-qec', 'kubectl ark-hooks list -f examples/workloads/broken-hooks.yaml', '/dev/null'], {
    env: { NO_COLOR: '1' },
  });
  t.notRegex(noColor.stdout, /\u001b\[3\dm/);
  const flag = await run('script', ['-qec', 'kubectl ark-hooks list --no-color -f examples/workloads/broken-hooks.yaml', '/dev/null']);
  t.notRegex(flag.stdout, /\u001b\[3\dm/);
});
