// Views of annotate's results: one status line per object (stdout, or stderr when -o prints the
// objects), warnings and errors, and the resulting objects as json or yaml.

import type { AnnotateOutcome, DryRun, EditedFile, TargetResult } from '../report/annotate-report.ts';
import { escapeLine } from './escape.ts';
import { serialize } from './render.ts';

export interface ResultLines {
  /** Lines for stderr: warnings, and the error of a failed object. */
  stderr: string;
  /** "pod/web-0 annotated (dry run)": for stdout, or stderr when the objects are printed. */
  status: string;
}

/** `inPlace`: the line names the file written ("statefulset.apps/db annotated in k8s/db.yaml (pod template)"). */
export function resultLines(r: TargetResult, dryRun: DryRun, inPlace = false): ResultLines {
  const stderr = r.warnings.map((w) => `warning: ${escapeLine(w)}\n`).join('');
  if (r.status === 'failed') return { stderr: `${stderr}error: ${escapeLine(r.error ?? '')}\n`, status: '' };
  const suffix = r.status !== 'annotated' ? '' : dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
  const file = inPlace && r.file !== undefined ? ` in ${escapeLine(r.file)}` : '';
  return { stderr, status: `${escapeLine(r.ref)} ${r.status}${file}${r.template ? ' (pod template)' : ''}${suffix}\n` };
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

/**
 * --local: every input as edited. Without -o each stream is printed as it was written, YAML as YAML
 * and JSON as JSON, byte for byte outside the changed annotation lines (kubectl prints what it
 * reads); `-o yaml` prints JSON inputs as YAML; `-o json` prints every object as JSON (a List).
 */
export function renderLocal(files: readonly EditedFile[], format: 'json' | 'yaml' | undefined): string {
  if (format === 'json') {
    const docs = files.flatMap((f) => f.roots);
    return serialize(docs.length === 1 ? docs[0] : { apiVersion: 'v1', kind: 'List', items: docs }, 'json');
  }
  let out = '';
  for (const f of files) {
    const text = format === 'yaml' && f.json ? f.roots.map((d) => serialize(d, 'yaml')).join('---\n') : f.text;
    if (text === '') continue;
    if (out !== '') {
      if (!out.endsWith('\n')) out += '\n';
      // The next stream starts a new document: its own `---`, or after directives the end of this one.
      const head = text.replace(/^\uFEFF/, '');
      if (head.startsWith('%')) out += '...\n';
      else if (!/^---(\s|$)/.test(head)) out += '---\n';
    }
    out += text;
  }
  return out;
}
