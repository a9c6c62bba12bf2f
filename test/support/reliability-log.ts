// Figures for `npm run reliability-report`: tests append what was counted (never typed) to a
// JSON-lines file named by ARK_HOOKS_RELIABILITY_LOG. Each writer takes its figures from a source
// of truth: the test API server's request and exec logs, an accounting of the plan against them,
// the exit status of a real process that was sent a signal, or the number of inputs generated.
import { appendFileSync } from 'node:fs';
import type { Accounting } from './accounting.ts';
import type { TestApiServer } from './apiserver.ts';

export type Figure = 'inputs' | 'faults' | 'hooks-planned' | 'hooks-accounted' | 'lost' | 'pods-pre-ran' | 'pods-thawed' | 'signals';

function write(figure: Figure, n: number, detail: string): void {
  const file = process.env.ARK_HOOKS_RELIABILITY_LOG;
  if (file) appendFileSync(file, JSON.stringify({ figure, n, detail }) + '\n');
}

/** Inputs a test generated or read (a corpus once, fuzz cases as generated). */
export function recordInputs(n: number, detail: string): void {
  write('inputs', n, detail);
}

/** The fault responses this server actually sent (its request and exec logs). */
export function recordFaults(server: TestApiServer, detail: string): void {
  write('faults', server.faultsSent().total, detail);
}

/** Planned, accounted and lost hooks, and for wrap the pods whose pre ran and whether they were thawed. */
export function recordAccount(a: Accounting, detail: string): void {
  write('hooks-planned', a.planned, detail);
  write('hooks-accounted', a.accounted, detail);
  write('lost', a.lost.length, `${detail}${a.lost.length ? `: ${a.lost.join('; ')}` : ''}`);
  if (a.thawed.length + a.frozen.length > 0) {
    write('pods-pre-ran', a.thawed.length + a.frozen.length, detail);
    write('pods-thawed', a.thawed.length, detail);
  }
}

/**
 * A signal sent to a real process: counted when the process ended by handling it (its exit code is
 * 128 + the signal number) and the post-phase outcome was checked (an accounting with no frozen pod).
 */
export function recordSignal(signal: 'SIGINT' | 'SIGTERM', exitCode: number | null, a: Accounting, detail: string): void {
  const handled = exitCode === (signal === 'SIGINT' ? 130 : 143);
  write('signals', handled && a.frozen.length === 0 ? 1 : 0, `${detail}: exit ${exitCode}`);
  if (!handled) write('lost', 1, `${detail}: ${signal} was not handled (exit ${exitCode})`);
}

/**
 * wrap: the pods a freeze reached and the pods whose thaw ran to its status frame, both read from
 * the server's exec log by the caller; lost = frozen and not thawed.
 */
export function recordThaw(frozen: readonly string[], thawed: readonly string[], detail: string): void {
  const left = frozen.filter((p) => !thawed.includes(p));
  write('pods-pre-ran', frozen.length, detail);
  write('pods-thawed', frozen.length - left.length, detail);
  write('lost', left.length, `${detail}${left.length ? `: left frozen ${left.join(', ')}` : ''}`);
}

/**
 * Signals a test sent to a real process (its kill() calls), recorded only after the test has
 * checked the outcome from the server's exec log (call it after those assertions: a failed check
 * throws first, so nothing is recorded).
 */
export function recordSignals(sent: number, detail: string): void {
  write('signals', sent, detail);
}
