// Views of annotate's results: one status line per object (stdout, or stderr when -o prints the
// objects), warnings and errors, and the resulting objects as json or yaml.

import type { AnnotateOutcome, DryRun, TargetResult } from '../report/annotate-report.ts';
import { escapeLine } from './escape.ts';
import { serialize } from './render.ts';

export interface ResultLines {
  /** Lines for stderr: warnings, and the error of a failed object. */
  stderr: string;
  /** "pod/web-0 annotated (dry run)": for stdout, or stderr when the objects are printed. */
  status: string;
}

export function resultLines(r: TargetResult, dryRun: DryRun): ResultLines {
  const stderr = r.warnings.map((w) => `warning: ${escapeLine(w)}\n`).join('');
  if (r.status === 'failed') return { stderr: `${stderr}error: ${escapeLine(r.error ?? '')}\n`, status: '' };
  const suffix = r.status !== 'annotated' ? '' : dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
  return { stderr, status: `${escapeLine(r.ref)} ${r.status}${r.template ? ' (pod template)' : ''}${suffix}\n` };
}

/** -o json|yaml: the edited documents (--local) or the resulting objects; a List when there are several. */
export function renderAnnotated(outcome: AnnotateOutcome, format: 'json' | 'yaml'): string {
  const list = (items: unknown[]) => (items.length === 1 ? items[0] : { apiVersion: 'v1', kind: 'List', items });
  if (outcome.documents) {
    const docs = outcome.documents;
    return format === 'yaml' ? docs.map((d) => serialize(d, 'yaml')).join('---\n') : serialize(list(docs), 'json');
  }
  return serialize(list(outcome.results.filter((r) => r.object).map((r) => r.object)), format);
}
