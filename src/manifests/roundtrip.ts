// Round-trip editing of annotations in a manifest's text (annotate --local). The `yaml` library
// (eemeli/yaml) parses the stream into nodes that know their source offsets; the edit is then made
// on the text itself, so every byte outside the annotation lines it adds, changes or removes stays as
// it was: comments, key order, quoting, flow style, blank lines, `---`/`...`, `%YAML` directives, CRLF,
// anchors and aliases. What the objects mean is still read by the loader (yaml.ts, yaml.v2's rules);
// this module only finds where to write, checks that both readings agree on the keys it touches, and
// refuses what it cannot change alone (an alias, an anchor used elsewhere, a merge key on the path).
//
// Loaded only by annotate --local (roundtrip-loader.ts; its own bundle, dist/yaml.cjs).

import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import { isAlias, isMap, isScalar, parseAllDocuments, visit } from 'yaml';

/** The annotation changes for one object of a stream. */
export interface AnnotationEdit {
  /** Index among the stream's non-empty documents. */
  root: number;
  /** Index in `items` when the document is a List. */
  item?: number | undefined;
  /** Keys from the object to the map holding `annotations`, e.g. ["spec", "template", "metadata"]. */
  path: readonly string[];
  /** Annotation key → new value, or null to delete it. */
  changes: Record<string, string | null>;
  /** The current values of the changed keys, as the loader read them (undefined: absent). */
  before: Record<string, string | undefined>;
  /** "deployment.apps/db", for messages. */
  ref: string;
}

export type EditOutcome = { ok: true; text: string } | { ok: false; error: string };

/** How many aliases the reading of a touched value may expand (yaml's own alias-bomb guard). */
const MAX_ALIAS_COUNT = 100;

interface Splice {
  start: number;
  end: number;
  text: string;
}

type Tree = { [key: string]: string | Tree };

class Refused extends Error {}

type QuoteStyle = 'plain' | 'single' | 'double';

/** A scalar that YAML 1.1 and 1.2 (yaml.v2, js-yaml, yaml) all read as this same string, unquoted. */
function plainSafe(s: string): boolean {
  if (/^(y|n|yes|no|on|off|true|false|null)$/i.test(s)) return false;
  if (/^[A-Za-z_/][A-Za-z0-9_./-]*$/.test(s)) return true;
  return /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/.test(s); // a Go duration such as 30s or 1h30m
}

class TextEditor {
  readonly splices: Splice[] = [];
  readonly eol: string;
  readonly src: string;
  readonly json: boolean;
  private readonly aliased = new Set<string>();

  constructor(src: string, json: boolean, doc: Document) {
    this.src = src;
    this.json = json;
    this.eol = src.includes('\r\n') ? '\r\n' : '\n';
    visit(doc, {
      Alias: (_k, n) => {
        this.aliased.add(n.source);
      },
    });
  }

  lineStart(pos: number): number {
    return this.src.lastIndexOf('\n', pos - 1) + 1;
  }

  column(pos: number): number {
    return pos - this.lineStart(pos);
  }

  /** The offset after the end of the line holding `pos` (after its line break). */
  lineEndAfter(pos: number): number {
    const i = this.src.indexOf('\n', pos);
    return i < 0 ? this.src.length : i + 1;
  }

  /** Only blanks (or a `- ` of a sequence item) before `pos` on its line. */
  startsLine(pos: number): boolean {
    return /^[ \t]*$/.test(this.src.slice(this.lineStart(pos), pos));
  }

  scalar(s: string, style: QuoteStyle = 'plain'): string {
    if (this.json || style === 'double' || /[\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(s)) return JSON.stringify(s);
    if (style === 'plain' && plainSafe(s)) return s;
    return `'${s.replace(/'/g, "''")}'`;
  }

  /** Refuses a node that an alias elsewhere shares: changing it would change the alias too. */
  checkShared(node: Node | null | undefined, what: string) {
    if (node && 'anchor' in node && node.anchor && this.aliased.has(node.anchor)) {
      throw new Refused(`${what} has the YAML anchor &${node.anchor}, which an alias also uses; edit it by hand`);
    }
  }
}

function styleOf(node: unknown): QuoteStyle {
  if (!isScalar(node)) return 'plain';
  return node.type === 'QUOTE_DOUBLE' ? 'double' : node.type === 'QUOTE_SINGLE' ? 'single' : 'plain';
}

function keyOf(p: Pair): string | null {
  return isScalar(p.key) ? String(p.key.value) : null;
}

function isMergeKey(p: Pair): boolean {
  return isScalar(p.key) && p.key.value === '<<' && p.key.type === 'PLAIN';
}

/** The pair of `map` with this key, refusing a map that merges keys in (`<<`) or has complex keys. */
function pairOf(map: YAMLMap, key: string, where: string): Pair | undefined {
  if (map.items.some(isMergeKey)) throw new Refused(`${where} uses a YAML merge key (<<); edit it by hand`);
  if (map.items.some((p) => keyOf(p) === null)) throw new Refused(`${where} has a key that is not a scalar; edit it by hand`);
  return map.items.find((p) => keyOf(p) === key) as Pair | undefined;
}

function nodeEnd(p: Pair): number {
  const v = p.value as Node | null;
  return v?.range ? v.range[1] : ((p.key as Node).range?.[1] ?? 0);
}

function keyStart(p: Pair): number {
  return (p.key as Node).range?.[0] ?? 0;
}

function isNullScalar(n: unknown): n is Scalar {
  return isScalar(n) && n.value === null;
}

/** Where a new block map must be indented: the step between a map's keys and its parent's. */
interface Place {
  map: YAMLMap;
  /** Column of the key holding this map, or -1 for a document's root. */
  parentColumn: number;
  /** New block pairs go first (a pod template's `metadata:`), not last. */
  first?: boolean;
  /** The pair holding this map, and the map holding that pair. */
  pair?: Pair;
  parent?: Place;
}

function stepOf(ed: TextEditor, place: Place): number {
  const first = place.map.items[0];
  if (!first || place.map.flow || place.parentColumn < 0) return 2;
  const step = ed.column(keyStart(first)) - place.parentColumn;
  return step > 0 ? step : 2;
}

function renderBlock(ed: TextEditor, tree: Tree, indent: number, step: number, style: QuoteStyle): string {
  let out = '';
  for (const [k, v] of Object.entries(tree)) {
    const head = `${' '.repeat(indent)}${ed.scalar(k, style)}:`;
    out +=
      typeof v === 'string'
        ? `${head} ${ed.scalar(v, style)}${ed.eol}`
        : `${head}${ed.eol}${renderBlock(ed, v, indent + step, step, style)}`;
  }
  return out;
}

function renderFlow(ed: TextEditor, tree: Tree, style: QuoteStyle, sep = ': ', join = ', '): string {
  const items = Object.entries(tree).map(
    ([k, v]) => `${ed.scalar(k, style)}${sep}${typeof v === 'string' ? ed.scalar(v, style) : renderFlow(ed, v, style, sep, join)}`,
  );
  return `{${items.join(join)}}`;
}

interface FlowLayout {
  /** Written over several lines, each item starting its own line (pretty JSON). */
  multi: boolean;
  itemIndent: number;
  closeIndent: number;
  /** Between a key and its value (": ", or ":" in compact JSON), and between items. */
  sep: string;
  join: string;
}

function flowLayout(ed: TextEditor, map: YAMLMap): FlowLayout {
  const [start, end] = map.range ?? [0, 0];
  const [first, second] = map.items;
  const openIndent = ed.src.slice(ed.lineStart(start), start + 1).match(/^[ \t]*/)?.[0].length ?? 0;
  const multi = ed.src.slice(start, end).includes('\n') && (!first || ed.startsLine(keyStart(first)));
  const closeIndent = ed.startsLine(end - 1) ? ed.column(end - 1) : openIndent;
  const itemIndent = first && ed.startsLine(keyStart(first)) ? ed.column(keyStart(first)) : openIndent + 2;
  let sep = ed.json && ed.src[start + 1] !== ' ' && ed.src[start + 1] !== '\n' && ed.src[start + 1] !== '\r' ? ':' : ': ';
  if (first?.value && (first.key as Node).range) {
    const between = ed.src.slice((first.key as Node).range?.[1], (first.value as Node).range?.[0]);
    if (/^\s*:\s*$/.test(between) && !between.includes('\n')) sep = between.trimStart();
  }
  let join = sep === ':' ? ',' : ', ';
  if (first && second && !multi) {
    const gap = ed.src.slice(nodeEnd(first), keyStart(second));
    if (/^\s*,\s*$/.test(gap) && !gap.includes('\n')) join = gap.trimStart();
  }
  return { multi, itemIndent, closeIndent, sep, join };
}

/** Adds pairs to a map: a flow map gets them first (no line of it changes), a block map last. */
function addPairs(ed: TextEditor, place: Place, tree: Tree, style: QuoteStyle, last = place.map.items[place.map.items.length - 1]) {
  const { map } = place;
  if (map.flow) {
    const [start, end] = map.range ?? [0, 0];
    const lay = flowLayout(ed, map);
    const first = map.items[0];
    // JSON-like keys ("a": …) get JSON-like company, even where a directive makes the file YAML.
    if (mapStyle(map) === 'double') style = 'double';
    const step = Math.max(lay.itemIndent - lay.closeIndent, 1);
    const items = Object.entries(tree).map(([k, v]) => {
      const value =
        typeof v === 'string'
          ? ed.scalar(v, style)
          : lay.multi
            ? prettyFlow(ed, v, lay.itemIndent, step, lay.sep)
            : renderFlow(ed, v, style, lay.sep, lay.join);
      return `${ed.scalar(k, style)}${lay.sep}${value}`;
    });
    if (!first) ed.splices.push({ start, end, text: `{${items.join(lay.join)}}` });
    else {
      const joiner = lay.multi ? `,${ed.eol}${' '.repeat(lay.itemIndent)}` : lay.join;
      ed.splices.push({ start: keyStart(first), end: keyStart(first), text: items.join(joiner) + joiner });
    }
    return;
  }
  if (!last) throw new Refused('an empty block map cannot be extended; edit it by hand');
  const indent = ed.column(keyStart(last));
  if (!ed.startsLine(keyStart(last)) && !/^[ \t]*- +$/.test(ed.src.slice(ed.lineStart(keyStart(last)), keyStart(last)))) {
    throw new Refused('its layout is unusual (a key that does not start its line); edit it by hand');
  }
  const lines = renderBlock(ed, tree, indent, stepOf(ed, place), style);
  const first = map.items[0] as Pair;
  if (place.first && ed.startsLine(keyStart(first))) {
    ed.splices.push({ start: ed.lineStart(keyStart(first)), end: ed.lineStart(keyStart(first)), text: lines });
    return;
  }
  const at = ed.lineEndAfter(Math.max(nodeEnd(last) - 1, keyStart(last)));
  // At the end of a file without a final line break: still none after the new lines.
  const atEof = at === ed.src.length && !ed.src.endsWith('\n');
  ed.splices.push({ start: at, end: at, text: atEof ? ed.eol + lines.slice(0, -ed.eol.length) : lines });
}

/** A nested map in pretty JSON: one item per line. */
function prettyFlow(ed: TextEditor, tree: Tree, indent: number, step: number, sep: string): string {
  const inner = ' '.repeat(indent + step);
  const items = Object.entries(tree).map(
    ([k, v]) => `${inner}${ed.scalar(k)}${sep}${typeof v === 'string' ? ed.scalar(v) : prettyFlow(ed, v, indent + step, step, sep)}`,
  );
  return `{${ed.eol}${items.join(`,${ed.eol}`)}${ed.eol}${' '.repeat(indent)}}`;
}

function valueTree(changes: Record<string, string | null>): Tree {
  const out: Tree = {};
  for (const [k, v] of Object.entries(changes)) if (v !== null) out[k] = v;
  return out;
}

/** The style of new scalars: double quotes when the map's values are double-quoted. */
function mapStyle(map: YAMLMap | null): QuoteStyle {
  const last = map?.items[map.items.length - 1];
  return last && (styleOf(last.value) === 'double' || styleOf(last.key) === 'double') ? 'double' : 'plain';
}

/** The string value of a pair as yaml reads it (aliases expanded within MAX_ALIAS_COUNT). */
function readValue(doc: Document, p: Pair | undefined): string | undefined {
  if (!p) return undefined;
  const v = p.value as Node | null;
  const js = v ? v.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT }) : null;
  return typeof js === 'string' ? js : undefined;
}

/** Checks that both readings agree on the touched keys, and that none is shared through an anchor. */
function checkTouched(ed: TextEditor, doc: Document, map: YAMLMap | null, edit: AnnotationEdit, where: string) {
  for (const key of Object.keys(edit.changes)) {
    const p = map ? pairOf(map, key, where) : undefined;
    const present = p !== undefined;
    if (present !== (edit.before[key] !== undefined) || readValue(doc, p) !== edit.before[key]) {
      throw new Refused(`${where}.${key} reads differently as YAML 1.2 and as kubectl reads it; quote its value, or edit it by hand`);
    }
    if (p) ed.checkShared(p.value as Node, `${where}.${key}`);
  }
}

/** Changes the pairs of an existing block map of annotations, line by line. */
function editBlock(ed: TextEditor, place: Place, ann: Pair, changes: Record<string, string | null>, where: string) {
  const map = place.map;
  const adds: Tree = {};
  let left = map.items.length;
  const removals: Splice[] = [];
  for (const [key, value] of Object.entries(changes)) {
    const p = pairOf(map, key, where);
    if (!p) {
      if (value !== null) adds[key] = value;
      continue;
    }
    if (!ed.startsLine(keyStart(p))) throw new Refused(`${where}.${key} does not start its line; edit it by hand`);
    const v = p.value as Node | null;
    if (value === null) {
      left--;
      const start = ed.lineStart(keyStart(p));
      removals.push({ start, end: ed.lineEndAfter(Math.max(nodeEnd(p) - 1, keyStart(p))), text: '' });
    } else if (v?.range && v.range[0] < v.range[1]) {
      // A block scalar (`|`, `>`) ends after its line break: the line break stays.
      let end = v.range[1];
      while (end > v.range[0] && /[\r\n]/.test(ed.src[end - 1] as string)) end--;
      ed.splices.push({
        start: v.range[0],
        end,
        text: ed.scalar(value, isScalar(v) && v.type?.startsWith('BLOCK') ? 'plain' : styleOf(v)),
      });
    } else {
      const at = nodeEnd(p);
      ed.splices.push({ start: at, end: at, text: `${ed.src[at - 1] === ':' ? ' ' : ''}${ed.scalar(value, mapStyle(map))}` });
    }
  }
  if (left === 0 && Object.keys(adds).length === 0) {
    // Every annotation goes: so does the `annotations:` key, as if it had never been written, and
    // a `metadata:` that held nothing else (a pod template's, written by an earlier annotate).
    const meta = place.parent;
    const gone = meta?.pair && !meta.map.flow && meta.map.items.length === 1 && ed.startsLine(keyStart(meta.pair)) ? meta.pair : ann;
    if (!ed.startsLine(keyStart(gone))) throw new Refused(`${where} does not start its line; edit it by hand`);
    ed.splices.push({ start: ed.lineStart(keyStart(gone)), end: ed.lineEndAfter(Math.max(nodeEnd(gone) - 1, keyStart(gone))), text: '' });
    return;
  }
  ed.splices.push(...removals);
  if (Object.keys(adds).length > 0) {
    const kept = map.items.filter((p) => !(keyOf(p) !== null && changes[keyOf(p) as string] === null));
    // New keys go after the last pair that stays (or, when all go, where the last one was).
    addPairs(ed, place, adds, mapStyle(map), kept[kept.length - 1] ?? map.items[map.items.length - 1]);
  }
}

/** Rewrites a flow map of annotations (`{a: b}`, or JSON): the pairs kept keep their own text. */
function editFlow(ed: TextEditor, map: YAMLMap, changes: Record<string, string | null>, where: string) {
  const [start, end] = map.range ?? [0, 0];
  const lay = flowLayout(ed, map);
  const style = mapStyle(map);
  const items: string[] = [];
  for (const p of map.items) {
    const key = keyOf(p) as string;
    const v = p.value as Node | null;
    if (!(key in changes)) items.push(ed.src.slice(keyStart(p), nodeEnd(p)));
    else if (changes[key] !== null) {
      const valueStart = v?.range && v.range[0] < v.range[1] ? v.range[0] : nodeEnd(p);
      const head = ed.src.slice(keyStart(p), valueStart);
      items.push(`${head}${/:$/.test(head) ? ' ' : ''}${ed.scalar(changes[key] as string, styleOf(v))}`);
    }
  }
  const known = new Set(map.items.map((p) => keyOf(p)));
  for (const [k, v] of Object.entries(changes))
    if (v !== null && !known.has(k)) items.push(`${ed.scalar(k, style)}${lay.sep}${ed.scalar(v, style)}`);
  void where;
  if (items.length === 0) ed.splices.push({ start, end, text: '{}' });
  else if (lay.multi && map.items.length > 0) {
    const pad = ' '.repeat(lay.itemIndent);
    ed.splices.push({ start, end, text: `{${ed.eol}${pad}${items.join(`,${ed.eol}${pad}`)}${ed.eol}${' '.repeat(lay.closeIndent)}}` });
  } else {
    const inner = ed.src[start + 1] === ' ' && map.items.length > 0 ? ' ' : '';
    ed.splices.push({ start, end, text: `{${inner}${items.join(lay.join)}${inner}}` });
  }
}

/** Walks from the object to the map holding `annotations`, creating what is missing. */
function edit(ed: TextEditor, doc: Document, object: Node, edit: AnnotationEdit) {
  let where = '';
  if (isAlias(object)) throw new Refused('the object is a YAML alias; edit it by hand');
  if (!isMap(object)) throw new Refused('the object is not a map');
  ed.checkShared(object, 'the object');
  let place: Place = { map: object, parentColumn: -1 };
  const path = [...edit.path, 'annotations'];
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string;
    const last = i === path.length - 1;
    const pair = pairOf(place.map, key, where || 'the object');
    where = where ? `${where}.${key}` : key;
    const value = pair?.value as Node | null | undefined;
    if (last) checkTouched(ed, doc, isMap(value) ? value : null, edit, where);
    const adds = valueTree(edit.changes);
    const nested: Tree = path.slice(i + 1).reduceRight<Tree>((t, k) => ({ [k]: t }), adds);
    if (!pair) {
      if (Object.keys(adds).length > 0)
        addPairs(ed, { ...place, first: key === 'metadata' }, { [key]: nested }, ed.json ? 'double' : 'plain');
      return;
    }
    if (isAlias(value)) throw new Refused(`${where} is a YAML alias (*${value.source}); edit it by hand`);
    ed.checkShared(value, where);
    if (isNullScalar(value)) {
      if (Object.keys(adds).length === 0) return;
      const col = ed.column(keyStart(pair));
      if (value.range && value.range[0] === value.range[1]) {
        const at = ed.lineEndAfter(keyStart(pair));
        const lead = at === ed.src.length && !ed.src.endsWith('\n') ? ed.eol : '';
        ed.splices.push({ start: at, end: at, text: lead + renderBlock(ed, nested, col + stepOf(ed, place), stepOf(ed, place), 'plain') });
      } else {
        const [s, e] = value.range ?? [0, 0];
        ed.splices.push({ start: s, end: e, text: renderFlow(ed, nested, 'plain') });
      }
      return;
    }
    if (!isMap(value)) throw new Refused(`${where} is not a map; make it one (key: value) first`);
    const next: Place = { map: value, parentColumn: ed.column(keyStart(pair)), pair, parent: place };
    if (last) {
      if (value.flow) editFlow(ed, value, edit.changes, where);
      else editBlock(ed, next, pair, edit.changes, where);
      return;
    }
    place = next;
  }
}

function isEmptyDocument(d: Document): boolean {
  return d.contents === null || isNullScalar(d.contents);
}

/**
 * Applies `edits` to the text of one stream (a file, or stdin). `json`: the stream is JSON, and new
 * keys and values are written as JSON strings. Either the edited text, or why it cannot be edited.
 */
export function editAnnotations(text: string, edits: readonly AnnotationEdit[], json: boolean): EditOutcome {
  const docs = parseAllDocuments(text, { merge: false, uniqueKeys: true, prettyErrors: false });
  const all = Array.isArray(docs) ? docs : [];
  const bad = all.find((d) => d.errors.length > 0);
  if (bad) return { ok: false, error: `cannot be edited in place: ${(bad.errors[0] as Error).message.split('\n')[0]}` };
  const roots = all.filter((d) => !isEmptyDocument(d));
  const editors = new Map<Document, TextEditor>();
  for (const e of edits) {
    const doc = roots[e.root];
    if (!doc) return { ok: false, error: `cannot be edited in place: the YAML readers see different documents` };
    let ed = editors.get(doc);
    if (!ed) {
      ed = new TextEditor(text, json, doc);
      editors.set(doc, ed);
    }
    try {
      let object = doc.contents as Node;
      if (e.item !== undefined) {
        if (!isMap(object)) throw new Refused('the List is not a map');
        const items = pairOf(object, 'items', 'the List')?.value;
        object = ((items as { items?: Node[] } | undefined)?.items?.[e.item] ?? null) as Node;
        if (!object) throw new Refused('the List item is not where the YAML readers agree');
      }
      edit(ed, doc, object, e);
    } catch (err) {
      if (err instanceof Refused) return { ok: false, error: `${e.ref}: ${err.message}` };
      throw err;
    }
  }
  const splices = [...editors.values()].flatMap((ed) => ed.splices).sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: string[] = [];
  let at = 0;
  for (const s of splices) {
    if (s.start < at) return { ok: false, error: 'cannot be edited in place: two changes overlap' };
    parts.push(text.slice(at, s.start), s.text);
    at = s.end;
  }
  parts.push(text.slice(at));
  return { ok: true, text: parts.join('') };
}
