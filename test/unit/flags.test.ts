// Help, completion and validation read one table of flag values (src/commands/flags.ts): every value
// completion offers is accepted by the parser, values outside the table are refused with one line,
// and help says what the parser requires.
import { Writable } from 'node:stream';
import test from 'ava';
import { buildCli } from '../../src/cli.ts';
import type { Context } from '../../src/commands/base.ts';
import { Completer } from '../../src/commands/complete.ts';

function context(): Context & { out: () => string } {
  let text = '';
  const stdout = new Writable({
    write: (c, _e, cb) => {
      text += String(c);
      cb();
    },
  });
  return { env: {}, stdin: process.stdin, stdout, stderr: stdout, colorDepth: 1, out: () => text } as unknown as Context & {
    out: () => string;
  };
}

async function complete(words: string[]): Promise<string[]> {
  const ctx = context();
  await new Completer(buildCli({}, {}, []), ctx).run(words);
  return ctx.out().trim().split('\n').slice(0, -1);
}

const cli = buildCli({}, {}, []);
const commands = cli
  .definitions()
  .map((d) => ({ name: d.path.split(' ').slice(2).join(' '), options: d.options }))
  .filter((c) => c.name && !c.name.startsWith('-'));
/** What a command needs besides the flag under test. */
const required = (command: string, flag: string) =>
  command === 'run' && flag !== '--phase' ? ['--phase', 'pre'] : command === 'completion' ? ['bash'] : [];

test('every value that completion offers for a flag is accepted by the parser', async (t) => {
  let checked = 0;
  for (const c of commands) {
    for (const o of c.options) {
      const flag = o.definition.split(/[\s,]+/).find((n) => n.startsWith('--')) as string;
      for (const value of await complete([c.name, flag, ''])) {
        t.notThrows(() => cli.process([c.name, ...required(c.name, flag), flag, value], context()), `${c.name} ${flag} ${value}`);
        checked++;
      }
    }
  }
  t.true(checked > 60, `${checked} values checked`);
});

test('values outside the table are refused at parse time with one line', (t) => {
  const cases: [string[], string][] = [
    [['list', '--phase', 'both'], 'invalid --phase "both": use pre or post'],
    [['run', '--phase', 'pre', '--parallel', '0'], 'invalid --parallel "0": use a whole number from 1 to 256'],
    [['run', '--phase', 'pre', '--parallel', '2.5'], 'invalid --parallel "2.5": use a whole number from 1 to 256'],
    [['wrap', '--parallel', 'x'], 'invalid --parallel "x": use a whole number from 1 to 256'],
    [
      ['list', '-o', 'xml'],
      'invalid --output "xml": use one of table, wide, json, yaml, name, jsonpath=..., jsonpath-file=..., custom-columns=..., custom-columns-file=...',
    ],
    [
      ['validate', '-o', 'wide'],
      'invalid --output "wide": use one of table, json, yaml, jsonpath=..., jsonpath-file=..., custom-columns=..., custom-columns-file=...',
    ],
    [['version', '-o', 'table'], 'invalid --output "table": use one of text, json, yaml'],
    [['annotate', '-o', 'table'], 'invalid --output "table": use json or yaml'],
    [['annotate', '--dry-run=maybe'], 'invalid --dry-run "maybe": use one of none, client, server'],
    [['annotate', '--flavor', 'auto'], 'invalid --flavor "auto": use ark or velero'],
    [['list', '--color=sometimes'], 'invalid --color "sometimes": use one of auto, always, never'],
    [['dry-run', '--target', 'velero-9'], 'invalid --target "velero-9": unknown target "velero-9"'],
    [['dry-run', '--target', '0.6.0'], 'invalid --target "0.6.0": version 0.6.0 is older than Ark v0.7.0'],
  ];
  for (const [argv, message] of cases) {
    const e = t.throws(() => cli.process(argv, context()), undefined, argv.join(' '));
    t.true(e?.message.startsWith(message), `${argv.join(' ')}: ${e?.message}`);
  }
});

test('parsed values are typed: --parallel is a number, -o defaults per command', (t) => {
  const run = cli.process(['run', '--phase', 'post', '--parallel', '7'], context()) as unknown as {
    parallel: number;
    phase: string;
    output: string;
  };
  t.deepEqual([run.parallel, run.phase, run.output], [7, 'post', 'table']);
  t.is((cli.process(['version'], context()) as unknown as { output: string }).output, 'text');
  t.is((cli.process(['wrap'], context()) as unknown as { parallel: number }).parallel, 4);
});

test('completion offers neither --flavor auto nor version -o table', async (t) => {
  t.false((await complete(['annotate', '--flavor', ''])).includes('auto'));
  t.deepEqual(await complete(['annotate', '--flavor', '']), ['ark', 'velero']);
  t.deepEqual(await complete(['version', '-o', '']), ['text', 'json', 'yaml']);
  t.deepEqual(await complete(['list', '-o', '']), [
    'table',
    'wide',
    'json',
    'yaml',
    'name',
    'jsonpath=',
    'jsonpath-file=',
    'custom-columns=',
    'custom-columns-file=',
  ]);
  t.deepEqual(await complete(['list', '-o', 'json']), ['json', 'jsonpath=', 'jsonpath-file=']);
  t.deepEqual(await complete(['list', '--flavor', '']), [], 'deprecated and hidden: no values offered');
});

test('help says what the parser requires: run needs --phase, list and dry-run default to both phases', (t) => {
  const usage = (name: string) => commands.find((c) => c.name === name)?.options.find((o) => o.definition.includes('--phase'));
  t.true(usage('run')?.required);
  t.notRegex(usage('run')?.description ?? '', /default/);
  for (const name of ['list', 'validate', 'dry-run']) {
    t.false(usage(name)?.required);
    t.regex(usage(name)?.description ?? '', /default: both/);
  }
  t.is(usage('wrap'), undefined, 'wrap runs both phases: --phase is not in its help');
});
