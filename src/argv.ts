// kubectl's flag grammar (spf13/pflag) turned into the forms clipanion parses: `-oyaml` and `-o=yaml`
// become `-o yaml`; kubectl's log level `-v=N`, `--v=N`, `-vN`, `-v N` becomes `-v N` (a whole number,
// required as in kubectl); `--color` alone means always and `--no-color` never (GNU ls, git); kubectl's
// booleans take `=true`/`=false`. Pure: it sees only our own words, never the words after a lone `--`
// (the caller cuts those off first).

import { UsageError } from './errors.ts';

/** Short flags that take a value (cli.ts's commands; a unit test checks this against their definitions). */
export const SHORT_VALUE_FLAGS: readonly string[] = ['c', 'f', 'l', 'n', 'o', 's', 'v'];

/** kubectl booleans of ours that kubectl users write as --flag=true / --flag=false. */
const BOOLEAN_FLAGS = ['--insecure-skip-tls-verify', '--disable-compression', '--allow-missing-template-keys'];

function level(text: string): string[] {
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid argument "${text}" for "-v, --v" flag: use a whole number, e.g. -v=6`);
  return ['-v', String(Number(text))];
}

/** One word that is a whole flag in kubectl's grammar, in clipanion's words; null when it is none of ours. */
function single(word: string): string[] | null {
  const v = /^(?:-v|--v)=(.*)$/.exec(word) ?? /^-v(\d+)$/.exec(word);
  if (v) return level(v[1] as string);
  if (word === '--color') return ['--color=always'];
  if (word === '--no-color') return ['--color=never'];
  const bool = /^(--[a-z-]+)=(true|false)$/.exec(word);
  if (bool && BOOLEAN_FLAGS.includes(bool[1] as string))
    return [bool[2] === 'true' ? (bool[1] as string) : `--no-${(bool[1] as string).slice(2)}`];
  return null;
}

/** The words `own` (those before a lone `--`) in clipanion's grammar; throws UsageError for a bad -v level. */
export function normalizeArgv(own: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const word = own[i] as string;
    if (word === '-v' || word === '--v') {
      if (i + 1 >= own.length) throw new UsageError(`flag needs an argument: ${word === '-v' ? "'v' in -v" : '--v'}`);
      out.push(...level(own[++i] as string));
      continue;
    }
    // The value of a short flag given as its own word is a value, whatever it looks like (-l -x is a selector).
    if (word.length === 2 && word[0] === '-' && SHORT_VALUE_FLAGS.includes(word[1] as string) && i + 1 < own.length) {
      out.push(word, own[++i] as string);
      continue;
    }
    const flag = single(word);
    if (flag) {
      out.push(...flag);
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
