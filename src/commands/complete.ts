// Shell completion for kubectl (1.26+): kubectl runs `kubectl_complete-ark_hooks WORDS… ''`, which
// calls `kubectl-ark_hooks __complete WORDS…`. One candidate per line, then cobra's directive line.

import type { Cli } from 'clipanion';
import type { Context } from './base.ts';
import { escapeLine } from '../output/escape.ts';
import { FINDING_CODES } from '../hooks/findings.ts';
import { TARGET_KINDS, resolveKind } from '../flows/annotate.ts';
import { SHELLS, valuesOf } from './flags.ts';

const NO_FILES = ':4';
const FILES = ':0';
/** cobra's ShellCompDirectiveNoSpace | NoFileComp: after `statefulset/` the name follows, no space (and after `jsonpath=`). */
const NO_SPACE = ':6';

/** What annotate takes as TYPE/NAME besides pods (kubectl's singular names). */
const WORKLOAD_TYPES = Object.values(TARGET_KINDS)
  .map((k) => k.display.split('.')[0] as string)
  .filter((t) => t !== 'pod');

const nameOf = (o: unknown): string => String((o as { metadata?: { name?: unknown } } | undefined)?.metadata?.name ?? '');

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
    const words = input.length > 0 ? input : [''];
    const cur = words[words.length - 1] as string;
    const prev = words.length > 1 ? (words[words.length - 2] as string) : '';
    const starts = (items: readonly string[]) => items.filter((i) => i.startsWith(cur));
    if (words.length === 1) return this.out(starts(this.commandNames()));
    const sub = words[0] as string;
    const def = this.cli.definitions().find((d) => d.path.split(' ').slice(2).join(' ') === sub);
    const names = (def?.options ?? []).flatMap((o) => o.definition.split(/[\s,]+/)).filter((n) => n.startsWith('-'));
    if (FILE_FLAGS.has(prev)) return this.out([], FILES);
    // The flag's values from the table that validation reads too (commands/flags.ts).
    // Only for a flag that takes its value as the next word (clipanion writes those `--flag #0`).
    const takesValue = (def?.options ?? []).some((o) => o.definition.includes('#0') && o.definition.split(/[\s,]+/).includes(prev));
    const values = takesValue ? valuesOf(sub, prev) : undefined;
    if (values) {
      const offered = starts(values);
      // jsonpath= and the like are prefixes: the shell adds no space after them.
      return this.out(offered, offered.some((v) => v.endsWith('=')) ? NO_SPACE : NO_FILES);
    }
    if (prev === '-n' || prev === '--namespace' || prev === '--backup-namespace')
      return this.out(starts(await this.cluster(words, (c) => c.namespaceNames())));
    if (prev === '--context') return this.out(starts(await this.contexts(words)));
    if (prev === '--backup' && names.includes(prev)) return this.out(starts(await this.backups(words)));
    // Any other flag that takes a value (-v, --as, --token, …): nothing to offer, and never a positional.
    if (takesValue) return this.out([], NO_FILES);
    if (cur.startsWith('-')) return this.out([...new Set(names.filter((n) => n.startsWith('--')))].sort().filter((n) => n.startsWith(cur)));
    return this.argument(words, sub, cur);
  }

  /** Positional arguments: a finding code, a shell, pods and TYPE/NAME of annotate, pods of run. */
  private async argument(words: string[], sub: string, cur: string): Promise<number> {
    const fixed = words.length !== 2 ? undefined : sub === 'explain' ? FINDING_CODES : sub === 'completion' ? SHELLS : undefined;
    if (fixed) return this.out(fixed.filter((a) => a.startsWith(cur)));
    if (sub === 'help' && words.length === 2) return this.out(this.commandNames().filter((c) => c.startsWith(cur)));
    if (sub === 'annotate') return this.annotateTarget(words, cur);
    if (sub === 'run') return this.out((await this.pods(words)).filter((p) => p.startsWith(cur)));
    return this.out([]);
  }

  /**
   * annotate's targets: pods and TYPE/ prefixes, then TYPE/NAME from the cluster. With --local the names
   * are in the files, so only the prefixes; Jobs only with --local (a Job's pod template is immutable).
   */
  private async annotateTarget(words: string[], cur: string): Promise<number> {
    const local = words.includes('--local');
    if (cur.includes('/')) return this.out(local ? [] : await this.objects(words, cur));
    const types = WORKLOAD_TYPES.filter((t) => local || t !== 'job')
      .map((t) => `${t}/`)
      .filter((t) => t.startsWith(cur));
    const pods = local ? [] : (await this.pods(words)).filter((p) => p.startsWith(cur));
    const candidates = [...pods, ...types];
    // Only TYPE/ prefixes: no space after, so that the name can follow.
    return this.out(candidates, candidates.length > 0 && candidates.every((c) => c.endsWith('/')) ? NO_SPACE : NO_FILES);
  }

  private out(items: string[], directive = NO_FILES): number {
    // A name with control characters is never offered: the shell would print it raw.
    this.context.stdout.write([...items.filter((i) => i && escapeLine(i) === i), directive].join('\n') + '\n');
    return 0;
  }

  private commandNames(): string[] {
    return this.cli
      .definitions()
      .map((d) => d.path.split(' ').slice(2).join(' '))
      .filter((p) => p && !p.startsWith('__') && !p.startsWith('-'));
  }

  private pods(words: string[]): Promise<string[]> {
    return this.cluster(words, async (c) => {
      const names: string[] = [];
      for await (const page of c.listPods(c.namespace)) names.push(...page.map((p) => nameOf(p)));
      return names;
    });
  }

  /** `TYPE/PREFIX`: the names of the objects of that type, as TYPE/NAME. */
  private async objects(words: string[], cur: string): Promise<string[]> {
    const type = cur.slice(0, cur.indexOf('/'));
    let kind: ReturnType<typeof resolveKind>;
    try {
      kind = resolveKind(type);
    } catch {
      return [];
    }
    const names = await this.cluster(words, async (c, kube) =>
      (await new kube.ObjectClient(c).list(kind, c.namespace, undefined)).map(nameOf),
    );
    return names.map((n) => `${type}/${n}`).filter((n) => n.startsWith(cur));
  }

  /** Backup names: velero.io/v1 Backups in the backup namespace, then ark.heptio.com ones. */
  private async backups(words: string[]): Promise<string[]> {
    const ns = this.flag(words, '--backup-namespace');
    const names = await this.cluster(words, async (c, kube) => {
      const found: string[] = [];
      for (const [group, namespace] of [
        ['velero.io', ns ?? 'velero'],
        ['ark.heptio.com', ns ?? 'heptio-ark'],
      ] as const) {
        const kind = { kind: 'Backup', apiVersion: `${group}/v1`, display: `backup.${group}` };
        found.push(...(await new kube.ObjectClient(c).list(kind, namespace, undefined).catch(() => [])).map(nameOf));
      }
      return found;
    });
    return [...new Set(names)];
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
    fn: (c: InstanceType<typeof import('../kube/index.ts').Cluster>, kube: typeof import('../kube/index.ts')) => Promise<string[]>,
  ): Promise<string[]> {
    try {
      const { loadKube } = await import('../kube-loader.ts');
      const kube = await loadKube();
      const { Cluster } = kube;
      const c = new Cluster(
        {
          kubeconfig: this.flag(words, '--kubeconfig'),
          context: this.flag(words, '--context'),
          namespace: this.flag(words, '-n', '--namespace'),
          requestTimeout: '3s',
        },
        this.context.env,
      );
      return await fn(c, kube);
    } catch {
      return [];
    }
  }
}
