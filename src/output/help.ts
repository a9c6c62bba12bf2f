// Help the kubectl way: a short and a long description, `Examples:` with `# comment` lines,
// `Options:` as kubectl 1.26+ prints them (`    -o, --output string='table':` then the description on
// the next line after a tab), `Usage:` lines, and a footer pointing at the global options. The model
// is read from the clipanion command classes themselves (each option's names, arity and default), so
// a flag added anywhere shows up here without a table of its own.

import { Option } from 'clipanion';

export type OptionType = 'bool' | 'string' | 'strings' | 'int';

export interface OptionHelp {
  names: string[];
  type: OptionType;
  default: unknown;
  description: string;
  required: boolean;
  hidden: boolean;
  /** The accepted values (from the flag table), when the option has a fixed set. */
  values?: readonly string[];
}

export interface CommandHelp {
  name: string;
  aliases: string[];
  category: string;
  description: string;
  details: string;
  examples: [string, string][];
  /** `Usage:` lines, without the leading binary name. */
  synopsis: string[];
  /** The command's own options (global ones excluded). */
  options: OptionHelp[];
}

interface Spec {
  definition: (builder: unknown, key: string) => void;
  transformer: (builder: unknown, key: string, state: unknown, context: unknown) => unknown;
}

interface Added {
  names: string[];
  arity: number;
  hidden?: boolean;
  description?: string;
  required?: boolean;
  allowBinding?: boolean;
}

const isSpec = (v: unknown): v is Spec =>
  typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[Option.isOptionSymbol] === true;

/** What the transformer makes of `values` given for the option (undefined when the validator refuses them). */
function probe(spec: Spec, key: string, name: string, values: unknown[]): unknown {
  try {
    const options = values.map((value) => ({ name, value }));
    return spec.transformer({}, key, { options, positionals: [] }, { env: {} });
  } catch {
    return undefined;
  }
}

function typeOf(spec: Spec, key: string, added: Added, initial: unknown): OptionType {
  const name = added.names[0] as string;
  if (added.arity === 0 && added.allowBinding === false) return typeof probe(spec, key, name, [true]) === 'number' ? 'int' : 'bool';
  if (Array.isArray(probe(spec, key, name, ['1', '1']))) return 'strings';
  if (typeof initial === 'number' || typeof probe(spec, key, name, ['1']) === 'number') return 'int';
  return 'string';
}

/** Every option of a command instance with its type and default, in declaration order. */
export function optionsOf(command: object, valuesOf: (flag: string) => readonly string[] | undefined = () => undefined): OptionHelp[] {
  const out: OptionHelp[] = [];
  for (const [key, value] of Object.entries(command)) {
    if (!isSpec(value)) continue;
    const seen: Added[] = [];
    value.definition({ addOption: (o: Added) => seen.push(o), addPositional: () => {}, addRest: () => {}, addProxy: () => {} }, key);
    const added = seen[0];
    if (!added) continue;
    let initial: unknown;
    try {
      initial = value.transformer({}, key, { options: [], positionals: [] }, { env: {} });
    } catch {
      initial = undefined;
    }
    const long = added.names.find((n) => n.startsWith('--')) ?? (added.names[0] as string);
    out.push({
      names: added.names,
      type: typeOf(value, key, added, initial),
      default: initial,
      description: added.description ?? '',
      required: added.required === true,
      hidden: added.hidden === true,
      values: valuesOf(long),
    });
  }
  return out;
}

/** kubectl's rendering of a default: '' for strings, [] for lists, the value otherwise. */
export function defaultText(o: OptionHelp): string {
  if (o.type === 'bool') return String(o.default === true);
  if (o.type === 'strings') return `[${Array.isArray(o.default) ? o.default.join(',') : ''}]`;
  if (o.type === 'int') return String(o.default ?? 0);
  return `'${o.default === undefined || typeof o.default === 'boolean' ? '' : String(o.default)}'`;
}

/** `-o, --output string='table'`: the names, the value type (none for booleans) and the default. */
export function optionHeader(o: OptionHelp): string {
  const short = o.names.filter((n) => !n.startsWith('--'));
  const long = o.names.filter((n) => n.startsWith('--'));
  const type = o.type === 'bool' ? '' : ` ${o.type}`;
  return `${[...short, ...long].join(', ')}${type}=${defaultText(o)}`;
}

const mentions = (text: string, value: string) =>
  new RegExp(`(^|[^\\w.-])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`, 'i').test(text);

function optionDescription(o: OptionHelp): string {
  let text = o.description;
  if (o.values && o.type !== 'bool' && o.values.some((v) => !mentions(text, v)))
    text = `${text.replace(/\.$/, '')}. Values: ${o.values.join(', ')}.`;
  return o.required ? `${text} (required)` : text;
}

/** kubectl's options block: each option, then its description on the next line after a tab. */
export function renderOptions(options: readonly OptionHelp[]): string {
  const shown = options.filter((o) => !o.hidden);
  const sorted = [...shown].sort((a, b) => longName(a).localeCompare(longName(b)));
  return sorted.map((o) => `    ${optionHeader(o)}:\n\t${optionDescription(o)}\n`).join('\n');
}

const longName = (o: OptionHelp) => (o.names.find((n) => n.startsWith('--')) ?? (o.names[0] as string)).replace(/^-+/, '');

/** Markdown's `code` quotes as plain text, as kubectl's help prints it. */
const plain = (text: string) => text.replace(/`([^`]*)`/g, '$1');

/** clipanion's indented template text as kubectl's long description: one line per paragraph, after a space. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join(' '),
    )
    .map(plain)
    .filter(Boolean);
}

const exampleText = (binary: string, examples: readonly [string, string][]) =>
  examples.map(([what, cmd]) => `  # ${what}\n  ${cmd.replace(/\$0/g, binary)}`).join('\n  \n');

const footer = (binary: string) => `Use "${binary} options" for a list of global command-line options (applies to all commands).\n`;

/** `kubectl ark-hooks COMMAND --help`. */
export function renderCommandHelp(binary: string, c: CommandHelp): string {
  const parts = [`${plain(c.description).replace(/\.?$/, '.')}\n`];
  const long = paragraphs(c.details);
  if (long.length > 0) parts.push(long.map((p) => ` ${p}`).join('\n\n') + '\n');
  if (c.aliases.length > 0) parts.push(`Aliases:\n  ${[c.name, ...c.aliases].join(', ')}\n`);
  if (c.examples.length > 0) parts.push(`Examples:\n${exampleText(binary, c.examples)}\n`);
  if (c.options.some((o) => !o.hidden)) parts.push(`Options:\n${renderOptions(c.options)}`);
  parts.push(`Usage:\n${c.synopsis.map((s) => `  ${binary} ${s}`).join('\n')}\n`);
  parts.push(footer(binary));
  return parts.join('\n');
}

/** `kubectl ark-hooks --help`: the commands by category, kubectl's overview layout. */
export function renderOverview(binary: string, summary: string, commands: readonly CommandHelp[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const categories = [...new Set(commands.map((c) => c.category))];
  const blocks = categories.map((cat) => {
    const rows = commands.filter((c) => c.category === cat).map((c) => `  ${c.name.padEnd(Math.max(width, 16))}${plain(c.description)}`);
    return `${cat}:\n${rows.join('\n')}\n`;
  });
  return [
    `${summary}\n`,
    ...blocks,
    `Usage:\n  ${binary} [flags] [options]\n`,
    `Use "${binary} <command> --help" for more information about a given command.\n${footer(binary)}`,
  ].join('\n');
}

/** `kubectl ark-hooks options`: the options every command (or every command that talks to a cluster) takes. */
export function renderGlobalOptions(options: readonly OptionHelp[]): string {
  return `The following options can be passed to any command (the connection options to those that read a cluster):\n\n${renderOptions(options)}`;
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive as cobra's. */
export function levenshtein(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[t.length] as number;
}

/** cobra's suggestions for a mistyped command: distance ≤ 2, or a command that starts with the word. */
export function suggestCommands(typed: string, names: readonly string[]): string[] {
  return names.filter((n) => levenshtein(typed, n) <= 2 || n.toLowerCase().startsWith(typed.toLowerCase()));
}

/** cobra's unknown-command error, with "Did you mean this?" when a command is near. */
export function unknownCommand(binary: string, typed: string, names: readonly string[]): string {
  const near = suggestCommands(typed, names);
  const hint = near.length > 0 ? `\n\nDid you mean this?\n${near.map((n) => `\t${n}\n`).join('')}` : '';
  return `error: unknown command "${typed}" for "${binary}"${hint}\nRun '${binary} --help' for usage.\n`;
}
