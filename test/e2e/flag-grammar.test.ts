// kubectl's flag grammar through the built plugin (`kubectl ark-hooks …`): -oyaml, -o=json, -nshop,
// --namespace=shop, -lapp=db, -v=6 and --v=6 work as in kubectl, and the words after a lone `--` (the
// wrapped COMMAND's own) reach the command untouched.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks } from '../support/cli.ts';

let server: TestApiServer;
let kc: string;
const V = 'hook.backup.velero.io';

test.before(async () => {
  server = await startApiServer();
  server.addPod('shop', 'db-0', { labels: { app: 'db' }, annotations: { [`pre.${V}/command`]: '["/bin/sync"]' } });
  server.addPod('shop', 'web-0', { labels: { app: 'web' }, annotations: { [`pre.${V}/command`]: '["/bin/true"]' } });
  server.addPod('default', 'here-0', { annotations: { [`post.${V}/command`]: '["/bin/true"]' } });
  kc = server.writeKubeconfig({ namespace: 'default' });
});
test.after.always(() => server.stop());

const pods = (report: { pods: { namespace: string; name: string }[] }) => report.pods.map((p) => `${p.namespace}/${p.name}`);

test('list -f examples/ -oyaml and -o=json print the report', async (t) => {
  const yaml = await arkHooks(['list', '-f', 'examples/', '-oyaml']);
  t.is(yaml.code, 0, yaml.stderr);
  t.is((load(yaml.stdout) as { kind: string }).kind, 'HookReport');
  const json = await arkHooks(['list', '-f', 'examples/', '-o=json']);
  t.is(json.code, 0, json.stderr);
  t.deepEqual(JSON.parse(json.stdout), load(yaml.stdout), 'the same report in both formats');
});

test('-nshop, --namespace=shop and -lapp=db choose the scope as their spaced forms do', async (t) => {
  const glued = await arkHooks(['list', '--kubeconfig', kc, '-nshop', '-ojson']);
  t.is(glued.code, 0, glued.stderr);
  t.deepEqual(pods(JSON.parse(glued.stdout)), ['shop/db-0', 'shop/web-0']);
  const long = await arkHooks(['list', '--kubeconfig', kc, '--namespace=shop', '-o', 'json']);
  t.deepEqual(pods(JSON.parse(long.stdout)), ['shop/db-0', 'shop/web-0']);
  const sel = await arkHooks(['list', '--kubeconfig', kc, '-nshop', '-lapp=db', '-o=json']);
  t.is(sel.code, 0, sel.stderr);
  t.deepEqual(pods(JSON.parse(sel.stdout)), ['shop/db-0']);
});

test("-v=6, --v=6 and -v=2 are accepted as kubectl's level; a level that is no number is one line, exit 2", async (t) => {
  for (const v of ['-v=6', '--v=6', '-v=2']) {
    const r = await arkHooks(['list', '-f', 'examples/', v, '-o', 'json']);
    t.is(r.code, 0, `${v}: ${r.stderr}`);
    t.is(JSON.parse(r.stdout).kind, 'HookReport');
  }
  const bad = await arkHooks(['list', '-f', 'examples/', '--v=loud']);
  t.is(bad.code, 2);
  t.is(bad.stdout, '');
  t.is(
    bad.stderr,
    `error: invalid argument "loud" for "-v, --v" flag: use a whole number, e.g. -v=6\nSee 'kubectl ark-hooks list --help' for usage.\n`,
  );
});

test('wrap … -- COMMAND: the words after `--` reach COMMAND as written', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'ark-hooks-argv-')), 'argv');
  const words = ['-oyaml', '-o=json', '-nshop', '-v=6', '--v=6', '-lapp=db', '--'];
  const r = await arkHooks([
    'wrap',
    '-nshop',
    '--kubeconfig',
    kc,
    '--yes',
    '-ojson',
    '--',
    'sh',
    '-c',
    'printf "%s\\n" "$@" > "$0"',
    out,
    ...words,
  ]);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).kind !== undefined, true);
  t.deepEqual(readFileSync(out, 'utf8').split('\n').slice(0, -1), words);
});
