// The test API server's own label-selector parser and matcher, written from the grammar of
// apimachinery's labels.Parse (k8s.io/apimachinery/pkg/labels/selector.go) and NOT from
// src/hooks/selector.ts: the server must not judge the plugin's selectors with the plugin's code.
// test/e2e-cluster checks this parser, the plugin's and a real kube-apiserver against one table.
//
// Grammar (labels.Parse):
//   selector    ::= requirement ("," requirement)*   (an empty string selects everything)
//   requirement ::= ["!"] KEY [ ("in" | "notin") "(" values ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
// Tokens: whitespace is ' ', '\t', '\r', '\n'; the symbols are = ! ( ) , > <; the longest symbol
// run that forms one of = == != ! ( ) , > < is one token; anything else up to a symbol or
// whitespace is an identifier (or the keyword in / notin, which are identifiers in value position).

type Tok = { kind: 'id' | 'in' | 'notin' | 'sym' | 'end' | 'bad'; text: string };

export type Op = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';
export interface Req {
  key: string;
  op: Op;
  /** Sorted and de-duplicated, as apimachinery's sets.String.List() gives them. */
  values: string[];
}
export type Parsed = { ok: true; reqs: Req[] } | { ok: false; error: string };

const SPACE = new Set([' ', '\t', '\r', '\n']);
const SYMBOL_CHARS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOLS = new Set(['=', '==', '!=', '!', '(', ')', ',', '>', '<']);

function tokens(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && SPACE.has(s[i] as string)) i++;
    if (i >= s.length) {
      out.push({ kind: 'end', text: '' });
      return out;
    }
    if (SYMBOL_CHARS.has(s[i] as string)) {
      // Grow the run while it still names a symbol; stop at the first char that breaks it.
      let best = '';
      let j = i;
      let run = '';
      while (j < s.length && SYMBOL_CHARS.has(s[j] as string)) {
        run += s[j];
        if (SYMBOLS.has(run)) best = run;
        else if (best !== '') break;
        j++;
      }
      if (best === '') {
        out.push({ kind: 'bad', text: run });
        return out;
      }
      out.push({ kind: 'sym', text: best });
      i += best.length;
      continue;
    }
    let j = i;
    while (j < s.length && !SYMBOL_CHARS.has(s[j] as string) && !SPACE.has(s[j] as string)) j++;
    const text = s.slice(i, j);
    out.push({ kind: text === 'in' ? 'in' : text === 'notin' ? 'notin' : 'id', text });
    i = j;
  }
}

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function badKey(key: string): string | null {
  const parts = key.split('/');
  if (parts.length > 2) return `invalid label key "${key}"`;
  const name = parts[parts.length - 1] as string;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (prefix === '' || prefix.length > 253 || !SUBDOMAIN.test(prefix)) return `invalid label key "${key}": bad prefix`;
  }
  if (name === '' || name.length > 63 || !NAME_PART.test(name)) return `invalid label key "${key}"`;
  return null;
}

function badValue(v: string): string | null {
  if (v === '') return null;
  return v.length > 63 || !NAME_PART.test(v) ? `invalid label value "${v}"` : null;
}

/** Parses a labelSelector query parameter; an error for anything labels.Parse rejects. */
export function parseLabelSelector(text: string): Parsed {
  const toks = tokens(text);
  if (toks[toks.length - 1]?.kind === 'bad') return { ok: false, error: `unexpected symbols "${toks[toks.length - 1]?.text}"` };
  let at = 0;
  // In value position the keywords in/notin are plain identifiers.
  const peek = () => toks[at] as Tok;
  const take = () => toks[at++] as Tok;
  const isId = (t: Tok) => t.kind === 'id' || t.kind === 'in' || t.kind === 'notin';
  const reqs: Req[] = [];
  if (peek().kind === 'end') return { ok: true, reqs };
  for (;;) {
    let t = take();
    let negated = false;
    if (t.kind === 'sym' && t.text === '!') {
      negated = true;
      t = take();
    }
    if (!isId(t)) return { ok: false, error: `found '${t.text}', expected: identifier` };
    const key = t.text;
    const kerr = badKey(key);
    if (kerr) return { ok: false, error: kerr };
    const after = peek();
    let req: Req;
    if (after.kind === 'end' || (after.kind === 'sym' && after.text === ',')) {
      req = { key, op: negated ? '!' : 'exists', values: [] };
    } else if (negated) {
      return { ok: false, error: `found '${after.text}', expected: ',' or end after !${key}` };
    } else {
      const op = take();
      if (op.kind === 'in' || op.kind === 'notin') {
        const open = take();
        if (!(open.kind === 'sym' && open.text === '(')) return { ok: false, error: `found '${open.text}' expected: '('` };
        const vals = new Set<string>();
        // values: a comma-separated list where any element may be empty; "()" is the one empty value.
        let expectValue = true;
        for (;;) {
          const v = take();
          if (v.kind === 'sym' && v.text === ')') {
            if (expectValue) vals.add('');
            break;
          }
          if (v.kind === 'sym' && v.text === ',') {
            if (expectValue) vals.add('');
            expectValue = true;
            continue;
          }
          if (isId(v) && expectValue) {
            vals.add(v.text);
            expectValue = false;
            continue;
          }
          return { ok: false, error: `found '${v.text}', expected: ',', ')' or identifier` };
        }
        req = { key, op: op.kind, values: [...vals].sort() };
      } else if (op.kind === 'sym' && ['=', '==', '!=', '>', '<'].includes(op.text)) {
        const v = peek();
        let value = '';
        if (!(v.kind === 'end' || (v.kind === 'sym' && v.text === ','))) {
          take();
          if (!isId(v)) return { ok: false, error: `found '${v.text}', expected: identifier` };
          value = v.text;
        }
        const kind: Op = op.text === '>' ? 'gt' : op.text === '<' ? 'lt' : (op.text as Op);
        if ((kind === 'gt' || kind === 'lt') && !/^[+-]?[0-9]+$/.test(value))
          return { ok: false, error: `for 'Gt', 'Lt' operators, the value must be an integer` };
        if ((kind === 'gt' || kind === 'lt') && !fitsInt64(value)) return { ok: false, error: `the value must be a 64-bit integer` };
        req = { key, op: kind, values: [value] };
      } else {
        return { ok: false, error: `found '${op.text}', expected: in, notin, =, ==, !=, gt, lt` };
      }
    }
    for (const v of req.values) {
      const verr = badValue(v);
      if (verr) return { ok: false, error: verr };
    }
    reqs.push(req);
    const sep = take();
    if (sep.kind === 'end') return { ok: true, reqs };
    if (!(sep.kind === 'sym' && sep.text === ',')) return { ok: false, error: `found '${sep.text}', expected: ',' or 'end of string'` };
    const next = peek();
    if (!(isId(next) || (next.kind === 'sym' && next.text === '!')))
      return { ok: false, error: `found '${next.text}', expected: identifier after ','` };
  }
}

const INT64_MAX = 2n ** 63n - 1n;
function fitsInt64(s: string): boolean {
  const n = BigInt(s.startsWith('+') ? s.slice(1) : s);
  return n <= INT64_MAX && n >= -INT64_MAX - 1n;
}

/** Whether a label set satisfies every requirement (Requirement.Matches). */
export function labelsMatch(reqs: readonly Req[], labels: Readonly<Record<string, string>>): boolean {
  return reqs.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const v = labels[r.key] as string;
    switch (r.op) {
      case 'in':
      case '=':
      case '==':
        return has && r.values.includes(v);
      case 'notin':
      case '!=':
        return !has || !r.values.includes(v);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || !/^[+-]?[0-9]+$/.test(v) || !fitsInt64(v)) return false;
        const n = BigInt(v.startsWith('+') ? v.slice(1) : v);
        const bound = BigInt((r.values[0] as string).replace(/^\+/, ''));
        return r.op === 'gt' ? n > bound : n < bound;
      }
    }
  });
}
