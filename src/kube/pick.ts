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

const WS = new Set([0x20, 0x0a, 0x0d, 0x09]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

class Scanner {
  pos = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length && WS.has(t.charCodeAt(this.pos))) this.pos++;
  }

  expect(code: number): void {
    this.ws();
    if (this.text.charCodeAt(this.pos) !== code) throw new NotJson(this.pos, `expected "${String.fromCharCode(code)}"`);
    this.pos++;
  }

  /** The end of the string starting at pos (the opening quote): the index after the closing quote. */
  stringEnd(from: number): number {
    const t = this.text;
    let i = from + 1;
    for (;;) {
      const q = t.indexOf('"', i);
      if (q < 0) throw new NotJson(from, 'unterminated string');
      let bs = 0;
      for (let k = q - 1; k > from && t.charCodeAt(k) === BACKSLASH; k--) bs++;
      if (bs % 2 === 0) return q + 1;
      i = q + 1;
    }
  }

  /** Skips one value, returning its [start, end) span. */
  skip(): [number, number] {
    this.ws();
    const t = this.text;
    const start = this.pos;
    const c = t.charCodeAt(start);
    if (c === QUOTE) {
      this.pos = this.stringEnd(start);
      return [start, this.pos];
    }
    if (c !== OPEN_OBJ && c !== OPEN_ARR) {
      // A number, true, false or null: up to the next delimiter.
      let i = start;
      while (i < t.length) {
        const d = t.charCodeAt(i);
        if (d === COMMA || d === CLOSE_OBJ || d === CLOSE_ARR || WS.has(d)) break;
        i++;
      }
      if (i === start) throw new NotJson(start, 'expected a value');
      this.pos = i;
      return [start, i];
    }
    let depth = 0;
    let i = start;
    while (i < t.length) {
      const d = t.charCodeAt(i);
      if (d === QUOTE) {
        i = this.stringEnd(i);
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
      return JSON.parse(this.text.slice(a, b));
    } catch (e) {
      throw new NotJson(a, (e as Error).message);
    }
  }

  pick(shape: Shape): unknown {
    if (shape === true) return this.whole();
    this.ws();
    const c = this.text.charCodeAt(this.pos);
    if (Array.isArray(shape)) return c === OPEN_ARR ? this.array(shape[0] as Shape) : this.whole();
    return c === OPEN_OBJ ? this.object(shape as { readonly [key: string]: Shape }) : this.whole();
  }

  array(shape: Shape): unknown[] {
    this.expect(OPEN_ARR);
    const out: unknown[] = [];
    this.ws();
    if (this.text.charCodeAt(this.pos) === CLOSE_ARR) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.pick(shape));
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === CLOSE_ARR) return out;
      if (c !== COMMA) throw new NotJson(this.pos - 1, 'expected "," or "]"');
    }
  }

  key(): string {
    this.ws();
    if (this.text.charCodeAt(this.pos) !== QUOTE) throw new NotJson(this.pos, 'expected a key');
    const start = this.pos;
    this.pos = this.stringEnd(start);
    const raw = this.text.slice(start + 1, this.pos - 1);
    return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  object(shape: { readonly [key: string]: Shape }): Record<string, unknown> {
    this.expect(OPEN_OBJ);
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.text.charCodeAt(this.pos) === CLOSE_OBJ) {
      this.pos++;
      return out;
    }
    for (;;) {
      const k = this.key();
      this.expect(COLON);
      const sub = Object.hasOwn(shape, k) ? shape[k] : undefined;
      if (sub === undefined) this.skip();
      else if (k === '__proto__') Object.defineProperty(out, k, { value: this.pick(sub), enumerable: true, writable: true, configurable: true });
      else out[k] = this.pick(sub);
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === CLOSE_OBJ) return out;
      if (c !== COMMA) throw new NotJson(this.pos - 1, 'expected "," or "}"');
    }
  }
}

/** The fields of `shape` from the JSON document `text`; nothing may follow the document. */
export function pickJson(text: string, shape: Shape): unknown {
  const s = new Scanner(text);
  const out = s.pick(shape);
  s.ws();
  if (s.pos !== text.length) throw new NotJson(s.pos, 'text after the document');
  return out;
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
