// Reads only some fields of a JSON document, without building the rest: a pod list page is ~3 MB of
// JSON of which a hook needs a few hundred bytes per pod (names, labels, annotations, containers,
// status). JSON.parse of the whole page builds every field (managedFields, env, probes…) only for
// them to be dropped, and at 500 pods a page those objects outlive the young generation: the heap
// grows with the cluster before a full GC. Here the skipped parts are scanned, never built, and the
// picked values are built by JSON.parse from their own text, so they are exactly what JSON.parse
// would give. The scan is strict where it matters: a truncated or unbalanced document is refused.

/**
 * What to pick: `true` takes the whole value; an object picks those keys of an object value; a
 * one-element array picks that shape from every element of an array value. Other keys are skipped.
 * A value of another type than the shape expects is taken whole (the caller's checks see it as is).
 */
export type Shape = true | { readonly [key: string]: Shape } | readonly [Shape];

export class NotJson extends Error {
  constructor(at: number, what: string) {
    super(`not JSON at offset ${at}: ${what}`);
    this.name = 'NotJson';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The keys of an object shape, by their UTF-8 length, for comparing keys without decoding them. */
interface KeyTable {
  byKey: { readonly [key: string]: Shape };
  byLength: Map<number, { key: string; bytes: Uint8Array }[]>;
}
const keyTables = new WeakMap<object, KeyTable>();

function keyTable(shape: { readonly [key: string]: Shape }): KeyTable {
  let t = keyTables.get(shape);
  if (!t) {
    t = { byKey: shape, byLength: new Map() };
    for (const key of Object.keys(shape)) {
      const bytes = Buffer.from(key, 'utf8');
      const list = t.byLength.get(bytes.length) ?? [];
      list.push({ key, bytes });
      t.byLength.set(bytes.length, list);
    }
    keyTables.set(shape, t);
  }
  return t;
}

/**
 * Scans UTF-8 bytes: the delimiters are ASCII, and no byte of a multi-byte character is ASCII, so
 * nothing is decoded but the picked values (as TextDecoder would: invalid bytes become U+FFFD).
 */
class Scanner {
  pos = 0;
  readonly bytes: Uint8Array;
  readonly end: number;
  /** The same bytes as a Buffer, for its fast UTF-8 decoding (invalid bytes become U+FFFD, as TextDecoder does). */
  private readonly buf: Buffer;
  /** Applied to each element picked by `each.shape` (by identity), as soon as it is built. */
  private readonly each: Each | undefined;
  constructor(bytes: Uint8Array, end: number, each?: Each) {
    this.bytes = bytes;
    this.end = end;
    this.each = each;
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  ws(): void {
    const b = this.bytes;
    while (this.pos < this.end && isWs(b[this.pos] as number)) this.pos++;
  }

  at(): number {
    return this.pos < this.end ? (this.bytes[this.pos] as number) : -1;
  }

  expect(code: number): void {
    this.ws();
    if (this.at() !== code) throw new NotJson(this.pos, `expected "${String.fromCharCode(code)}"`);
    this.pos++;
  }

  text(a: number, b: number): string {
    return this.buf.toString('utf8', a, b);
  }

  /** The end of the string starting at `from` (the opening quote): the index after the closing quote. */
  stringEnd(from: number): number {
    const b = this.bytes;
    const end = this.end;
    for (let i = from + 1; i < end; i++) {
      const c = b[i];
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) i++;
    }
    throw new NotJson(from, 'unterminated string');
  }

  /** Skips one value, returning its [start, end) span. */
  skip(): [number, number] {
    this.ws();
    const b = this.bytes;
    const start = this.pos;
    const c = this.at();
    if (c === QUOTE) {
      this.pos = this.stringEnd(start);
      return [start, this.pos];
    }
    if (c !== OPEN_OBJ && c !== OPEN_ARR) {
      // A number, true, false or null: up to the next delimiter (JSON.parse checks it if it is picked).
      let i = start;
      while (i < this.end) {
        const d = b[i] as number;
        if (d === COMMA || d === CLOSE_OBJ || d === CLOSE_ARR || isWs(d)) break;
        i++;
      }
      if (i === start) throw new NotJson(start, 'expected a value');
      this.pos = i;
      return [start, i];
    }
    let depth = 0;
    let i = start;
    const end = this.end;
    while (i < end) {
      const d = b[i] as number;
      if (d === QUOTE) {
        // The string, inline (the hot loop: most of a page is skipped).
        for (i++; i < end; i++) {
          const e = b[i];
          if (e === QUOTE) break;
          if (e === BACKSLASH) i++;
        }
        if (i >= end) throw new NotJson(start, 'unterminated string');
        i++;
        continue;
      }
      if (d === OPEN_OBJ || d === OPEN_ARR) depth++;
      else if (d === CLOSE_OBJ || d === CLOSE_ARR) {
        depth--;
        if (depth === 0) {
          this.pos = i + 1;
          return [start, this.pos];
        }
      }
      i++;
    }
    throw new NotJson(start, 'unterminated object or array');
  }

  /** One value, whole: JSON.parse of its text. */
  whole(): unknown {
    const [a, b] = this.skip();
    try {
      return JSON.parse(this.text(a, b));
    } catch (e) {
      throw new NotJson(a, (e as Error).message);
    }
  }

  pick(shape: Shape): unknown {
    if (shape === true) return this.whole();
    this.ws();
    const c = this.at();
    if (Array.isArray(shape)) return c === OPEN_ARR ? this.array(shape[0] as Shape) : this.whole();
    return c === OPEN_OBJ ? this.object(shape as { readonly [key: string]: Shape }) : this.whole();
  }

  array(shape: Shape): unknown[] {
    this.expect(OPEN_ARR);
    const out: unknown[] = [];
    this.ws();
    if (this.at() === CLOSE_ARR) {
      this.pos++;
      return out;
    }
    const map = this.each?.shape === shape ? this.each.map : undefined;
    for (;;) {
      out.push(map ? map(this.pick(shape)) : this.pick(shape));
      this.ws();
      const c = this.at();
      this.pos++;
      if (c === CLOSE_ARR) return out;
      if (c !== COMMA) throw new NotJson(this.pos - 1, 'expected "," or "]"');
    }
  }

  /**
   * The next key, if it is one of `wanted` (compared as bytes: most keys of a pod are skipped, and
   * decoding each one cost more than the rest of the scan), else null.
   */
  key(wanted: KeyTable): string | null {
    this.ws();
    if (this.at() !== QUOTE) throw new NotJson(this.pos, 'expected a key');
    const start = this.pos;
    const end = this.stringEnd(start);
    this.pos = end;
    const b = this.bytes;
    let escaped = false;
    for (let i = start + 1; i < end - 1; i++) if (b[i] === BACKSLASH) escaped = true;
    if (escaped) {
      const k = JSON.parse(this.text(start, end)) as string;
      return Object.hasOwn(wanted.byKey, k) ? k : null;
    }
    const candidates = wanted.byLength.get(end - start - 2);
    if (!candidates) return null;
    for (const c of candidates) {
      let same = true;
      for (let i = 0; i < c.bytes.length; i++) {
        if (b[start + 1 + i] !== c.bytes[i]) {
          same = false;
          break;
        }
      }
      if (same) return c.key;
    }
    return null;
  }

  object(shape: { readonly [key: string]: Shape }): Record<string, unknown> {
    this.expect(OPEN_OBJ);
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.at() === CLOSE_OBJ) {
      this.pos++;
      return out;
    }
    const wanted = keyTable(shape);
    for (;;) {
      const k = this.key(wanted);
      this.expect(COLON);
      const sub = k === null ? undefined : shape[k];
      if (k === null || sub === undefined) this.skip();
      // JSON.parse makes "__proto__" an own property; so does the picker.
      else if (k === '__proto__')
        Object.defineProperty(out, k, { value: this.pick(sub), enumerable: true, writable: true, configurable: true });
      else out[k] = this.pick(sub);
      this.ws();
      const c = this.at();
      this.pos++;
      if (c === CLOSE_OBJ) return out;
      if (c !== COMMA) throw new NotJson(this.pos - 1, 'expected "," or "}"');
    }
  }
}

/**
 * Elements of arrays picked by `shape` (the same object) go through `map` as soon as each is built,
 * and the array holds what it returns: a caller that keeps a few of a page's pods reduces each at
 * once, and the page's picked pods die young instead of outliving a scavenge together (at 500 pods a
 * page they were promoted to the old generation, which grew by ~2 MB per scavenge until a full GC).
 */
export interface Each {
  shape: Shape;
  map: (item: unknown) => unknown;
}

/**
 * The fields of `shape` from the JSON document in `doc` (text, or UTF-8 bytes up to `length`);
 * nothing may follow the document. With `each`, see Each (the document is then mapped as it is read:
 * a malformed one throws after `map` has seen the elements before the fault).
 */
export function pickJson(doc: string | Uint8Array, shape: Shape, length?: number, each?: Each): unknown {
  const bytes = typeof doc === 'string' ? Buffer.from(doc, 'utf8') : doc;
  const s = new Scanner(bytes, length ?? bytes.length, each);
  const out = s.pick(shape);
  s.ws();
  if (s.pos !== s.end) throw new NotJson(s.pos, 'text after the document');
  return out;
}

/**
 * One buffer for the pages of a listing, reused from page to page: a page's bytes are garbage once
 * picked, and fresh buffers (or strings) of a few MB per page pile up in the old generation until a
 * full GC, which V8 puts off: the heap would grow with the cluster, not with what is kept.
 */
export class PageBuffer {
  bytes = new Uint8Array(1 << 20);
  length = 0;

  /** Appends a chunk, growing the buffer by doubling. */
  push(chunk: Uint8Array): void {
    if (this.length + chunk.byteLength > this.bytes.byteLength) {
      let size = this.bytes.byteLength * 2;
      while (size < this.length + chunk.byteLength) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.bytes.subarray(0, this.length));
      this.bytes = next;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.byteLength;
  }
}

/**
 * What a hook needs of a pod in a list (hooks/workloads.ts podFromObject and the scope checks read
 * no more): kind, metadata without managedFields, container names (and the init containers'
 * restartPolicy), the phase and each container's name and state.
 */
export const POD_SHAPE: Shape = {
  kind: true,
  metadata: { name: true, namespace: true, uid: true, labels: true, annotations: true, ownerReferences: true, deletionTimestamp: true },
  // template and jobTemplate: an answer that holds a workload instead of a pod is read as one.
  spec: { containers: [{ name: true }], initContainers: [{ name: true, restartPolicy: true }], template: true, jobTemplate: true },
  status: { phase: true, containerStatuses: [{ name: true, state: true }] },
};

/** A list page: its metadata, and each item picked by `item`. */
export const listShape = (item: Shape): Shape => ({ kind: true, apiVersion: true, metadata: true, items: [item] });
