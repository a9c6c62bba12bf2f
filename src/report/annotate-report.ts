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
  /** --local: the file the object is in ("<stdin>" for -f -). */
  file?: string;
}

/** --local: one input stream (a file, or stdin) after the edit. */
export interface EditedFile {
  /** The file as given ("<stdin>" for -f -). */
  origin: string;
  /** The stream is JSON (printed as JSON unless -o yaml asks otherwise). */
  json: boolean;
  /** The text after the edit: the input, byte for byte, outside the annotation lines changed. */
  text: string;
  /** The text as it was read. */
  original: string;
  changed: boolean;
  /** Its top-level documents as they read after the edit. */
  roots: unknown[];
}

export interface AnnotateOutcome {
  results: TargetResult[];
  /** --local: every top-level document of every file, edited in place. */
  documents?: unknown[];
  /** --local: every input stream, edited; with --in-place, the changed ones were written back. */
  files?: EditedFile[];
}
