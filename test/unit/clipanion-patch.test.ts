// scripts/clipanion-patch.ts: the bundle's clipanion simplifies its state machine with a Set per
// node instead of a scan per transition; the machine must be the very same, for every command.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import test from 'ava';
import { Command, Option } from 'clipanion';
import { patchClipanionCli, patchClipanionCore, patchClipanionPlatform } from '../../scripts/clipanion-patch.ts';
import { buildCli } from '../../src/cli.ts';

const corePath = createRequire(import.meta.url).resolve('clipanion/lib/core.js');
const coreText = readFileSync(corePath, 'utf8');

interface Machine {
  nodes: { statics: Record<string, unknown[]>; dynamics: unknown[]; shortcuts: unknown[] }[];
}
interface Builder {
  builders: { compile(): { machine: Machine } }[];
  compile(): { machine: Machine };
}
interface Core {
  makeAnyOfMachine(machines: Machine[]): Machine;
  simplifyMachine(machine: Machine): void;
}

/** lib/core.js as the bundle has it, loaded beside the original (its own require for ./constants.js). */
function patchedCore(): Core {
  const module = { exports: {} as Core };
  const fn = compileFunction(patchClipanionCore(coreText), ['exports', 'require', 'module'], { filename: `${corePath} (patched)` });
  fn(module.exports, createRequire(corePath), module);
  return module.exports;
}

const builderOf = (cli: unknown) => (cli as { builder: Builder }).builder;

/** The machine clipanion compiles, and the one the patched simplifyMachine makes of the same commands. */
function bothMachines(core: Core, builder: Builder): [Machine, Machine] {
  const original = builder.compile().machine;
  const patched = core.makeAnyOfMachine(builder.builders.map((b) => b.compile().machine));
  core.simplifyMachine(patched);
  return [original, patched];
}

const size = (m: Machine) => m.nodes.reduce((n, x) => n + x.dynamics.length + Object.values(x.statics).flat().length, 0);

test('the patch replaces simplifyMachine and nothing else', (t) => {
  const patched = patchClipanionCore(coreText);
  t.not(patched, coreText);
  t.is(patched.split('\n').filter((l) => !coreText.includes(l)).length > 0, true);
  // Everything outside the function is as shipped.
  const start = coreText.indexOf('function simplifyMachine(');
  const end = coreText.indexOf('function debugMachine(');
  t.true(start > 0 && end > start);
  t.true(patched.startsWith(coreText.slice(0, start)));
  t.true(patched.endsWith(coreText.slice(end)));
});

test('a clipanion whose simplifyMachine is another fails the build in one line', (t) => {
  const err = t.throws(() => patchClipanionCore(coreText.replace('const visited = new Set();', 'const visited = new Set([]);')));
  t.regex(err?.message ?? '', /^clipanion\/lib\/core\.js: simplifyMachine is not the one .* patches/);
  t.false(err?.message.includes('\n'));
});

test('every command compiles to the same machine with the patched simplifyMachine', (t) => {
  const core = patchedCore();
  const words = [
    'list',
    'ls',
    'validate',
    'dry-run',
    'explain',
    'annotate',
    'run',
    'wrap',
    'completion',
    'help',
    'options',
    'version',
    'no-such',
  ];
  for (const word of words) {
    const [original, patched] = bothMachines(core, builderOf(buildCli({}, {}, [word])));
    t.true(size(original) > 50, `${word}: ${size(original)} transitions`);
    t.is(JSON.stringify(patched), JSON.stringify(original), word);
  }
});

test('positionals, optional ones, a rest and a proxy (statics merged through shortcuts) give the same machine', async (t) => {
  const { Cli } = await import('clipanion');
  class Positional extends Command {
    static override paths = [['a'], ['a', 'b']];
    first = Option.String();
    second = Option.String({ required: false });
    n = Option.String('-n,--name');
    async execute() {}
  }
  class Rest extends Command {
    static override paths = [['c']];
    x = Option.Boolean('-x');
    rest = Option.Rest({ required: 1 });
    async execute() {}
  }
  class Proxied extends Command {
    static override paths = [['d']];
    lead = Option.String();
    proxy = Option.Proxy();
    async execute() {}
  }
  const cli = new Cli();
  for (const c of [Positional, Rest, Proxied]) cli.register(c);
  const [original, patched] = bothMachines(patchedCore(), builderOf(cli));
  t.is(JSON.stringify(patched), JSON.stringify(original));
});

test('random machines with repeated transitions, shared tests and shortcut cycles simplify the same', (t) => {
  const original = createRequire(import.meta.url)('clipanion/lib/core.js') as Core;
  const core = patchedCore();
  let seed = 18;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const count = 3 + rnd(12);
    // Tests are compared by identity: two arrays with the same words are two tests.
    const tests: unknown[] = ['always', 'isOptionLike', ['isOption', '-a'], ['isOption', '-a'], ['isOption', '--b', true]];
    const node = () => ({
      statics: {} as Record<string, { to: number; reducer?: unknown }[]>,
      dynamics: [] as unknown[],
      shortcuts: [] as { to: number }[],
    });
    const nodes = Array.from({ length: count }, node);
    for (const n of nodes) {
      for (let k = rnd(4); k > 0; k--) {
        const segment = ['x', 'y', '\u0001'][rnd(3)] as string;
        n.statics[segment] = [...(n.statics[segment] ?? []), { to: rnd(count), reducer: 'pushPath' }];
      }
      for (let k = rnd(6); k > 0; k--)
        n.dynamics.push([tests[rnd(tests.length)], { to: rnd(count), reducer: rnd(2) ? 'pushTrue' : undefined }]);
      for (let k = rnd(3); k > 0; k--) n.shortcuts.push({ to: rnd(count) });
    }
    const text = JSON.stringify(nodes);
    // The same machine twice, each test object shared as in the original.
    const copy = (): Machine => ({
      nodes: nodes.map((n) => ({
        statics: Object.fromEntries(Object.entries(n.statics).map(([k, v]) => [k, v.map((x) => ({ ...x }))])),
        dynamics: n.dynamics.map((d) => [(d as unknown[])[0], { ...((d as unknown[])[1] as object) }]),
        shortcuts: n.shortcuts.map((s) => ({ ...s })),
      })),
    });
    const a = copy();
    const b = copy();
    original.simplifyMachine(a);
    core.simplifyMachine(b);
    t.is(JSON.stringify(b), JSON.stringify(a), `round ${round}: ${text}`);
  }
});

/** A clipanion file patched, loaded as a module of its own (its requires resolve beside the original). */
function loadPatched(file: string, patch: (source: string) => string): Record<string, unknown> {
  const path = createRequire(import.meta.url).resolve(`clipanion/${file}`);
  const module = { exports: {} as Record<string, unknown> };
  compileFunction(patch(readFileSync(path, 'utf8')), ['exports', 'require', 'module'], { filename: `${path} (patched)` })(
    module.exports,
    createRequire(path),
    module,
  );
  return module.exports;
}

test('the default context reads stdin and the colour depth when asked, and clipanion does not copy them into contexts', (t) => {
  const { Cli } = loadPatched('lib/advanced/Cli.js', patchClipanionCli) as { Cli: { defaultContext: Record<string, unknown> } };
  t.deepEqual(Object.keys(Cli.defaultContext), ['env', 'stdout', 'stderr']);
  t.is(Cli.defaultContext.env, process.env);
  t.is(Cli.defaultContext.stdin, process.stdin);
  t.is(typeof Cli.defaultContext.colorDepth, 'number');
  t.false('stdin' in { ...Cli.defaultContext });
});

test('the platform module requires node:tty only for the colour depth', (t) => {
  const source = readFileSync(createRequire(import.meta.url).resolve('clipanion/lib/platform/node.js'), 'utf8');
  t.regex(source, /^var tty = require\('tty'\);$/m);
  const patched = patchClipanionPlatform(source);
  t.notRegex(patched, /^var tty = require/m);
  const platform = loadPatched('lib/platform/node.js', patchClipanionPlatform) as { getDefaultColorDepth(): number };
  t.is(platform.getDefaultColorDepth(), (loadPatched('lib/platform/node.js', (s) => s) as typeof platform).getDefaultColorDepth());
  t.throws(() => patchClipanionCli('Cli.defaultContext = {};'), {
    message: /^clipanion\/lib\/advanced\/Cli\.js: Cli\.defaultContext is not the one/,
  });
  t.throws(() => patchClipanionPlatform(''), { message: /^clipanion\/lib\/platform\/node\.js: require\('tty'\) is not the one/ });
});
