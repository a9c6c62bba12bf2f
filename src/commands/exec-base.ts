// Flags and plumbing shared by run and wrap: the session settings, confirmation on a terminal, the
// report's output, and the flags a thaw command repeats.

import { Option } from 'clipanion';
import { UsageError } from '../errors.ts';
import type { ExecIO, ExecSettings, ThawFlags } from '../flows/exec.ts';
import type { Format } from '../output/formats.ts';
import { isMachineFormat, parseFormat, scripted } from '../output/formats.ts';
import { runItems } from '../output/items.ts';
import { jsonChunks, runYamlChunks, writeChunks } from '../output/render.ts';
import { renderRunReport } from '../output/run-report.ts';
import type { SourceInfo } from '../report/common.ts';
import type { RunReport } from '../report/run-report.ts';
import { ScopeCommand } from './base.ts';
import { allowMissingKeysOption, noHeadersOption, outputOption, parallelFlag, sortByOption } from './flags.ts';

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
  noHeaders = noHeadersOption();
  sortBy = sortByOption();
  allowMissingKeys = allowMissingKeysOption();
  private format: Format | undefined;

  /** Parses -o (reading a template file) before anything is read from the cluster or run. */
  checkOutput(): Format {
    this.format ??= parseFormat(this.output);
    return this.format;
  }

  /** Whether stdout holds the report only (json, yaml, name, jsonpath, custom-columns): other output goes to stderr. */
  reportOnlyOnStdout(): boolean {
    return isMachineFormat(this.checkOutput());
  }

  execSettings(): ExecSettings {
    return {
      parallel: this.parallel,
      failFast: this.failFast,
      recordEvents: this.recordEvents,
      recordEventsWithCommand: this.recordEventsWithCommand,
      showOutput: this.showOutput,
      reportShowsOutput: this.reportOnlyOnStdout(),
      outputDir: this.outputDir,
    };
  }

  /** stderr that never throws, confirmation, and the report printer. */
  execIO(): ExecIO {
    const format = this.checkOutput();
    const err = this.context.stderr;
    const never = (stream: NodeJS.WritableStream) => (text: string) => {
      try {
        stream.write(text);
      } catch {
        // a closed stream must not cost the post phase
      }
    };
    return {
      ...this.inventoryIO(),
      say: never(err),
      // --show-output is data: stdout, unless stdout holds a report for a program.
      data: never(isMachineFormat(format) ? err : this.context.stdout),
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
    const stdin = this.stdin as NodeJS.ReadStream;
    const where = source.context ? ` (context "${source.context}")` : '';
    if (!stdin.isTTY) throw new UsageError(`refusing to ${what}${where} without confirmation: stdin is not a terminal, pass --yes`);
    // node:readline only here: importing it loaded readline, fs/promises and more at every start-up.
    const rl = process.getBuiltinModule('node:readline').createInterface({ input: stdin, output: this.context.stderr });
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

  /**
   * Prints the report, json and yaml in chunks as a slow reader takes them; a report that cannot be
   * rendered is an error line, never a lost run.
   */
  async printReport(report: RunReport, format: Format): Promise<boolean> {
    const out = this.context.stdout;
    try {
      const text = scripted(report, runItems(report), format, this);
      if (text !== undefined) out.write(text);
      else if (format.kind === 'table') out.write(renderRunReport(report, this.style(), this.noHeaders));
      else if (format.kind === 'json') await writeChunks(jsonChunks(report), out);
      else await writeChunks(runYamlChunks(report as unknown as Parameters<typeof runYamlChunks>[0]), out);
      return true;
    } catch (e) {
      this.context.stderr.write(`error: could not print the report: ${(e as Error)?.message ?? String(e)}\n`);
      return false;
    }
  }
}
