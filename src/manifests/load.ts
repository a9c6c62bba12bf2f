// Offline inputs: files, directories (recursive) and stdin holding YAML or JSON manifests.
// A file that cannot be read or parsed becomes a finding; the other files are still read.

import { closeSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { extname, join } from 'node:path';
import { UserError } from '../errors.ts';
import type { Finding } from '../hooks/types.ts';
import { loadAllYaml } from './yaml.ts';
import { isObject } from '../hooks/json.ts';
import { finding } from '../hooks/findings.ts';
import type { FindingCode } from '../hooks/findings.ts';

export interface ManifestDocument {
  object: Record<string, unknown>;
  /** "file.yaml" or "file.yaml#2" for the second document of a stream. */
  origin: string;
  /** Where it is: the index of its document among the stream's `roots`, and of a List's item. */
  root?: number;
  item?: number;
  /** The index of its stream in LoadedManifests.streams. */
  stream?: number;
}

export interface ManifestStream {
  origin: string;
  /** The top-level documents as parsed (List items are inside them, shared with `documents`). */
  roots: unknown[];
  /** With `keepText` (annotate --local edits it): the text as read, and the path given ("-": stdin). */
  text?: string;
  path?: string;
}

export interface LoadedManifests {
  documents: ManifestDocument[];
  findings: Finding[];
  files: number;
  streams: ManifestStream[];
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

function fileFinding(origin: string, message: string, code: FindingCode = 'unreadable-manifest'): Finding {
  return finding({ severity: 'error', code, object: origin, field: '', message });
}

const CHUNK = 1024 * 1024;

/** Why a text input cannot be read as a manifest, found while reading it (not after). */
export class InputRefused extends Error {}

/**
 * Reads a file, a device or a FIFO as UTF-8 up to `max` bytes. A regular file's size is known up
 * front; anything else (/dev/zero, /dev/urandom, a pipe) is read in chunks and refused as soon as it
 * turns out binary (a NUL byte) or larger than `max`, so it can never be read forever.
 */
export function readTextBounded(path: string, max = MAX_MANIFEST_BYTES): string {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > max) throw new InputRefused(`larger than ${max / 1024 / 1024} MiB; not read`);
    // A regular file fits its first buffer with a byte to spare, where the read that finds its end
    // goes (a 1 MiB buffer per file was most of the cost of reading a directory of small manifests);
    // every buffer is filled before the next is taken (a pipe gives 64 KiB at a time).
    let buf = Buffer.allocUnsafe(st.isFile() && st.size > 0 ? Math.min(st.size + 1, CHUNK) : CHUNK);
    let used = 0;
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      if (used === buf.length) {
        chunks.push(buf);
        buf = Buffer.allocUnsafe(CHUNK);
        used = 0;
      }
      const n = readSync(fd, buf, used, buf.length - used, null);
      if (n === 0) break;
      if (buf.subarray(used, used + n).includes(0))
        throw new InputRefused('binary data, not a YAML or JSON manifest; pass only manifest files with -f');
      size += n;
      if (size > max) throw new InputRefused(`larger than ${max / 1024 / 1024} MiB; not read`);
      used += n;
    }
    if (chunks.length === 0) return buf.toString('utf8', 0, used);
    chunks.push(buf.subarray(0, used));
    return Buffer.concat(chunks, size).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export const MAX_NODES = 5_000_000;
export const MAX_DEPTH = 512;

/**
 * A plain tree copy of a parsed document. YAML aliases become copies, so a recursive alias or an
 * alias bomb ("billion laughs") would never end: both are refused within fixed limits.
 */
export function boundedCopy(value: unknown, budget: { nodes: number }): { ok: true; value: unknown } | { ok: false; reason: string } {
  const ancestors = new Set<object>();
  const copy = (v: unknown, depth: number): unknown => {
    if (--budget.nodes < 0) throw new Error(`expands to more than ${MAX_NODES.toLocaleString('en')} values (YAML aliases?)`);
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof Date) return v.toISOString();
    if (depth > MAX_DEPTH) throw new Error(`is nested deeper than ${MAX_DEPTH} levels`);
    if (ancestors.has(v)) throw new Error('contains a recursive YAML alias');
    ancestors.add(v);
    let out: unknown;
    if (Array.isArray(v)) out = v.map((x) => copy(x, depth + 1));
    else {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = copy(x, depth + 1);
      out = o;
    }
    ancestors.delete(v);
    return out;
  };
  try {
    return { ok: true, value: copy(value, 0) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** Parses one YAML/JSON stream; List objects are flattened into their items. */
export function parseManifestText(text: string, origin: string): { documents: ManifestDocument[]; findings: Finding[]; roots: unknown[] } {
  const documents: ManifestDocument[] = [];
  const findings: Finding[] = [];
  if (text.includes('\u0000')) {
    return {
      documents,
      roots: [],
      findings: [fileFinding(origin, 'binary data, not a YAML or JSON manifest; pass only manifest files with -f')],
    };
  }
  let docs: unknown[];
  try {
    docs = loadAllYaml(text, origin);
  } catch (e) {
    const err = e as { reason?: string; mark?: { line?: number; column?: number } };
    const where = err.mark?.line !== undefined ? ` at line ${err.mark.line + 1}, column ${(err.mark.column ?? 0) + 1}` : '';
    return {
      documents,
      roots: [],
      findings: [
        fileFinding(
          origin,
          `not valid YAML or JSON${where}: ${err.reason ?? (e as Error).message.split('\n')[0]}; fix the file`,
          'invalid-manifest',
        ),
      ],
    };
  }
  const multi = docs.length > 1;
  const budget = { nodes: MAX_NODES };
  docs = docs.map((raw, i) => {
    const copied = boundedCopy(raw, budget);
    if (copied.ok) return copied.value;
    findings.push(
      fileFinding(multi ? `${origin}#${i + 1}` : origin, `this document ${copied.reason}; it was not read`, 'invalid-manifest'),
    );
    return null;
  });
  let root = -1;
  docs.forEach((doc, i) => {
    const docOrigin = multi ? `${origin}#${i + 1}` : origin;
    if (doc === null || doc === undefined) return;
    root++;
    if (!isObject(doc)) {
      findings.push(
        fileFinding(
          docOrigin,
          'this document is not a Kubernetes object (expected a map with apiVersion and kind); it was skipped',
          'invalid-manifest',
        ),
      );
      return;
    }
    if (typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      doc.items.forEach((item, j) => {
        if (isObject(item)) documents.push({ object: item, origin: `${docOrigin}[${j}]`, root, item: j });
        else
          findings.push(fileFinding(`${docOrigin}[${j}]`, 'this list item is not a Kubernetes object; it was skipped', 'invalid-manifest'));
      });
      return;
    }
    documents.push({ object: doc, origin: docOrigin, root });
  });
  return { documents, findings, roots: docs.filter((d) => d !== null && d !== undefined) };
}

/** push(...items) without spreading: a 130,000-item List would overflow the call stack. */
export function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function walk(dir: string, out: string[], findings: Finding[], seen: Set<string>) {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (e) {
    findings.push(fileFinding(dir, `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`));
    return;
  }
  if (seen.has(real)) return; // a symlink loop, or the same directory twice
  seen.add(real);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    findings.push(fileFinding(dir, `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`));
    return;
  }
  for (const entry of entries) {
    const name = entry.name;
    const path = join(dir, name);
    // The directory's entry says what a file or a directory is; a symlink (or a file system that
    // does not say) is followed with stat.
    let st: { isDirectory(): boolean; isFile(): boolean };
    try {
      st = entry.isFile() || entry.isDirectory() ? entry : statSync(path);
    } catch (e) {
      findings.push(
        fileFinding(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (a broken or looping symlink?)`),
      );
      continue;
    }
    if (st.isDirectory()) walk(path, out, findings, seen);
    else if (st.isFile() && MANIFEST_EXTENSIONS.has(extname(name).toLowerCase())) out.push(path);
  }
}

/** Reads every -f argument: files as given, directories recursively (.yaml, .yml, .json), "-" for stdin. */
export async function loadManifests(
  paths: readonly string[],
  readStdin: () => Promise<string>,
  opts: { keepText?: boolean } = {},
): Promise<LoadedManifests> {
  const kept = (text: string, path: string) => (opts.keepText ? { text, path } : {});
  const result: LoadedManifests = { documents: [], findings: [], files: 0, streams: [] };
  const files: string[] = [];
  const seenDirs = new Set<string>();
  let stdinUsed = false;
  for (const p of paths) {
    if (p === '-') {
      if (stdinUsed) continue;
      stdinUsed = true;
      const text = await readStdin();
      result.files++;
      const parsed = parseManifestText(text, '<stdin>');
      for (const d of parsed.documents) d.stream = result.streams.length;
      result.streams.push({ origin: '<stdin>', roots: parsed.roots, ...kept(text, '-') });
      append(result.documents, parsed.documents);
      append(result.findings, parsed.findings);
      continue;
    }
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError(`the path "${p}" does not exist`);
      result.findings.push(fileFinding(p, `cannot read: ${code ?? (e as Error).message}`));
      continue;
    }
    if (st.isDirectory()) walk(p, files, result.findings, seenDirs);
    else files.push(p);
  }
  for (const file of files) {
    result.files++;
    let text: string;
    try {
      text = readTextBounded(file);
    } catch (e) {
      result.findings.push(
        fileFinding(
          file,
          e instanceof InputRefused ? e.message : `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        ),
      );
      continue;
    }
    const parsed = parseManifestText(text, file);
    for (const d of parsed.documents) d.stream = result.streams.length;
    result.streams.push({ origin: file, roots: parsed.roots, ...kept(text, file) });
    append(result.documents, parsed.documents);
    append(result.findings, parsed.findings);
  }
  return result;
}
