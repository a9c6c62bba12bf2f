// annotate --local: the planned annotation changes are made in the text of each input (the `yaml`
// library's round trip, manifests/roundtrip.ts), read back to check they mean exactly what was
// planned, and with --in-place written back, each file atomically, only once every file is ready.

import { isDeepStrictEqual } from 'node:util';
import { UsageError, UserError } from '../errors.ts';
import { isObject } from '../hooks/json.ts';
import type { LoadedManifests, ManifestDocument } from '../manifests/load.ts';
import { parseManifestText } from '../manifests/load.ts';
import type { AnnotationEdit } from '../manifests/roundtrip.ts';
import { loadRoundTrip } from '../manifests/roundtrip-loader.ts';
import { checkReplaceable, NotReplaceable, replaceFile } from '../manifests/write.ts';
import type { EditedFile } from '../report/annotate-report.ts';

/** One object's change: where it is, the path to its pod metadata, and the annotation changes. */
export interface PlannedEdit {
  doc: ManifestDocument;
  path: readonly string[];
  changes: Record<string, string | null>;
  ref: string;
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
    return true;
  } catch {
    return false;
  }
}

function annotationsAt(obj: Record<string, unknown>, path: readonly string[], create: boolean): Record<string, unknown> | null {
  let cur: Record<string, unknown> = obj;
  for (const p of [...path, 'annotations']) {
    if (!isObject(cur[p])) {
      if (!create) return null;
      cur[p] = {};
    }
    cur = cur[p] as Record<string, unknown>;
  }
  return cur;
}

/** The object as the edit leaves it: only the changed keys differ (non-string values stay). */
function applyChanges(e: PlannedEdit) {
  const ann = annotationsAt(e.doc.object, e.path, true) as Record<string, unknown>;
  for (const [k, v] of Object.entries(e.changes)) {
    if (v === null) delete ann[k];
    else ann[k] = v;
  }
}

/** For comparing readings: an empty or null `annotations` (or `metadata`) map is the same as none. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const n = normalize(x);
    const empty = n === null || (isObject(n) && Object.keys(n).length === 0);
    if ((k === 'annotations' || k === 'metadata') && empty) continue;
    out[k] = n;
  }
  return out;
}

async function editStream(origin: string, text: string, roots: unknown[], planned: PlannedEdit[]): Promise<EditedFile> {
  const json = isJsonText(text);
  if (planned.length === 0) return { origin, json, text, original: text, changed: false, roots };
  const edits: AnnotationEdit[] = planned.map((e) => {
    const ann = annotationsAt(e.doc.object, e.path, false) ?? {};
    const before = Object.fromEntries(Object.keys(e.changes).map((k) => [k, typeof ann[k] === 'string' ? ann[k] : undefined]));
    return { root: e.doc.root ?? 0, item: e.doc.item, path: e.path, changes: e.changes, before, ref: e.ref };
  });
  for (const e of planned) applyChanges(e);
  const out = (await loadRoundTrip()).editAnnotations(text, edits, json);
  if (!out.ok) throw new UserError(`${origin}: ${out.error}`);
  const reread = parseManifestText(out.text, origin);
  if (reread.findings.length > 0 || !isDeepStrictEqual(normalize(reread.roots), normalize(roots))) {
    throw new UserError(
      `${origin}: the edited text does not read back as the planned change, so it was not used; edit the file by hand (and please report this)`,
    );
  }
  return { origin, json, text: out.text, original: text, changed: out.text !== text, roots: reread.roots };
}

function reason(e: unknown): string {
  return e instanceof NotReplaceable ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
}

/** Edits every stream; with `write`, replaces the changed files once all of them are ready. */
export async function applyLocalEdits(loaded: LoadedManifests, planned: readonly PlannedEdit[], write: boolean): Promise<EditedFile[]> {
  const byStream = new Map<number, PlannedEdit[]>();
  for (const e of planned) {
    const list = byStream.get(e.doc.stream ?? 0);
    if (list) list.push(e);
    else byStream.set(e.doc.stream ?? 0, [e]);
  }
  const files: EditedFile[] = [];
  for (const [i, s] of loaded.streams.entries()) files.push(await editStream(s.origin, s.text ?? '', s.roots, byStream.get(i) ?? []));
  if (!write) return files;
  const changed = files.filter((f) => f.changed);
  const targets = new Map<string, EditedFile>();
  for (const f of changed) {
    let real: string;
    try {
      real = checkReplaceable(f.origin, f.original);
    } catch (e) {
      throw new UserError(`${f.origin}: cannot be replaced: ${reason(e)}; nothing was written`);
    }
    if (targets.has(real)) throw new UsageError(`${f.origin} is given twice; with --in-place give each file once`);
    targets.set(real, f);
  }
  const written: string[] = [];
  for (const [real, f] of targets) {
    try {
      replaceFile(real, f.text, f.original);
    } catch (e) {
      const before = written.length > 0 ? `; already written: ${written.join(', ')}` : '; nothing was written';
      throw new UserError(`${f.origin}: cannot be written: ${reason(e)}${before}`);
    }
    written.push(f.origin);
  }
  return files;
}
