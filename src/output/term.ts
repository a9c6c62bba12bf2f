// Terminal manners: colour only on a TTY and never with NO_COLOR or --no-color; a closed output
// (EPIPE, a hung-up terminal) silences the printing without ending the work.

export interface Style {
  enabled: boolean;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag: boolean): boolean {
  if (!flag) return false;
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
