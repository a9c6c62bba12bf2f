// Shell completion for kubectl (1.26+): kubectl runs `kubectl_complete-ark_hooks WORDS… ''`, which
// calls `kubectl-ark_hooks __complete WORDS…`. One candidate per line, then cobra's directive line.

import type { Cli } from 'clipanion';
import type { Context } from './base.ts';
import { escapeLine } from '../output/escape.ts';
import { FINDING_CODES } from '../hooks/findings.ts';
import { SHELLS, valuesOf } from './flags.ts';

const NO_FILES = ':4';
const FILES = ':0';

const FILE_FLAGS = new Set(['-f', '--filename', '--kubeconfig', '--backup-file', '--output-dir']);

/** Not a clipanion command: the words being completed may be anything, flags included. */
export class Completer {
  private readonly cli: Cli<Context>;
  private readonly context: Context;

  constructor(cli: Cli<Context>, context: Context) {
    this.cli = cli;
    this.context = context;
  }

  async run(input: string[]): Promise<number> {
    const out = (items: string[], directive: string) => {
      // A name with control characters is never offered: the shell would print it raw.
      this.context.stdout.write([...items.filter((i) => escapeLine(i) === i), directive].join('\n') + '\n');
      return 0;
    };
    const words = input.length > 0 ? input : [''];
    const cur = words[words.length - 1] as string;
    const prev = words.length > 1 ? (words[words.length - 2] as string) : '';
    const defs = this.cli.definitions();
    const commands = defs.map((d) => d.path.split(' ').slice(2).join(' ')).filter((p) => p && !p.startsWith('__') && !p.startsWith('-'));
    if (words.length === 1)
      return out(
        commands.filter((c) => c.startsWith(cur)),
        NO_FILES,
      );
    const sub = words[0] as string;
    const def = defs.find((d) => d.path.split(' ').slice(2).join(' ') === sub);
    if (FILE_FLAGS.has(prev)) return out([], FILES);
    // The flag's values from the table that validation reads too (commands/flags.ts).
    const values = def?.options.some((o) => o.definition.split(/[\s,]+/).includes(prev)) ? valuesOf(sub, prev) : undefined;
    if (values)
      return out(
        values.filter((v) => v.startsWith(cur)),
        NO_FILES,
      );
    if (prev === '-n' || prev === '--namespace' || prev === '--backup-namespace')
      return out(
        (await this.cluster(words, (c) => c.namespaceNames())).filter((n) => n.startsWith(cur)),
        NO_FILES,
      );
    if (prev === '--context')
      return out(
        (await this.contexts(words)).filter((n) => n.startsWith(cur)),
        NO_FILES,
      );
    if (cur.startsWith('-')) {
      const flags = (def?.options ?? [])
        .flatMap((o) => o.definition.split(/[\s,]+/))
        .filter((n) => n.startsWith('--') && n.startsWith(cur));
      return out([...new Set(flags)].sort(), NO_FILES);
    }
    // The argument of explain and completion: a finding code, a shell.
    const argument = words.length !== 2 ? undefined : sub === 'explain' ? FINDING_CODES : sub === 'completion' ? SHELLS : undefined;
    if (argument)
      return out(
        argument.filter((a) => a.startsWith(cur)),
        NO_FILES,
      );
    if (sub === 'annotate') {
      const pods = await this.cluster(words, async (c) => {
        const names: string[] = [];
        for await (const page of c.listPods(c.namespace))
          names.push(...page.map((p) => String((p.metadata as { name?: string } | undefined)?.name ?? '')));
        return names;
      });
      return out(
        pods.filter((p) => p && p.startsWith(cur)),
        NO_FILES,
      );
    }
    return out([], NO_FILES);
  }

  private flag(words: string[], ...names: string[]): string | undefined {
    for (let i = 0; i < words.length - 1; i++) if (names.includes(words[i] as string)) return words[i + 1];
    return undefined;
  }

  private async contexts(words: string[]): Promise<string[]> {
    try {
      const { contextNames } = await import('../kube/kubeconfig-files.ts');
      return contextNames(this.flag(words, '--kubeconfig'), this.context.env);
    } catch {
      return [];
    }
  }

  /** Asks the cluster, quietly: completion must never print errors or hang for long. */
  private async cluster(
    words: string[],
    fn: (c: InstanceType<typeof import('../kube/index.ts').Cluster>) => Promise<string[]>,
  ): Promise<string[]> {
    try {
      const { loadKube } = await import('../kube-loader.ts');
      const { Cluster } = await loadKube();
      const c = new Cluster(
        {
          kubeconfig: this.flag(words, '--kubeconfig'),
          context: this.flag(words, '--context'),
          namespace: this.flag(words, '-n', '--namespace'),
          requestTimeout: '3s',
        },
        this.context.env,
      );
      return await fn(c);
    } catch {
      return [];
    }
  }
}
