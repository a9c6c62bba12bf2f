// The -o values for scripts, as kubectl means them: name, jsonpath=, jsonpath-file=, custom-columns=,
// custom-columns-file=, with --no-headers and --sort-by. All of them run over the report object
// that -o json prints; the rows of name, custom-columns and --sort-by are the report's items (the
// pods of list and dry-run, the findings of validate, the pods of each phase of run and wrap).

import { readFileSync } from 'node:fs';
import { UsageError, UserError } from '../errors.ts';
import { escapeLine } from './escape.ts';
import { compileJsonPath, compileValues, JsonPathError, relaxedJsonPath, valueText } from './jsonpath.ts';

export type Format =
  | { kind: 'table' | 'wide' | 'json' | 'yaml' | 'name' | 'text' }
  | { kind: 'jsonpath'; template: string }
  | { kind: 'custom-columns'; columns: Column[] };

export interface Column {
  header: string;
  /** A template ({.a.b}) in kubectl's relaxed form. */
  path: string;
}

/** What kubectl calls the output formats that print the object for a program, not a person. */
export const isMachineFormat = (f: Format): boolean => f.kind !== 'table' && f.kind !== 'wide' && f.kind !== 'text';

function readTemplateFile(flag: string, path: string): string {
  if (path === '') throw new UsageError(`${flag} needs a file name, e.g. -o ${flag}=FILE`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`error reading template ${path}, ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** kubectl's custom-columns=HEADER:PATH,HEADER:PATH. */
export function parseCustomColumns(spec: string): Column[] {
  if (spec === '') throw new UsageError('custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const i = part.indexOf(':');
    if (i < 0) throw new UsageError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, i), path: relaxed(part.slice(i + 1)) };
  });
}

/** kubectl's custom-columns-file: a line of headers, then a line of paths, split on white space. */
export function parseCustomColumnsFile(text: string): Column[] {
  const [head = '', paths = ''] = text.split('\n').filter((l) => l.trim() !== '');
  const headers = head.trim().split(/\s+/);
  const specs = paths.trim().split(/\s+/);
  if (headers.length !== specs.length || head.trim() === '')
    throw new UsageError(`number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  return headers.map((header, i) => ({ header, path: relaxed(specs[i] as string) }));
}

function relaxed(path: string): string {
  try {
    return relaxedJsonPath(path);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** An -o value (already checked against OUTPUTS) as a format; reads the -file variants. */
export function parseFormat(value: string): Format {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  const arg = eq < 0 ? '' : value.slice(eq + 1);
  switch (key) {
    case 'jsonpath':
      if (arg === '') throw new UsageError('template format specified but no template given');
      checkTemplate(arg);
      return { kind: 'jsonpath', template: arg };
    case 'jsonpath-file': {
      const template = readTemplateFile(key, arg);
      checkTemplate(template);
      return { kind: 'jsonpath', template };
    }
    case 'custom-columns':
      return { kind: 'custom-columns', columns: parseCustomColumns(arg) };
    case 'custom-columns-file':
      return { kind: 'custom-columns', columns: parseCustomColumnsFile(readTemplateFile(key, arg)) };
    default:
      return { kind: value as 'table' };
  }
}

function checkTemplate(template: string): void {
  try {
    compileJsonPath(template);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The report as plain JSON (what -o json prints, read back): what templates run over. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null');
}

/**
 * plain(value) without reading what is not asked for: a copy made as JSON would make it, except that
 * a property with a getter (the hooks' output, read back from a file: engine/tail-spool.ts) stays one,
 * read when a template reaches it. So `{.summary}` over a run of 1,000 chatty hooks reads no output.
 */
export function lazyPlain(value: unknown): unknown {
  const v =
    typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON(): unknown }).toJSON()
      : value;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return v.valueOf();
  if (typeof v !== 'object' || v === null) return typeof v === 'string' || typeof v === 'boolean' || v === null ? v : null;
  if (Array.isArray(v)) return v.map((x) => (omittedInJson(x) ? null : lazyPlain(x)));
  const out = {};
  for (const key of Object.keys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key);
    if (d?.get) {
      const get = d.get;
      Object.defineProperty(out, key, { enumerable: true, configurable: true, get: () => lazyPlain(get.call(v)) });
    } else if (d && !omittedInJson(d.value)) {
      Object.defineProperty(out, key, { value: lazyPlain(d.value), enumerable: true, configurable: true, writable: true });
    }
  }
  return out;
}

const omittedInJson = (x: unknown): boolean => x === undefined || typeof x === 'function' || typeof x === 'symbol';

function jsonPathFailure(e: unknown): never {
  if (e instanceof JsonPathError) throw new UserError(e.message);
  throw e;
}

/** -o jsonpath: the template over the whole report, printed as kubectl prints it (no newline added). */
export function renderJsonPath(report: unknown, template: string, allowMissingKeys = true): string {
  try {
    return compileJsonPath(template, { allowMissingKeys }).execute(lazyPlain(report));
  } catch (e) {
    return jsonPathFailure(e);
  }
}

/** -o custom-columns: one row per item, `<none>` where a path finds nothing, several values joined by commas. */
export function renderCustomColumns(
  items: readonly unknown[],
  columns: readonly Column[],
  noHeaders: boolean,
  allowMissingKeys = true,
): string {
  const rows: string[][] = [];
  try {
    const paths = columns.map((c) => compileValues(c.path, allowMissingKeys));
    for (const item of items) {
      const data = plain(item);
      rows.push(
        paths.map((values) => {
          const found = values(data);
          return found.length === 0 ? '<none>' : escapeLine(found.map(goValue).join(','));
        }),
      );
    }
  } catch (e) {
    jsonPathFailure(e);
  }
  if (rows.length === 0) return '';
  return alignColumns(
    columns.map((c) => c.header),
    rows,
    noHeaders,
  );
}

/**
 * Columns as kubectl's tabwriter aligns them: each cell padded to its column's width in code points
 * plus three spaces, trailing blanks trimmed. Linear in the number of cells (10,000 rows in
 * milliseconds), where the list table's renderer grows with the square of the rows.
 */
export function alignColumns(head: readonly string[], rows: readonly string[][], noHeaders: boolean): string {
  const all = noHeaders ? rows : [head as string[], ...rows];
  const width = (s: string) => {
    let n = 0;
    for (const _ of s) n++;
    return n;
  };
  const widths = head.map(() => 0);
  for (const r of all) for (let i = 0; i < head.length; i++) widths[i] = Math.max(widths[i] as number, width(r[i] ?? ''));
  const lines: string[] = [];
  for (const r of all) {
    let line = '';
    for (let i = 0; i < head.length; i++) {
      const cell = r[i] ?? '';
      // tabwriter.NewWriter(out, 6, 4, 3, ' ', 0): a column is its widest cell plus 3, and at least 6.
      line += i === head.length - 1 ? cell : cell + ' '.repeat(Math.max(6, (widths[i] as number) + 3) - width(cell));
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n') + '\n';
}

/** A value as Go's fmt %v prints it, which kubectl's custom-columns uses: map[k:v], [a b], <nil>. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object')
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`)
      .join(' ')}]`;
  return String(v);
}

/** kubectl's order for --sort-by: numbers by value, strings in natural order ("pod-9" before "pod-10"). */
function less(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(valueText(a)).localeCompare(String(valueText(b)), 'en', { numeric: true });
}

/**
 * --sort-by=PATH: sorts `items` in place by the first value PATH finds in each (stable; items where
 * it finds nothing go first, as kubectl does). A path that finds nothing in any item is kubectl's error.
 */
export function sortItems<T>(items: T[], path: string): void {
  if (items.length === 0) return;
  const template = relaxed(path);
  let keys: unknown[];
  try {
    const values = compileValues(template);
    keys = items.map((item) => values(plain(item))[0]);
  } catch (e) {
    jsonPathFailure(e);
  }
  if (keys.every((k) => k === undefined)) throw new UserError(`couldn't find any field with path "${template}" in the list of objects`);
  const order = items.map((item, i) => ({ item, key: keys[i], i }));
  order.sort((x, y) => {
    if (x.key === undefined || y.key === undefined) return x.key === y.key ? x.i - y.i : x.key === undefined ? -1 : 1;
    return less(x.key, y.key) || x.i - y.i;
  });
  items.splice(0, items.length, ...order.map((o) => o.item));
}

/** -o name: `kind/name` per line, lower-case kind, no namespace (as kubectl prints across namespaces). */
export function renderNames(objects: readonly { namespace: string; kind: string; name: string }[]): string {
  const seen = new Set<string>();
  let out = '';
  for (const o of objects) {
    const key = JSON.stringify([o.namespace, o.kind, o.name]);
    if (seen.has(key)) continue; // a pod of both phases of a run
    seen.add(key);
    out += `${escapeLine(`${o.kind.toLowerCase()}/${o.name}`)}\n`;
  }
  return out;
}

/** What -o name, custom-columns and --sort-by need of a report: its items, in place, and their names. */
export interface Items {
  /** The arrays of items, sorted in place by --sort-by (run and wrap: one per phase). */
  lists: unknown[][];
  /** kind/name of each item, for -o name; undefined where -o name does not apply. */
  names?: { namespace: string; kind: string; name: string }[];
}

export interface ScriptOptions {
  noHeaders: boolean;
  allowMissingKeys: boolean;
}

/** --sort-by over the report's items (every output format shows the sorted order). */
export function applySortBy(items: Items, sortBy: string | undefined): void {
  if (sortBy === undefined || sortBy === '') return;
  for (const list of items.lists) sortItems(list, sortBy);
}

/** name, jsonpath and custom-columns; undefined for the formats each command renders itself. */
export function renderScripted(report: unknown, items: Items, format: Format, o: ScriptOptions): string | undefined {
  if (format.kind === 'name') return renderNames(items.names ?? []);
  if (format.kind === 'jsonpath') return renderJsonPath(report, format.template, o.allowMissingKeys);
  if (format.kind === 'custom-columns') return renderCustomColumns(items.lists.flat(), format.columns, o.noHeaders, o.allowMissingKeys);
  return undefined;
}

/** The width of stdout when it is a terminal (cut long cells to it), else undefined (never cut). */
export function terminalWidth(stream: unknown): number | undefined {
  const s = stream as { isTTY?: boolean; columns?: number };
  return s.isTTY === true && typeof s.columns === 'number' && s.columns > 0 ? s.columns : undefined;
}

/** Sorts the report's items (--sort-by), then renders name, jsonpath and custom-columns (undefined for the others). */
export function scripted(
  report: unknown,
  items: Items,
  format: Format,
  flags: { sortBy?: string | undefined; noHeaders: boolean; allowMissingKeys?: boolean },
): string | undefined {
  applySortBy(items, flags.sortBy);
  return renderScripted(report, items, format, { noHeaders: flags.noHeaders, allowMissingKeys: flags.allowMissingKeys ?? true });
}
