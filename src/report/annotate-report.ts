// What `annotate` reports per object: annotated, unchanged or failed, with the changes, the findings
// and the resulting object; with --local, the edited documents.

import type { Finding } from '../hooks/types.ts';

/** --dry-run: none, client (show, change nothing) or server (validated by the API server, not saved). */
export type DryRun = 'none' | 'client' | 'server';
export const DRY_RUN_MODES: readonly DryRun[] = ['none', 'client', 'server'];

export interface TargetResult {
  /** "pod/web-0", "deployment.apps/db" */
  ref: string;
  namespace: string;
  template: boolean;
  status: 'annotated' | 'unchanged' | 'failed';
  error?: string;
  warnings: string[];
  findings: Finding[];
  changes: Record<string, string | null>;
  object?: Record<string, unknown>;
}

export interface AnnotateOutcome {
  results: TargetResult[];
  /** --local: every top-level document of every file, edited in place. */
  documents?: unknown[];
}
