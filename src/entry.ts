// Runs the CLI for this process: stdio, exit code, closed outputs and unexpected errors.
import { main } from './cli.ts';
import { guardOutput } from './output/term.ts';

export function runFromProcess(args: string[]): void {
  guardOutput(process.stdout);
  guardOutput(process.stderr);
  const context = {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    colorDepth: process.stdout.isTTY ? process.stdout.getColorDepth() : 1,
  };
  // No stdin: a command that reads it takes process.stdin then (BaseCommand.stdin); creating it here
  // cost every start-up ~2 ms. A getter that is not enumerable, so clipanion's merged contexts leave it out.
  Object.defineProperty(context, 'stdin', { get: () => process.stdin, enumerable: false });
  main(args, context as typeof context & { stdin: NodeJS.ReadStream }).then(
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
