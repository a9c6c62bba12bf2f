// Runs the CLI for this process: stdio, exit code, closed outputs and unexpected errors.
import { main } from './cli.ts';
import { guardOutput } from './output/term.ts';

export function runFromProcess(args: string[]): void {
  guardOutput(process.stdout);
  guardOutput(process.stderr);
  main(args, {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    colorDepth: process.stdout.isTTY ? process.stdout.getColorDepth() : 1,
  }).then(
    (code) => {
      // Exit as soon as the output is flushed: an idle keep-alive socket must not hold the process.
      process.exitCode = code;
      process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
    },
    (e: unknown) => {
      process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
