// What a fresh `npm ci` needs to stay quiet: npm 11's install-script approvals (allowScripts) for
// every dependency with install scripts, and an engines field for the Node that runs npm ci.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/cli.ts';

test('every dependency with install scripts is declared in allowScripts (npm 11 warns about the others)', (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    allowScripts?: Record<string, boolean>;
    engines?: { node?: string };
  };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean; optional?: boolean }>;
  };
  const withScripts = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && p.hasInstallScript && !p.optional)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .sort();
  t.true(withScripts.length > 0);
  t.deepEqual(Object.keys(pkg.allowScripts ?? {}).sort(), withScripts);
  // npm ci runs on the machine's Node (20 or newer); everything else runs on the pinned Node 26.
  t.is(pkg.engines?.node, '>=20');
});
