// Flags and plumbing shared by run and wrap: parallelism, confirmation, output of the report, and
// the thaw command printed when post hooks may not have run.

import { createInterface } from 'node:readline';
import { Option } from 'clipanion';
import { UsageError } from '../errors.ts';
import type { Inventory } from '../inventory.ts';
import { writeJson, writeRunYaml } from '../output/render.ts';
import { renderRunReport } from '../output/run.ts';
import { shellQuote } from '../output/term.ts';
import type { RunReport, SessionOptions } from '../run/session.ts';
import type { Interrupts } from '../run/signals.ts';
import { OutputDir } from '../run/output-dir.ts';
import { ScopeCommand, parseOutput } from './base.ts';

export abstract class ExecCommand extends ScopeCommand {
  parallel = Option.String('--parallel', '4', { description: 'How many pods run hooks at the same time (1 reproduces Ark: one pod at a time)' });
  failFast = Option.Boolean('--fail-fast', false, { description: 'Start no new pod after a hook with on-error Fail has failed' });
  yes = Option.Boolean('-y,--yes', false, { description: 'Do not ask for confirmation (required when stdin is not a terminal)' });
  recordEvents = Option.Boolean('--record-events', false, { description: "Write a Kubernetes Event on each pod for each hook run (an audit trail); the hook's command is left out" });
  recordEventsWithCommand = Option.Boolean('--record-events-with-command', false, { description: "Like --record-events, with each hook's command in the Event message (it may hold secrets that anyone who can read Events then sees)" });
  showOutput = Option.Boolean('--show-output', false, { description: "Print the hooks' stdout and stderr (the last 64 KiB of each), each line prefixed with namespace/pod/container" });
  outputDir = Option.String('--output-dir', { description: "Write each hook's full stdout and stderr to DIR/<namespace>/<pod>/<phase>-<n>-<container>.stdout|stderr (names sanitised, symlinks never followed)" });
  output = Option.String('-o,--output', 'table', { description: 'Report format: table, json or yaml' });

  /** An unusable --output-dir is a usage error before anything is read from the cluster or run. */
  checkOutputDir(): void {
    if (this.outputDir) new OutputDir(this.outputDir, () => undefined);
  }

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
      maxOutputBytes: 64 * 1024,
      stderr: this.context.stderr,
      style: this.style(this.context.stderr as unknown as { isTTY?: boolean }),
      interrupts,
    };
  }

  /**
   * Asks on a terminal; refuses without --yes when stdin is not one. Returns the exit code of a
   * refusal (1 for no or Ctrl-D, 130 for Ctrl-C), or null to go ahead.
   */
  async confirm(what: string, inv: Inventory): Promise<number | null> {
    if (this.yes) return null;
    const stdin = this.context.stdin as NodeJS.ReadStream;
    const where = inv.source.context ? ` (context "${inv.source.context}")` : '';
    if (!stdin.isTTY) throw new UsageError(`error: refusing to ${what}${where} without confirmation: stdin is not a terminal, pass --yes`);
    const rl = createInterface({ input: stdin, output: this.context.stderr });
    const answer = await new Promise<string | null>((resolve) => {
      rl.on('SIGINT', () => resolve(null)); // Ctrl-C: readline gets it as a key, not as a signal
      rl.on('close', () => resolve('')); // Ctrl-D
      rl.question(`${what[0]?.toUpperCase()}${what.slice(1)}${where}? [y/N] `, resolve);
    });
    rl.close();
    if (answer === null) {
      this.context.stderr.write('\n');
      return 130;
    }
    return /^y(es)?$/i.test(answer.trim()) ? null : 1;
  }

  /** Prints the report; a report that cannot be rendered is an error line, never a lost run. */
  printReport(report: RunReport): boolean {
    try {
      const format = this.format();
      if (format === 'table') this.context.stdout.write(renderRunReport(report, this.style()));
      else if (format === 'json') writeJson(report, (chunk) => this.context.stdout.write(chunk));
      else writeRunYaml(report as unknown as Parameters<typeof writeRunYaml>[0], (chunk) => this.context.stdout.write(chunk));
      return true;
    } catch (e) {
      this.context.stderr.write(`error: could not print the report: ${(e as Error)?.message ?? String(e)}\n`);
      return false;
    }
  }

  /** `kubectl ark-hooks run --phase post …` lines (one per namespace) that run the post hooks of these pods. */
  thawCommands(pods: readonly { namespace: string; name: string }[]): string[] {
    const flags: string[] = [];
    const add = (flag: string, value: string | undefined) => {
      if (value !== undefined) flags.push(flag, value);
    };
    add('--kubeconfig', this.kubeconfig);
    add('--context', this.kubeContext);
    add('--cluster', this.cluster);
    add('--user', this.user);
    add('--backup', this.backup);
    add('--backup-file', this.backupFile);
    add('--backup-namespace', this.backupNamespace);
    if (this.flavor !== 'auto') add('--flavor', this.flavor);
    const byNs = new Map<string, string[]>();
    for (const p of pods) byNs.set(p.namespace, [...(byNs.get(p.namespace) ?? []), p.name]);
    return [...byNs.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([ns, names]) => shellQuote(['kubectl', 'ark-hooks', 'run', '--phase', 'post', ...flags, '-n', ns, '--yes', ...names.sort()]));
  }
}

export function countHooks(inv: Inventory, phases: readonly string[]): { pods: number; hooks: number } {
  const pods = inv.plan.pods.filter((p) => p.hooks.some((h) => phases.includes(h.phase)));
  return { pods: pods.length, hooks: pods.reduce((n, p) => n + p.hooks.filter((h) => phases.includes(h.phase)).length, 0) };
}
