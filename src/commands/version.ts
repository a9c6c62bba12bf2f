import { Command, Option } from 'clipanion';
import { COMMIT, VERSION, versionLine } from '../build-info.ts';
import { serialize } from '../output/render.ts';
import { BaseCommand, parseOutput } from './base.ts';

export { versionLine };

export class VersionCommand extends BaseCommand {
  static override paths = [['version'], ['--version']];
  static override usage = Command.Usage({
    description: 'Print the version and the commit it was built from',
    examples: [['Print the version', '$0 version'], ['As JSON', '$0 version -o json']],
  });

  output = Option.String('-o,--output', 'text', { description: 'text, json or yaml' });

  async run(): Promise<number> {
    if (this.output === 'text') {
      this.context.stdout.write(versionLine() + '\n');
      return 0;
    }
    const format = parseOutput(this.output, ['json', 'yaml']);
    this.context.stdout.write(serialize({ version: VERSION, commit: COMMIT, node: process.version }, format as 'json' | 'yaml'));
    return 0;
  }
}
