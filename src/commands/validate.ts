// `validate`: the findings of the hooks in scope, and exit 1 when any is an error (a linter for CI).

import { Command, Option } from 'clipanion';
import { hookReport } from '../flows/inventory.ts';
import { renderValidation, serialize } from '../output/render.ts';
import { validationReport } from '../report/hook-report.ts';
import { ScopeCommand } from './base.ts';
import { outputOption } from './flags.ts';

export class ValidateCommand extends ScopeCommand {
  static override paths = [['validate']];
  static override usage = Command.Usage({
    category: 'Inspect Commands',
    description: 'Check hooks for mistakes and exit 1 when any is an error (a linter for CI)',
    details: `
      Takes the same inputs as \`list\` (a cluster, or manifests with \`-f\`) and prints only the findings: hooks that Ark or Velero would run differently from what is written (a command that is not a JSON array, an invalid on-error value or timeout, a container that is not in the pod, ...), hooks that would not run at all, and risky set-ups (a filesystem frozen with no post hook to unfreeze it).

      Exit status: 0 when there is no error (warnings are allowed unless \`--strict\`), 1 when there is at least one error, 2 for a usage error.
    `,
    examples: [
      ['Lint the manifests of a repository before deploying', '$0 validate -f deploy/'],
      ['Fail on warnings too', '$0 validate -f deploy/ --strict'],
      ['Check the hooks that the Velero backup "nightly" would run', '$0 validate --backup nightly'],
      ['Findings as JSON', '$0 validate -A -o json'],
    ],
  });
  /** The `Usage:` lines of the help (and of the README's command table). */
  static synopsis = [
    'validate [-n NAMESPACE | -A] [-l SELECTOR] [--backup NAME | --backup-file FILE] [--strict] [-o FORMAT] [options]',
    'validate -f FILE|DIR|- [--strict] [-q] [-o FORMAT] [options]',
  ];

  output = Option.String('-o,--output', 'table', outputOption('validate'));
  strict = Option.Boolean('--strict', false, { description: 'Exit 1 on warnings as well as errors' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Print nothing when there is no finding' });

  async run(): Promise<number> {
    const report = validationReport(await hookReport(this.scopeConfig(), this.inventoryIO()), this.strict);
    this.context.stdout.write(
      this.output === 'table' ? renderValidation(report, this.style(), this.quiet) : serialize(report, this.output),
    );
    return report.valid ? 0 : 1;
  }
}
