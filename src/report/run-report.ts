// The report of `run` and `wrap` (kind HookRun): one HookResult per hook of each phase, a summary per
// phase and for the whole run, and wrap's COMMAND. The engine fills it; output/ renders it.

import type { HookSource, OnError, Phase } from '../hooks/types.ts';
import type { ScopeInfo, SourceInfo } from './common.ts';
import { REPORT_API_VERSION } from './common.ts';

export type HookOutcome = 'succeeded' | 'failed' | 'timeout' | 'error' | 'interrupted' | 'skipped' | 'not-run';

/** One hook of a run: what was planned and what happened. */
export interface HookResult {
  namespace: string;
  pod: string;
  phase: Phase;
  /** 1-based position among the pod's hooks of this phase. */
  index: number;
  name: string;
  source: HookSource;
  container: string | null;
  command: string[];
  onError: OnError;
  timeout: string;
  result: HookOutcome;
  exitCode: number | null;
  message: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs: number | null;
  stdout: string;
  stderr: string;
  outputTruncated: boolean;
}

export interface PodResult {
  namespace: string;
  pod: string;
  phase: Phase;
  /** The worker picked the pod up: its phase was attempted. */
  started: boolean;
  hooks: HookResult[];
}

export const FAILURES: readonly HookOutcome[] = ['failed', 'timeout', 'error', 'interrupted'];

/** Whether any hook of these pods failed, whatever its on-error. */
export function anyFailed(pods: readonly PodResult[]): boolean {
  return pods.some((r) => r.hooks.some((h) => FAILURES.includes(h.result)));
}

export interface RunSummary {
  pods: number;
  hooks: number;
  succeeded: number;
  failed: number;
  skipped: number;
  notRun: number;
  interrupted: number;
  /** Failures of hooks with on-error Fail. */
  failModeFailures: number;
}

export function summarize(runs: readonly PodResult[]): RunSummary {
  const hooks = runs.flatMap((r) => r.hooks);
  return {
    pods: runs.filter((r) => r.hooks.length > 0).length,
    hooks: hooks.length,
    succeeded: hooks.filter((h) => h.result === 'succeeded').length,
    failed: hooks.filter((h) => h.result === 'failed' || h.result === 'timeout' || h.result === 'error').length,
    skipped: hooks.filter((h) => h.result === 'skipped').length,
    notRun: hooks.filter((h) => h.result === 'not-run').length,
    interrupted: hooks.filter((h) => h.result === 'interrupted').length,
    failModeFailures: hooks.filter((h) => FAILURES.includes(h.result) && h.onError === 'Fail').length,
  };
}

export interface CommandResult {
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  skipped: boolean;
  reason?: string;
}

export interface RunReport {
  apiVersion: string;
  kind: 'HookRun';
  source: SourceInfo;
  scope: ScopeInfo;
  startedAt: string;
  finishedAt: string;
  phases: { phase: Phase; pods: PodResult[]; summary: RunSummary }[];
  command?: CommandResult;
  interrupted: string | null;
  summary: RunSummary;
}

export function buildRunReport(
  inputs: { source: SourceInfo; scope: ScopeInfo },
  startedAt: Date,
  phases: { phase: Phase; pods: PodResult[] }[],
  interrupted: string | null,
  finishedAt = new Date(),
): RunReport {
  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'HookRun',
    source: inputs.source,
    scope: inputs.scope,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    phases: phases.map((p) => ({ ...p, summary: summarize(p.pods) })),
    interrupted,
    summary: summarize(phases.flatMap((p) => p.pods)),
  };
}
