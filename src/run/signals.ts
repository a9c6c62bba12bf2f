// Ctrl-C and SIGTERM while hooks run: the first signal stops new work (`stop`), the second closes
// running streams (`force`). The process never dies in the middle: the caller decides what to do.

export type SignalName = 'SIGINT' | 'SIGTERM';

export const SIGNAL_EXIT: Record<SignalName, number> = { SIGINT: 130, SIGTERM: 143 };

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
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      const h = () => {
        this.count++;
        this.first ??= name;
        this.onSignal(name, this.count);
        if (this.count === 1) this.stop.abort();
        else this.force.abort();
      };
      proc.on(name, h);
      this.handlers.push([name, h]);
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
