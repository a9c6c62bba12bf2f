// The terminal boundary: every string that came from a cluster or a manifest passes through here
// before a human view prints it. kubectl's printers.EscapeTerminal (cli-runtime) turns ESC into "^["
// and a carriage return into "\r"; we do the same and also neutralise the other C0 controls (caret
// notation, "^G"), DEL ("^?"), C1 controls and the bidi overrides/isolates that reorder what a line
// appears to say (shown as "\u202e"). -o json|yaml never pass through here: they keep raw values.

// C0 except TAB and LF, DEL, C1, LRM/RLM/ALM, bidi embeddings/overrides/isolates, line/paragraph separators.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_LINE = /[\u0000-\u001f\u007f\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function replace(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c === 0x1b) return '^[';
  if (c === 0x0d) return '\\r';
  if (c === 0x0a) return '\\n';
  if (c === 0x09) return '\\t';
  if (c < 0x20) return '^' + String.fromCharCode(c + 0x40);
  if (c === 0x7f) return '^?';
  return '\\u' + c.toString(16).padStart(4, '0');
}

/** Escapes a text for a terminal, keeping its newlines and tabs (multi-line output). */
export function escapeTerminal(s: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s) ? s.replace(UNSAFE, replace) : s;
}

/** Escapes a value that must stay on one line (a table cell, a message): newlines and tabs too. */
export function escapeLine(s: string): string {
  UNSAFE_LINE.lastIndex = 0;
  return UNSAFE_LINE.test(s) ? s.replace(UNSAFE_LINE, replace) : s;
}
