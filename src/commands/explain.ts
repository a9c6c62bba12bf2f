// `explain [CODE]`: what a finding means, the Ark/Velero versions that behave that way and how to fix
// it, from the finding table bundled in the plugin (src/hooks/findings.ts); without CODE, every code
// with its severity and one line.

import { Command, Option } from 'clipanion';
import { UsageError } from '../errors.ts';
import { EXPLANATIONS, FINDING_CODES, FINDINGS, type FindingCode, severitiesOf } from '../hooks/findings.ts';
import { levenshtein } from '../output/help.ts';
import { serialize } from '../output/render.ts';
import { BaseCommand } from './base.ts';
import { outputOption } from './flags.ts';

/** One code as `explain -o json|yaml` prints it. */
export function explanation(code: FindingCode) {
  return { code, severity: severitiesOf(code), description: FINDINGS[code].description, ...EXPLANATIONS[code] };
}

/** The candidate closest to `word` when it is near enough to be a typo (or a part of one code), else null. */
export function suggest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  const containing = candidates.filter((c) => w.length >= 4 && c.includes(w));
  if (containing.length === 1) return containing[0] as string;
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(w.length / 4)) + 1;
  for (const c of candidates) {
    const d = levenshtein(w, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function isCode(word: string): word is FindingCode {
  return Object.hasOwn(FINDINGS, word);
}

export class ExplainCommand extends BaseCommand {
  static override paths = [['explain']];
  static override usage = Command.Usage({
    category: 'Inspect Commands',
    description: 'Explain a finding code: what it means, which Ark/Velero versions behave that way, how to fix it',
    details: `
      Findings (in \`list\`, \`validate\`, \`dry-run\` and \`annotate\`) carry a code such as \`command-not-json-array\`. \`explain CODE\` says what the finding means, where the behaviour applies and how to fix it; \`explain\` alone lists every code with its severity and one line.
    `,
    examples: [
      ['List every finding code', '$0 explain'],
      ['Explain one code', '$0 explain command-not-json-array'],
      ['As YAML, for tooling', '$0 explain invalid-timeout -o yaml'],
    ],
  });
  /** The `Usage:` lines of the help (and of the README's command table). */
  static synopsis = ['explain [CODE] [-o FORMAT] [options]'];

  code = Option.String({ required: false, name: 'CODE' });
  output = Option.String('-o,--output', 'text', outputOption('explain'));

  async run(): Promise<number> {
    const out = this.context.stdout;
    if (this.code === undefined) {
      if (this.output !== 'text') {
        out.write(serialize({ findings: FINDING_CODES.map(explanation) }, this.output));
        return 0;
      }
      const width = Math.max(...FINDING_CODES.map((c) => c.length));
      const lines = FINDING_CODES.map((c) => `${c.padEnd(width)}  ${FINDINGS[c].severity.padEnd(7)}  ${FINDINGS[c].description}`);
      out.write(`${'CODE'.padEnd(width)}  SEVERITY DESCRIPTION\n${lines.join('\n')}\n`);
      return 0;
    }
    const code = this.code.toLowerCase();
    if (!isCode(code)) {
      const near = suggest(code, FINDING_CODES);
      const hint = near ? ` (did you mean "${near}"?)` : '';
      throw new UsageError(`unknown finding code "${this.code}"${hint}; run 'kubectl ark-hooks explain' for the list`);
    }
    const e = explanation(code);
    if (this.output !== 'text') {
      out.write(serialize(e, this.output));
      return 0;
    }
    out.write(
      `CODE:      ${e.code}\nSEVERITY:  ${e.severity.join(' or ')}\nVERSIONS:  ${e.versions}\n\n` +
        `DESCRIPTION:\n  ${e.description}\n\nFIX:\n  ${e.fix.charAt(0).toUpperCase()}${e.fix.slice(1)}\n`,
    );
    return 0;
  }
}
