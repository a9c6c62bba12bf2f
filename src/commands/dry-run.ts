// `dry-run`: what `run` would execute and what would make it fail, executing nothing (flows/preflight.ts).

import { Command, Option } from 'clipanion';
import { dryRun } from '../flows/preflight.ts';
import { parseFormat } from '../output/formats.ts';
import { renderPlanAs } from '../output/run-report.ts';
import { ScopeCommand } from './base.ts';
import { allowMissingKeysOption, noHeadersOption, outputOption, sortByOption } from './flags.ts';

export const DRY_RUN_DETAILS = `
  Prints, for each pod in order, the hooks a run would execute: container, command (quoted the way you would type it), on-error, timeout, and where the hook comes from. Nothing is executed and nothing is changed: the only requests are reads and SelfSubjectAccessReviews.

  It checks what a real run would hit: pods that are not Running, containers that are missing or not running, hooks Ark would fail before executing them, and RBAC: \`get\` and \`create\` on \`pods/exec\` in each namespace (the WebSocket exec upgrade is authorised as get; clusters from 1.35 also require create; unlike kubectl, this plugin has no SPDY fallback).

  The headline counts the hooks shown with "would fail"; hooks shown with errors that do not stop a run (Ark/Velero run them as written) are counted on a line of their own. \`-o name\` prints \`pod/NAME\` for each pod a run would execute hooks in; \`-o jsonpath=\` runs over the plan that \`-o json\` prints; \`-o custom-columns=\` and \`--sort-by\` over each of its \`.pods\`.

  Exit status: 0 when the plan is clean, 1 when a real run would fail (a file given with -f that is not YAML or JSON counts as a problem), 2 for a usage error.
`;

export class DryRunCommand extends ScopeCommand {
  static override paths = [['dry-run']];
  static override usage = Command.Usage({
    category: 'Inspect Commands',
    description: 'Show exactly what `run` would execute and what would make it fail, executing nothing',
    details: DRY_RUN_DETAILS,
    examples: [
      ['What the pre hooks of the Velero backup "nightly" would do', '$0 dry-run --backup nightly --phase pre'],
      ['The plan for every namespace, as JSON', '$0 dry-run -A -o json'],
      ['The plan for manifests (no cluster, no RBAC check)', '$0 dry-run -f k8s/'],
      [
        'The pods whose hooks would fail',
        `$0 dry-run -A -o jsonpath='{range .pods[*]}{.namespace}/{.pod}{" "}{.hooks[?(@.problem)].problem}{"\\n"}{end}'`,
      ],
    ],
  });
  /** The `Usage:` lines of the help (and of the README's command table). */
  static synopsis = [
    'dry-run [-n NAMESPACE | -A] [-l SELECTOR] [--phase pre|post] [--backup NAME | --backup-file FILE] [-o FORMAT] [options]',
    'dry-run -f FILE|DIR|- [--phase pre|post] [-o FORMAT] [options]',
  ];

  output = Option.String('-o,--output', 'table', outputOption('dry-run'));

  noHeaders = noHeadersOption();
  sortBy = sortByOption();
  allowMissingKeys = allowMissingKeysOption();

  async run(): Promise<number> {
    parseFormat(this.output);
    const report = await dryRun(this.scopeConfig(), this.inventoryIO());
    this.context.stdout.write(renderPlanAs(report, this, this.style()));
    return report.wouldFail ? 1 : 0;
  }
}
