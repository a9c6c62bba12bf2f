// src/output/jsonpath.ts against the reference: the real kubectl, given the same JSON object
// (`kubectl annotate -f FILE --local … -o jsonpath=TEMPLATE` prints the object it read, offline).
// In test/e2e because it runs kubectl. Templates whose kubectl output depends on Go map order (.obj.*) are left out.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileJsonPath, JsonPathError, relaxedJsonPath } from '../../src/output/jsonpath.ts';

const OBJECT = {
  kind: 'HookReport',
  apiVersion: 'ark-hooks.kubectl.dev/v1alpha1',
  n: 3,
  f: 1.5,
  b: true,
  z: null,
  s: 'a b',
  e: '',
  html: { c: 'a<b>&c', a: 'z' },
  dots: { 'a.b': 'dotted' },
  nested: { x: { name: 'deep' } },
  obj: { k: 'v', n: [1, 2] },
  pods: [
    { name: 'a', v: 1, phase: 'pre', tags: ['p', 'q'], f: 0.5 },
    { name: 'b', v: 2, tags: ['r'], f: 1.5, phase: 'post' },
    { name: 'c', v: 3, phase: 'pre', t: 'y', tags: ['s'], f: 2.5 },
  ],
};

const TEMPLATES = [
  '{.n} {.f} {.b} {.z} {.s}|{.e}|',
  '{.obj}',
  '{.html}',
  '{.pods[*].name}',
  '{.pods[0:2].name}',
  '{.pods[-1].name}',
  '{.pods[-2:].name}',
  '{.pods[1:].name}',
  '{.pods[::2].name}',
  '{.pods[0:0].name}',
  '{.pods[*].t}',
  '{.missing}',
  '{.s.x}',
  '{.pods.name}',
  '{.pods[?(@.v>1)].name}',
  '{.pods[?(@.v>=2)].name}',
  '{.pods[?(@.v<3)].name}',
  '{.pods[?(@.v<=2)].name}',
  '{.pods[?(@.f>1.0)].name}',
  '{.pods[?(@.t)].name}',
  '{.pods[?(@.phase=="pre")].name}',
  "{.pods[?(@.phase=='post')].v}",
  '{.pods[?(@.name!="a")].v}',
  '{.pods[?(@.v==2)]}',
  '{.pods[0,2].name}',
  "{.pods[0]['name','v']}",
  "{.obj['k']}",
  '{.obj.n}',
  '{.dots.a\\.b}',
  '{.nested..name}',
  '{@.n}',
  '{$.n}',
  '.n',
  '{range .pods[*]}{.name}{"\\t"}{.v}{"\\n"}{end}',
  '{range .pods[*]}[{range .tags[*]}{@}-{end}]{end}',
  '{range .pods[?(@.phase=="pre")]}{.name}={.phase};{end} after',
  '{range .pods[*]}{.name}{end}{.n}',
  '{.pods[*].tags[0]}',
  '{.pods[*].name} and {.n}',
  // errors
  '{.pods[*]["name"]}',
  '{.pods[}',
  '{.pods[*].name',
  '{ .pods[ 1 ].name }',
  '{.pods[5].name}',
  '{.pods[*].v[0]}',
  '{.pods[?(@.v=="2")].name}',
  '{.pods[2:1].name}',
  '{.pods[0:3:0].name}',
  '{end}',
  '{nothing}',
];

let file: string;
test.before(() => {
  file = join(mkdtempSync(join(tmpdir(), 'jsonpath-')), 'object.json');
  writeFileSync(file, JSON.stringify(OBJECT));
});

/** kubectl's output, or its error line without the "error: " prefix and the debugging dump. */
function kubectl(template: string): { out?: string; error?: string } {
  try {
    const out = execFileSync('kubectl', ['annotate', '-f', file, '--local', 'x=y', '-o', `jsonpath=${template}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: tmpdir() },
    });
    return { out: out.toString('utf8') };
  } catch (e) {
    const first = String((e as { stderr: Buffer }).stderr).split('\n')[0] ?? '';
    return { error: first.replace(/^error: /, '').replace(/\. Printing more information for debugging the template:$/, '') };
  }
}

function ours(template: string): { out?: string; error?: string } {
  try {
    return { out: compileJsonPath(template).execute(OBJECT) };
  } catch (e) {
    if (!(e instanceof JsonPathError)) throw e;
    return { error: e.message };
  }
}

for (const template of TEMPLATES) {
  test(`jsonpath ${template} prints what kubectl prints`, (t) => {
    t.deepEqual(ours(template), kubectl(template));
  });
}

test('missing keys are an error when they are not allowed (--allow-missing-template-keys=false)', (t) => {
  const e = t.throws(() => compileJsonPath('{.missing}', { allowMissingKeys: false }).execute(OBJECT));
  t.is(e?.message, 'error executing jsonpath "{.missing}": Error executing template: missing is not found');
});

test('the relaxed form of custom-columns and --sort-by', (t) => {
  t.is(relaxedJsonPath('.a.b'), '{.a.b}');
  t.is(relaxedJsonPath('a.b'), '{.a.b}');
  t.is(relaxedJsonPath('{.a.b}'), '{.a.b}');
  t.is(relaxedJsonPath('{a}'), '{.a}');
});
