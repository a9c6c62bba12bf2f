// The help model read from clipanion option declarations (type and default of each kind of option),
// kubectl's option header, and cobra's suggestions for a mistyped command.
import test from 'ava';
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { optionHeader, optionsOf, renderCommandHelp, suggestCommands, unknownCommand } from '../../src/output/help.ts';

class Sample extends Command {
  flag = Option.Boolean('-a,--all', false, { description: 'A boolean' });
  on = Option.Boolean('--color', true, { description: 'On by default' });
  output = Option.String('-o,--output', 'table', { description: 'A string with a default' });
  plain = Option.String('--kubeconfig', { description: 'A string without one' });
  count = Option.String('--parallel', '4', { description: 'A whole number', validator: t.isNumber() });
  limit = Option.String('--limit', { description: 'A number without default', validator: t.isNumber() });
  files = Option.Array('-f,--filename', [], { description: 'Repeatable' });
  mode = Option.String('--dry-run', { tolerateBoolean: true, description: 'none, client or server' });
  secret = Option.String('--flavor', { hidden: true, description: 'Hidden' });
  level = Option.Counter('-q,--quiet', { description: 'A counter' });
  rest = Option.Rest();
  async execute() {
    return 0;
  }
}

test('each kind of clipanion option gets its kubectl type and default', (tt) => {
  const options = optionsOf(new Sample(), (flag) => (flag === '--output' ? ['table', 'json'] : undefined));
  tt.deepEqual(options.map(optionHeader), [
    '-a, --all=false',
    '--color=true',
    "-o, --output string='table'",
    "--kubeconfig string=''",
    '--parallel int=4',
    '--limit int=0',
    '-f, --filename strings=[]',
    "--dry-run string=''",
    "--flavor string=''",
    '-q, --quiet int=0',
  ]);
  tt.deepEqual(options.find((o) => o.names.includes('--output'))?.values, ['table', 'json']);
  tt.true(options.find((o) => o.names.includes('--flavor'))?.hidden);
});

test('the rendered help hides hidden options, sorts by long name and names missing values', (tt) => {
  const options = optionsOf(new Sample(), (flag) => (flag === '--output' ? ['table', 'json', 'yaml'] : undefined));
  const help = renderCommandHelp('kubectl x', {
    name: 's',
    aliases: [],
    category: 'Other Commands',
    description: 'Do it',
    details: '\n      First `paragraph`\n      goes on.\n\n      Second.\n    ',
    examples: [['Do it', '$0 s -a']],
    synopsis: ['s [options]'],
    options,
  });
  tt.true(
    help.startsWith(
      'Do it.\n\n First paragraph goes on.\n\n Second.\n\nExamples:\n  # Do it\n  kubectl x s -a\n\nOptions:\n    -a, --all=false:\n\tA boolean\n',
    ),
  );
  tt.notRegex(help, /--flavor/);
  tt.regex(help, /^ {4}-o, --output string='table':\n\tA string with a default\. Values: table, json, yaml\.$/m);
  tt.regex(help, /\nUsage:\n {2}kubectl x s \[options\]\n\nUse "kubectl x options"/);
});

test("cobra's suggestions: distance up to 2, or a command the word starts", (tt) => {
  const names = ['list', 'validate', 'dry-run', 'explain', 'annotate', 'run', 'wrap', 'version'];
  tt.deepEqual(suggestCommands('lsit', names), ['list']);
  tt.deepEqual(suggestCommands('ex', names), ['explain']);
  tt.deepEqual(suggestCommands('warp', names), ['wrap']);
  tt.deepEqual(suggestCommands('ANOTATE', names), ['annotate']);
  tt.deepEqual(suggestCommands('frobnicate', names), []);
  tt.is(unknownCommand('k', 'zz', names), 'error: unknown command "zz" for "k"\nRun \'k --help\' for usage.\n');
});
