// kubectl's flag grammar (spf13/pflag) turned into the forms clipanion parses: `-oyaml` and `-o=yaml`
// become `-o yaml`, and kubectl's log level `-v=N`, `--v=N`, `-vN`, `-v N` becomes --verbose (N ≥ 6:
// stack traces of unexpected errors) or --no-verbose. Pure: it sees only our own words, never the
// words after a lone `--` (the caller cuts those off first).

import { UsageError } from './errors.ts';

/** Short flags that take a value (cli.ts's commands; a unit test checks this against their definitions). */
export const SHORT_VALUE_FLAGS: readonly string[] = ['c', 'f', 'l', 'n', 'o'];

/** kubectl's -v level from which unexpected errors show their stack traces. */
export const STACK_TRACE_LEVEL = 6;

function level(text: string): string {
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid argument "${text}" for "-v, --v" flag: use a whole number, e.g. -v=6`);
  return Number(text) >= STACK_TRACE_LEVEL ? '--verbose' : '--no-verbose';
}

/** The words `own` (those before a lone `--`) in clipanion's grammar; throws UsageError for a bad -v level. */
export function normalizeArgv(own: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const word = own[i] as string;
    // The value of a short flag given as its own word is a value, whatever it looks like (-l -x is a selector).
    if (word.length === 2 && word[0] === '-' && SHORT_VALUE_FLAGS.includes(word[1] as string) && i + 1 < own.length) {
      out.push(word, own[++i] as string);
      continue;
    }
    const v = /^(?:-v|--v)=(.*)$/.exec(word) ?? /^-v(\d+)$/.exec(word);
    if (v) {
      out.push(level(v[1] as string));
      continue;
    }
    if (word === '-v' && /^\d+$/.test(own[i + 1] ?? '')) {
      out.push(level(own[++i] as string));
      continue;
    }
    const glued = /^-([a-zA-Z])(=?)([\s\S]+)$/.exec(word);
    if (glued && SHORT_VALUE_FLAGS.includes(glued[1] as string)) {
      out.push(`-${glued[1]}`, glued[3] as string);
      continue;
    }
    out.push(word);
  }
  return out;
}
