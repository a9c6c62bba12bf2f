// The items of each report, for -o name, custom-columns and --sort-by: what kubectl would list.

import type { HookReport, ValidationReport } from '../report/hook-report.ts';
import type { DryRunReport } from '../report/plan-report.ts';
import type { RunReport } from '../report/run-report.ts';
import type { Items } from './formats.ts';

/** list: its pods; -o name prints the pods with hooks (with --all, every pod in scope). */
export function hookReportItems(r: HookReport, all: boolean): Items {
  return {
    lists: [r.pods],
    names: r.pods.filter((p) => all || p.hooks.length > 0).map((p) => ({ namespace: p.namespace, kind: p.kind, name: p.name })),
  };
}

/** validate: its findings (no names: a finding is not an object). */
export function validationItems(r: ValidationReport): Items {
  return { lists: [r.findings] };
}

/** dry-run: the pods a run would execute hooks in. */
export function planItems(r: DryRunReport): Items {
  return { lists: [r.pods], names: r.pods.map((p) => ({ namespace: p.namespace, kind: p.kind ?? 'Pod', name: p.pod })) };
}

/** run and wrap: the pods of each phase; -o name prints each pod that had hooks once. */
export function runItems(r: RunReport): Items {
  const pods = r.phases.flatMap((p) => p.pods);
  return {
    lists: r.phases.map((p) => p.pods),
    names: pods.filter((p) => p.hooks.length > 0).map((p) => ({ namespace: p.namespace, kind: 'Pod', name: p.pod })),
  };
}
