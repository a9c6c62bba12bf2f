// `help [COMMAND]` and `options`, and the help model of every command: read from the command classes
// (their options, usage block and `synopsis` lines), so help cannot drift from what the parser takes.

import { Command, Option } from 'clipanion';
import { BINARY_NAME } from '../build-info.ts';
import type { CommandHelp, OptionHelp } from '../output/help.ts';
import { optionsOf, renderCommandHelp, renderGlobalOptions, renderOverview, unknownCommand } from '../output/help.ts';
import { escapeLine } from '../output/escape.ts';
import { BaseCommand, KubeCommand } from './base.ts';
import { valuesOf } from './flags.ts';

/** A command class as the help reads it. */
export interface HelpSource {
  paths?: string[][];
  usage?: { category?: string; description?: string; details?: string; examples?: [string, string][] };
  synopsis?: readonly string[];
  new (): object;
}

export const OVERVIEW_SUMMARY = `${BINARY_NAME} inspects, checks, writes and runs the backup hooks of Ark and Velero.

 Find more information at: https://github.com/ark-hooks/kubectl-ark-hooks (README.md and docs/)`;

/** The options every command takes: those of the shared base classes. */
export function globalOptions(): OptionHelp[] {
  class Probe extends KubeCommand {
    async run(): Promise<number> {
      return 0;
    }
  }
  return optionsOf(new Probe());
}

const key = (o: OptionHelp) => o.names.join(',');

export function commandName(cls: HelpSource): string {
  return cls.paths?.[0]?.[0] ?? '';
}

export function describeCommand(cls: HelpSource): CommandHelp {
  const name = commandName(cls);
  const global = new Set(globalOptions().map(key));
  const usage = cls.usage ?? {};
  return {
    name,
    aliases: (cls.paths ?? [])
      .slice(1)
      .map((p) => p[0] as string)
      .filter((a) => !a.startsWith('-')),
    category: usage.category ?? 'Other Commands',
    description: usage.description ?? '',
    details: usage.details ?? '',
    examples: usage.examples ?? [],
    synopsis: [...(cls.synopsis ?? [`${name} [options]`])],
    options: optionsOf(new cls(), (flag) => valuesOf(name, flag)).filter((o) => !global.has(key(o))),
  };
}

/** Renders help for `topic` (a command name; none: the overview), or null for an unknown command. */
export function helpText(commands: readonly HelpSource[], topic: string | undefined): string | null {
  if (topic === undefined) return renderOverview(BINARY_NAME, OVERVIEW_SUMMARY, commands.map(describeCommand));
  const cls = commands.find((c) => c.paths?.some((p) => p[0] === topic));
  return cls ? renderCommandHelp(BINARY_NAME, describeCommand(cls)) : null;
}

/** Set by the CLI builder: the commands the help knows. */
let known: readonly HelpSource[] = [];
export function setHelpCommands(commands: readonly HelpSource[]): void {
  known = commands;
}

export const visibleNames = (commands: readonly HelpSource[]): string[] => commands.map(commandName).filter((n) => n && !n.startsWith('-'));

export class HelpCommand extends BaseCommand {
  static override paths = [['help']];
  static override usage = Command.Usage({
    category: 'Other Commands',
    description: 'Help about any command',
    details: "Prints the overview, or with a command name that command's help (the same as COMMAND --help).",
    examples: [
      ['The overview of every command', '$0 help'],
      ['The help of list (the same as list --help)', '$0 help list'],
    ],
  });
  static synopsis = ['help [COMMAND]'];

  topic = Option.Rest({ name: 'COMMAND' });

  async run(): Promise<number> {
    const topic = this.topic[0];
    const text = helpText(known, topic);
    if (text === null) {
      this.context.stderr.write(unknownCommand(BINARY_NAME, escapeLine(topic ?? ''), visibleNames(known)));
      return 1;
    }
    this.context.stdout.write(text);
    return 0;
  }
}

export class OptionsCommand extends BaseCommand {
  static override paths = [['options']];
  static override usage = Command.Usage({
    category: 'Other Commands',
    description: 'Print the list of flags inherited by all commands',
    examples: [['Print the global options', '$0 options']],
  });
  static synopsis = ['options'];

  async run(): Promise<number> {
    this.context.stdout.write(renderGlobalOptions(globalOptions()));
    return 0;
  }
}
