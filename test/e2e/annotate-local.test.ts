// `kubectl ark-hooks annotate --local` as a GitOps editor: over a corpus of tricky manifests, the
// output differs from the input only in annotation lines (a byte comparison of everything else),
// and reads back as the input with exactly the hook keys changed. Then --in-place: atomic, mode kept,
// all files or none, never stdin; and errors: nothing on stdout, exit 1.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import type { Obj } from '../support/apiserver.ts';
import { ROOT, arkHooks as runCli } from '../support/cli.ts';

// Velero keys by default, with no cluster anywhere.
const arkHooks: typeof runCli = (args, opts = {}) =>
  runCli(args, { ...opts, env: { KUBECONFIG: '/nonexistent', ARK_HOOKS_TARGET: 'velero-1.18', ...(opts.env ?? {}) } });

const PRE = 'pre.hook.backup.velero.io';
const POST = 'post.hook.backup.velero.io';

interface Case {
  name: string;
  file: string;
  text: string;
  args: string[];
  /** Annotation changes expected on each edited object: object index (in reading order) → path → changes. */
  expect: { index: number; path: string[]; changes: Record<string, string | null> }[];
  /** Text a changed line may hold besides hook keys and `annotations` (other annotations of the same map). */
  tokens?: string[];
  /** The edit also creates `metadata:` (a pod template without one). */
  createsMetadata?: boolean;
  /** Pretty JSON: a new map ends in a line of its own (`},`). */
  closers?: boolean;
}

const TEMPLATE = ['spec', 'template', 'metadata'];
const sync = { [`${PRE}/command`]: '["/bin/sync"]' };

const CASES: Case[] = [
  {
    name: 'multi-document stream: directives, comments, document end markers, anchors, quoting',
    file: 'multi.yaml',
    text: `%YAML 1.2
# the database tier
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}   # flow style stays
data:
  a: "1"
  b: 'true'
  c: &shared yes-please
...
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db # inline comment
  # a comment inside metadata
  "namespace": 'prod'
  labels: &labels
    app: db

spec:
  replicas: 3
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels: {app: db}
      # hooks below
      annotations:
        team: "db"   # who owns it
    spec:
      containers:
      - name: db
        image: "postgres:17"
        args: [ -c, 'shared_buffers=1GB' ]
---
# a trailing document with only a comment
`,
    args: ['deployment/db', '--phase', 'pre', '--command', '/bin/sync'],
    expect: [{ index: 1, path: TEMPLATE, changes: sync }],
    tokens: ['team: "db"'],
  },
  {
    name: 'a List with items not indented, and one with indented items',
    file: 'list.yaml',
    text: `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: StatefulSet
  metadata:
    name: mysql
  spec:
    template:
      metadata:
        labels:
          app: mysql
      spec:
        containers:
        - {name: mysql, image: mysql}
        - {name: freezer, image: busybox}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: web-0
      annotations:
        keep: me
    spec:
      containers:
        - name: web
`,
    args: ['--phase', 'pre', '--container', 'freezer', '--command', '["/sbin/fsfreeze","--freeze","/var/lib/mysql"]'],
    expect: [],
  },
  {
    name: 'JSON input stays JSON, indented as it was',
    file: 'db.json',
    text: `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {
    "name": "db",
    "annotations": {
      "keep": "me"
    }
  },
  "spec": {
    "template": {
      "metadata": {
        "labels": {
          "app": "db"
        }
      },
      "spec": {
        "containers": [
          {
            "name": "db",
            "image": "postgres:17"
          }
        ]
      }
    }
  }
}
`,
    args: ['deployment/db', '--phase', 'post', '--timeout', '2m', '--on-error', 'continue', '--command', '/bin/true'],
    closers: true,
    expect: [
      {
        index: 0,
        path: TEMPLATE,
        changes: { [`${POST}/command`]: '["/bin/true"]', [`${POST}/on-error`]: 'Continue', [`${POST}/timeout`]: '2m' },
      },
    ],
  },
  {
    name: 'flow maps: annotations {a: b} and a flow metadata without annotations',
    file: 'flow.yaml',
    text: `apiVersion: v1
kind: Pod
metadata: {name: p1, annotations: {team: web, ${POST}/command: '["/bin/old"]'}}
spec: {containers: [{name: web}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent}]}
`,
    args: ['--phase', 'post', '--overwrite', '--command', '/bin/new'],
    expect: [
      { index: 0, path: ['metadata'], changes: { [`${POST}/command`]: '["/bin/new"]' } },
      { index: 1, path: TEMPLATE, changes: { [`${POST}/command`]: '["/bin/new"]' } },
    ],
  },
  {
    name: 'CRLF line ends, indentation of 4, no annotations yet',
    file: 'crlf.yaml',
    text: [
      'apiVersion: apps/v1',
      'kind: StatefulSet',
      'metadata:',
      '    name: pg',
      'spec:',
      '    template:',
      '        metadata:',
      '            labels:',
      '                app: pg',
      '        spec:',
      '            containers:',
      '                -   name: pg',
      '',
    ].join('\r\n'),
    args: ['statefulset/pg', '--preset', 'fsfreeze', '--path', '/data'],
    expect: [],
  },
  {
    name: 'a pod template with no metadata, no final line break',
    file: 'nometa.yaml',
    text: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: dump\nspec:\n  schedule: "0 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: dump',
    args: ['cronjob/dump', '--phase', 'pre', '--command', '/bin/sync'],
    expect: [{ index: 0, path: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'], changes: sync }],
    createsMetadata: true,
  },
  {
    name: 'remove: double-quoted hook values and a block scalar go, the rest stays',
    file: 'remove.yaml',
    text: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    "${PRE}/command": "[\\"/bin/sync\\"]"
    keep: |
      two
      lines
    ${PRE}/container: >-
      web-sidecar
    ${POST}/command: '["/bin/true"]'  # stays
spec:
  containers: [{name: web}]
`,
    args: ['--remove', '--phase', 'pre'],
    expect: [{ index: 0, path: ['metadata'], changes: { [`${PRE}/command`]: null, [`${PRE}/container`]: null } }],
    tokens: ['web-sidecar'],
  },
  {
    name: 'an empty `annotations:`, double-quoted style kept on overwrite',
    file: 'empty.yaml',
    text: `apiVersion: v1
kind: Pod
metadata:
  name: a
  annotations:
spec:
  containers: [{name: web}]
---
apiVersion: v1
kind: Pod
metadata:
  name: b
  annotations:
    "${PRE}/command": "[\\"/bin/old\\"]"
spec:
  containers: [{name: web}]
`,
    args: ['--phase', 'pre', '--overwrite', '--command', '/bin/sync'],
    expect: [
      { index: 0, path: ['metadata'], changes: sync },
      { index: 1, path: ['metadata'], changes: sync },
    ],
  },
  {
    name: 'JSON-style flow maps in a YAML stream (a %YAML directive): new keys are double-quoted too',
    file: 'directive.yaml',
    text: '%YAML 1.2\n---\n{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"}, "spec": {"containers": [{"name": "c"}]}}',
    args: ['--phase', 'pre', '--command', '/bin/sync'],
    expect: [{ index: 0, path: ['metadata'], changes: sync }],
  },
];

// The List case: what the items get.
(CASES[1] as Case).expect = [
  {
    index: 0,
    path: TEMPLATE,
    changes: {
      [`${PRE}/command`]: '["/sbin/fsfreeze","--freeze","/var/lib/mysql"]',
      [`${PRE}/container`]: 'freezer',
    },
  },
];
(CASES[1] as Case).args.push('statefulset/mysql');
(CASES[4] as Case).expect = [
  {
    index: 0,
    path: TEMPLATE,
    changes: {
      [`${PRE}/command`]: '["/sbin/fsfreeze","--freeze","/data"]',
      [`${POST}/command`]: '["/sbin/fsfreeze","--unfreeze","/data"]',
    },
  },
];

/** Lines that only an annotation edit may touch. */
function annotationLine(c: Case, line: string): boolean {
  if (line.includes('hook.backup.velero.io/') || /^\s*"?annotations"?\s*:/.test(line)) return true;
  if (c.createsMetadata && /^\s*metadata:\s*$/.test(line)) return true;
  if (c.closers && /^\s*\},?\s*$/.test(line)) return true;
  return (c.tokens ?? []).some((tok) => line.includes(tok)) || /"?keep"?: "?me"?/.test(line);
}

/** The text without its annotation lines and flow annotation maps, every other byte kept (line ends included). */
function outsideAnnotations(c: Case, text: string): string {
  return text
    .replace(/"?annotations"?\s*:\s*\{[^{}\n]*\}(,\s*)?/g, '')
    .split(/(?<=\n)/)
    .filter((l) => !annotationLine(c, l))
    .join('');
}

/** The objects (List items included) in reading order. */
function objects(text: string): Obj[] {
  return (loadAll(text) as Obj[]).filter(Boolean).flatMap((d) => (Array.isArray(d.items) ? d.items : [d]));
}

function withChanges(objs: Obj[], c: Case): Obj[] {
  const out = structuredClone(objs);
  for (const e of c.expect) {
    let cur = out[e.index] as Obj;
    for (const p of e.path) cur = cur[p] ??= {};
    cur.annotations ??= {};
    for (const [k, v] of Object.entries(e.changes)) {
      if (v === null) delete cur.annotations[k];
      else cur.annotations[k] = v;
    }
  }
  return out;
}

for (const c of CASES) {
  test(`round trip: ${c.name}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ark-rt-'));
    const file = join(dir, c.file);
    writeFileSync(file, c.text);
    const r = await arkHooks(['annotate', '--local', '-f', file, ...c.args]);
    t.is(r.code, 0, r.stderr);
    t.not(r.stdout, c.text, 'something changed');
    // Byte for byte outside the annotation lines.
    t.is(outsideAnnotations(c, r.stdout), outsideAnnotations(c, c.text));
    // And it means the input with exactly the hook keys changed.
    t.deepEqual(objects(r.stdout), withChanges(objects(c.text), c));
    if (c.file.endsWith('.json')) t.notThrows(() => JSON.parse(r.stdout), 'JSON stays JSON');
    if (c.file === 'directive.yaml')
      t.regex(r.stdout, /\{"annotations": \{"pre\.hook\.backup\.velero\.io\/command": "\[\\"\/bin\/sync\\"\]"\}, "name": "b"\}/);
    if (c.text.includes('\r\n')) t.notRegex(r.stdout, /[^\r]\n/, 'every line ends in CRLF');
  });
}

test('round trip: pretty JSON gets new lines only, indented like their neighbours', async (t) => {
  const c = CASES[2] as Case;
  const dir = mkdtempSync(join(tmpdir(), 'ark-rt-'));
  writeFileSync(join(dir, c.file), c.text);
  const r = await arkHooks(['annotate', '--local', '-f', join(dir, c.file), ...c.args]);
  const added = [
    '        "annotations": {',
    `          "${POST}/command": "[\\"/bin/true\\"]",`,
    `          "${POST}/on-error": "Continue",`,
    `          "${POST}/timeout": "2m"`,
    '        },',
    '',
  ].join('\n');
  t.is(r.stdout, c.text.replace('      "metadata": {\n        "labels"', `      "metadata": {\n${added}        "labels"`));
});

test('round trip: the exact lines added to a block map, in the style of the file', async (t) => {
  const c = CASES[4] as Case;
  const dir = mkdtempSync(join(tmpdir(), 'ark-rt-'));
  writeFileSync(join(dir, 'pg.yaml'), c.text);
  const r = await arkHooks(['annotate', '--local', '-f', join(dir, 'pg.yaml'), ...c.args]);
  t.true(
    r.stdout.includes(
      [
        '                app: pg',
        '            annotations:',
        `                ${PRE}/command: '["/sbin/fsfreeze","--freeze","/data"]'`,
        `                ${POST}/command: '["/sbin/fsfreeze","--unfreeze","/data"]'`,
        '        spec:',
      ].join('\r\n'),
    ),
    r.stdout,
  );
});

test('round trip: every annotation removed takes its `annotations:` key with it; add then remove gives the input back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ark-rt-'));
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p  # the pod\nspec:\n  containers: [{name: web}]\n';
  writeFileSync(join(dir, 'p.yaml'), text);
  const added = await arkHooks(['annotate', '--local', '-f', join(dir, 'p.yaml'), '--phase', 'pre', '--command', '/bin/sync']);
  t.is(added.code, 0, added.stderr);
  writeFileSync(join(dir, 'p.yaml'), added.stdout);
  const removed = await arkHooks(['annotate', '--local', '-f', join(dir, 'p.yaml'), '--remove']);
  t.is(removed.code, 0, removed.stderr);
  t.is(removed.stdout, text);
  // A pod template without metadata gets one, and loses it again.
  const cron = (CASES[5] as Case).text;
  writeFileSync(join(dir, 'cron.yaml'), cron);
  const hooked = await arkHooks([
    'annotate',
    '--local',
    '--in-place',
    '-f',
    join(dir, 'cron.yaml'),
    '--phase',
    'pre',
    '--command',
    '/bin/sync',
  ]);
  t.is(hooked.code, 0, hooked.stderr);
  t.not(readFileSync(join(dir, 'cron.yaml'), 'utf8'), cron);
  const back = await arkHooks(['annotate', '--local', '--in-place', '-f', join(dir, 'cron.yaml'), '--remove']);
  t.is(back.code, 0, back.stderr);
  t.is(readFileSync(join(dir, 'cron.yaml'), 'utf8'), cron);
});

test('round trip: an alias or a merge key on the path is refused, in one line, nothing on stdout', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ark-rt-'));
  // The pod template's annotations are shared with the Deployment's own: editing one would edit both.
  const shared =
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations: *ann\nspec:\n  template:\n    metadata:\n      annotations: &ann {team: web}\n    spec: {containers: [{name: c}]}\n';
  const anchored = shared
    .replace('  annotations: *ann\n', '')
    .replace('&ann {team: web}', '{team: web}')
    .replace('metadata:\n  name: d\n', 'metadata:\n  name: d\n  annotations: &ann {team: web}\n')
    .replace('      annotations: {team: web}', '      annotations: *ann');
  for (const [name, text, re] of [
    [
      'anchored.yaml',
      anchored,
      /^error: .*anchored\.yaml: deployment\.apps\/d: spec\.template\.metadata\.annotations is a YAML alias \(\*ann\); edit it by hand\n$/,
    ],
    [
      'merge.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  <<: {name: p}\nspec: {containers: [{name: c}]}\n',
      /^error: .*merge\.yaml: pod\/p: metadata uses a YAML merge key \(<<\); edit it by hand\n$/,
    ],
  ] as const) {
    writeFileSync(join(dir, name), text);
    const r = await arkHooks(['annotate', '--local', '-f', join(dir, name), '--phase', 'pre', '--command', '/bin/sync']);
    t.is(r.code, 1, name);
    t.is(r.stdout, '', name);
    t.regex(r.stderr, re, name);
  }
  // The anchor side of an alias is refused too: the alias would change with it.
  const anchorSide =
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n      annotations: &ann {team: web}\n    spec: {containers: [{name: c}]}\n  selector: {matchLabels: *ann}\n';
  writeFileSync(join(dir, 'anchor.yaml'), anchorSide);
  const r = await arkHooks(['annotate', '--local', '-f', join(dir, 'anchor.yaml'), '--phase', 'pre', '--command', '/bin/sync']);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.regex(
    r.stderr,
    /^error: .*anchor\.yaml: deployment\.apps\/d: spec\.template\.metadata\.annotations has the YAML anchor &ann, which an alias also uses; edit it by hand\n$/,
  );
});

test('-o yaml prints JSON input as YAML; -o json prints YAML input as JSON', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ark-rt-'));
  writeFileSync(join(dir, 'p.json'), '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}');
  const y = await arkHooks(['annotate', '--local', '-f', join(dir, 'p.json'), '--phase', 'pre', '--command', '/bin/sync', '-o', 'yaml']);
  t.is(y.code, 0, y.stderr);
  t.regex(y.stdout, /^apiVersion: v1\nkind: Pod\n/);
  t.is((objects(y.stdout)[0] as Obj).metadata.annotations[`${PRE}/command`], '["/bin/sync"]');
  const same = await arkHooks(['annotate', '--local', '-f', join(dir, 'p.json'), '--phase', 'pre', '--command', '/bin/sync']);
  t.is(
    same.stdout,
    `{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"${PRE}/command":"[\\"/bin/sync\\"]"},"name":"p"},"spec":{"containers":[{"name":"c"}]}}`,
  );
});

// --in-place

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ark-ip-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const DB =
  'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: mysql  # primary\nspec:\n  template:\n    metadata:\n      labels: {app: mysql}\n    spec:\n      containers:\n      - name: mysql\n';
const WEB = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-0\nspec:\n  containers:\n  - name: web\n';

test('--in-place writes each changed file, keeps its mode, names it on stderr, prints nothing on stdout', async (t) => {
  const dir = tree({ 'db.yaml': DB, 'web.yaml': WEB, 'other.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' });
  chmodSync(join(dir, 'db.yaml'), 0o640);
  const otherBefore = statSync(join(dir, 'other.yaml')).mtimeMs;
  const r = await arkHooks([
    'annotate',
    '--local',
    '--in-place',
    '-f',
    dir,
    'statefulset/mysql',
    '--phase',
    'pre',
    '--command',
    '/bin/sync',
  ]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '');
  t.is(r.stderr, `statefulset.apps/mysql annotated in ${join(dir, 'db.yaml')} (pod template)\n`);
  t.is(
    readFileSync(join(dir, 'db.yaml'), 'utf8'),
    DB.replace('labels: {app: mysql}\n', `labels: {app: mysql}\n      annotations:\n        ${PRE}/command: '["/bin/sync"]'\n`),
  );
  t.is(statSync(join(dir, 'db.yaml')).mode & 0o777, 0o640);
  t.is(readFileSync(join(dir, 'web.yaml'), 'utf8'), WEB);
  t.is(statSync(join(dir, 'other.yaml')).mtimeMs, otherBefore);
  // Only the files: no temporary file left behind.
  t.deepEqual((await import('node:fs')).readdirSync(dir).sort(), ['db.yaml', 'other.yaml', 'web.yaml']);
});

test('--in-place through a symlink replaces the file it points to and keeps the link', async (t) => {
  const dir = tree({ 'real.yaml': WEB });
  symlinkSync(join(dir, 'real.yaml'), join(dir, 'link.yaml'));
  const r = await arkHooks([
    'annotate',
    '--local',
    '--in-place',
    '-f',
    join(dir, 'link.yaml'),
    '--phase',
    'post',
    '--command',
    '/bin/true',
  ]);
  t.is(r.code, 0, r.stderr);
  t.true(lstatSync(join(dir, 'link.yaml')).isSymbolicLink());
  t.is(readlinkSync(join(dir, 'link.yaml')), join(dir, 'real.yaml'));
  t.regex(readFileSync(join(dir, 'real.yaml'), 'utf8'), /post\.hook\.backup\.velero\.io\/command: '\["\/bin\/true"\]'/);
});

test('--in-place touches no file when any object fails; nothing on stdout, exit 1', async (t) => {
  const dir = tree({ 'db.yaml': DB, 'web.yaml': WEB });
  const before = { db: statSync(join(dir, 'db.yaml')).mtimeMs, web: statSync(join(dir, 'web.yaml')).mtimeMs };
  // web-0 has no container "mysql": that one fails, so db.yaml, which would pass, is not written either.
  const r = await arkHooks([
    'annotate',
    '--local',
    '--in-place',
    '-f',
    dir,
    '--phase',
    'pre',
    '--container',
    'mysql',
    '--command',
    '/bin/sync',
  ]);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.regex(r.stderr, /^error: pod\/web-0: \S+: .*mysql/);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.is(readFileSync(join(dir, 'db.yaml'), 'utf8'), DB);
  t.is(readFileSync(join(dir, 'web.yaml'), 'utf8'), WEB);
  t.deepEqual({ db: statSync(join(dir, 'db.yaml')).mtimeMs, web: statSync(join(dir, 'web.yaml')).mtimeMs }, before);
});

test('--in-place --dry-run=client says what it would change and writes nothing', async (t) => {
  const dir = tree({ 'web.yaml': WEB });
  const r = await arkHooks([
    'annotate',
    '--local',
    '--in-place',
    '--dry-run=client',
    '-f',
    join(dir, 'web.yaml'),
    '--phase',
    'pre',
    '--command',
    '/bin/sync',
  ]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '');
  t.is(r.stderr, `pod/web-0 annotated in ${join(dir, 'web.yaml')} (dry run)\n`);
  t.is(readFileSync(join(dir, 'web.yaml'), 'utf8'), WEB);
});

test('--in-place refuses stdin, -o, and a cluster; each in one line before reading anything', async (t) => {
  const dir = tree({ 'web.yaml': WEB });
  const cases: [string[], RegExp][] = [
    [['--local', '-f', '-'], /^error: --in-place cannot write back to stdin: give the files with -f FILE or -f DIR\n/],
    [
      ['--local', '-f', join(dir, 'web.yaml'), '-o', 'yaml'],
      /^error: --in-place writes the files back; drop -o, or drop --in-place to print\n/,
    ],
    [['pod/web-0'], /^error: --in-place writes edited manifests back: use it with --local -f FILE\n/],
  ];
  for (const [args, re] of cases) {
    const r = await arkHooks(['annotate', '--in-place', ...args, '--phase', 'pre', '--command', '/bin/sync'], { input: WEB });
    t.not(r.code, 0, args.join(' '));
    t.is(r.stdout, '', args.join(' '));
    t.regex(r.stderr, re, args.join(' '));
  }
  // The same file twice (here through its directory) would be written twice: refused.
  const twice = await arkHooks([
    'annotate',
    '--local',
    '--in-place',
    '-f',
    dir,
    '-f',
    join(dir, 'web.yaml'),
    '--phase',
    'pre',
    '--command',
    '/bin/sync',
  ]);
  t.not(twice.code, 0);
  t.regex(twice.stderr, /^error: .*web\.yaml is given twice; with --in-place give each file once\n/);
  t.is(readFileSync(join(dir, 'web.yaml'), 'utf8'), WEB);
});

test('a validation error prints nothing on stdout, the error on stderr, exit 1 (no partial output)', async (t) => {
  const dir = tree({ 'both.yaml': `${DB}---\n${WEB}` });
  const r = await arkHooks([
    'annotate',
    '--local',
    '-f',
    join(dir, 'both.yaml'),
    '--phase',
    'pre',
    '--container',
    'mysql',
    '--command',
    '/bin/sync',
  ]);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.regex(r.stderr, /^error: pod\/web-0: /);
  t.notRegex(r.stderr, /annotated/);
});

test('--remove --flavor ark on a Velero target removes the Ark keys without a warning about hooks that never run', async (t) => {
  const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    pre.hook.backup.ark.heptio.com/command: '["/bin/sync"]'\n    ${PRE}/command: '["/bin/sync"]'\nspec:\n  containers: [{name: c}]\n`;
  const dir = tree({ 'p.yaml': text });
  const r = await arkHooks(['annotate', '--local', '-f', join(dir, 'p.yaml'), '--remove', '--flavor', 'ark']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, 'pod/p annotated\n');
  t.is(r.stdout, text.replace(`    pre.hook.backup.ark.heptio.com/command: '["/bin/sync"]'\n`, ''));
});

test('the loader still refuses an alias bomb before anything is edited; --in-place writes nothing', async (t) => {
  let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 9; i++)
    bomb += `a${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: x}\nspec:\n  containers: [{name: c}]\n  bomb:\n${bomb.replace(/^/gm, '    ')}`;
  const dir = tree({ 'bomb.yaml': text });
  const r = await arkHooks(['annotate', '--local', '--in-place', '-f', join(dir, 'bomb.yaml'), '--phase', 'pre', '--command', '/bin/sync']);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.regex(r.stderr, /^error: .*bomb\.yaml: this document expands to more than 5,000,000 values \(YAML aliases\?\); it was not read\n$/);
  t.is(readFileSync(join(dir, 'bomb.yaml'), 'utf8'), text);
});

test('--in-place refuses a file that is not UTF-8 (it could not be written back byte for byte); nothing written', async (t) => {
  const dir = tree({});
  const bytes = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${WEB}`)]);
  writeFileSync(join(dir, 'latin1.yaml'), bytes);
  const r = await arkHooks([
    'annotate',
    '--local',
    '--in-place',
    '-f',
    join(dir, 'latin1.yaml'),
    '--phase',
    'pre',
    '--command',
    '/bin/sync',
  ]);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.regex(
    r.stderr,
    /^error: .*latin1\.yaml: cannot be replaced: it is not valid UTF-8, so it cannot be written back byte for byte; nothing was written\n$/,
  );
  t.true(readFileSync(join(dir, 'latin1.yaml')).equals(bytes));
});

test('the yaml library is its own chunk (dist/yaml.cjs): list -f runs without it, annotate --local loads it', (t) => {
  // A copy of the build without yaml.cjs (nor kube.cjs): what list -f loads stays as it was.
  const dist = mkdtempSync(join(tmpdir(), 'ark-dist-'));
  for (const f of ['kubectl-ark_hooks.cjs', 'cli.cjs']) copyFileSync(join(ROOT, 'dist', f), join(dist, f));
  const env = { ...process.env, KUBECONFIG: '/nonexistent', ARK_HOOKS_TARGET: 'velero-1.18' };
  const list = spawnSync(process.execPath, [join(dist, 'kubectl-ark_hooks.cjs'), 'list', '-f', join(ROOT, 'examples')], {
    env,
    encoding: 'utf8',
  });
  t.is(list.status, 0, list.stderr);
  t.regex(list.stdout, /NAMESPACE/);
  const file = join(tree({ 'web.yaml': WEB }), 'web.yaml');
  const args = [join(dist, 'kubectl-ark_hooks.cjs'), 'annotate', '--local', '-f', file, '--phase', 'pre', '--command', '/bin/sync'];
  t.regex(spawnSync(process.execPath, args, { env, encoding: 'utf8' }).stderr, /yaml\.cjs/);
  copyFileSync(join(ROOT, 'dist', 'yaml.cjs'), join(dist, 'yaml.cjs'));
  const annotated = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  t.is(annotated.status, 0, annotated.stderr);
  t.regex(annotated.stdout, /pre\.hook\.backup\.velero\.io\/command/);
});
