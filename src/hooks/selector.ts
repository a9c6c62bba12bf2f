// Kubernetes label selectors: the string form (`-l app=web,tier in (a,b)`) and the structured
// metav1.LabelSelector form used in Backups. Both compile to the same requirement list.

export type Operator = 'in' | 'notin' | 'exists' | 'doesnotexist' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

/** A compiled selector; an empty requirement list selects everything. */
export interface Selector {
  requirements: Requirement[];
  /** The selector in kubectl's string form, for display and for the API's labelSelector parameter. */
  text: string;
}

export type SelectorResult = { ok: true; selector: Selector } | { ok: false; reason: string };

export const EVERYTHING: Selector = { requirements: [], text: '' };

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateLabelKey(key: string): string | null {
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return `invalid label key "${key}": the prefix must be a DNS subdomain`;
    }
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `invalid label key "${key}": a name of at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`;
  }
  return null;
}

export function validateLabelValue(value: string): string | null {
  if (value === '') return null;
  if (value.length > 63 || !NAME.test(value)) {
    return `invalid label value "${value}": at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`;
  }
  return null;
}

export function matches(selector: Selector, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((r) => matchRequirement(r, labels));
}

function matchRequirement(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.op) {
    case 'in':
      return has && r.values.includes(value as string);
    case 'notin':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case 'doesnotexist':
      return !has;
    case 'gt':
    case 'lt': {
      // Requirement.Matches parses the label with strconv.ParseInt: a label that is no int64 never matches.
      const n = int64(value);
      if (!has || n === null) return false;
      const bound = BigInt(r.values[0] as string);
      return r.op === 'gt' ? n > bound : n < bound;
    }
  }
}

const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): an optional sign and decimal digits within int64, else null. */
function int64(s: string | undefined): bigint | null {
  if (s === undefined || !/^[+-]?[0-9]+$/.test(s)) return null;
  const n = BigInt(s);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? null : n;
}

function requirementText(r: Requirement): string {
  switch (r.op) {
    case 'in':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
    case 'notin':
      return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`;
    case 'exists':
      return r.key;
    case 'doesnotexist':
      return `!${r.key}`;
    case 'gt':
      return `${r.key}>${r.values[0]}`;
    case 'lt':
      return `${r.key}<${r.values[0]}`;
  }
}

function build(requirements: Requirement[]): Selector {
  return { requirements, text: requirements.map(requirementText).join(',') };
}

/** Parses kubectl's `-l` syntax. */
export function parseSelector(text: string): SelectorResult {
  const fail = (reason: string): SelectorResult => ({ ok: false, reason: `invalid label selector "${text}": ${reason}` });
  const requirements: Requirement[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const readWord = (): string => {
    const start = i;
    while (i < text.length && !/[\s,=!()<>]/.test(text[i] as string)) i++;
    return text.slice(start, i);
  };
  skipSpace();
  if (i === text.length) return { ok: true, selector: EVERYTHING };
  for (;;) {
    skipSpace();
    let negated = false;
    if (text[i] === '!') {
      negated = true;
      i++;
      skipSpace();
    }
    const key = readWord();
    if (key === '') return fail(`expected a label key at position ${i}`);
    const keyError = validateLabelKey(key);
    if (keyError) return fail(keyError);
    skipSpace();
    if (negated) {
      requirements.push({ key, op: 'doesnotexist', values: [] });
    } else if (i >= text.length || text[i] === ',') {
      requirements.push({ key, op: 'exists', values: [] });
    } else {
      let op: Operator;
      if (text.startsWith('==', i)) {
        op = 'in';
        i += 2;
      } else if (text.startsWith('!=', i)) {
        op = 'notin';
        i += 2;
      } else if (text[i] === '=') {
        op = 'in';
        i += 1;
      } else if (text[i] === '>') {
        op = 'gt';
        i += 1;
      } else if (text[i] === '<') {
        op = 'lt';
        i += 1;
      } else {
        const word = readWord();
        if (word === 'in') op = 'in';
        else if (word === 'notin') op = 'notin';
        else return fail(`unknown operator "${word || text[i]}" after "${key}"`);
        skipSpace();
        if (text[i] !== '(') return fail(`expected "(" after "${key} ${word}"`);
        i++;
        const values: string[] = [];
        for (;;) {
          skipSpace();
          const v = readWord();
          const valueError = validateLabelValue(v);
          if (valueError) return fail(valueError);
          values.push(v);
          skipSpace();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === ')') {
            i++;
            break;
          }
          return fail(`expected "," or ")" in the value list of "${key}"`);
        }
        requirements.push({ key, op, values: [...new Set(values)].sort() });
        skipSpace();
        if (i >= text.length) break;
        if (text[i] !== ',') return fail(`expected "," at position ${i}`);
        i++;
        continue;
      }
      skipSpace();
      const value = readWord();
      if (op === 'gt' || op === 'lt') {
        // labels.NewRequirement: the value must be a valid label value and a 64-bit integer (so no sign).
        if (validateLabelValue(value) !== null || int64(value) === null)
          return fail(`"${key}" needs a non-negative 64-bit integer value for ${op === 'gt' ? '>' : '<'}`);
      } else {
        const valueError = validateLabelValue(value);
        if (valueError) return fail(valueError);
      }
      requirements.push({ key, op, values: [value] });
    }
    skipSpace();
    if (i >= text.length) break;
    if (text[i] !== ',') return fail(`expected "," at position ${i}`);
    i++;
  }
  return { ok: true, selector: build(requirements) };
}

const STRUCT_OPS: Record<string, Operator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: 'doesnotexist',
};

/**
 * Converts a metav1.LabelSelector ({matchLabels, matchExpressions}) taken from user data.
 * `null`/`undefined` selects everything, as does `{}`. Anything malformed is an error, as
 * metav1.LabelSelectorAsSelector would return.
 */
export function selectorFromStruct(raw: unknown, field: string): SelectorResult {
  const fail = (reason: string): SelectorResult => ({ ok: false, reason: `${field}: ${reason}` });
  if (raw === null || raw === undefined) return { ok: true, selector: EVERYTHING };
  if (typeof raw !== 'object' || Array.isArray(raw)) return fail('must be an object with matchLabels and/or matchExpressions');
  const obj = raw as Record<string, unknown>;
  const requirements: Requirement[] = [];
  for (const k of Object.keys(obj)) {
    if (k !== 'matchLabels' && k !== 'matchExpressions') return fail(`unknown field "${k}" (expected matchLabels or matchExpressions)`);
  }
  const ml = obj.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (typeof ml !== 'object' || Array.isArray(ml)) return fail('matchLabels must be a map of strings');
    for (const [key, value] of Object.entries(ml as Record<string, unknown>)) {
      if (typeof value !== 'string') return fail(`matchLabels.${key} must be a string`);
      const err = validateLabelKey(key) ?? validateLabelValue(value);
      if (err) return fail(`matchLabels: ${err}`);
      requirements.push({ key, op: 'in', values: [value] });
    }
  }
  const me = obj.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) return fail('matchExpressions must be a list');
    for (const [idx, expr] of me.entries()) {
      const at = `matchExpressions[${idx}]`;
      if (typeof expr !== 'object' || expr === null || Array.isArray(expr)) return fail(`${at} must be an object`);
      const e = expr as Record<string, unknown>;
      if (typeof e.key !== 'string') return fail(`${at}.key must be a string`);
      const keyErr = validateLabelKey(e.key);
      if (keyErr) return fail(`${at}: ${keyErr}`);
      const op = typeof e.operator === 'string' ? STRUCT_OPS[e.operator] : undefined;
      if (!op) {
        return fail(
          `${at}.operator ${String(JSON.stringify(e.operator) ?? e.operator).slice(0, 40)} is not a valid selector operator (use In, NotIn, Exists or DoesNotExist)`,
        );
      }
      const values = e.values ?? [];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) return fail(`${at}.values must be a list of strings`);
      if ((op === 'in' || op === 'notin') && values.length === 0) return fail(`${at}.values must be non-empty for ${e.operator}`);
      if ((op === 'exists' || op === 'doesnotexist') && values.length > 0) return fail(`${at}.values must be empty for ${e.operator}`);
      for (const v of values as string[]) {
        const err = validateLabelValue(v);
        if (err) return fail(`${at}: ${err}`);
      }
      requirements.push({ key: e.key, op, values: [...new Set(values as string[])].sort() });
    }
  }
  return { ok: true, selector: build(requirements) };
}
