// Entry point of the kubectl plugin. kubectl runs it as `kubectl-ark_hooks` for `kubectl ark-hooks …`
// and passes every argument after the plugin name through unchanged. `--version` is answered
// before anything else is loaded (so is `__guard`, the watcher of wrap's COMMAND); the rest of the CLI is loaded on demand.

import { versionLine } from '../src/build-info.ts';
import { GUARD_ARG, runGuardian } from '../src/engine/guardian.ts';

declare const __ARK_HOOKS_OVERVIEW__: string | undefined;

const args = process.argv.slice(2);
const overview = typeof __ARK_HOOKS_OVERVIEW__ === 'string' ? __ARK_HOOKS_OVERVIEW__ : undefined;

if (args[0] === GUARD_ARG && args[1] === '--') {
  // wrap's COMMAND, watched on the plugin's behalf (src/engine/guardian.ts).
  runGuardian(args.slice(2));
} else if (args.length === 1 && (args[0] === '--version' || args[0] === 'version')) {
  process.stdout.write(versionLine() + '\n');
} else if (overview && (args.length === 0 || (args.length === 1 && (args[0] === '--help' || args[0] === '-h' || args[0] === 'help')))) {
  // Rendered at build time (scripts/build.mjs): the overview needs none of the commands' code.
  process.stdout.write(overview);
} else {
  import('../src/entry.ts').then(({ runFromProcess }) => runFromProcess(args));
}
