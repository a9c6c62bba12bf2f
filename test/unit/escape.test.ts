// The terminal escaper: kubectl's EscapeTerminal replacements, plus C0/C1 controls and bidi overrides.
import test from 'ava';
import { escapeLine, escapeTerminal } from '../../src/output/escape.ts';

test('ESC and CR as kubectl shows them (^[ and \\r)', (t) => {
  t.is(escapeTerminal('\u001b]52;c;ZXZpbA==\u0007'), '^[]52;c;ZXZpbA==^G');
  t.is(escapeTerminal('\u001b[2J'), '^[[2J');
  t.is(escapeTerminal('a\rb'), 'a\\rb');
});

test('C0 (caret), DEL, C1 and bidi controls are shown, never sent', (t) => {
  t.is(escapeTerminal('\u0000\u0008\u007f'), '^@^H^?');
  t.is(escapeTerminal('\u009b31m\u0085'), '\\u009b31m\\u0085');
  t.is(escapeTerminal('\u202eevil\u2066x\u2069\u200f'), '\\u202eevil\\u2066x\\u2069\\u200f');
  t.is(escapeTerminal('\u2028'), '\\u2028');
});

test('newlines and tabs: kept by escapeTerminal, escaped by escapeLine; plain text and Unicode untouched', (t) => {
  t.is(escapeTerminal('a\tb\nc'), 'a\tb\nc');
  t.is(escapeLine('a\tb\nc'), 'a\\tb\\nc');
  const plain = 'shop/web-0 — naïve 数据 ✓';
  t.is(escapeTerminal(plain), plain);
  t.is(escapeLine(plain), plain);
});
