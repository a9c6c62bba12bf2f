// Hook output passes through the process as short-lived buffers (TLS reads, WebSocket frames, our
// copies): about 2 MiB of them for each MiB a hook prints. V8 frees such a buffer only when its small
// JS wrapper is collected, and with little JS allocated it collects the young generation rarely: the
// buffers piled up to 60-80 MB before it did, so 1,000 hooks printing 1 MiB each peaked near 200 MB.
// A young-generation collection (a scavenge: well under a millisecond here) after every few MiB of
// output frees them while they are young (#18; bench/PROFILES.md has the figures).

type Collect = (options: { type: 'minor' | 'major' }) => void;

/** Bytes of hook output between two young-generation collections. */
export const RECLAIM_EVERY_BYTES = 4 * 1024 * 1024;

/** V8's gc() (the function `node --expose-gc` gives), made once at run time; null where it cannot be. */
let collect: Collect | null | undefined;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
    const fn: unknown = process.getBuiltinModule('node:vm').runInNewContext('gc');
    collect = typeof fn === 'function' ? (fn as Collect) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Counts hook output and asks for a young-generation collection after every `every` bytes; never throws. */
export class OutputReclaimer {
  private since = 0;
  private readonly every: number;
  constructor(every = RECLAIM_EVERY_BYTES) {
    this.every = every;
  }

  add(bytes: number): void {
    this.since += bytes;
    if (this.since < this.every) return;
    this.since = 0;
    try {
      collector()?.({ type: 'minor' });
    } catch {
      // a collection is an optimisation, never a failure
    }
  }
}
