// Go's time.ParseDuration and Duration.String, which Ark and Velero use for hook timeouts.
// Durations are kept as bigint nanoseconds so that overflow is detected exactly as Go does.

const MAX_INT64 = (1n << 63n) - 1n;

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

export type DurationResult = { ok: true; nanos: bigint } | { ok: false; reason: string };

/** Parses a Go duration string ("300ms", "-1.5h", "2h45m"). Never throws. */
export function parseGoDuration(input: string): DurationResult {
  const fail = (reason: string): DurationResult => ({ ok: false, reason });
  let s = input;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, nanos: 0n };
  if (s === '') return fail('empty duration');
  let total = 0n;
  while (s.length > 0) {
    const num = /^([0-9]*)(?:\.([0-9]*))?/.exec(s);
    const whole = num?.[1] ?? '';
    const frac = num?.[2];
    if (!num || (whole === '' && (frac === undefined || frac === ''))) {
      return fail(`invalid duration "${input}"`);
    }
    s = s.slice(num[0].length);
    const unitMatch = /^[^0-9.]+/.exec(s);
    if (!unitMatch) return fail(`missing unit in duration "${input}"`);
    const unitName = unitMatch[0];
    const unit = UNITS[unitName];
    if (unit === undefined) return fail(`unknown unit "${unitName}" in duration "${input}"`);
    s = s.slice(unitName.length);
    let value = BigInt(whole === '' ? '0' : whole) * unit;
    if (value > MAX_INT64 + 1n) return fail(`invalid duration "${input}"`);
    if (frac) value += fractionNanos(frac, unit);
    total += value;
    if (total > MAX_INT64 + (negative ? 1n : 0n)) return fail(`invalid duration "${input}"`);
  }
  return { ok: true, nanos: negative ? -total : total };
}

/** Go's leadingFraction then float64(f) * (float64(unit) / scale), truncated: digits past int64 are dropped. */
function fractionNanos(digits: string, unit: bigint): bigint {
  let f = 0n;
  let scale = 1;
  for (const ch of digits) {
    if (f > MAX_INT64 / 10n) break;
    const next = f * 10n + BigInt(ch.charCodeAt(0) - 48);
    if (next > MAX_INT64 + 1n) break;
    f = next;
    scale *= 10;
  }
  return BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
}

function fmtFrac(v: bigint, prec: number): { digits: string; rest: bigint } {
  // Returns the fraction digits of v / 10^prec without trailing zeros, and v / 10^prec.
  let digits = '';
  let printed = false;
  let rest = v;
  for (let i = 0; i < prec; i++) {
    const digit = rest % 10n;
    printed = printed || digit !== 0n;
    if (printed) digits = digit.toString() + digits;
    rest /= 10n;
  }
  return { digits: printed ? '.' + digits : '', rest };
}

/** Formats nanoseconds the way Go's Duration.String does: "30s", "5m0s", "1h0m0s", "1.5ms". */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const neg = nanos < 0n;
  let u = neg ? -nanos : nanos;
  let out: string;
  if (u < 1_000_000_000n) {
    let prec: number;
    let unit: string;
    if (u < 1_000n) return (neg ? '-' : '') + u.toString() + 'ns';
    if (u < 1_000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const { digits, rest } = fmtFrac(u, prec);
    out = rest.toString() + digits + unit;
  } else {
    const { digits, rest } = fmtFrac(u, 9);
    u = rest;
    out = (u % 60n).toString() + digits + 's';
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + 'm' + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + 'h' + out;
    }
  }
  return (neg ? '-' : '') + out;
}

export const DEFAULT_HOOK_TIMEOUT_NANOS = 30_000_000_000n;

/** Milliseconds for timers; bigint nanoseconds above Number range are clamped. */
export function nanosToMillis(nanos: bigint): number {
  const ms = nanos / 1_000_000n;
  return ms > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(ms);
}

/** A hook timeout as reports show it: Go duration text ("30s", "5m0s"), or "none". */
export function timeoutText(nanos: bigint | null): string {
  return nanos === null ? 'none' : formatGoDuration(nanos);
}
