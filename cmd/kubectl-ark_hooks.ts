// Entry point of the kubectl plugin. kubectl runs it as `kubectl-ark_hooks` for `kubectl ark-hooks …`
// and passes every argument after the plugin name through unchanged.

import { main } from '../src/cli.ts';
import { quietEpipe } from '../src/output/term.ts';

quietEpipe(process.stdout);
quietEpipe(process.stderr);

main(process.argv.slice(2), {
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
    process.exitCode = 1;
  },
);
