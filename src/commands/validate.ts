// `validate`: the findings of the hooks in scope, and exit 1 when any is an error (a linter for CI).

import { Command, Option } from 'clipanion';
import { hookReport } from '../flows/inventory.ts';
import { validationItems } from '../output/items.ts';
import { renderValidation, serialize } from '../output/render.ts';
import { validationReport } from '../report/hook-report.ts';
import { ScopeCommand } from './base.ts';
import { allowMissingKeysOption, noHeadersOption, outputOption, sortByOption } from './flags.ts';
import { parseFormat, scripted } from '../output/formats.ts';

export class ValidateCommand extends ScopeCommand {
  static override paths = [['validate']];
  static override usage = Command.Usage({
    category: 'Inspect Commands',
    description: 'Check hooks for mistakes and exit 1 when any is an error (a linter for CI)',
    details: `
      Takes the same inputs as \`list\` (a cluster, or manifests with \`-f\`) and prints only the findings: hooks that Ark or Velero would run differently from what is written (a command that is not a JSON array, an invalid on-error value or timeout, a container that is not in the pod, ...), hooks that would not run at all, and risky set-ups (a filesystem frozen with no post hook to unfreeze it).

      The findings are validate's data: they go to stdout. \`-o jsonpath=\` runs over the report that \`-o json\` prints; \`-o custom-columns=\` and \`--sort-by\` over each of its \`.findings\`.

      Exit status: 0 when there is no error (warnings are allowed unless \`--strict\`), 1 when there is at least one error, 2 for a usage error.
    `,
    examples: [
      ['Lint the manifests of a repository before deploying', '$0 validate -f deploy/'],
      ['Fail on warnings too', '$0 validate -f deploy/ --strict'],
      ['Check the hooks that the Velero backup "nightly" would run', '$0 validate --backup nightly'],
      ['Findings as JSON', '$0 validate -A -o json'],
      ['The codes of the findings, one per line', `$0 validate -f deploy/ -o jsonpath='{range .findings[*]}{.code}{"\\n"}{end}'`],
      ['Errors only, as columns', `$0 validate -A -o custom-columns='CODE:.code,OBJECT:.object' --sort-by=.code`],
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

  noHeaders = noHeadersOption();
  sortBy = sortByOption();
  allowMissingKeys = allowMissingKeysOption();

  async run(): Promise<number> {
    const format = parseFormat(this.output);
    const report = validationReport(await hookReport(this.scopeConfig(), this.inventoryIO()), this.strict);
    const text = scripted(report, validationItems(report), format, this);
    const out =
      text ??
      (format.kind === 'json' || format.kind === 'yaml'
        ? serialize(report, format.kind)
        : renderValidation(report, this.style(), this.quiet));
    this.context.stdout.write(out);
    return report.valid ? 0 : 1;
  }
}
