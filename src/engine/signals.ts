// The signals that end a terminal session (Ctrl-C, Ctrl-\, a hung-up terminal, SIGTERM) while hooks
// run: the first stops new work (`stop`), the second closes the running streams (`force`). The
// process never dies in the middle: the caller decides what to do (wrap runs post regardless).

export const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
export type SignalName = (typeof SIGNALS)[number];

/** 128 + the signal number, as a shell reports a process killed by it. */
export const SIGNAL_EXIT: Record<SignalName, number> = { SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143 };

export class Interrupts {
  readonly stop = new AbortController();
  readonly force = new AbortController();
  first: SignalName | null = null;
  count = 0;
  private readonly handlers: [SignalName, () => void][] = [];
  private readonly onSignal: (name: SignalName, count: number) => void;

  constructor(onSignal: (name: SignalName, count: number) => void) {
    this.onSignal = onSignal;
  }

  install(proc: NodeJS.Process = process): this {
    for (const name of SIGNALS) {
      const h = () => {
        this.count++;
        this.first ??= name;
        if (this.count === 1) this.stop.abort();
        else this.force.abort();
        try {
          this.onSignal(name, this.count);
        } catch {
          // a message that cannot be printed must not cost the run
        }
      };
      try {
        proc.on(name, h);
        this.handlers.push([name, h]);
      } catch {
        // a signal this platform does not have (Windows has no SIGQUIT)
      }
    }
    return this;
  }

  dispose(proc: NodeJS.Process = process): void {
    for (const [name, h] of this.handlers) proc.off(name, h);
    this.handlers.length = 0;
  }

  get exitCode(): number | null {
    return this.first ? SIGNAL_EXIT[this.first] : null;
  }
}
