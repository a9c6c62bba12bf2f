// Hook output passes through the process as short-lived buffers (TLS reads, WebSocket frames, our
// copies): about 2 MiB of them for each MiB a hook prints. V8 frees such a buffer only when its small
// JS wrapper is collected, and with little JS allocated it collects the young generation rarely: the
// buffers piled up to 60-80 MB before it did, so 1,000 hooks printing 1 MiB each peaked near 200 MB.
// A young-generation collection (a scavenge: well under a millisecond here) after every few MiB of
// output frees them while they are young. The tails the report prints (64 KiB rings, one a stream)
// live as long as their hook, long enough to be promoted: a full collection after every 4 MiB of
// tails moved to the spool frees them (#18; bench/PROFILES.md has the figures). Hooks that print
// little trigger neither.

type Collect = (options: { type: 'minor' | 'major' }) => void;

/** Bytes of hook output between two young-generation collections. */
export const RECLAIM_EVERY_BYTES = 4 * 1024 * 1024;

/** Bytes of tails stashed between two full collections. */
export const TAIL_RECLAIM_BYTES = 4 * 1024 * 1024;

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
  private tailSince = 0;
  private readonly every: number;
  constructor(every = RECLAIM_EVERY_BYTES) {
    this.every = every;
  }

  /**
   * Counts tails moved to the spool: each held a 64 KiB ring for the whole hook, long enough to reach
   * the old generation, which only a full collection frees; one after every `TAIL_RECLAIM_BYTES`.
   */
  tails(bytes: number): void {
    this.tailSince += bytes;
    if (this.tailSince < TAIL_RECLAIM_BYTES) return;
    this.tailSince = 0;
    try {
      collector()?.({ type: 'major' });
    } catch {
      // a collection is an optimisation, never a failure
    }
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
