// The one table of flag values: what --phase, --flavor, --dry-run, --preset, --on-error, --target and
// -o accept, per command. Help texts, validation (typanion validators run by clipanion while it
// parses) and shell completion all read it, so they cannot disagree.

import { Option } from 'clipanion';
import * as t from 'typanion';
import { UsageError } from '../errors.ts';
import { PRESET_NAMES } from '../hooks/presets.ts';
import { resolveTargetName, TARGETS } from '../hooks/targets.ts';
import type { Phase } from '../hooks/types.ts';
import { PHASES } from '../hooks/types.ts';
import { DRY_RUN_MODES } from '../report/annotate-report.ts';
import { COLOR_MODES } from '../output/term.ts';

/** kubectl's -o values for scripts: a value ending in "=" is a prefix (jsonpath=TEMPLATE). */
const SCRIPTED = ['jsonpath=', 'jsonpath-file=', 'custom-columns=', 'custom-columns-file='] as const;

/** -o per command (the first is the default). */
export const OUTPUTS = {
  list: ['table', 'wide', 'json', 'yaml', 'name', ...SCRIPTED],
  validate: ['table', 'json', 'yaml', ...SCRIPTED],
  'dry-run': ['table', 'json', 'yaml', 'name', ...SCRIPTED],
  run: ['table', 'json', 'yaml', 'name', ...SCRIPTED],
  wrap: ['table', 'json', 'yaml', 'name', ...SCRIPTED],
  annotate: ['json', 'yaml'],
  version: ['text', 'json', 'yaml'],
  explain: ['text', 'json', 'yaml'],
} as const;

/** The shells `completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;

/** Values of flags that mean the same in every command that has them. */
export const VALUES: Record<string, readonly string[]> = {
  '--phase': PHASES,
  '--dry-run': DRY_RUN_MODES,
  '--preset': PRESET_NAMES,
  '--on-error': ['Fail', 'Continue'],
  '--target': TARGETS.map((x) => x.name),
  '--flavor': ['ark', 'velero'],
  '--color': COLOR_MODES,
};

/** The values completion offers for `flag` in `command`; every one of them is accepted. */
export function valuesOf(command: string, flag: string): readonly string[] | undefined {
  if (flag === '-o' || flag === '--output') return (OUTPUTS as Record<string, readonly string[]>)[command];
  return VALUES[flag];
}

type Validator<T> = t.StrictValidator<unknown, T>;

/** A typanion check whose failure is our one-line usage error: `invalid --flag "value": hint`. */
function checked<T>(flag: string, check: Validator<T>, hint: string): Validator<T> {
  return t.makeValidator<unknown, T>({
    test: (value, state): value is T => {
      if (check(value, state)) return true;
      throw new UsageError(`invalid ${flag} "${String(value)}": ${hint}`);
    },
  });
}

/** One of `values` (case as written). */
export function oneOf<V extends string>(flag: string, values: readonly V[], hint = `use ${orList(values)}`): Validator<V> {
  return checked(flag, t.isEnum(values), hint);
}

export const orList = (values: readonly string[]): string => (values.length <= 2 ? values.join(' or ') : `one of ${values.join(', ')}`);

export const phaseFlag = (): Validator<Phase> => oneOf('--phase', PHASES);

/** --parallel: a whole number from 1 to 256. */
export const parallelFlag = (): Validator<number> =>
  checked('--parallel', t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 256)]), 'use a whole number from 1 to 256');

/** Whether -o VALUE is one of `values`: equal to a plain value, or starting with a prefix value (jsonpath=). */
export function acceptsOutput(values: readonly string[], value: string): boolean {
  return values.some((v) => (v.endsWith('=') ? value.startsWith(v) : value === v));
}

/** The -o values of a table entry: "jsonpath=" stands for every "jsonpath=…". */
export type OutputValue<V extends string> = V extends `${infer P}=` ? `${P}=${string}` : V;

export function outputFlag<C extends keyof typeof OUTPUTS>(command: C): Validator<OutputValue<(typeof OUTPUTS)[C][number]>> {
  const values = OUTPUTS[command] as readonly string[];
  const shown = values.map((v) => (v.endsWith('=') ? `${v}...` : v));
  return checked(
    '--output',
    t.makeValidator<unknown, OutputValue<(typeof OUTPUTS)[C][number]>>({
      test: (v): v is OutputValue<(typeof OUTPUTS)[C][number]> => typeof v === 'string' && acceptsOutput(values, v),
    }),
    `use ${orList(shown)}`,
  );
}

/** -o for command C, with its default and the accepted values in the help. */
export function outputOption<C extends keyof typeof OUTPUTS>(command: C, what = 'Output format') {
  const values = (OUTPUTS[command] as readonly string[]).map((v) => (v.endsWith('=') ? `${v}...` : v));
  return { description: `${what}: ${values.join(', ')}`, validator: outputFlag(command) };
}

/** -v/--v: kubectl's log level, a whole number (argv.ts turns -v=6, --v=6 and -v6 into -v 6). */
export const levelFlag = (): Validator<number> =>
  checked('-v', t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]), 'use a whole number, e.g. -v=6');

/** --target: a target name (velero-1.18, ark-0.9) or a version (1.12.3). */
export const targetFlag = (): Validator<string> =>
  t.makeValidator<unknown, string>({
    test: (value): value is string => {
      if (value === '') return true; // as if not given: detect, or the newest Velero
      const r = resolveTargetName(String(value));
      if (!r.ok) throw new UsageError(`invalid --target "${String(value)}": ${r.reason}`);
      return true;
    },
  });

/** --no-headers (list, validate, dry-run, run, wrap). */
export const noHeadersOption = () =>
  Option.Boolean('--no-headers', false, { description: 'Print no header line in table and custom-columns output' });

/** --sort-by (list, validate, dry-run, run, wrap). */
export const sortByOption = () =>
  Option.String('--sort-by', {
    description:
      "Sort the report's items (the pods; validate: the findings) by a JSONPath over each, e.g. '{.name}' or .namespace; every output format shows that order",
  });

/** --allow-missing-template-keys (kubectl's, default true): false makes a key a template does not find an error. */
export const allowMissingKeysOption = () =>
  Option.Boolean('--allow-missing-template-keys', true, {
    description: 'With -o jsonpath= and custom-columns=: print nothing for a key that is not there (=false: an error, as in kubectl)',
  });
