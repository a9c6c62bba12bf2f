import test from 'ava';
import { formatGoDuration, parseGoDuration } from '../../src/hooks/duration.ts';

const S = 1_000_000_000n;
// Cases from Go's time package tests (ParseDuration), which Ark uses for hook timeouts.
const valid: [string, bigint][] = [
  ['0', 0n],
  ['5s', 5n * S],
  ['30s', 30n * S],
  ['1478s', 1478n * S],
  ['-5s', -5n * S],
  ['+5s', 5n * S],
  ['-0', 0n],
  ['+0', 0n],
  ['5.0s', 5n * S],
  ['5.6s', 5_600_000_000n],
  ['5.s', 5n * S],
  ['.5s', 500_000_000n],
  ['1.004s', 1_004_000_000n],
  ['100.00100s', 100_001_000_000n],
  ['10ns', 10n],
  ['11us', 11_000n],
  ['12µs', 12_000n],
  ['12μs', 12_000n],
  ['13ms', 13_000_000n],
  ['15m', 900n * S],
  ['16h', 16n * 3600n * S],
  ['3h30m', 12_600n * S],
  ['10.5s4m', 250_500_000_000n],
  ['-2m3.4s', -123_400_000_000n],
  ['1h2m3s4ms5us6ns', 3_723_004_005_006n],
  ['39h9m14.425s', 140_954_425_000_000n],
  ['52763797000ns', 52_763_797_000n],
  ['0.3333333333333333333h', 1200n * S],
  ['9007199254740993ns', 9_007_199_254_740_993n],
  ['9223372036854775807ns', 9_223_372_036_854_775_807n],
  ['-9223372036854775808ns', -9_223_372_036_854_775_808n],
];
for (const [input, nanos] of valid) {
  test(`parses ${JSON.stringify(input)}`, (t) => {
    const r = parseGoDuration(input);
    t.true(r.ok);
    if (r.ok) t.is(r.nanos, nanos);
  });
}

const invalid = [
  '',
  '3',
  '300',
  '-',
  's',
  '.',
  '-.',
  '.s',
  '+.s',
  '1d',
  '5 s',
  ' 5s',
  '5s ',
  'abc',
  '9223372036854775808ns',
  '3000000h',
  '1e3s',
];
for (const input of invalid) {
  test(`rejects ${JSON.stringify(input)}`, (t) => {
    t.false(parseGoDuration(input).ok);
  });
}

test('formats like Go Duration.String', (t) => {
  t.is(formatGoDuration(0n), '0s');
  t.is(formatGoDuration(30n * S), '30s');
  t.is(formatGoDuration(300n * S), '5m0s');
  t.is(formatGoDuration(3600n * S), '1h0m0s');
  t.is(formatGoDuration(1_500_000_000n), '1.5s');
  t.is(formatGoDuration(1_500_000n), '1.5ms');
  t.is(formatGoDuration(1_500n), '1.5µs');
  t.is(formatGoDuration(100n), '100ns');
  t.is(formatGoDuration(-90n * S), '-1m30s');
  t.is(formatGoDuration(3_723_004_005_006n), '1h2m3.004005006s');
});
