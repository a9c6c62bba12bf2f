// The output flags of list, validate, dry-run, run and wrap beside -o: --no-headers and --sort-by,
// and the printing they share. -o json|yaml|name|jsonpath|custom-columns print the report only:
// notes, findings and progress go to stderr, so `| jq` and `| xargs` read nothing else.

import { Option } from 'clipanion';
import type { Format, Items } from '../output/formats.ts';
import { applySortBy, parseFormat, renderScripted } from '../output/formats.ts';

export const noHeadersOption = () =>
  Option.Boolean('--no-headers', false, { description: 'Print no header line in table and custom-columns output' });

export const sortByOption = () =>
  Option.String('--sort-by', {
    description:
      "Sort the report's items (the pods; validate: the findings) by a JSONPath over each, e.g. '{.name}' or .namespace; every output format shows that order",
  });

/** The width of stdout when it is a terminal (cut long cells to it), else undefined (never cut). */
export function terminalWidth(stream: unknown): number | undefined {
  const s = stream as { isTTY?: boolean; columns?: number };
  return s.isTTY === true && typeof s.columns === 'number' && s.columns > 0 ? s.columns : undefined;
}

export interface Scripted {
  format: Format;
  /** The text for name, jsonpath and custom-columns; undefined for the formats the command renders. */
  text: string | undefined;
}

/** Sorts the report's items (--sort-by), then renders name, jsonpath and custom-columns. */
export function scripted(
  report: unknown,
  items: Items,
  format: Format,
  flags: { sortBy?: string | undefined; noHeaders: boolean },
): Scripted {
  applySortBy(items, flags.sortBy);
  return { format, text: renderScripted(report, items, format, { noHeaders: flags.noHeaders, allowMissingKeys: true }) };
}

export { parseFormat };
