// Renders reports: kubectl-style tables (columns.ts), json and yaml.

import * as yaml from 'js-yaml';
import type { Finding, HookSource } from '../hooks/types.ts';
import type { HookReport, ValidationReport } from '../report/hook-report.ts';
import { renderColumns, writeColumns } from './columns.ts';
import { escapeLine } from './escape.ts';
import type { Style } from './term.ts';
import { shellQuote } from './term.ts';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A kubectl-looking table: upper-case headers, columns separated by three spaces, no borders. */
export function renderTable(head: string[], rows: string[][], noHeaders = false): string {
  return renderColumns(head, rows, noHeaders);
}

export function serialize(value: unknown, format: 'json' | 'yaml'): string {
  const plain = JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return format === 'json' ? JSON.stringify(plain, null, 2) + '\n' : yaml.dump(plain, { noRefs: true, lineWidth: -1 });
}

type JsonFrame = { items: readonly unknown[]; keys: readonly string[] | null; i: number; indent: string };

/** A value as JSON.stringify would give it, after toJSON; undefined for what an object leaves out. */
function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function')
    return (v as { toJSON(): unknown }).toJSON();
  return v;
}

const omitted = (x: unknown): boolean => x === undefined || typeof x === 'function' || typeof x === 'symbol';

/**
 * `value` as JSON.stringify(value, null, 2) gives it (bigints as strings), as an iterator of chunks
 * of about `size` characters, made only as each is asked for (an explicit stack, not recursion): a
 * report never has to fit in one string (V8 caps strings at about 512 MiB), and a writer can wait
 * for a slow reader between two.
 */
export function* jsonChunks(value: unknown, size = 64 * 1024): Generator<string> {
  const stack: JsonFrame[] = [];
  let buf = '';
  const leaf = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  /** Emits a scalar, or opens an array or object (its items follow, from the stack). */
  const open = (raw: unknown, indent: string) => {
    const v = jsonValue(raw);
    if (Array.isArray(v)) {
      buf += v.length === 0 ? '[]' : '[';
      if (v.length > 0) stack.push({ items: v, keys: null, i: 0, indent });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => !omitted(x));
      buf += entries.length === 0 ? '{}' : '{';
      if (entries.length > 0) stack.push({ items: entries.map(([, x]) => x), keys: entries.map(([k]) => k), i: 0, indent });
    } else buf += leaf(v) ?? 'null';
  };
  open(value, '');
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as JsonFrame;
    const inner = `${f.indent}  `;
    if (f.i === f.items.length) {
      buf += `\n${f.indent}${f.keys ? '}' : ']'}`;
      stack.pop();
    } else {
      const i = f.i++;
      const x = f.items[i];
      buf += `${i > 0 ? ',' : ''}\n${inner}`;
      if (f.keys) buf += `${JSON.stringify(f.keys[i])}: `;
      if (!f.keys && omitted(x)) buf += 'null';
      else open(x, inner);
    }
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  yield `${buf}\n`;
}

/**
 * Writes chunks to a stream, waiting for 'drain' whenever it asks to (a slow `| jq` must not make
 * the whole report queue in memory); a stream that closes or fails stops the wait, not the caller.
 */
export async function writeChunks(chunks: Iterable<string>, out: NodeJS.WritableStream): Promise<void> {
  for (const chunk of chunks) {
    if (out.write(chunk)) continue;
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        out.off('error', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
      out.on('error', done);
    });
  }
}

type RunYamlInput = { phases: { pods: unknown[] }[] } & Record<string, unknown>;

/**
 * A run report as YAML (the document `serialize(report, 'yaml')` gives, read back), as an iterator of
 * chunks of one pod at most: its size is bounded by one pod, not by the run. For writeChunks.
 */
export function* runYamlChunks(report: RunYamlInput): Generator<string> {
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null');
  const dump = (v: unknown) => yaml.dump(plain(v), { noRefs: true, lineWidth: -1 });
  /** `v` as an item of a block sequence indented by `indent` spaces. */
  const item = (v: unknown, indent: number) => {
    const pad = ' '.repeat(indent);
    return (
      dump(v)
        .replace(/\n$/, '')
        .split('\n')
        .map((line, i) => (i === 0 ? `${pad}- ${line}` : line === '' ? '' : `${pad}  ${line}`))
        .join('\n') + '\n'
    );
  };
  for (const [key, value] of Object.entries(report)) {
    if (value === undefined) continue;
    if (key !== 'phases' || !Array.isArray(value) || value.length === 0) {
      yield dump({ [key]: value });
      continue;
    }
    yield 'phases:\n';
    for (const phase of value as ({ pods: unknown[] } & Record<string, unknown>)[]) {
      let first = true;
      for (const [k, v] of Object.entries(phase)) {
        if (v === undefined) continue;
        const lead = first ? '  - ' : '    ';
        first = false;
        if (k === 'pods' && Array.isArray(v) && v.length > 0) {
          yield `${lead}pods:\n`;
          for (const pod of v) yield item(pod, 6);
        } else {
          yield dump({ [k]: v })
            .replace(/\n$/, '')
            .split('\n')
            .map((line, i) => (i === 0 ? lead + line : line === '' ? '' : `    ${line}`))
            .join('\n') + '\n';
        }
      }
    }
  }
}

export function sourceText(s: HookSource, wide: boolean): string {
  if (s.type === 'annotation') return `${s.family} annotation${s.legacy ? ' (legacy)' : ''}`;
  return wide ? `spec "${s.name}" (${s.backup.replace(/^backup /, 'backup/')} ${s.field})` : `spec "${s.name}"`;
}

/** The visible width of a cell (colour codes take none). */
const visible = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, '').length;

/**
 * Cuts column `col` so that the rows fit `width` terminal columns (three spaces between columns),
 * never to fewer than 20 characters. Only for a terminal: piped output and -o wide are never cut.
 */
export function fitColumn(head: readonly string[], rows: string[][], col: number, width: number | undefined): void {
  if (width === undefined || width <= 0) return;
  const widths = head.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const others = widths.reduce((n, w, i) => (i === col ? n : n + w), 0) + 3 * (head.length - 1);
  const room = Math.max(20, width - others);
  for (const r of rows) {
    const cell = r[col] ?? '';
    if (cell.length > room) r[col] = cell.slice(0, room - 1) + '…';
  }
}

export function severityText(sev: Finding['severity'], style: Style): string {
  return sev === 'error' ? style.red('error') : sev === 'warning' ? style.yellow('warning') : style.dim('info');
}

export function renderFindings(findings: readonly Finding[], style: Style, includeInfo: boolean): string {
  const shown = findings.filter((f) => includeInfo || f.severity !== 'info');
  if (shown.length === 0) return '';
  const lines = shown.map(
    (f) => `${severityText(f.severity, style)}: ${escapeLine(`${f.object}: ${f.field ? f.field + ': ' : ''}${f.message}`)}`,
  );
  return lines.join('\n') + '\n';
}

export interface ListRenderOptions {
  format: OutputFormat;
  showAll: boolean;
  style: Style;
  /** The terminal's width when stdout is one: COMMAND is cut to fit (never with -o wide). */
  width?: number | undefined;
  noHeaders?: boolean;
}

/** One row of the list table: the status is the worst finding of the hook, or the pod's skip reason. */
function hookRow(
  pod: HookReport['pods'][number],
  podName: string,
  h: HookReport['pods'][number]['hooks'][number],
  wide: boolean,
  style: Style,
): string[] {
  const first = h.findings.find((f) => f.severity === 'error') ?? h.findings.find((f) => f.severity === 'warning');
  let status = first ? `${first.severity}: ${first.code}` : 'ok';
  if (pod.skip) status = escapeLine(`skipped: ${pod.skip.split(' (')[0]}`);
  const colored = pod.skip
    ? style.dim(status)
    : first?.severity === 'error'
      ? style.red(status)
      : first
        ? style.yellow(status)
        : style.green(status);
  const container = h.container === null ? '<none>' : h.containerDefaulted ? `${h.container} (default)` : h.container;
  const command = escapeLine(shellQuote(h.command));
  return [
    escapeLine(pod.namespace),
    escapeLine(podName),
    h.phase,
    escapeLine(sourceText(h.source, wide)),
    escapeLine(container),
    command,
    escapeLine(h.onError),
    escapeLine(h.timeout),
    colored,
    ...(wide ? [escapeLine(h.name)] : []),
  ];
}

/** list's data: the table on stdout (json and yaml are the report). Notes and findings: hookReportNotes. */
export function renderHookReport(report: HookReport, opts: ListRenderOptions): string {
  const out: string[] = [];
  writeHookReport(report, opts, (chunk) => out.push(chunk));
  return out.join('');
}

/** renderHookReport's text, the table written in chunks (columns.ts writeColumns): nothing for no rows. */
export function writeHookReport(report: HookReport, opts: ListRenderOptions, write: (chunk: string) => void): void {
  if (opts.format === 'json' || opts.format === 'yaml') {
    write(serialize(report, opts.format));
    return;
  }
  const wide = opts.format === 'wide';
  const { style } = opts;
  const head = ['NAMESPACE', 'POD', 'PHASE', 'SOURCE', 'CONTAINER', 'COMMAND', 'ON-ERROR', 'TIMEOUT', 'STATUS'];
  if (wide) head.push('HOOK');
  const rows: string[][] = [];
  for (const pod of report.pods) {
    const podName = pod.kind === 'Pod' ? pod.name : `${pod.kind.toLowerCase()}/${pod.name}`;
    if (pod.hooks.length === 0) {
      if (opts.showAll)
        rows.push([
          escapeLine(pod.namespace),
          escapeLine(podName),
          '-',
          '-',
          '-',
          '-',
          '-',
          '-',
          pod.skip ? 'skipped' : 'no hooks',
          ...(wide ? ['-'] : []),
        ]);
      continue;
    }
    for (const h of pod.hooks) rows.push(hookRow(pod, podName, h, wide, style));
  }
  if (rows.length === 0) return;
  // As kubectl: NAMESPACE only when the rows can come from more than one (-A, or -f over several), or -o wide.
  const oneNamespace = report.scope.namespace !== '*' && new Set(report.pods.map((p) => p.namespace)).size <= 1;
  if (oneNamespace && !wide) {
    head.shift();
    for (const r of rows) r.shift();
  }
  if (!wide) fitColumn(head, rows, head.indexOf('COMMAND'), opts.width);
  writeColumns(head, rows, opts.noHeaders ?? false, write);
}

/** What list says about its table, for stderr: nothing found, the findings, the target it judged by. */
export function hookReportNotes(report: HookReport, opts: { wide: boolean; showAll: boolean; style: Style }): string {
  const { style, wide } = opts;
  let out = '';
  const shown = report.pods.some((p) => p.hooks.length > 0) || (opts.showAll && report.pods.length > 0);
  if (!shown) {
    const where = report.scope.namespace === '*' ? 'in any namespace' : `in namespace "${report.scope.namespace}"`;
    const n = report.summary.podsInScope;
    out += `No hooks found ${escapeLine(where)}${report.scope.backup ? ` for backup "${escapeLine(report.scope.backup.name)}"` : ''} (${n} pod${n === 1 ? '' : 's'} in scope).\n`;
  }
  const findings = renderFindings(report.findings, style, wide);
  out += findings;
  out += style.dim(`Judged as ${report.scope.target.name} (${report.scope.target.versions})`) + '\n';
  const hiddenInfo = wide ? 0 : report.findings.filter((f) => f.severity === 'info').length;
  if (hiddenInfo > 0) out += `${style.dim(`(${hiddenInfo} more note${hiddenInfo === 1 ? '' : 's'} with -o wide)`)}\n`;
  return out;
}

/** `validate` on a terminal: the findings, then a verdict line (left out with `quiet` when there is nothing to say). */
export function renderValidation(v: ValidationReport, style: Style, quiet: boolean): string {
  const text = renderFindings(v.findings, style, false);
  const { errors, warnings, hooks, podsInScope } = v.summary;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const verdict = `${n(errors, 'error')}, ${n(warnings, 'warning')} in ${n(hooks, 'hook')} of ${n(podsInScope, 'pod')}, judged as ${v.scope.target.name}`;
  if (!text && quiet) return '';
  return `${text}${v.valid ? style.green(verdict) : style.red(verdict)}\n`;
}
