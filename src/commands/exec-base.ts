// Flags and plumbing shared by run and wrap: parallelism, confirmation, output of the report.

import { createInterface } from 'node:readline';
import { Option } from 'clipanion';
import { UsageError } from '../errors.ts';
import type { Inventory } from '../inventory.ts';
import { serialize } from '../output/render.ts';
import { renderRunReport } from '../output/run.ts';
import type { RunReport, SessionOptions } from '../run/session.ts';
import type { Interrupts } from '../run/signals.ts';
import { ScopeCommand, parseOutput } from './base.ts';

export abstract class ExecCommand extends ScopeCommand {
  parallel = Option.String('--parallel', '4', { description: 'How many pods run hooks at the same time (1 reproduces Ark: one pod at a time)' });
  failFast = Option.Boolean('--fail-fast', false, { description: 'Start no new pod after a hook with on-error Fail has failed' });
  yes = Option.Boolean('-y,--yes', false, { description: 'Do not ask for confirmation (required when stdin is not a terminal)' });
  recordEvents = Option.Boolean('--record-events', false, { description: "Write a Kubernetes Event on each pod for each hook run (an audit trail); the hook's command is left out" });
  recordEventsWithCommand = Option.Boolean('--record-events-with-command', false, { description: "Like --record-events, with each hook's command in the Event message (it may hold secrets that anyone who can read Events then sees)" });
  showOutput = Option.Boolean('--show-output', false, { description: "Print the hooks' stdout and stderr, each line prefixed with namespace/pod/container" });
  outputDir = Option.String('--output-dir', { description: "Write each hook's stdout and stderr to files under this directory" });
  output = Option.String('-o,--output', 'table', { description: 'Report format: table, json or yaml' });

  format(): 'table' | 'json' | 'yaml' {
    return parseOutput(this.output, ['table', 'json', 'yaml']) as 'table' | 'json' | 'yaml';
  }

  parallelism(): number {
    const n = Number(this.parallel);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`error: invalid --parallel "${this.parallel}": use a whole number from 1 to 256`);
    return n;
  }

  requireCluster() {
    if ((this.files ?? []).length > 0) throw new UsageError('error: hooks run in a cluster: -f only works with list, validate and dry-run');
  }

  sessionOptions(interrupts: Interrupts): SessionOptions {
    return {
      parallel: this.parallelism(),
      failFast: this.failFast,
      recordEvents: this.recordEvents || this.recordEventsWithCommand,
      recordEventsWithCommand: this.recordEventsWithCommand,
      showOutput: this.showOutput,
      outputDir: this.outputDir,
      maxOutputBytes: 1024 * 1024,
      stderr: this.context.stderr,
      style: this.style(this.context.stderr as unknown as { isTTY?: boolean }),
      interrupts,
    };
  }

  /** Asks on a terminal; refuses without --yes when stdin is not one. */
  async confirm(what: string, inv: Inventory): Promise<boolean> {
    if (this.yes) return true;
    const stdin = this.context.stdin as NodeJS.ReadStream;
    const where = inv.source.context ? ` (context "${inv.source.context}")` : '';
    if (!stdin.isTTY) throw new UsageError(`error: refusing to ${what}${where} without confirmation: stdin is not a terminal, pass --yes`);
    const rl = createInterface({ input: stdin, output: this.context.stderr });
    const answer = await new Promise<string>((resolve) => rl.question(`${what[0]?.toUpperCase()}${what.slice(1)}${where}? [y/N] `, resolve));
    rl.close();
    return /^y(es)?$/i.test(answer.trim());
  }

  printReport(report: RunReport) {
    const format = this.format();
    if (format === 'table') this.context.stdout.write(renderRunReport(report, this.style()));
    else this.context.stdout.write(serialize(report, format));
  }
}

export function countHooks(inv: Inventory, phases: readonly string[]): { pods: number; hooks: number } {
  const pods = inv.plan.pods.filter((p) => p.hooks.some((h) => phases.includes(h.phase)));
  return { pods: pods.length, hooks: pods.reduce((n, p) => n + p.hooks.filter((h) => phases.includes(h.phase)).length, 0) };
}
