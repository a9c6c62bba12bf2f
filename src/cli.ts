// Builds the command line: registers the commands, maps parse errors to exit code 2.

import { Builtins, Cli } from 'clipanion';
import type { Command } from 'clipanion';
import { normalizeArgv } from './argv.ts';
import { BINARY_NAME, VERSION } from './build-info.ts';
import type { Context } from './commands/base.ts';
import { AnnotateCommand } from './commands/annotate.ts';
import { Completer } from './commands/complete.ts';
import { CompletionCommand } from './commands/completion.ts';
import { ExplainCommand } from './commands/explain.ts';
import { DryRunCommand } from './commands/dry-run.ts';
import { RunCommand } from './commands/run.ts';
import { WrapCommand } from './commands/wrap.ts';
import { ListCommand } from './commands/list.ts';
import { ValidateCommand } from './commands/validate.ts';
import { VersionCommand, versionLine } from './commands/version.ts';
import { EXIT_USAGE, oneLine } from './errors.ts';
import { colorEnabled, colorModeOf } from './output/term.ts';

export function buildCli(env: NodeJS.ProcessEnv, stdout: { isTTY?: boolean }, argv: readonly string[]): Cli<Context> {
  const cli = new Cli<Context>({
    binaryLabel: 'Ark/Velero backup hooks',
    binaryName: BINARY_NAME,
    binaryVersion: VERSION,
    enableColors: colorEnabled(stdout, env, colorModeOf(argv)),
  });
  // clipanion compiles a state machine over every registered command; when the first word names a
  // command, registering only that one keeps start-up short (help for all commands still works).
  const commands = [
    ListCommand,
    ValidateCommand,
    AnnotateCommand,
    DryRunCommand,
    RunCommand,
    WrapCommand,
    ExplainCommand,
    CompletionCommand,
    VersionCommand,
  ];
  const named = commands.filter((c) => c.paths?.some((p) => p[0] === argv[0]));
  cli.register(Builtins.HelpCommand);
  for (const c of named.length > 0 ? named : commands) cli.register(c);
  return cli;
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

export async function main(argv: string[], context: Context): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
    context.stdout.write(versionLine() + '\n');
    return 0;
  }
  if (argv[0] === '__complete') return new Completer(buildCli(context.env, {}, []), context).run(argv.slice(1));
  const cli = buildCli(context.env, context.stdout as unknown as { isTTY?: boolean }, argv);
  if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'))) {
    // The overview needs no parsing: skip compiling clipanion's state machine.
    context.stdout.write(cli.usage(null));
    return 0;
  }
  // Everything after a lone `--` is a command line for the hook, never flags of ours.
  const dashes = argv.indexOf('--');
  const ctx: Context = dashes < 0 ? context : { ...context, afterDashes: argv.slice(dashes + 1) };
  const sub = argv.find((a) => !a.startsWith('-'));
  const help = sub ? `${BINARY_NAME} ${sub} --help` : `${BINARY_NAME} --help`;
  let own: string[];
  try {
    // kubectl's grammar (-oyaml, -o=yaml, -v=6) in clipanion's words; the hook's words are not touched.
    own = normalizeArgv(dashes < 0 ? argv : argv.slice(0, dashes));
  } catch (e) {
    context.stderr.write(`error: ${oneLine((e as Error).message)}\nSee '${help}' for usage.\n`);
    return EXIT_USAGE;
  }
  let command: Command<Context>;
  try {
    command = cli.process(own, ctx);
  } catch (e) {
    const message = (sub && missingRequired(cli, sub, own)) ?? oneLine((e as Error).message);
    context.stderr.write(`error: ${message}\nSee '${help}' for usage.\n`);
    return EXIT_USAGE;
  }
  if (ctx.afterDashes && !(command as { acceptsAfterDashes?: boolean }).acceptsAfterDashes) {
    context.stderr.write(`error: unexpected arguments after "--": ${ctx.afterDashes.join(' ')}\n`);
    return EXIT_USAGE;
  }
  const code = await cli.run(command, ctx);
  return code;
}
