// Renders reports: kubectl-style tables (cli-table3 without borders), json and yaml.

import Table from 'cli-table3';
import * as yaml from 'js-yaml';
import type { Finding, HookSource } from '../hooks/types.ts';
import type { HookReport } from './report.ts';
import type { Style } from './term.ts';
import { shellQuote } from './term.ts';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
};

/** A kubectl-looking table: upper-case headers, columns separated by three spaces, no borders. */
export function renderTable(head: string[], rows: string[][]): string {
  const table = new Table({
    head,
    chars: NO_BORDER,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 3, compact: true },
  });
  table.push(...rows);
  return table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .join('\n') + '\n';
}

export function serialize(value: unknown, format: 'json' | 'yaml'): string {
  const plain = JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return format === 'json' ? JSON.stringify(plain, null, 2) + '\n' : yaml.dump(plain, { noRefs: true, lineWidth: -1 });
}

export function sourceText(s: HookSource, wide: boolean): string {
  if (s.type === 'annotation') return `${s.family} annotation${s.legacy ? ' (legacy)' : ''}`;
  return wide ? `spec "${s.name}" (${s.backup.replace(/^backup /, 'backup/')} ${s.field})` : `spec "${s.name}"`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export function severityText(sev: Finding['severity'], style: Style): string {
  return sev === 'error' ? style.red('error') : sev === 'warning' ? style.yellow('warning') : style.dim('info');
}

export function renderFindings(findings: readonly Finding[], style: Style, includeInfo: boolean): string {
  const shown = findings.filter((f) => includeInfo || f.severity !== 'info');
  if (shown.length === 0) return '';
  const lines = shown.map((f) => `${severityText(f.severity, style)}: ${f.object}: ${f.field ? f.field + ': ' : ''}${f.message}`);
  return lines.join('\n') + '\n';
}

export interface ListRenderOptions {
  format: OutputFormat;
  showAll: boolean;
  style: Style;
}

export function renderHookReport(report: HookReport, opts: ListRenderOptions): string {
  if (opts.format === 'json' || opts.format === 'yaml') return serialize(report, opts.format);
  const wide = opts.format === 'wide';
  const { style } = opts;
  const head = ['NAMESPACE', 'POD', 'PHASE', 'SOURCE', 'CONTAINER', 'COMMAND', 'ON-ERROR', 'TIMEOUT', 'STATUS'];
  if (wide) head.push('HOOK');
  const rows: string[][] = [];
  for (const pod of report.pods) {
    const podName = pod.kind === 'Pod' ? pod.name : `${pod.kind.toLowerCase()}/${pod.name}`;
    if (pod.hooks.length === 0) {
      if (opts.showAll) rows.push([pod.namespace, podName, '-', '-', '-', '-', '-', '-', pod.skip ? 'skipped' : 'no hooks', ...(wide ? ['-'] : [])]);
      continue;
    }
    for (const h of pod.hooks) {
      const first = h.findings.find((f) => f.severity === 'error') ?? h.findings.find((f) => f.severity === 'warning');
      let status = first ? `${first.severity}: ${first.code}` : 'ok';
      if (pod.skip) status = `skipped: ${pod.skip.split(' (')[0]}`;
      const colored = pod.skip ? style.dim(status) : first?.severity === 'error' ? style.red(status) : first ? style.yellow(status) : style.green(status);
      const container = h.container === null ? '<none>' : h.containerDefaulted ? `${h.container} (default)` : h.container;
      const command = shellQuote(h.command);
      rows.push([
        pod.namespace,
        podName,
        h.phase,
        sourceText(h.source, wide),
        container,
        wide ? command : truncate(command, 60),
        h.onError,
        h.timeout,
        colored,
        ...(wide ? [h.name] : []),
      ]);
    }
  }
  let out = '';
  if (rows.length > 0) out += renderTable(head, rows);
  else {
    const where = report.scope.namespace === '*' ? 'in any namespace' : `in namespace "${report.scope.namespace}"`;
    out += `No hooks found ${where}${report.scope.backup ? ` for backup "${report.scope.backup.name}"` : ''} (${report.summary.podsInScope} pods in scope).\n`;
  }
  const findings = renderFindings(report.findings, style, wide);
  if (findings) out += '\n' + findings;
  out += style.dim(`Judged as ${report.scope.target.name} (${report.scope.target.versions})`) + '\n';
  const hiddenInfo = wide ? 0 : report.findings.filter((f) => f.severity === 'info').length;
  if (hiddenInfo > 0) out += `${style.dim(`(${hiddenInfo} more notes with -o wide)`)}\n`;
  return out;
}
