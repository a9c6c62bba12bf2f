// Terminal manners: --color auto (the default) colours only a terminal, and never with NO_COLOR or
// TERM=dumb; --color always colours even a pipe (a flag given on the command line wins over NO_COLOR,
// as no-color.org asks); --color never (or --no-color) never colours. A closed output (EPIPE, a
// hung-up terminal) silences the printing without ending the work.

export interface Style {
  enabled: boolean;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** The values of --color (flags.ts's VALUES); plain --color is always, --no-color never. */
export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

/** The --color mode of raw command-line words (before clipanion, for its help colours): the last one wins. */
export function colorModeOf(argv: readonly string[]): ColorMode {
  let mode: ColorMode = 'auto';
  for (const word of argv) {
    if (word === '--') break;
    if (word === '--no-color') mode = 'never';
    else if (word === '--color') mode = 'always';
    else if (word.startsWith('--color=')) {
      const v = word.slice('--color='.length);
      if ((COLOR_MODES as readonly string[]).includes(v)) mode = v as ColorMode;
    }
  }
  return mode;
}

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag: boolean | ColorMode = 'auto'): boolean {
  const mode: ColorMode = flag === true ? 'auto' : flag === false ? 'never' : flag;
  if (mode !== 'auto') return mode === 'always';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { enabled, red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

/** Quotes an argv the way a shell user would retype it. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (a !== '' && /^[A-Za-z0-9_\-+=.,/:@%^]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Makes a closed output (`kubectl ark-hooks run … | head`, a terminal that went away) stop the
 * printing and nothing else: the first write error (EPIPE, EIO, …) marks the stream broken, and
 * every later write is dropped. The work goes on and the exit code stays the work's own.
 */
export function guardOutput(stream: NodeJS.WriteStream): { readonly broken: boolean } {
  const state = { broken: false };
  stream.on('error', () => {
    state.broken = true;
  });
  const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const done = typeof encoding === 'function' ? encoding : typeof cb === 'function' ? cb : undefined;
    if (state.broken || stream.destroyed) {
      if (done) process.nextTick(done as () => void);
      return true;
    }
    try {
      return write(chunk, encoding, cb);
    } catch {
      state.broken = true;
      if (done) process.nextTick(done as () => void);
      return true;
    }
  }) as typeof stream.write;
  return state;
}
