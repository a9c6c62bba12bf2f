// The pure parts of kubectl's connection flags, -v request log and --color: how the flags override the
// kubeconfig (client-go's ConfigOverrides), impersonation, the log's lines per level and its masking,
// and the colour decision.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extraKey, headerLines, impersonationHeaders } from '../../src/kube/http.ts';
import { FLAGS_CONTEXT, impersonation, loadKubeConfig, serverFlag } from '../../src/kube/kubeconfig.ts';
import { canonicalHeader, klogHeader, maskHeader, RequestLog, truncateBody } from '../../src/kube/request-log.ts';
import { colorEnabled, colorModeOf } from '../../src/output/term.ts';
import { registerSecret } from '../../src/redact.ts';

const CA = Buffer.from('not really a CA').toString('base64');

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}, current = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'conn-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://kube.example:6443', 'certificate-authority-data': CA, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'shop' } }],
      ...(current ? { 'current-context': 'x' } : {}),
    }),
  );
  return file;
}

const emptyHome = () => ({ HOME: mkdtempSync(join(tmpdir(), 'conn-home-')) });

test('-s/--server works without any kubeconfig; with --token and the TLS flags it is a whole connection', (t) => {
  const r = loadKubeConfig(
    { server: 'https://flags.example:6443', token: 'flag-token', certificateAuthority: '/etc/ca.pem', namespace: 'ns1' },
    emptyHome(),
  );
  t.is(r.contextName, FLAGS_CONTEXT);
  t.is(r.namespace, 'ns1');
  t.is(r.server, 'https://flags.example:6443');
  t.is(r.kc.getCurrentCluster()?.server, 'https://flags.example:6443');
  t.is(r.kc.getCurrentCluster()?.caFile, '/etc/ca.pem');
  t.is(r.kc.getCurrentUser()?.token, 'flag-token');
  t.throws(() => loadKubeConfig({ token: 'x' }, emptyHome()), {
    message: /no Kubernetes configuration found .*pass --kubeconfig or --server/,
  });
});

test('-s without a scheme: https when the flags set up TLS, else http (client-go)', (t) => {
  t.is(serverFlag({ server: 'kube.example:6443', certificateAuthority: '/ca.pem' }), 'https://kube.example:6443');
  t.is(serverFlag({ server: 'kube.example:6443', insecureSkipTlsVerify: true }), 'https://kube.example:6443');
  t.is(serverFlag({ server: 'localhost:8080' }), 'http://localhost:8080');
  t.is(serverFlag({ server: 'https://a.example' }), 'https://a.example');
  t.is(serverFlag({ server: '' }), undefined);
  t.is(loadKubeConfig({ server: '10.0.0.1:6443', insecureSkipTlsVerify: true }, emptyHome()).server, 'https://10.0.0.1:6443');
});

test('-s over a kubeconfig: the context stays, its server is replaced; a kubeconfig without current-context uses the flags', (t) => {
  const file = kubeconfig({ token: 'kc-token' });
  const r = loadKubeConfig({ kubeconfig: file, server: 'https://other.example' }, {});
  t.is(r.contextName, 'x');
  t.is(r.namespace, 'shop');
  t.is(r.server, 'https://other.example');
  t.is(r.kc.getCurrentUser()?.token, 'kc-token');
  t.is(r.kc.getCurrentCluster()?.caData, CA, 'the CA stays: only the address changed');
  const none = loadKubeConfig({ kubeconfig: kubeconfig({ token: 'kc-token' }, {}, false), server: 'https://other.example' }, {});
  t.is(none.contextName, FLAGS_CONTEXT);
  t.is(none.kc.getCurrentUser()?.token, undefined);
});

test("--token replaces the user's credentials (exec, basic, token); a client certificate stays", (t) => {
  const file = kubeconfig({
    exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'login-plugin' },
    username: 'alice',
    password: 'pw',
    token: 'kc-token',
    'client-certificate-data': CA,
    'client-key-data': CA,
  });
  const u = loadKubeConfig({ kubeconfig: file, token: 'flag-token' }, {}).kc.getCurrentUser();
  t.is(u?.token, 'flag-token');
  t.is(u?.exec, undefined);
  t.is(u?.username, undefined);
  t.is(u?.password, undefined);
  t.is(u?.certData, CA);
  const untouched = loadKubeConfig({ kubeconfig: file }, {}).kc.getCurrentUser();
  t.truthy(untouched?.exec, 'without --token the kubeconfig user is used as it is');
});

test('--client-certificate/--client-key replace the pair; --tls-server-name is set on the cluster', (t) => {
  const file = kubeconfig({ 'client-certificate': '/a.crt', 'client-key': '/a.key' });
  const r = loadKubeConfig({ kubeconfig: file, clientCertificate: '/c.crt', clientKey: '/c.key', tlsServerName: 'api.internal' }, {});
  const u = r.kc.getCurrentUser();
  t.is(u?.certFile, '/c.crt');
  t.is(u?.keyFile, '/c.key');
  t.is(r.kc.getCurrentCluster()?.tlsServerName, 'api.internal');
});

test('--client-certificate/--client-key over the same data in the kubeconfig are refused, as kubectl refuses them', (t) => {
  const file = kubeconfig({ 'client-certificate-data': CA, 'client-key-data': CA });
  t.throws(() => loadKubeConfig({ kubeconfig: file, clientCertificate: '/c.crt' }, {}), {
    message:
      /^invalid configuration: client-cert-data and client-cert are both specified for u \(client-certificate-data in the kubeconfig, --client-certificate/,
  });
  t.throws(() => loadKubeConfig({ kubeconfig: file, clientKey: '/c.key' }, {}), {
    message: /^invalid configuration: client-key-data and client-key are both specified for u /,
  });
  const files = kubeconfig({ 'client-certificate': '/a.crt', 'client-key': '/a.key' });
  t.is(loadKubeConfig({ kubeconfig: files, clientCertificate: '/c.crt', clientKey: '/c.key' }, {}).kc.getCurrentUser()?.certFile, '/c.crt');
});

test('--insecure-skip-tls-verify clears the CA, --certificate-authority clears insecure; both together are refused, as client-go', (t) => {
  const insecure = loadKubeConfig({ kubeconfig: kubeconfig({ token: 't' }), insecureSkipTlsVerify: true }, {}).kc.getCurrentCluster();
  t.true(insecure?.skipTLSVerify);
  t.is(insecure?.caData, undefined);
  const ca = loadKubeConfig(
    {
      kubeconfig: kubeconfig({ token: 't' }, { 'insecure-skip-tls-verify': true, 'certificate-authority-data': undefined }),
      certificateAuthority: '/ca.pem',
    },
    {},
  ).kc.getCurrentCluster();
  t.false(ca?.skipTLSVerify);
  t.is(ca?.caFile, '/ca.pem');
  t.throws(
    () => loadKubeConfig({ kubeconfig: kubeconfig({ token: 't' }), insecureSkipTlsVerify: true, certificateAuthority: '/ca.pem' }, {}),
    {
      message:
        'specifying a root certificates file with the insecure flag is not allowed (--insecure-skip-tls-verify and --certificate-authority were both given; drop one)',
    },
  );
  t.throws(() => loadKubeConfig({ kubeconfig: kubeconfig({ token: 't' }, { 'insecure-skip-tls-verify': true }) }, {}), {
    message: /not allowed \(cluster "c" of the kubeconfig sets both/,
  });
});

test('impersonation: the flags over the kubeconfig (as, as-groups, as-uid); groups or a uid need a user', (t) => {
  t.is(impersonation({}, undefined, 'u'), undefined);
  t.deepEqual(impersonation({ as: 'bob', asGroups: ['g1', 'g2'], asUid: '42' }, undefined, 'u'), {
    user: 'bob',
    groups: ['g1', 'g2'],
    uid: '42',
  });
  const fromFile = { as: 'carol', 'as-groups': ['ops'], 'as-uid': '7' };
  t.deepEqual(impersonation({}, fromFile, 'u'), { user: 'carol', groups: ['ops'], uid: '7' });
  t.deepEqual(impersonation({ as: 'bob', asGroups: [] }, fromFile, 'u'), { user: 'bob', groups: ['ops'], uid: '7' });
  t.deepEqual(impersonation({ asGroups: ['dev'] }, fromFile, 'u'), { user: 'carol', groups: ['dev'], uid: '7' });
  t.throws(() => impersonation({ asGroups: ['g1'] }, undefined, 'admin'), {
    message: /^requesting uid, groups or user-extra for admin without impersonating a user; pass --as USER/,
  });
  t.throws(() => impersonation({ asUid: '1' }, undefined, 'admin'), { message: /without impersonating a user/ });
  const extra = { as: 'carol', 'as-user-extra': { 'acme.com/project': ['p1', 'p2'], reason: ['audit'] } };
  t.deepEqual(impersonation({}, extra, 'u'), { user: 'carol', groups: [], extra: { 'acme.com/project': ['p1', 'p2'], reason: ['audit'] } });
  t.deepEqual(impersonationHeaders(impersonation({}, extra, 'u')), {
    'Impersonate-User': 'carol',
    'Impersonate-Extra-acme.com%2Fproject': ['p1', 'p2'],
    'Impersonate-Extra-reason': ['audit'],
  });
  t.is(extraKey('a b/ü$&+=:@~'), 'a%20b%2F%C3%BC$&+=:@~', "url.PathEscape's rules");
  t.throws(() => impersonation({}, { 'as-user-extra': { reason: ['x'] } }, 'u'), { message: /without impersonating a user/ });
  const r = loadKubeConfig({ kubeconfig: kubeconfig({ token: 't' }), as: 'bob', asGroups: ['a', 'b'] }, {});
  t.deepEqual(r.impersonation, { user: 'bob', groups: ['a', 'b'] });
  t.deepEqual(impersonationHeaders(r.impersonation), { 'Impersonate-User': 'bob', 'Impersonate-Group': ['a', 'b'] });
  t.deepEqual(headerLines(impersonationHeaders(r.impersonation)), [
    ['Impersonate-User', 'bob'],
    ['Impersonate-Group', 'a'],
    ['Impersonate-Group', 'b'],
  ]);
});

test("klog's line header, kubectl's masking and body cuts", (t) => {
  t.is(klogHeader(new Date(2026, 10, 27, 15, 4, 5, 123), 12345, 'http.ts'), 'I1127 15:04:05.123000   12345 http.ts] ');
  t.is(klogHeader(new Date(2026, 0, 2, 3, 4, 5, 6), 7, 'exec.ts'), 'I0102 03:04:05.006000       7 exec.ts] ');
  t.is(maskHeader('Authorization', 'Bearer abc.def'), 'Bearer <masked>');
  t.is(maskHeader('authorization', 'Basic YWxpY2U6cHc='), 'Basic <masked>');
  t.is(maskHeader('Authorization', 'Negotiate xyz'), '<masked>');
  t.is(maskHeader('Impersonate-User', 'bob'), 'bob');
  t.is(canonicalHeader('content-type'), 'Content-Type');
  t.is(canonicalHeader('impersonate-uid'), 'Impersonate-Uid');
  const body = 'x'.repeat(20000);
  t.is(truncateBody(body, 8), `${'x'.repeat(1024)} [truncated 18976 chars]`);
  t.is(truncateBody(body, 9), `${'x'.repeat(10240)} [truncated 9760 chars]`);
  t.is(truncateBody(body, 10), body);
  t.is(truncateBody('short', 8), 'short');
});

function logAt(level: number) {
  const lines: string[] = [];
  const log = new RequestLog({ level, sink: (l) => lines.push(l), now: () => new Date(2026, 10, 27, 15, 4, 5), pid: 1 });
  const url = 'https://k.example/api/v1/pods?limit=500';
  log.request('http.ts', 'GET', url, [
    ['Authorization', 'Bearer unit-secret-token-123456'],
    ['Impersonate-Group', 'g1'],
  ]);
  log.response('http.ts', 'GET', url, 200, 12.4, [['content-type', 'application/json']]);
  log.responseBody('http.ts', '{"items":[],"note":"unit-secret-token-123456"}');
  log.failed('http.ts', 'GET', url, 3, Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }));
  return lines.map((l) => l.replace('I1127 15:04:05.000000       1 http.ts] ', ''));
}

test('the request log per level: 6 one line, 7 request headers, 8 response headers and bodies; secrets masked', (t) => {
  registerSecret('unit-secret-token-123456');
  t.deepEqual(logAt(5), []);
  const url = 'https://k.example/api/v1/pods?limit=500';
  t.deepEqual(logAt(6), [`GET ${url} 200 OK in 12 milliseconds`, `GET ${url} failed in 3 milliseconds: ECONNREFUSED`]);
  t.deepEqual(logAt(7), [
    `GET ${url}`,
    'Request Headers:',
    '    Authorization: Bearer <masked>',
    '    Impersonate-Group: g1',
    'Response Status: 200 OK in 12 milliseconds',
    `GET ${url} failed in 3 milliseconds: ECONNREFUSED`,
  ]);
  const eight = logAt(8);
  t.deepEqual(eight.slice(4, 8), [
    'Response Status: 200 OK in 12 milliseconds',
    'Response Headers:',
    '    Content-Type: application/json',
    'Response Body: {"items":[],"note":"***"}',
  ]);
  t.false(eight.join('\n').includes('unit-secret-token-123456'));
});

test('--color: auto (a terminal, not NO_COLOR or TERM=dumb), always (even a pipe, even NO_COLOR), never', (t) => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  t.true(colorEnabled(tty, {}, 'auto'));
  t.false(colorEnabled(pipe, {}, 'auto'));
  t.false(colorEnabled(tty, { NO_COLOR: '1' }, 'auto'));
  t.true(colorEnabled(tty, { NO_COLOR: '' }, 'auto'), 'an empty NO_COLOR is not set');
  t.false(colorEnabled(tty, { TERM: 'dumb' }, 'auto'));
  t.true(colorEnabled(pipe, { NO_COLOR: '1' }, 'always'));
  t.false(colorEnabled(tty, {}, 'never'));
  t.is(colorModeOf([]), 'auto');
  t.is(colorModeOf(['list', '--no-color']), 'never');
  t.is(colorModeOf(['list', '--color']), 'always');
  t.is(colorModeOf(['list', '--color=never', '--color=auto']), 'auto', 'the last one wins');
  t.is(colorModeOf(['list', '--color=bogus']), 'auto');
  t.is(colorModeOf(['wrap', '--', 'ls', '--color']), 'auto', "the wrapped command's words are not ours");
});

test('stack traces of unexpected errors: only from -v=6 (or the hidden --verbose), redacted', async (t) => {
  const { Cli } = await import('clipanion');
  const { BaseCommand } = await import('../../src/commands/base.ts');
  class Boom extends BaseCommand {
    static override paths = [['boom']];
    async run(): Promise<number> {
      throw new Error('kaput unit-secret-token-123456');
    }
  }
  registerSecret('unit-secret-token-123456');
  const cli = new Cli({ binaryName: 'b' });
  cli.register(Boom);
  const errOf = async (args: string[]) => {
    let err = '';
    const sink = {
      write: (s: string) => {
        err += s;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const code = await cli.run(['boom', ...args], { env: {}, stdout: sink, stderr: sink } as never);
    return { code, err };
  };
  for (const args of [[], ['-v', '5']]) {
    const r = await errOf(args);
    t.is(r.code, 1);
    t.is(r.err, 'error: unexpected failure: kaput *** (this is a bug; run again with -v=6 for details)\n', args.join(' '));
  }
  for (const args of [['-v', '6'], ['-v', '9'], ['--verbose']]) {
    const r = await errOf(args);
    t.regex(r.err, /^error: unexpected failure: kaput \*\*\* .*\nError: kaput \*\*\*\n\s+at /, args.join(' '));
    t.false(r.err.includes('unit-secret-token-123456'));
  }
});
