// kubectl's JSONPath template dialect (k8s.io/client-go/util/jsonpath), over plain JSON values:
// text with {actions}: fields (.a.b, ['a'], .*), ..name, [i], [a:b:c], [*], unions [0,2] and
// ['a','b'], filters [?(@.x=="y")], [?(@.x)], {range …}…{end}, and "quoted text". Results of one
// action are joined by a space; maps and lists print as compact JSON with sorted keys and Go's HTML
// escapes, as kubectl does. Missing keys print nothing unless allowMissingKeys is false.
// No npm package implements this dialect (range/end, text between actions), hence this file.

export class JsonPathError extends Error {}

type Params = { value: number; known: boolean; derived: boolean }[];

type Node =
  | { t: 'text'; text: string }
  | { t: 'list'; nodes: Node[] }
  | { t: 'field'; name: string }
  | { t: 'wildcard' }
  | { t: 'recursive' }
  | { t: 'array'; params: Params }
  | { t: 'union'; lists: Node[] }
  | { t: 'filter'; left: Node; right: Node; op: string }
  | { t: 'ident'; name: string }
  | { t: 'int'; value: number }
  | { t: 'float'; value: number }
  | { t: 'bool'; value: boolean };

const isSpace = (c: string) => c === ' ' || c === '\t';
const isEol = (c: string) => c === '\r' || c === '\n';
const isTerminator = (c: string) => isSpace(c) || isEol(c) || c === '' || '.,[]$@{}'.includes(c);
const isAlnum = (c: string) => c === '_' || /^[\p{L}\p{N}]$/u.test(c);

/** Go's strconv.Unquote, for the quoted strings of a template ("\n", '\t', …). */
function unquote(s: string): string {
  const body = s.slice(1, -1);
  if (s[0] === "'") {
    if (!/^'(?:[^'\\]|\\.)*'$/.test(s)) throw new Error('invalid syntax');
  }
  try {
    return JSON.parse(`"${body.replace(/\\'/g, "'").replace(/(^|[^\\])"/g, '$1\\"')}"`) as string;
  } catch {
    throw new Error('invalid syntax');
  }
}

class Parser {
  private pos = 0;
  private start = 0;
  readonly root: Node[] = [];
  private readonly input: string;

  constructor(input: string) {
    this.input = input;
  }

  private next(): string {
    if (this.pos >= this.input.length) {
      this.pos++;
      return '';
    }
    return this.input[this.pos++] as string;
  }
  private backup() {
    this.pos--;
  }
  private peek(): string {
    return this.input[this.pos] ?? '';
  }
  private consume(): string {
    const s = this.input.slice(this.start, Math.min(this.pos, this.input.length));
    this.start = this.pos;
    return s;
  }
  private rest(): string {
    return this.input.slice(this.pos);
  }

  parse(): Node[] {
    for (;;) {
      const i = this.input.indexOf('{', this.pos);
      if (i < 0) {
        this.pos = this.input.length;
        const text = this.consume();
        if (text) this.root.push({ t: 'text', text });
        return this.root;
      }
      this.pos = i;
      const text = this.consume();
      if (text) this.root.push({ t: 'text', text });
      this.pos++;
      this.consume();
      const list: Node[] = [];
      this.root.push({ t: 'list', nodes: list });
      this.inside(list);
    }
  }

  /** The inside of one {action}, up to its closing brace. */
  private inside(cur: Node[]): void {
    for (;;) {
      const rest = this.rest();
      if (rest.startsWith('}')) {
        this.pos++;
        this.consume();
        return;
      }
      if (rest.startsWith('[?(')) {
        this.filter(cur);
        continue;
      }
      if (rest.startsWith('..')) {
        this.pos += 2;
        this.consume();
        cur.push({ t: 'recursive' });
        if (isAlnum(this.peek())) this.field(cur);
        continue;
      }
      const c = this.next();
      if (c === '' || isEol(c)) throw new Error('unclosed action');
      if (c === ' ' || c === '@' || c === '$') this.consume();
      else if (c === '[') this.array(cur);
      else if (c === '"' || c === "'") this.quote(cur, c);
      else if (c === '.') this.field(cur);
      else if (c === '+' || c === '-' || /[0-9]/.test(c)) {
        this.backup();
        this.number(cur);
      } else if (isAlnum(c)) {
        this.backup();
        this.identifier(cur);
      } else throw new Error(`unrecognized character in action: ${goRune(c)}`);
    }
  }

  private field(cur: Node[]) {
    this.consume();
    for (;;) {
      const c = this.next();
      if (c === '\\') this.next();
      else if (isTerminator(c)) {
        this.backup();
        break;
      }
    }
    const value = this.consume();
    cur.push(value === '*' ? { t: 'wildcard' } : { t: 'field', name: value.replaceAll('\\', '') });
  }

  private identifier(cur: Node[]) {
    while (!isTerminator(this.next()));
    this.backup();
    const value = this.consume();
    if (value === 'true' || value === 'false') cur.push({ t: 'bool', value: value === 'true' });
    else cur.push({ t: 'ident', name: value });
  }

  private number(cur: Node[]) {
    const c = this.peek();
    if (c === '+' || c === '-') this.next();
    while (/[0-9.eE+-]/.test(this.peek()) && this.peek() !== '') this.next();
    const value = this.consume();
    if (/^[+-]?\d+$/.test(value)) cur.push({ t: 'int', value: Number(value) });
    else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) cur.push({ t: 'float', value: Number(value) });
    else throw new Error(`cannot parse number ${value}`);
  }

  private quote(cur: Node[], end: string) {
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') throw new Error('unterminated quoted string');
      if (c === '\\') {
        const n = this.next();
        if (n === '' || n === '\n') throw new Error('unterminated quoted string');
      } else if (c === end) break;
    }
    const value = this.consume();
    try {
      cur.push({ t: 'text', text: unquote(value) });
    } catch (e) {
      throw new Error(`unquote string ${value} error ${(e as Error).message}`);
    }
  }

  private array(cur: Node[]) {
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') throw new Error('unterminated array');
      if (c === ']') break;
    }
    let text = this.consume().slice(1, -1);
    if (text === '*') text = ':';
    const parts = text.split(',');
    if (parts.length > 1) {
      cur.push({ t: 'union', lists: parts.map((s) => action(`[${s.trim()}]`)) });
      return;
    }
    const key = /^'([^']*)'$/.exec(text);
    if (key) {
      for (const n of (action(`.${key[1]}`) as { nodes: Node[] }).nodes) cur.push(n);
      return;
    }
    const m = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
    if (!m) throw new Error(`invalid array index ${text}`);
    const params: Params = [];
    for (let i = 0; i < 3; i++) {
      let v = m[i + 1] ?? '';
      if (v !== '') {
        if (i > 0) v = v.slice(1);
        if (i > 0 && v === '') params.push({ value: 0, known: false, derived: false });
        else params.push({ value: Number.parseInt(v, 10), known: true, derived: false });
      } else if (i === 1) params.push({ value: (params[0]?.value ?? 0) + 1, known: true, derived: true });
      else params.push({ value: 0, known: false, derived: false });
    }
    cur.push({ t: 'array', params });
  }

  private filter(cur: Node[]) {
    this.pos += 3;
    this.consume();
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') throw new Error('unterminated filter');
      if (c === '"' || c === "'") {
        if (!begin) {
          begin = true;
          pair = c;
          continue;
        }
        if (pair === c && this.input[this.pos - 2] !== '\\') end = true;
      } else if (c === ')' && begin === end) break;
    }
    if (this.next() !== ']') throw new Error('unclosed array expect ]');
    const text = this.consume().slice(0, -2);
    const m = /^([^!<>=]+)([!<>=]+)(.+?)$/s.exec(text);
    if (!m) cur.push({ t: 'filter', left: action(text), right: { t: 'list', nodes: [] }, op: 'exists' });
    else cur.push({ t: 'filter', left: action(m[1] as string), right: action(m[3] as string), op: m[2] as string });
  }
}

/** One action's text, parsed as if between braces: its list node. */
function action(text: string): Node {
  const nodes = new Parser(`{${text}}`).parse();
  return nodes[0] ?? { t: 'list', nodes: [] };
}

function goRune(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

/** A parsed template; `execute` may run it over any number of values. */
export interface JsonPath {
  readonly template: string;
  execute(data: unknown): string;
}

/**
 * Parses a kubectl JSONPath template. Throws JsonPathError with kubectl's words:
 * `error parsing jsonpath TEMPLATE, REASON` for a template that does not parse.
 */
export function compileJsonPath(template: string, opts: { allowMissingKeys?: boolean } = {}): JsonPath {
  let root: Node[];
  try {
    root = new Parser(template).parse();
  } catch (e) {
    throw new JsonPathError(`error parsing jsonpath ${template}, ${(e as Error).message}`);
  }
  const allowMissing = opts.allowMissingKeys ?? true;
  return {
    template,
    execute(data: unknown): string {
      try {
        const results = new Evaluator(allowMissing).find(root, data);
        return results.map(printResults).join('');
      } catch (e) {
        if (e instanceof JsonPathError) throw e;
        throw new JsonPathError(`error executing jsonpath ${JSON.stringify(template)}: Error executing template: ${(e as Error).message}`);
      }
    },
  };
}

/** A template parsed once, giving the values of its actions over any number of objects (custom-columns, --sort-by). */
export function compileValues(template: string, allowMissingKeys = true): (data: unknown) => unknown[] {
  let root: Node[];
  try {
    root = new Parser(template).parse();
  } catch (e) {
    throw new JsonPathError(`error parsing jsonpath ${template}, ${(e as Error).message}`);
  }
  return (data) => {
    try {
      return new Evaluator(allowMissingKeys).find(root, data).flat();
    } catch (e) {
      throw new JsonPathError(`error executing jsonpath ${JSON.stringify(template)}: Error executing template: ${(e as Error).message}`);
    }
  };
}

/** The values of a template's actions over `data`. */
export function findValues(template: string, data: unknown, allowMissingKeys = true): unknown[] {
  return compileValues(template, allowMissingKeys)(data);
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Text) && !(v instanceof Num);

/** Go's name of a JSON value's type, for error messages ("int64 is not array or slice"). */
function goType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (isMap(v)) return 'map[string]interface {}';
  return 'interface {}';
}

class Evaluator {
  private inRange = 0;
  private beginRange = 0;
  private endRange = 0;
  private lastEnd = -1;
  private readonly allowMissing: boolean;

  constructor(allowMissing: boolean) {
    this.allowMissing = allowMissing;
  }

  /** client-go's FindResults: a result list per root node, with {range}…{end} unrolled. */
  find(nodes: Node[], data: unknown, offset = 0): unknown[][] {
    const full: unknown[][] = [];
    for (let i = offset; i < nodes.length; i++) {
      const results = this.walk([data], nodes[i] as Node);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEnd = i;
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        if (results.length > 0) for (const v of results) full.push(...this.find(nodes, v, i + 1));
        else this.find(nodes, null, i + 1);
        this.inRange--;
        if (this.lastEnd > i) i = this.lastEnd;
        continue;
      }
      full.push(results);
    }
    return full;
  }

  private walk(input: unknown[], node: Node): unknown[] {
    switch (node.t) {
      case 'list': {
        let cur = input;
        for (const n of node.nodes) cur = this.walk(cur, n);
        return cur;
      }
      case 'text':
        return [new Text(node.text)];
      case 'field':
        return this.field(input, node.name);
      case 'wildcard':
        return input.flatMap((v) =>
          isMap(v)
            ? Object.keys(v)
                .sort()
                .map((k) => v[k])
            : [],
        );
      case 'recursive':
        return recursive(input);
      case 'array':
        return input.flatMap((v) => slice(v, node.params));
      case 'union':
        return node.lists.flatMap((l) => this.walk(input, l));
      case 'filter':
        return this.filter(input, node);
      case 'ident':
        return this.ident(input, node.name);
      case 'int':
      case 'float':
        return [new Num(node.value, node.t === 'int')];
      case 'bool':
        return [node.value];
    }
  }

  private field(input: unknown[], name: string): unknown[] {
    if (name === '') return input;
    const out: unknown[] = [];
    for (const v of input) if (isMap(v) && Object.hasOwn(v, name)) out.push(v[name]);
    if (out.length === 0 && !this.allowMissing) throw new Error(`${name} is not found`);
    return out;
  }

  private ident(input: unknown[], name: string): unknown[] {
    if (name === 'range') {
      this.beginRange++;
      return input;
    }
    if (name === 'end') {
      if (this.inRange > 0) {
        this.endRange++;
        return [];
      }
      throw new Error('not in range, nothing to end');
    }
    throw new Error(`unrecognized identifier ${name}`);
  }

  private filter(input: unknown[], node: Extract<Node, { t: 'filter' }>): unknown[] {
    const out: unknown[] = [];
    for (const v of input) {
      if (!Array.isArray(v)) throw new Error(`${goText(v)} is not array or slice and cannot be filtered`);
      for (const item of v) {
        let lefts: unknown[];
        try {
          lefts = this.walk([item], node.left);
        } catch (e) {
          if (node.op === 'exists') continue;
          throw e;
        }
        if (node.op === 'exists') {
          if (lefts.length > 0) out.push(item);
          continue;
        }
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new Error('can only compare one element at a time');
        const rights = this.walk([item], node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new Error('can only compare one element at a time');
        if (compare(lefts[0], rights[0], node.op)) out.push(item);
      }
    }
    return out;
  }
}

/** Template text and number literals, told apart from data. */
class Text {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
class Num {
  readonly value: number;
  readonly int: boolean;
  constructor(value: number, int: boolean) {
    this.value = value;
    this.int = int;
  }
}

function recursive(input: unknown[]): unknown[] {
  const result: unknown[] = [];
  for (const v of input) {
    if (v === null || v === undefined) continue;
    let children: unknown[] = [];
    if (isMap(v))
      children = Object.keys(v)
        .sort()
        .map((k) => v[k]);
    else if (Array.isArray(v)) children = v;
    else if (typeof v === 'string') children = [...Buffer.from(v, 'utf8')];
    if (children.length > 0) {
      result.push(v);
      result.push(...recursive(children));
    }
  }
  return result;
}

function slice(v: unknown, params: Params): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${goType(v)} is not array or slice`);
  const len = v.length;
  const [p0, p1, p2] = params.map((p) => ({ ...p })) as [Params[number], Params[number], Params[number]];
  if (!p0.known) p0.value = 0;
  if (p0.value < 0) p0.value += len;
  if (!p1.known) p1.value = len;
  if (p1.value < 0 || (p1.value === 0 && p1.derived)) p1.value += len;
  if (p1.value === p0.value) return [];
  if (p0.value >= len || p0.value < 0) throw new Error(`array index out of bounds: index ${p0.value}, length ${len}`);
  if (p1.value > len || p1.value < 0) throw new Error(`array index out of bounds: index ${p1.value - 1}, length ${len}`);
  if (p0.value > p1.value) throw new Error(`starting index ${p0.value} is greater than ending index ${p1.value}`);
  let step = 1;
  if (p2.known) {
    if (p2.value <= 0) throw new Error('step must be > 0');
    step = p2.value;
  }
  const part = v.slice(p0.value, p1.value);
  return part.filter((_x, i) => i % step === 0);
}

type Kind = 'int' | 'float' | 'string' | 'bool' | 'other';

function kindOf(v: unknown): [Kind, unknown] {
  if (v instanceof Num) return [v.int ? 'int' : 'float', v.value];
  if (v instanceof Text) return ['string', v.text];
  if (typeof v === 'number') return [Number.isInteger(v) ? 'int' : 'float', v];
  if (typeof v === 'string') return ['string', v];
  if (typeof v === 'boolean') return ['bool', v];
  return ['other', v];
}

/** Go text/template's eq, ne, lt, le, gt, ge on two values of a filter. */
function compare(a: unknown, b: unknown, op: string): boolean {
  const [ka, va] = kindOf(a);
  const [kb, vb] = kindOf(b);
  if (ka === 'other' || kb === 'other')
    throw new Error(op === '==' || op === '!=' ? 'invalid type for comparison' : 'invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (op === '==') return va === vb;
  if (op === '!=') return va !== vb;
  if (ka === 'bool') throw new Error('invalid type for comparison');
  const x = va as number | string;
  const y = vb as number | string;
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
    default:
      throw new Error(`unrecognized filter operator ${op}`);
  }
}

/** Go's json.Marshal: compact, map keys sorted, <, >, & and U+2028/9 escaped. */
export function goJson(v: unknown): string {
  const sortKeys = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (isMap(x))
      return Object.fromEntries(
        Object.keys(x)
          .filter((k) => x[k] !== undefined)
          .sort()
          .map((k) => [k, sortKeys(x[k])]),
      );
    return x;
  };
  return (JSON.stringify(sortKeys(v)) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A value as kubectl prints it in a template or a custom column: text as is, lists and maps as JSON. */
export function valueText(v: unknown): string {
  if (v instanceof Text) return v.text;
  if (v instanceof Num) return String(v.value);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return goJson(v);
}

function goText(v: unknown): string {
  if (Array.isArray(v) || isMap(v)) return goJson(v);
  return valueText(v);
}

function printResults(values: unknown[]): string {
  return values.map(valueText).join(' ');
}

/**
 * kubectl's relaxed form, used by custom-columns and --sort-by: `.a.b`, `a.b` or `{.a.b}` all mean
 * `{.a.b}`. Throws on anything else, in kubectl's words.
 */
export function relaxedJsonPath(path: string): string {
  const m = /^\{?(\.?)([^{}]*)\}?$/.exec(path);
  if (!m)
    throw new JsonPathError(`unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'`);
  const body = m[2] as string;
  if (body === '') return '{.}';
  return `{.${body}}`;
}
