// Flags and plumbing shared by run and wrap: the session settings, confirmation on a terminal, the
// report's output, and the flags a thaw command repeats.

import { createInterface } from 'node:readline';
import { Option } from 'clipanion';
import { UsageError } from '../errors.ts';
import type { ExecIO, ExecSettings, ThawFlags } from '../flows/exec.ts';
import { writeJson, writeRunYaml } from '../output/render.ts';
import { renderRunReport } from '../output/run-report.ts';
import type { SourceInfo } from '../report/common.ts';
import type { RunReport } from '../report/run-report.ts';
import { ScopeCommand } from './base.ts';
import { outputOption, parallelFlag } from './flags.ts';

export abstract class ExecCommand extends ScopeCommand {
  parallel = Option.String('--parallel', '4', {
    description: 'How many pods run hooks at the same time, 1 to 256 (1 reproduces Ark: one pod at a time)',
    validator: parallelFlag(),
  });
  failFast = Option.Boolean('--fail-fast', false, { description: 'Start no new pod after a hook with on-error Fail has failed' });
  yes = Option.Boolean('-y,--yes', false, { description: 'Do not ask for confirmation (required when stdin is not a terminal)' });
  recordEvents = Option.Boolean('--record-events', false, {
    description: "Write a Kubernetes Event on each pod for each hook run (an audit trail); the hook's command is left out",
  });
  recordEventsWithCommand = Option.Boolean('--record-events-with-command', false, {
    description:
      "Like --record-events, with each hook's command in the Event message (it may hold secrets that anyone who can read Events then sees)",
  });
  showOutput = Option.Boolean('--show-output', false, {
    description: "Print the hooks' stdout and stderr (the last 64 KiB of each), each line prefixed with namespace/pod/container",
  });
  outputDir = Option.String('--output-dir', {
    description:
      "Write each hook's full stdout and stderr to DIR/<namespace>/<pod>/<phase>-<n>-<container>.stdout|stderr (names sanitised, symlinks never followed)",
  });
  output = Option.String('-o,--output', 'table', outputOption('run', 'Report format'));

  execSettings(): ExecSettings {
    return {
      parallel: this.parallel,
      failFast: this.failFast,
      recordEvents: this.recordEvents,
      recordEventsWithCommand: this.recordEventsWithCommand,
      showOutput: this.showOutput,
      outputDir: this.outputDir,
    };
  }

  /** stderr that never throws, confirmation, and the report printer. */
  execIO(): ExecIO {
    const format = this.output;
    const err = this.context.stderr;
    return {
      ...this.inventoryIO(),
      say: (text) => {
        try {
          err.write(text);
        } catch {
          // a closed stderr must not cost the post phase
        }
      },
      style: this.style(err as unknown as { isTTY?: boolean }),
      confirm: (what, source) => this.confirm(what, source),
      render: (report) => this.printReport(report, format),
    };
  }

  thawFlags(): ThawFlags {
    return {
      kubeconfig: this.kubeconfig,
      context: this.kubeContext,
      cluster: this.cluster,
      user: this.user,
      backup: this.backup,
      backupFile: this.backupFile,
      backupNamespace: this.backupNamespace,
      flavor: this.flavor,
    };
  }

  /**
   * Asks on a terminal; refuses without --yes when stdin is not one. Returns the exit code of a
   * refusal (1 for no or Ctrl-D, 130 for Ctrl-C), or null to go ahead.
   */
  async confirm(what: string, source: SourceInfo): Promise<number | null> {
    if (this.yes) return null;
    const stdin = this.context.stdin as NodeJS.ReadStream;
    const where = source.context ? ` (context "${source.context}")` : '';
    if (!stdin.isTTY) throw new UsageError(`refusing to ${what}${where} without confirmation: stdin is not a terminal, pass --yes`);
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
  printReport(report: RunReport, format: 'table' | 'json' | 'yaml'): boolean {
    try {
      if (format === 'table') this.context.stdout.write(renderRunReport(report, this.style()));
      else if (format === 'json') writeJson(report, (chunk) => this.context.stdout.write(chunk));
      else writeRunYaml(report as unknown as Parameters<typeof writeRunYaml>[0], (chunk) => this.context.stdout.write(chunk));
      return true;
    } catch (e) {
      this.context.stderr.write(`error: could not print the report: ${(e as Error)?.message ?? String(e)}\n`);
      return false;
    }
  }
}
