// Entry point of the kubectl plugin. kubectl runs it as `kubectl-ark_hooks` for `kubectl ark-hooks …`
// and passes every argument after the plugin name through unchanged. `--version` is answered
// before anything else is loaded; the rest of the CLI is loaded on demand.

import { versionLine } from '../src/build-info.ts';

const args = process.argv.slice(2);

if (args.length === 1 && (args[0] === '--version' || args[0] === 'version')) {
  process.stdout.write(versionLine() + '\n');
} else {
  import('../src/entry.ts').then(({ runFromProcess }) => runFromProcess(args));
}
