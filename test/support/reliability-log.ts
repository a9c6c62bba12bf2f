// Figures for `npm run reliability-report`: tests append what they tried to a JSON-lines file.
import { appendFileSync } from 'node:fs';

export type Figure = 'inputs' | 'faults' | 'hooks' | 'signals' | 'lost';

export function record(figure: Figure, n: number, detail = ''): void {
  const file = process.env.ARK_HOOKS_RELIABILITY_LOG;
  if (file) appendFileSync(file, JSON.stringify({ figure, n, detail }) + '\n');
}
