// Builds the command line: registers the commands, maps parse errors to exit code 2.

import { Cli } from 'clipanion';
import type { Command, CommandClass } from 'clipanion';
import { normalizeArgv } from './argv.ts';
import { BINARY_NAME, VERSION } from './build-info.ts';
import type { Context } from './commands/base.ts';
import { AnnotateCommand } from './commands/annotate.ts';
import { Completer } from './commands/complete.ts';
import { CompletionCommand } from './commands/completion.ts';
import { ExplainCommand } from './commands/explain.ts';
import { HelpCommand, OptionsCommand, helpText, setHelpCommands, visibleNames } from './commands/help.ts';
import { DryRunCommand } from './commands/dry-run.ts';
import { RunCommand } from './commands/run.ts';
import { WrapCommand } from './commands/wrap.ts';
import { ListCommand } from './commands/list.ts';
import { ValidateCommand } from './commands/validate.ts';
import { VersionCommand, versionLine } from './commands/version.ts';
import { EXIT_USAGE, oneLine } from './errors.ts';
import { escapeLine } from './output/escape.ts';
import { optionsOf, unknownCommand } from './output/help.ts';
import { colorEnabled, colorModeOf } from './output/term.ts';

/** Every command, in the overview's order. */
const COMMANDS = [
  ListCommand,
  ValidateCommand,
  DryRunCommand,
  ExplainCommand,
  AnnotateCommand,
  RunCommand,
  WrapCommand,
  CompletionCommand,
  HelpCommand,
  OptionsCommand,
  VersionCommand,
];
setHelpCommands(COMMANDS);

export function buildCli(env: NodeJS.ProcessEnv, stdout: { isTTY?: boolean }, argv: readonly string[]): Cli<Context> {
  const cli = new Cli<Context>({
    binaryLabel: 'Ark/Velero backup hooks',
    binaryName: BINARY_NAME,
    binaryVersion: VERSION,
    enableColors: colorEnabled(stdout, env, colorModeOf(argv)),
  });
  // clipanion compiles a state machine over every registered command; when the first word names a
  // command, registering only that one keeps start-up short (help for all commands still works).
  const named = COMMANDS.filter((c) => c.paths?.some((p) => p[0] === argv[0]));
  for (const c of named) cli.register(onlyPath(c, argv[0] as string));
  if (named.length === 0) for (const c of COMMANDS) cli.register(c);
  return cli;
}

/**
 * The command with only the path that `word` names (`list`, not also its alias `ls`): clipanion's
 * machine holds every option once per path, so an alias doubled the time to compile it (~7 ms of
 * `list`'s start-up).
 */
function onlyPath(c: CommandClass<Context>, word: string): CommandClass<Context> {
  const paths = c.paths?.filter((p) => p[0] === word);
  if (!paths || paths.length === c.paths?.length) return c;
  const Base = c as unknown as new () => object;
  return class extends Base {
    static paths = paths;
  } as unknown as CommandClass<Context>;
}

/** "run needs --phase (…)" when a required flag of the command is missing (clipanion says "Command not found"). */
function missingRequired(cli: Cli<Context>, sub: string, args: readonly string[]): string | null {
  const def = cli.definitions().find((d) => d.path.split(' ').slice(2).join(' ') === sub);
  const given = (names: string[]) => args.some((a) => names.includes(a) || names.some((n) => a.startsWith(`${n}=`)));
  const missing = (def?.options ?? []).filter((o) => o.required && !given(o.definition.split(/[\s,]+/).filter((n) => n.startsWith('-'))));
  const first = missing[0];
  if (!first) return null;
  return `${sub} needs ${first.definition.split(/[\s,]+/).find((n) => n.startsWith('--'))}: ${first.description}`;
}

/** Words before a lone `--`: ours (the rest belongs to the hook's command line). */
const own = (argv: readonly string[]) => (argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv);

/** "use kubectl ark-hooks X …" from the command's first Usage line. */
function usageOf(sub: string | undefined): string {
  const cls = COMMANDS.find((c) => c.paths?.some((p) => p[0] === sub));
  return `use ${BINARY_NAME} ${cls?.synopsis[0] ?? `${sub} [options]`}`;
}

/** kubectl's words for clipanion's "Unsupported option name" (an unknown flag), else the message on one line. */
function parseError(message: string, sub: string | undefined): string {
  const flag = /Unsupported option name \("([^"]*)"\)/.exec(message)?.[1];
  if (flag !== undefined) {
    const name = flag.split('=')[0] as string;
    return name.startsWith('--') || name.length !== 2 ? `unknown flag: ${name}` : `unknown shorthand flag: '${name[1]}' in ${name}`;
  }
  const extra = /Extraneous positional argument \("([^"]*)"\)/.exec(message)?.[1];
  if (extra !== undefined) return `unexpected argument "${extra}"`;
  if (/^Not enough positional arguments/.test(message)) return `missing argument: ${usageOf(sub)}`;
  // clipanion's "Command not found; did you mean one of: …" when the words fit no usage of the command.
  if (/^Command not found/.test(message)) return `the arguments do not fit: ${usageOf(sub)}`;
  return oneLine(message.replace(/\s*\$ \S+ .*$/s, ''));
}

const isCommand = (word: string) => COMMANDS.some((c) => c.paths?.some((p) => p[0] === word));

/** Flags that take the next word as their value (any command's), so that `-n shop list` finds `list`. */
function valueFlags(): Set<string> {
  const names = COMMANDS.flatMap((c) => optionsOf(new c()).filter((o) => o.type !== 'bool'));
  const flags = new Set(names.flatMap((o) => o.names));
  flags.delete('--color'); // `--color` alone means always (argv.ts); its value is only ever `--color=MODE`
  return flags;
}

/** The command word: the first word, or after leading flags (and their values) the first other word. */
function commandWord(words: readonly string[]): string | undefined {
  if (!words[0]?.startsWith('-')) return words[0];
  const takesValue = valueFlags();
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (!w.startsWith('-')) return w;
    if (takesValue.has(w)) i++;
  }
  return undefined;
}

/** Help, `options` and an unknown command, answered without clipanion; null when none applies. */
function helpOrUnknown(argv: readonly string[], context: Context): number | null {
  const words = own(argv);
  const sub = commandWord(words);
  const wantsHelp = words.includes('--help') || words.includes('-h');
  if (argv.length === 0 || (sub === undefined && wantsHelp) || (sub === 'help' && argv.length === 1)) {
    // The overview needs no parsing: skip compiling clipanion's state machine.
    context.stdout.write(helpText(COMMANDS, undefined) as string);
    return 0;
  }
  if (sub === undefined) {
    context.stderr.write(
      `error: no command given: use one of ${visibleNames(COMMANDS).join(', ')}\nRun '${BINARY_NAME} --help' for usage.\n`,
    );
    return EXIT_USAGE;
  }
  if (!isCommand(sub)) {
    context.stderr.write(unknownCommand(BINARY_NAME, escapeLine(sub), visibleNames(COMMANDS)));
    return 1;
  }
  if (wantsHelp) {
    context.stdout.write(helpText(COMMANDS, sub) as string);
    return 0;
  }
  return null;
}

export async function main(argv: string[], context: Context): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
    context.stdout.write(versionLine() + '\n');
    return 0;
  }
  if (argv[0] === '__complete') return new Completer(buildCli(context.env, {}, []), context).run(argv.slice(1));
  const answered = helpOrUnknown(argv, context);
  if (answered !== null) return answered;
  const cli = buildCli(context.env, context.stdout as unknown as { isTTY?: boolean }, argv);
  // Everything after a lone `--` is a command line for the hook, never flags of ours.
  const dashes = argv.indexOf('--');
  const ctx: Context = dashes < 0 ? context : { ...context, afterDashes: argv.slice(dashes + 1) };
  const sub = commandWord(own(argv));
  const help = `${BINARY_NAME} ${sub} --help`;
  let words: string[];
  try {
    // kubectl's grammar (-oyaml, -o=yaml, -v=6) in clipanion's words; the hook's words are not touched.
    words = normalizeArgv(own(argv));
  } catch (e) {
    context.stderr.write(`error: ${oneLine((e as Error).message)}\nSee '${help}' for usage.\n`);
    return EXIT_USAGE;
  }
  let command: Command<Context>;
  try {
    command = cli.process(words, ctx);
  } catch (e) {
    const message = (sub && missingRequired(cli, sub, words)) ?? parseError((e as Error).message, sub);
    context.stderr.write(`error: ${escapeLine(message)}\nSee '${help}' for usage.\n`);
    return EXIT_USAGE;
  }
  if (ctx.afterDashes && !(command as { acceptsAfterDashes?: boolean }).acceptsAfterDashes) {
    context.stderr.write(`error: unexpected arguments after "--": ${ctx.afterDashes.join(' ')}\n`);
    return EXIT_USAGE;
  }
  const code = await cli.run(command, ctx);
  return code;
}
