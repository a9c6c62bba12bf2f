// One report object per command: the table, wide, json and yaml outputs are all views of it.

import { timeoutText } from '../hooks/duration.ts';
import type { PodPlan } from '../hooks/plan.ts';
import { allFindings } from '../hooks/plan.ts';
import type { Finding, HookSource, OnError, Phase, ResolvedHook, Severity } from '../hooks/types.ts';
import type { ScopeInfo, SourceInfo } from './common.ts';
import { REPORT_API_VERSION } from './common.ts';
import type { Inventory } from './inventory.ts';
import { finding } from '../hooks/findings.ts';

export interface HookEntry {
  phase: Phase;
  source: HookSource;
  name: string;
  container: string | null;
  containerDefaulted: boolean;
  command: string[];
  onError: OnError;
  /** Go duration text ("30s", "5m0s") or "none". */
  timeout: string;
  status: 'ok' | Severity;
  findings: Finding[];
}

export interface PodEntry {
  namespace: string;
  name: string;
  kind: string;
  origin?: string;
  skip?: string;
  hooks: HookEntry[];
  findings: Finding[];
}

export interface HookReport {
  apiVersion: string;
  kind: 'HookReport';
  source: SourceInfo;
  scope: ScopeInfo;
  pods: PodEntry[];
  excluded: { object: string; reason: string }[];
  findings: Finding[];
  summary: { podsSeen: number; podsInScope: number; podsWithHooks: number; hooks: number; errors: number; warnings: number };
}

function hookStatus(h: ResolvedHook): HookEntry['status'] {
  if (h.findings.some((f) => f.severity === 'error')) return 'error';
  if (h.findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

function hookEntry(h: ResolvedHook): HookEntry {
  return {
    phase: h.phase,
    source: h.source,
    name: h.name,
    container: h.container,
    containerDefaulted: h.containerDefaulted,
    command: h.command,
    onError: h.onError,
    timeout: timeoutText(h.timeoutNanos),
    status: hookStatus(h),
    findings: h.findings,
  };
}

function podEntry(p: PodPlan): PodEntry {
  const e: PodEntry = { namespace: p.namespace, name: p.name, kind: p.kind, hooks: p.hooks.map(hookEntry), findings: p.findings };
  if (p.origin) e.origin = p.origin;
  if (p.skip) e.skip = p.skip;
  return e;
}

/** The report of a plan; pods without hooks are kept only with `all` (list --all). */
export function buildReport(inv: Inventory, all = false): HookReport {
  const findings = allFindings(inv.plan);
  for (const x of inv.plan.excluded) {
    findings.push(
      finding({
        severity: 'info',
        code: 'not-in-backup',
        object: x.object,
        field: '',
        message: `has hook annotations but the Backup does not back it up: ${x.reason}`,
      }),
    );
  }
  const inScope = inv.plan.pods;
  const pods = inScope.filter((p) => all || p.hooks.length > 0 || p.findings.some((f) => f.severity !== 'info')).map(podEntry);
  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'HookReport',
    source: inv.source,
    scope: inv.scope,
    pods,
    excluded: inv.plan.excluded,
    findings,
    summary: {
      podsSeen: inv.podsSeen,
      podsInScope: inScope.length + (inv.inertPods ?? 0),
      podsWithHooks: inScope.filter((p) => p.hooks.length > 0).length,
      hooks: pods.reduce((n, p) => n + p.hooks.length, 0),
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
  };
}

/** What `validate -o json|yaml` prints: the findings of a hook report and the verdict. */
export interface ValidationReport {
  apiVersion: string;
  kind: 'ValidationReport';
  source: SourceInfo;
  scope: ScopeInfo;
  findings: Finding[];
  summary: HookReport['summary'];
  valid: boolean;
}

/** Invalid when there is an error, or with `strict` a warning. */
export function validationReport(report: HookReport, strict: boolean): ValidationReport {
  const { errors, warnings } = report.summary;
  const valid = !(errors > 0 || (strict && warnings > 0));
  const { apiVersion, source, scope, findings, summary } = report;
  return { apiVersion, kind: 'ValidationReport', source, scope, findings, summary, valid };
}
