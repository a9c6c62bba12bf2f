// What run and wrap share: the settings of a hook session, what they need from the terminal
// (confirmation, the report, stderr), the count of what will run, and the thaw command printed when
// post hooks may not have run.

import { OutputDir } from '../engine/output-dir.ts';
import { HookSession } from '../engine/session.ts';
import type { Interrupts } from '../engine/signals.ts';
import type { PodPlan } from '../hooks/plan.ts';
import type { Cluster } from '../kube/cluster.ts';
import { Progress } from '../output/progress.ts';
import type { Style } from '../output/term.ts';
import { shellQuote } from '../output/term.ts';
import type { SourceInfo } from '../report/common.ts';
import type { Inventory } from '../report/inventory.ts';
import type { RunReport } from '../report/run-report.ts';
import { UsageError } from '../errors.ts';
import type { InventoryIO } from './inventory.ts';

/** Bytes of each hook stream kept in memory and in the report (--show-output shows this tail). */
export const MAX_OUTPUT_BYTES = 64 * 1024;
/**
 * Bytes of each stream kept when nothing will print the tail: the table (-o table, wide) without
 * --show-output shows no output, so 1,000 chatty hooks need not hold 62.5 MB of tails (#18).
 */
export const SHORT_OUTPUT_BYTES = 4 * 1024;

/** The tail each hook stream keeps: the full one only when --show-output or the report (-o json, yaml, …) prints it. */
export function tailBytes(s: Pick<ExecSettings, 'showOutput' | 'reportShowsOutput'>): number {
  return s.showOutput || s.reportShowsOutput ? MAX_OUTPUT_BYTES : SHORT_OUTPUT_BYTES;
}

export interface ExecSettings {
  parallel: number;
  failFast: boolean;
  recordEvents: boolean;
  recordEventsWithCommand: boolean;
  showOutput: boolean;
  /** The report format prints each hook's stdout and stderr (json, yaml, jsonpath, …; not the table). */
  reportShowsOutput: boolean;
  outputDir?: string | undefined;
}

export interface ExecIO extends InventoryIO {
  /** Writes to stderr; never throws (a closed stderr must not cost the post phase). */
  say: (text: string) => void;
  /** Writes the hooks' output that --show-output asks for (stdout, or stderr when stdout holds a report for programs); never throws. */
  data?: (text: string) => void;
  /** The style of stderr (progress lines). */
  style: Style;
  /** Asks before running; returns the exit code of a refusal, or null to go ahead. */
  confirm: (what: string, source: SourceInfo) => Promise<number | null>;
  /** Prints the report (waiting for a slow reader of stdout); false when it could not be printed. */
  render: (report: RunReport) => Promise<boolean>;
}

/** The kubeconfig and Backup flags a thaw command repeats. */
export interface ThawFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  cluster?: string | undefined;
  user?: string | undefined;
  backup?: string | undefined;
  backupFile?: string | undefined;
  backupNamespace?: string | undefined;
  flavor?: string | undefined;
}

/** An unusable --output-dir is a usage error before anything is read from the cluster or run. */
export function checkOutputDir(dir: string | undefined): void {
  if (dir) new OutputDir(dir, () => undefined);
}

export function requireCluster(files: readonly string[]): void {
  if (files.length > 0) throw new UsageError('hooks run in a cluster: -f only works with list, validate and dry-run');
}

/** Pods with hooks and hooks in the plan (which holds only the phases asked for). */
export function countHooks(inv: Inventory): { pods: number; hooks: number } {
  const pods = inv.plan.pods.filter((p) => p.hooks.length > 0);
  return { pods: pods.length, hooks: pods.reduce((n, p) => n + p.hooks.length, 0) };
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A session on the cluster; throws a UsageError for an unusable --output-dir before anything runs. */
export function openSession(inv: Inventory, cluster: Cluster, s: ExecSettings, io: ExecIO, interrupts: Interrupts): HookSession {
  const progress = new Progress({
    showOutput: s.showOutput,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    style: io.style,
    say: io.say,
    data: io.data ?? io.say,
  });
  return new HookSession(inv, cluster, {
    parallel: s.parallel,
    failFast: s.failFast,
    recordEvents: s.recordEvents || s.recordEventsWithCommand,
    recordEventsWithCommand: s.recordEventsWithCommand,
    outputDir: s.outputDir,
    maxOutputBytes: tailBytes(s),
    say: io.say,
    interrupts,
    onHookDone: (r) => progress.hookDone(r),
    onPodDone: (run, done, total) => progress.podDone(run, done, total),
  });
}

/** `kubectl ark-hooks run --phase post …` lines (one per namespace) that run the post hooks of these pods. */
export function thawCommands(pods: readonly Pick<PodPlan, 'namespace' | 'name'>[], f: ThawFlags): string[] {
  const flags: string[] = [];
  const add = (flag: string, value: string | undefined) => {
    if (value !== undefined) flags.push(flag, value);
  };
  add('--kubeconfig', f.kubeconfig);
  add('--context', f.context);
  add('--cluster', f.cluster);
  add('--user', f.user);
  add('--backup', f.backup);
  add('--backup-file', f.backupFile);
  add('--backup-namespace', f.backupNamespace);
  if (f.flavor !== 'auto') add('--flavor', f.flavor);
  const byNs = new Map<string, string[]>();
  for (const p of pods) byNs.set(p.namespace, [...(byNs.get(p.namespace) ?? []), p.name]);
  return [...byNs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ns, names]) => shellQuote(['kubectl', 'ark-hooks', 'run', '--phase', 'post', ...flags, '-n', ns, '--yes', ...names.sort()]));
}
