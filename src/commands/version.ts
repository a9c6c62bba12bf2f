import { Command, Option } from 'clipanion';
import { COMMIT, VERSION, versionLine } from '../build-info.ts';
import { serialize } from '../output/render.ts';
import { BaseCommand } from './base.ts';
import { outputOption } from './flags.ts';

export { versionLine };

export class VersionCommand extends BaseCommand {
  static override paths = [['version'], ['--version']];
  static override usage = Command.Usage({
    category: 'Other Commands',
    description: 'Print the version and the commit it was built from',
    examples: [
      ['Print the version', '$0 version'],
      ['As JSON', '$0 version -o json'],
    ],
  });
  /** The `Usage:` lines of the help (and of the README's command table). */
  static synopsis = ['version [-o FORMAT]'];

  output = Option.String('-o,--output', 'text', outputOption('version'));

  async run(): Promise<number> {
    if (this.output === 'text') {
      this.context.stdout.write(versionLine() + '\n');
      return 0;
    }
    this.context.stdout.write(serialize({ version: VERSION, commit: COMMIT, node: process.version }, this.output));
    return 0;
  }
}
