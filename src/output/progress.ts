// What a run prints while it runs: one progress line per pod when its phase is done, and, with
// --show-output, each hook's output line by line, prefixed with namespace/pod/container. Fed by the
// engine's callbacks; a print that fails is dropped, never an exception.

import type { HookResult, PodResult } from '../report/run-report.ts';
import { FAILURES } from '../report/run-report.ts';
import { escapeLine, escapeTerminal } from './escape.ts';
import type { Style } from './term.ts';

export interface ProgressOptions {
  /** Print each hook's stdout and stderr (--show-output). */
  showOutput: boolean;
  /** Bytes of each stream the report keeps: a longer output is announced as its tail. */
  maxOutputBytes: number;
  style: Style;
  /** Writes to stderr; must not throw. */
  say: (text: string) => void;
  /** Writes the hooks' output (--show-output: data, so stdout unless stdout holds a report); must not throw. */
  data?: (text: string) => void;
}

export class Progress {
  private readonly o: ProgressOptions;

  constructor(options: ProgressOptions) {
    this.o = options;
  }

  /** --show-output: the hook's output, line by line. */
  hookDone(r: HookResult): void {
    if (!this.o.showOutput) return;
    const write = this.o.data ?? this.o.say;
    const who = escapeLine(`${r.namespace}/${r.pod}/${r.container ?? '-'}`);
    for (const [stream, text] of [
      ['', r.stdout],
      [' stderr', r.stderr],
    ] as const) {
      if (r.outputTruncated && text) write(`[${who}${stream}] (the last ${this.o.maxOutputBytes / 1024} KiB)\n`);
      for (const line of text.split('\n')) if (line !== '') write(`[${who}${stream}] ${escapeTerminal(line)}\n`);
    }
  }

  /** "[3/10] pre shop/db-0: ok (2 hooks)" */
  podDone(run: PodResult, done: number, total: number): void {
    this.o.say(progressLine(run, done, total, this.o.style));
  }
}

export function progressLine(run: PodResult, done: number, total: number, s: Style): string {
  const failed = run.hooks.filter((h) => FAILURES.includes(h.result));
  const ok = run.hooks.filter((h) => h.result === 'succeeded').length;
  const first = failed[0];
  const skipped = run.hooks.every((h) => h.result === 'skipped' || h.result === 'not-run');
  const verdict = first ? s.red('failed') : skipped ? s.dim('skipped') : s.green('ok');
  const detail = first
    ? `hook ${first.index}: ${first.message}`
    : skipped
      ? (run.hooks[0]?.message ?? '')
      : `${ok} hook${ok === 1 ? '' : 's'}`;
  return `[${done}/${total}] ${run.phase} ${escapeLine(`${run.namespace}/${run.pod}`)}: ${verdict} (${escapeLine(detail)})\n`;
}
