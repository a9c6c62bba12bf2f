// The round-trip annotation editor (src/manifests/roundtrip.ts) over random edits: whatever the
// values (YAML keywords, numbers, quotes, line breaks, indicators) and whatever the layout (block,
// flow, JSON, CRLF, indentation of 4, List items), the result reads back, with kubectl's YAML rules
// (manifests/yaml.ts), as exactly the planned annotations, and no line outside them changes.
import test from 'ava';
import type { AnnotationEdit } from '../../src/manifests/roundtrip.ts';
import { editAnnotations } from '../../src/manifests/roundtrip.ts';
import { loadAllYaml } from '../../src/manifests/yaml.ts';

const K = ['pre.hook.backup.velero.io/command', 'pre.hook.backup.velero.io/container', 'post.hook.backup.velero.io/timeout', 'team'];
const VALUES = [
  '["/bin/sync"]',
  'true',
  'yes',
  'No',
  'null',
  '~',
  '300',
  '0o17',
  '1e3',
  '.inf',
  '30s',
  '1h30m',
  '',
  ' lead',
  'trail ',
  'a: b',
  'a #b',
  "it's",
  '"q"',
  'multi\nline',
  'tab\there',
  'é ü 雪',
  '- x',
  '*alias',
  '&anchor',
  '!tag',
  '%dir',
  '@at',
  '`tick',
  '{y}',
  '[x]',
  '? k',
  '|',
  '>',
  '---',
  '...',
  '\\back',
];

interface Layout {
  name: string;
  /** The stream with {ANN} where the annotations go (a map, or nothing when `absent`). */
  text: (ann: Record<string, string>) => string;
  path: string[];
  item?: number;
}

const yamlValue = (v: string) => JSON.stringify(v);
const LAYOUTS: Layout[] = [
  {
    name: 'block',
    path: ['metadata'],
    text: (a) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p # c\n${
        Object.keys(a).length
          ? `  annotations:\n${Object.entries(a)
              .map(([k, v]) => `    ${k}: ${yamlValue(v)}  # note\n`)
              .join('')}`
          : ''
      }  # end\nspec:\n  containers: [{name: c}]\n`,
  },
  {
    name: 'block, indentation 4, CRLF',
    path: ['spec', 'template', 'metadata'],
    text: (a) =>
      `apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata:\r\n    name: d\r\nspec:\r\n    template:\r\n        metadata:\r\n            labels:\r\n                app: d\r\n${
        Object.keys(a).length
          ? `            annotations:\r\n${Object.entries(a)
              .map(([k, v]) => `                ${k}: ${yamlValue(v)}\r\n`)
              .join('')}`
          : ''
      }        spec:\r\n            containers:\r\n                - name: c\r\n`,
  },
  {
    name: 'flow',
    path: ['metadata'],
    text: (a) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p${
        Object.keys(a).length
          ? `, annotations: {${Object.entries(a)
              .map(([k, v]) => `${k}: ${yamlValue(v)}`)
              .join(', ')}}`
          : ''
      }}\nspec: {containers: [{name: c}]}\n`,
  },
  {
    name: 'pretty JSON',
    path: ['metadata'],
    text: (a) =>
      JSON.stringify(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p', ...(Object.keys(a).length ? { annotations: a } : {}) },
          spec: { containers: [{ name: 'c' }] },
        },
        null,
        2,
      ),
  },
  {
    name: 'List item',
    path: ['metadata'],
    item: 1,
    text: (a) =>
      `kind: List\napiVersion: v1\nitems:\n- {kind: Pod, apiVersion: v1, metadata: {name: first}}\n- kind: Pod\n  apiVersion: v1\n  metadata:\n    name: p\n${
        Object.keys(a).length
          ? `    annotations:\n${Object.entries(a)
              .map(([k, v]) => `      ${k}: ${yamlValue(v)}\n`)
              .join('')}`
          : ''
      }  spec:\n    containers:\n    - name: c\n`,
  },
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function annotationsOf(text: string, layout: Layout): unknown {
  const docs = loadAllYaml(text, 'x') as Record<string, unknown>[];
  let cur: unknown = docs[0];
  if (layout.item !== undefined) cur = ((cur as { items: unknown[] }).items as unknown[])[layout.item];
  for (const p of layout.path) cur = (cur as Record<string, unknown>)[p];
  return (cur as Record<string, unknown>).annotations ?? {};
}

/** Lines of `b` not in `a` and of `a` not in `b` (as multisets): what changed. */
function changedLines(a: string, b: string): string[] {
  const count = new Map<string, number>();
  for (const l of a.split('\n')) count.set(l, (count.get(l) ?? 0) + 1);
  const out: string[] = [];
  for (const l of b.split('\n')) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else out.push(l);
  }
  for (const [l, n] of count) for (let i = 0; i < n; i++) out.push(l);
  return out;
}

test('random edits over every layout read back as planned, changing only annotation lines', (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261127);
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  t.log(`seed ${seed} (replay with FUZZ_SEED=${seed})`);
  let edits = 0;
  for (let i = 0; i < 600; i++) {
    const layout = pick(LAYOUTS);
    const before: Record<string, string> = {};
    for (const k of K) if (r() < 0.4) before[k] = pick(VALUES);
    const changes: Record<string, string | null> = {};
    for (const k of K) if (r() < 0.5) changes[k] = r() < 0.3 ? null : pick(VALUES);
    const text = layout.text(before);
    const edit: AnnotationEdit = {
      root: 0,
      item: layout.item,
      path: layout.path,
      changes,
      before: Object.fromEntries(Object.keys(changes).map((k) => [k, before[k]])),
      ref: 'pod/p',
    };
    const out = editAnnotations(text, [edit], layout.name === 'pretty JSON');
    if (!out.ok) {
      t.fail(`${layout.name}: ${out.error}\n${text}`);
      continue;
    }
    const expected: Record<string, string> = { ...before };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete expected[k];
      else expected[k] = v;
    }
    const what = `${layout.name} ${JSON.stringify(changes)}\n--- before\n${text}\n--- after\n${out.text}`;
    t.deepEqual(annotationsOf(out.text, layout), expected, what);
    if (layout.name === 'pretty JSON') t.notThrows(() => JSON.parse(out.text), what);
    if (layout.name.includes('CRLF')) t.notRegex(out.text, /[^\r]\n/, what);
    // Only annotation lines change: a hook key or `annotations`, or the flow line that holds them.
    const bad = changedLines(text, out.text).filter(
      (l) => !/hook\.backup\.velero\.io|annotations|team|^\s*\},?\r?$/.test(l) && !l.includes('metadata: {name: p'),
    );
    t.deepEqual(bad, [], what);
    edits++;
  }
  t.is(edits, 600);
});

test('values that YAML would read as something else are quoted; safe ones stay plain', (t) => {
  const text = 'kind: Pod\nmetadata:\n  name: p\n  annotations:\n    team: web\n';
  const edit = (value: string) => {
    const out = editAnnotations(
      text,
      [{ root: 0, path: ['metadata'], changes: { team: value }, before: { team: 'web' }, ref: 'pod/p' }],
      false,
    );
    return out.ok ? out.text.split('\n')[4] : out.error;
  };
  t.is(edit('db'), '    team: db');
  t.is(edit('30s'), '    team: 30s');
  t.is(edit('true'), "    team: 'true'");
  t.is(edit('300'), "    team: '300'");
  t.is(edit("it's"), "    team: 'it''s'");
  t.is(edit('a\nb'), '    team: "a\\nb"');
});

test('a block scalar value replaced keeps the line break after it; removing the last annotation removes a metadata that held only it', (t) => {
  const text = 'kind: Pod\nmetadata:\n  name: p\n  annotations:\n    team: |\n      web\n    other: x\n';
  const out = editAnnotations(
    text,
    [{ root: 0, path: ['metadata'], changes: { team: 'db' }, before: { team: 'web\n' }, ref: 'pod/p' }],
    false,
  );
  t.deepEqual(out, { ok: true, text: 'kind: Pod\nmetadata:\n  name: p\n  annotations:\n    team: db\n    other: x\n' });
  const tpl = 'kind: Job\nspec:\n  template:\n    metadata:\n      annotations:\n        team: web\n    spec: {}\n';
  const gone = editAnnotations(
    tpl,
    [{ root: 0, path: ['spec', 'template', 'metadata'], changes: { team: null }, before: { team: 'web' }, ref: 'job/j' }],
    false,
  );
  t.deepEqual(gone, { ok: true, text: 'kind: Job\nspec:\n  template:\n    spec: {}\n' });
});
