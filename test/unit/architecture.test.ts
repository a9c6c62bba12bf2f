// The layers of src/, read from the import statements of its files (no module is loaded): no two
// folders import each other, even through others; the hook model imports nothing outside itself;
// only the CLI builder reaches the commands.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import test from 'ava';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers of static imports and re-exports, dynamic import() and `typeof import()`. */
function importsOf(text: string): string[] {
  const specs: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(/(?:^|\s)(?:import|export)\s[^;'"]*?\sfrom\s*['"]([^'"]+)['"]/g)) specs.push(m[1] as string);
  for (const m of code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) specs.push(m[1] as string);
  for (const m of code.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1] as string);
  return specs.filter((s) => s.startsWith('.'));
}

/** A file's layer: its folder under src/, or for a file directly in src/ the file itself ("errors.ts"). */
function layer(file: string): string {
  const rel = relative(src, file);
  return rel.includes('/') ? (rel.split('/')[0] as string) : rel;
}

interface Edge {
  from: string;
  to: string;
  fromFile: string;
  toFile: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const f of files(src)) {
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      const target = resolve(dirname(f), spec);
      if (!target.startsWith(src + '/')) continue;
      out.push({ from: layer(f), to: layer(target), fromFile: relative(src, f), toFile: relative(src, target) });
    }
  }
  return out;
}

test('the import parser sees static, type-only, re-exported and dynamic imports', (t) => {
  const text = [
    "import { a } from './a.ts';",
    "import type { B } from '../b/b.ts';",
    "import {\n  c,\n  d,\n} from './c.ts';",
    "export { e } from './e.ts';",
    "const k = await import('./k.ts');",
    "type K = typeof import('./kt.ts');",
    "import * as yaml from 'js-yaml';",
    "// import { z } from './commented.ts';",
  ].join('\n');
  t.deepEqual(importsOf(text).sort(), ['../b/b.ts', './a.ts', './c.ts', './e.ts', './k.ts', './kt.ts']);
});

test('the graph is read: every folder of src/ has files and imports', (t) => {
  const e = edges();
  t.true(e.length > 100, `${e.length} imports`);
  for (const folder of ['hooks', 'kube', 'manifests', 'report', 'engine', 'output', 'flows', 'commands']) {
    t.true(
      e.some((x) => x.from === folder),
      `${folder} imports something`,
    );
  }
});

test('no cycle between folders (nor files directly in src/)', (t) => {
  const graph = new Map<string, Set<string>>();
  for (const e of edges()) if (e.from !== e.to) graph.set(e.from, (graph.get(e.from) ?? new Set()).add(e.to));
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string, path: string[]) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') {
      cycles.push([...path.slice(path.indexOf(n)), n].join(' → '));
      return;
    }
    state.set(n, 'open');
    for (const m of graph.get(n) ?? []) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n, []);
  t.deepEqual(cycles, []);
});

test('src/hooks imports nothing outside itself', (t) => {
  const out = edges().filter((e) => e.from === 'hooks' && e.to !== 'hooks');
  t.deepEqual(
    out.map((e) => `${e.fromFile} → ${e.toFile}`),
    [],
  );
});

test('src/commands is imported only by the CLI builder (cli.ts) and itself', (t) => {
  const out = edges().filter((e) => e.to === 'commands' && e.from !== 'commands' && e.from !== 'cli.ts' && e.from !== 'entry.ts');
  t.deepEqual(
    out.map((e) => `${e.fromFile} → ${e.toFile}`),
    [],
  );
});

test('the layers are ordered: nothing imports a layer above it', (t) => {
  // Bottom to top; a file directly in src/ that is not listed may be imported by any layer above errors.ts.
  const order = [
    'errors.ts',
    'redact.ts',
    'build-info.ts',
    'hooks',
    'report',
    'manifests',
    'kube',
    'kube-loader.ts',
    'output',
    'engine',
    'flows',
    'commands',
    'argv.ts',
    'cli.ts',
    'entry.ts',
  ];
  const rank = (l: string) => order.indexOf(l);
  const bad = edges().filter((e) => e.from !== e.to && rank(e.to) > rank(e.from));
  t.deepEqual(
    bad.map((e) => `${e.fromFile} → ${e.toFile}`),
    [],
  );
  const unknown = [...new Set(edges().flatMap((e) => [e.from, e.to]))].filter((l) => rank(l) < 0);
  t.deepEqual(unknown, [], 'every layer has a place in the order');
});

test('a command imports no other command, only the shared flag classes and the flag table (base.ts, exec-base.ts, flags.ts)', (t) => {
  const shared = ['commands/base.ts', 'commands/exec-base.ts', 'commands/flags.ts'];
  const out = edges().filter((e) => e.from === 'commands' && e.to === 'commands' && !shared.includes(e.toFile));
  t.deepEqual(
    out.map((e) => `${e.fromFile} → ${e.toFile}`),
    [],
  );
});
