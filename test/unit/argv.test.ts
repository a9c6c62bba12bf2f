// kubectl's flag grammar (src/argv.ts): glued and `=` short flags, the -v level, and the words it must
// leave alone. The table of short value flags is checked against the commands' own definitions.
import test from 'ava';
import { normalizeArgv, SHORT_VALUE_FLAGS } from '../../src/argv.ts';
import { buildCli } from '../../src/cli.ts';

test('a short flag glued to its value, or joined by =, becomes two words', (t) => {
  t.deepEqual(normalizeArgv(['list', '-oyaml']), ['list', '-o', 'yaml']);
  t.deepEqual(normalizeArgv(['list', '-o=json']), ['list', '-o', 'json']);
  t.deepEqual(normalizeArgv(['list', '-nshop', '-lapp=db']), ['list', '-n', 'shop', '-l', 'app=db']);
  t.deepEqual(normalizeArgv(['list', '-l=app=db,tier!=cache']), ['list', '-l', 'app=db,tier!=cache']);
  t.deepEqual(normalizeArgv(['list', '-fexamples/']), ['list', '-f', 'examples/']);
  t.deepEqual(normalizeArgv(['annotate', '-cfreezer']), ['annotate', '-c', 'freezer']);
});

test('long flags, boolean batches and separate values pass unchanged', (t) => {
  const words = ['list', '--namespace=shop', '--output', 'yaml', '-A', '-Ay', '-n', 'shop', '--selector', 'app=db'];
  t.deepEqual(normalizeArgv(words), words);
  // The word after a short value flag is its value, even when it looks like a flag.
  t.deepEqual(normalizeArgv(['list', '-l', '-oyaml']), ['list', '-l', '-oyaml']);
});

test("kubectl's -v level: every form becomes -v N; a level is required, as in kubectl", (t) => {
  t.deepEqual(normalizeArgv(['list', '-v=6']), ['list', '-v', '6']);
  t.deepEqual(normalizeArgv(['list', '--v=8']), ['list', '-v', '8']);
  t.deepEqual(normalizeArgv(['list', '-v9']), ['list', '-v', '9']);
  t.deepEqual(normalizeArgv(['list', '-v', '7']), ['list', '-v', '7']);
  t.deepEqual(normalizeArgv(['list', '--v', '07']), ['list', '-v', '7']);
  t.deepEqual(normalizeArgv(['list', '--verbose']), ['list', '--verbose']);
  t.throws(() => normalizeArgv(['list', '-v']), { message: "flag needs an argument: 'v' in -v" });
  t.throws(() => normalizeArgv(['list', '--v']), { message: 'flag needs an argument: --v' });
  t.throws(() => normalizeArgv(['list', '-v', 'json']), { message: /^invalid argument "json" for "-v, --v" flag/ });
  t.throws(() => normalizeArgv(['list', '-v=high']), { message: /^invalid argument "high" for "-v, --v" flag/ });
  t.throws(() => normalizeArgv(['list', '--v=']), { message: /^invalid argument "" for "-v, --v" flag/ });
});

test('--color alone is always, --no-color never; kubectl booleans take =true and =false', (t) => {
  t.deepEqual(normalizeArgv(['list', '--color']), ['list', '--color=always']);
  t.deepEqual(normalizeArgv(['list', '--no-color']), ['list', '--color=never']);
  t.deepEqual(normalizeArgv(['list', '--color=auto', '--color', 'never']), ['list', '--color=auto', '--color=always', 'never']);
  t.deepEqual(normalizeArgv(['list', '--insecure-skip-tls-verify=true']), ['list', '--insecure-skip-tls-verify']);
  t.deepEqual(normalizeArgv(['list', '--disable-compression=false']), ['list', '--no-disable-compression']);
  t.deepEqual(normalizeArgv(['list', '--selector=true']), ['list', '--selector=true'], 'only the booleans');
  t.deepEqual(normalizeArgv(['list', '-shttps://h:6443']), ['list', '-s', 'https://h:6443']);
});

test('every short flag that takes a value in any command is in the table, and no other', (t) => {
  const fromDefinitions = new Set<string>();
  for (const d of buildCli({}, {}, []).definitions()) {
    for (const o of d.options) {
      if (!o.definition.includes(' #')) continue; // a boolean
      for (const name of o.definition.split(/[\s,]+/)) if (/^-[a-zA-Z]$/.test(name)) fromDefinitions.add(name.slice(1));
    }
  }
  t.deepEqual([...fromDefinitions].sort(), [...SHORT_VALUE_FLAGS].sort());
});
