// Help the kubectl way, through `kubectl ark-hooks`: the overview, every command's help checked against
// the option table clipanion parses with (each option appears with its type or default, each value
// list of src/commands/flags.ts appears), `help COMMAND`, `options`, cobra's unknown command and
// unknown flag errors, and the README's command table showing each command's Usage line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { buildCli } from '../../src/cli.ts';
import { valuesOf } from '../../src/commands/flags.ts';
import { ROOT, arkHooks } from '../support/cli.ts';

/** The parser's view: every command with its visible options (clipanion's own definitions). */
const definitions = buildCli({}, {}, [])
  .definitions()
  .map((d) => ({
    name: d.path.split(' ').slice(2).join(' '),
    description: (d.description ?? '').trim().replace(/`/g, ''),
    options: d.options.map((o) => ({
      names: o.definition.split(/[\s,]+/).filter((n) => n.startsWith('-')),
      takesValue: o.definition.includes('#0'),
      description: (o.description ?? '').trim(),
    })),
  }));

/** `s` as a regular expression that matches it literally. */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The lines of `text` between the header `name:` and the next header (a line with no indentation). */
function section(text: string, name: string): string {
  const start = text.indexOf(`\n${name}:\n`);
  if (start < 0) return '';
  const rest = text.slice(start + name.length + 3);
  const end = rest.search(/\n[^\s]/);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

test('the overview: commands by category, Usage, the footers; --help, -h, help and no arguments print the same', async (t) => {
  const overview = await arkHooks(['--help']);
  t.is(overview.code, 0, overview.stderr);
  // --help, -h, help and no words are printed from the build-time rendering; with --no-color the CLI renders it.
  for (const args of [['-h'], ['help'], [], ['--help', '--no-color']]) t.is((await arkHooks(args)).stdout, overview.stdout, args.join(' '));
  t.notRegex(overview.stdout, /#0|\$0/);
  t.regex(overview.stdout, /^Inspect Commands:\n {2}list {12}List the backup hooks of pods/m);
  for (const d of definitions) t.regex(overview.stdout, new RegExp(`^  ${d.name} +${literal(d.description)}$`, 'm'), d.name);
  t.true(
    overview.stdout.endsWith(
      'Usage:\n  kubectl ark-hooks [flags] [options]\n\nUse "kubectl ark-hooks <command> --help" for more information about a given command.\n' +
        'Use "kubectl ark-hooks options" for a list of global command-line options (applies to all commands).\n',
    ),
  );
});

test('every command: --help = help COMMAND, kubectl sections, each option of the parser with its type or default and its values', async (t) => {
  const globals = await arkHooks(['options']);
  t.is(globals.code, 0, globals.stderr);
  t.regex(globals.stdout, /^ {4}-n, --namespace string='':\n\tNamespace/m);
  for (const d of definitions) {
    const help = await arkHooks([d.name, '--help']);
    t.is(help.code, 0, `${d.name}: ${help.stderr}`);
    t.is((await arkHooks(['help', d.name])).stdout, help.stdout, `help ${d.name}`);
    t.notRegex(help.stdout, /#0|\$0/, d.name);
    t.true(help.stdout.startsWith(`${d.description.replace(/\.?$/, '.')}\n`), d.name);
    t.regex(
      help.stdout,
      new RegExp(`\\nUsage:\\n(  kubectl ark-hooks ${literal(d.name)}( .*)?\\n)+\\nUse "kubectl ark-hooks options"`),
      d.name,
    );
    const examples = section(help.stdout, 'Examples');
    if (examples) t.regex(examples, /^ {2}# .+\n {2}.*kubectl ark-hooks /, d.name);
    const options = section(help.stdout, 'Options') + globals.stdout;
    for (const o of d.options) {
      const names = o.names.join(', ');
      // kubectl 1.26+: `    -o, --output string='table':`, booleans `    --all=false:`, the description after a tab.
      const type = o.takesValue ? ' (string|int|strings)=[^:\\n]*' : "(=(false|true)| string='')";
      const header = new RegExp(`^ {4}${literal(names)}${type}:\\n\\t(?<text>.*)$`, 'm');
      const m = header.exec(options);
      t.truthy(m, `${d.name}: ${names} in the help with its type or default`);
      t.true(m?.groups?.text?.startsWith(o.description), `${d.name} ${names}: its description`);
      const values = o.takesValue ? valuesOf(d.name, o.names[o.names.length - 1] as string) : undefined;
      for (const v of values ?? []) t.true(m?.groups?.text?.includes(v), `${d.name} ${names}: value ${v} in the help`);
    }
  }
});

test('Usage lines carry the positional arguments, and the README command table shows each first one', async (t) => {
  const annotate = await arkHooks(['annotate', '--help']);
  t.regex(
    annotate.stdout,
    /^ {2}kubectl ark-hooks annotate \(TYPE\/NAME \| NAME\)\.\.\. --phase pre\|post \[-c CONTAINER\] \[options\] -- COMMAND \[args\.\.\.\]$/m,
  );
  t.regex((await arkHooks(['run', '--help'])).stdout, /^ {2}kubectl ark-hooks run --phase pre\|post .*\[POD\.\.\.\]$/m);
  t.regex((await arkHooks(['wrap', '--help'])).stdout, /^ {2}kubectl ark-hooks wrap .* -- COMMAND \[args\.\.\.\]$/m);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const d of definitions) {
    const first =
      section((await arkHooks([d.name, '--help'])).stdout, 'Usage')
        .split('\n')[0]
        ?.trim() ?? '';
    t.true(readme.includes(`| \`${first.replace(/\|/g, '\\|')}\` |`), `README shows "${first}"`);
  }
});

test('an unknown command is cobra\'s error with "Did you mean this?", exit 1', async (t) => {
  const typo = await arkHooks(['lsit']);
  t.is(typo.code, 1);
  t.is(typo.stdout, '');
  t.is(
    typo.stderr,
    'error: unknown command "lsit" for "kubectl ark-hooks"\n\nDid you mean this?\n\tlist\n\nRun \'kubectl ark-hooks --help\' for usage.\n',
  );
  t.is((await arkHooks(['help', 'lsit'])).stderr, typo.stderr);
  t.regex((await arkHooks(['dryrun', '-A'])).stderr, /\n\tdry-run\n/);
  t.regex((await arkHooks(['ver'])).stderr, /^Did you mean this\?\n\tversion\n$/m, 'a prefix');
  t.is((await arkHooks(['-n', 'shop', 'lsit'])).stderr, typo.stderr, 'flags before the command, as cobra allows');
  const far = await arkHooks(['frobnicate']);
  t.is(far.code, 1);
  t.is(far.stderr, 'error: unknown command "frobnicate" for "kubectl ark-hooks"\nRun \'kubectl ark-hooks --help\' for usage.\n');
});

test("an unknown flag is one line, as pflag words it, and a pointer to the command's help", async (t) => {
  const long = await arkHooks(['list', '--foo', '-f', 'examples/']);
  t.is(long.code, 2);
  t.is(long.stdout, '');
  t.is(long.stderr, "error: unknown flag: --foo\nSee 'kubectl ark-hooks list --help' for usage.\n");
  const short = await arkHooks(['validate', '-Z']);
  t.is(short.stderr, "error: unknown shorthand flag: 'Z' in -Z\nSee 'kubectl ark-hooks validate --help' for usage.\n");
  const extra = await arkHooks(['version', 'extra']);
  t.is(extra.stderr, 'error: unexpected argument "extra"\nSee \'kubectl ark-hooks version --help\' for usage.\n');
  t.is(
    (await arkHooks(['-n', 'shop', 'list', '--foo'])).stderr,
    "error: unknown flag: --foo\nSee 'kubectl ark-hooks list --help' for usage.\n",
  );
});

test('words that fit no Usage line, a missing argument, no command: one line naming the Usage', async (t) => {
  const many = await arkHooks(['explain', 'a', 'b']);
  t.is(many.code, 2);
  t.is(
    many.stderr,
    "error: the arguments do not fit: use kubectl ark-hooks explain [CODE] [-o FORMAT] [options]\nSee 'kubectl ark-hooks explain --help' for usage.\n",
  );
  const none = await arkHooks(['completion']);
  t.is(
    none.stderr,
    "error: missing argument: use kubectl ark-hooks completion bash|zsh|fish|powershell\nSee 'kubectl ark-hooks completion --help' for usage.\n",
  );
  const flagsOnly = await arkHooks(['-A']);
  t.is(flagsOnly.code, 2);
  t.regex(flagsOnly.stderr, /^error: no command given: use one of list, validate, .*\nRun 'kubectl ark-hooks --help' for usage\.\n$/);
  t.is((await arkHooks(['-n', 'shop', 'list', '--help'])).stdout, (await arkHooks(['list', '--help'])).stdout);
});
