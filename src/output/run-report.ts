// Human views of dry-run plans and run reports; json/yaml serialise the objects themselves.

import type { DryRunReport } from '../report/plan-report.ts';
import type { RunReport } from '../report/run-report.ts';
import { parseFormat, scripted } from './formats.ts';
import { planItems } from './items.ts';
import { renderTable, serialize, sourceText } from './render.ts';
import { escapeLine } from './escape.ts';
import type { Style } from './term.ts';
import { shellQuote } from './term.ts';

export function renderPlan(r: DryRunReport, style: Style): string {
  let out = style.dim(`Judged as ${r.target.name} (${r.target.versions})`) + '\n';
  if (r.backup?.runsNoHooks)
    out += `${style.red(`backup ${r.backup.namespace ? r.backup.namespace + '/' : ''}${r.backup.name}:`)} no hook runs: ${r.backup.reason}${r.backup.validationErrors.length > 0 ? ` (${r.backup.validationErrors.join('; ')})` : ''}\n`;
  for (const p of r.pods) {
    out += `${style.bold(escapeLine(`${p.namespace}/${p.pod}`))}${p.skip ? style.dim(`  skipped: ${escapeLine(p.skip)}`) : ''}\n`;
    for (const h of p.hooks) {
      const container = h.container === null ? '<none>' : h.containerDefaulted ? `${h.container} (default: first container)` : h.container;
      out += `  ${h.phase} ${h.index}  ${escapeLine(sourceText(h.source, true))}\n`;
      out += `      container: ${escapeLine(container)}   on-error: ${escapeLine(h.onError)}   timeout: ${escapeLine(h.timeout)}\n`;
      out += `      $ ${escapeLine(shellQuote(h.command))}\n`;
      if (h.problem) out += `      ${style.red('would fail:')} ${escapeLine(h.problem)}\n`;
      for (const w of h.warnings) if (!h.problem || !w.includes(h.problem)) out += `      ${style.yellow(escapeLine(w))}\n`;
    }
  }
  if (r.pods.length === 0) out += 'No hooks to run in this scope.\n';
  if (r.access.length > 0) {
    out += '\nAccess (SelfSubjectAccessReview):\n';
    for (const a of r.access)
      out += `  ${a.allowed ? style.green('yes') : style.red('no ')}  ${a.verb} pods/exec in ${escapeLine(a.namespace)}\n`;
  }
  return out + planVerdict(r, style);
}

/** The plan's last lines: what would fail (counted from the hooks shown above), or that nothing stops the run. */
function planVerdict(r: DryRunReport, style: Style): string {
  let out = '';
  if (r.problems.length > 0) {
    // The figure counts the hooks shown above with "would fail", from the same report.
    const { failingHooks, failingPods, hooks } = r.summary;
    const head =
      failingHooks > 0
        ? `A real run would fail: ${failingHooks} of ${plural(hooks, 'hook')} in ${plural(failingPods, 'pod')} cannot run:`
        : `A real run would fail (${plural(r.problems.length, 'problem')}):`;
    out += `\n${style.red(head)}\n`;
    for (const p of r.problems) out += `  ${escapeLine(`${p.object}: ${p.message}`)}\n`;
  } else if (r.summary.erroredHooks === 0) {
    out += `\n${style.green(`Plan: ${plural(r.summary.hooks, 'hook')} in ${plural(r.summary.pods, 'pod')}; no problem found.`)}\n`;
  } else out += `\nPlan: ${plural(r.summary.hooks, 'hook')} in ${plural(r.summary.pods, 'pod')}; nothing stops the run.\n`;
  // Hooks with an error finding are run as written (Ark/Velero do not refuse them): counted apart.
  const errored = r.summary.erroredHooks;
  if (errored > 0)
    out += `${style.yellow(`${plural(errored, r.problems.length > 0 ? 'more hook' : 'hook')} ${errored === 1 ? 'has' : 'have'} errors shown above: Ark/Velero run ${errored === 1 ? 'it' : 'them'} as written, and ${errored === 1 ? 'it' : 'they'} may fail or misbehave.`)}\n`;
  return out;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function duration(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export function renderRunReport(r: RunReport, style: Style, noHeaders = false): string {
  const rows: string[][] = [];
  for (const phase of r.phases) {
    for (const pod of phase.pods) {
      for (const h of pod.hooks) {
        const result =
          h.result === 'succeeded'
            ? style.green(h.result)
            : ['skipped', 'not-run'].includes(h.result)
              ? style.dim(h.result)
              : style.red(h.result);
        const msg = h.result === 'succeeded' ? '' : escapeLine(h.message);
        rows.push([
          escapeLine(`${h.namespace}/${h.pod}`),
          h.phase,
          escapeLine(h.container ?? '-'),
          escapeLine(`${h.index} ${sourceText(h.source, false)}`),
          result,
          h.exitCode === null ? '-' : String(h.exitCode),
          duration(h.durationMs),
          msg, // never cut: the cause is at its end
        ]);
      }
    }
  }
  let out =
    rows.length > 0
      ? renderTable(['POD', 'PHASE', 'CONTAINER', 'HOOK', 'RESULT', 'EXIT', 'DURATION', 'MESSAGE'], rows, noHeaders)
      : 'No hooks ran.\n';
  const s = r.summary;
  out += `\n${s.hooks} hook${s.hooks === 1 ? '' : 's'}: ${s.succeeded} succeeded, ${s.failed} failed, ${s.skipped} skipped, ${s.notRun} not run, ${s.interrupted} interrupted`;
  if (r.command)
    out += `; command ${r.command.skipped ? `skipped (${escapeLine(r.command.reason ?? '')})` : r.command.signal ? `killed by ${r.command.signal}` : `exited ${r.command.exitCode}`}`;
  if (r.interrupted) out += `; interrupted by ${r.interrupted}`;
  return out + '\n';
}

/** A plan (dry-run and run --dry-run) in the -o format asked for, after --sort-by. */
export function renderPlanAs(
  report: DryRunReport,
  flags: { output: string; sortBy?: string | undefined; noHeaders: boolean; allowMissingKeys?: boolean },
  style: Style,
): string {
  const format = parseFormat(flags.output);
  const text = scripted(report, planItems(report), format, flags);
  return text ?? (format.kind === 'json' || format.kind === 'yaml' ? serialize(report, format.kind) : renderPlan(report, style));
}
