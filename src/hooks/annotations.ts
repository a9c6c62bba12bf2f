// Hooks declared as pod annotations (hooks-spec A2 and A3), read the way one target reads them:
// which families, in which order, and which keys it ignores.

import type { Target } from './targets.ts';
import { describeTarget, stoppedReading } from './targets.ts';
import type { Family, Finding, Phase, PodInput, ResolvedHook } from './types.ts';
import { quoted, resolveContainer, resolveOnError, resolveTimeout } from './values.ts';
import { finding } from './findings.ts';
import type { FindingCode } from './findings.ts';

export const DOMAINS: Record<Family, string> = {
  ark: 'hook.backup.ark.heptio.com',
  velero: 'hook.backup.velero.io',
};

export const HOOK_FIELDS = ['container', 'command', 'on-error', 'timeout'] as const;
export type HookField = (typeof HOOK_FIELDS)[number];

export const ANNOTATION_HOOK_NAME = '<from-annotation>';

/** The annotation key of one field: `pre.hook.backup.velero.io/command`. legacy → un-prefixed. */
export function annotationKey(family: Family, phase: Phase, field: HookField, legacy = false): string {
  return `${legacy ? '' : phase + '.'}${DOMAINS[family]}/${field}`;
}

interface KeySet {
  family: Family;
  legacy: boolean;
}

/** The sets consulted for a phase, in the order the first one with a command wins. */
export function keySetOrder(families: readonly Family[], phase: Phase): KeySet[] {
  const sets: KeySet[] = families.map((family) => ({ family, legacy: false }));
  if (phase === 'pre') sets.push(...families.map((family) => ({ family, legacy: true })));
  return sets;
}

const SHELL_META = /[|&;$><*`(){}]/;

export interface ParsedCommand {
  argv: string[];
  findings: Finding[];
}

/** hooks-spec A3: a JSON array of strings when the value starts with "[", else one argv element. */
export function parseCommandAnnotation(value: string, object: string, field: string): ParsedCommand {
  const f = (severity: Finding['severity'], code: FindingCode, message: string): Finding =>
    finding({ severity, code, object, field, message });
  if (value.startsWith('[')) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(value);
    } catch (e) {
      return {
        argv: [value],
        findings: [
          f(
            'error',
            'command-invalid-json',
            `command starts with "[" but is not valid JSON (${(e as Error).message}); Ark/Velero run the whole text as one program name: fix the JSON array`,
          ),
        ],
      };
    }
    if (!Array.isArray(decoded) || decoded.some((el) => el !== null && typeof el !== 'string')) {
      return {
        argv: [value],
        findings: [
          f(
            'error',
            'command-not-string-array',
            'command is JSON but not an array of strings; Ark/Velero run the whole text as one program name: quote every element, e.g. ["/bin/sh","-c","…"]',
          ),
        ],
      };
    }
    const findings: Finding[] = [];
    if (decoded.some((el) => el === null)) {
      findings.push(
        f(
          'warning',
          'command-null-element',
          'command has a null element, which Ark/Velero pass as an empty argument: remove it or write ""',
        ),
      );
    }
    const argv = decoded.map((el) => (el === null ? '' : (el as string)));
    findings.push(...checkArgv(argv, f));
    return { argv, findings };
  }
  const findings: Finding[] = [];
  if (value.trimStart().startsWith('[')) {
    findings.push(
      f(
        'error',
        'command-leading-space',
        'command has white space before "["; Ark/Velero do not trim it and run the whole text as one program name: remove the leading space',
      ),
    );
  } else if (/\s/.test(value)) {
    const short = value.length <= 120;
    const suggestion = !short
      ? '["program","arg",…]'
      : SHELL_META.test(value)
        ? JSON.stringify(['/bin/sh', '-c', value])
        : JSON.stringify(value.trim().split(/\s+/));
    findings.push(
      f(
        'error',
        'command-not-json-array',
        `command is a plain string with spaces; Ark/Velero run it as ONE program named ${quoted(value)} (no shell splits it): write a JSON array, e.g. ${suggestion}`,
      ),
    );
  } else if (SHELL_META.test(value)) {
    findings.push(
      f(
        'warning',
        'command-shell-syntax',
        `command contains shell syntax but hooks run without a shell: use ${value.length <= 120 ? JSON.stringify(['/bin/sh', '-c', value]) : '["/bin/sh","-c","…"]'}`,
      ),
    );
  }
  return { argv: [value], findings };
}

/** Checks that apply to any argv, from annotations or from a Backup spec. */
export function checkArgv(
  argv: readonly string[],
  f: (severity: Finding['severity'], code: FindingCode, message: string) => Finding,
): Finding[] {
  if (argv.length === 0)
    return [f('error', 'command-empty', 'command is an empty list; Ark/Velero fail the hook with "command is required"')];
  const first = argv[0] as string;
  if (first === '') return [f('error', 'command-empty-program', 'the first element of the command is empty: name the program to run')];
  if (/\s/.test(first.trim())) {
    return [
      f(
        'error',
        'command-program-has-spaces',
        `the program ${quoted(first)} contains spaces; the container runtime looks for a file with that exact name: split it into separate elements`,
      ),
    ];
  }
  return [];
}

function stringAnnotation(pod: PodInput, key: string): string | undefined {
  return Object.hasOwn(pod.annotations, key) ? pod.annotations[key] : undefined;
}

function hasAnyKey(pod: PodInput, set: KeySet, phase: Phase): HookField[] {
  return HOOK_FIELDS.filter((field) => stringAnnotation(pod, annotationKey(set.family, phase, field, set.legacy)) !== undefined);
}

export interface AnnotationResolution {
  hook: ResolvedHook | null;
  /** Findings about the pod's annotations that are not about the chosen hook itself. */
  findings: Finding[];
}

/** Findings about the key sets of a phase that are not read: another set wins, or they have no command. */
function ignoredSets(
  pod: PodInput,
  phase: Phase,
  target: Target,
  object: string,
  order: KeySet[],
  chosen: KeySet | null,
  withCommand: KeySet[],
): Finding[] {
  const findings: Finding[] = [];
  for (const set of order) {
    if (set === chosen) continue;
    const present = hasAnyKey(pod, set, phase);
    if (present.length === 0) continue;
    const commandKey = annotationKey(set.family, phase, 'command', set.legacy);
    if (withCommand.includes(set) && chosen) {
      const chosenKey = annotationKey(chosen.family, phase, 'command', chosen.legacy);
      const why =
        chosen.family !== set.family
          ? `the velero.io set wins over the ark.heptio.com set (${describeTarget(target)} order)`
          : 'the pre.-prefixed set wins over the deprecated un-prefixed set';
      findings.push(
        finding({
          severity: 'warning',
          code: chosen.family !== set.family ? 'both-families' : 'legacy-and-prefixed',
          object,
          field: commandKey,
          message: `ignored: ${chosenKey} is also set and ${why}; remove one of the two`,
        }),
      );
    } else {
      const cmd = stringAnnotation(pod, commandKey);
      const others = present.filter((x) => x !== 'command').map((x) => annotationKey(set.family, phase, x, set.legacy));
      const what = cmd === '' ? `${commandKey} is empty, which means no hook` : `there is no ${commandKey}`;
      if (others.length > 0 || cmd === '') {
        findings.push(
          finding({
            severity: 'warning',
            code: cmd === '' ? 'empty-command' : 'keys-without-command',
            object,
            field: others[0] ?? commandKey,
            message: `${others.length > 0 ? others.join(', ') + ' ignored: ' : ''}${what}; add the command or remove the keys`,
          }),
        );
      }
    }
  }
  return findings;
}

/** hooks-spec A2: the annotation hook of one phase, or null. Never throws. */
export function resolveAnnotationHook(pod: PodInput, phase: Phase, target: Target, object: string): AnnotationResolution {
  const findings: Finding[] = [];
  const order = keySetOrder(target.families, phase);
  let chosen: KeySet | null = null;
  const withCommand: KeySet[] = [];
  for (const set of order) {
    const cmd = stringAnnotation(pod, annotationKey(set.family, phase, 'command', set.legacy));
    if (cmd !== undefined && cmd !== '') {
      withCommand.push(set);
      chosen ??= set;
    }
  }
  findings.push(...ignoredSets(pod, phase, target, object, order, chosen, withCommand));
  if (!chosen) return { hook: null, findings };

  const keyFor = (field: HookField) => annotationKey(chosen.family, phase, field, chosen.legacy);
  const commandKey = keyFor('command');
  const parsed = parseCommandAnnotation(stringAnnotation(pod, commandKey) as string, object, commandKey);
  const container = resolveContainer(stringAnnotation(pod, keyFor('container')), pod, { object, field: keyFor('container') });
  const onError = resolveOnError(stringAnnotation(pod, keyFor('on-error')), { object, field: keyFor('on-error') }, target);
  const timeout = resolveTimeout(stringAnnotation(pod, keyFor('timeout')), { object, field: keyFor('timeout') });
  const hookFindings = [...parsed.findings, ...container.findings, ...onError.findings, ...timeout.findings];
  if (chosen.legacy) {
    hookFindings.push(
      finding({
        severity: 'warning',
        code: 'legacy-keys',
        object,
        field: commandKey,
        message: `un-prefixed ${DOMAINS[chosen.family]} keys are deprecated (still read as a pre hook): rename them to pre.${DOMAINS[chosen.family]}/…`,
      }),
    );
  }
  return {
    hook: {
      phase,
      source: { type: 'annotation', family: chosen.family, legacy: chosen.legacy, key: commandKey },
      name: ANNOTATION_HOOK_NAME,
      container: container.value,
      containerDefaulted: container.defaulted,
      command: parsed.argv,
      onError: onError.value,
      onErrorIfRejected: onError.ifRejected,
      timeoutNanos: timeout.value,
      findings: hookFindings,
    },
    findings,
  };
}

/**
 * Hook keys of families the target does not read: `ark-keys-ignored` (Velero >= 1.0) or
 * `velero-keys-ignored` (Ark). An error when the ignored keys hold a command for a phase that the
 * target finds no hook for: the hook the user meant silently never runs.
 */
export function ignoredFamilyFindings(pod: PodInput, target: Target, object: string, hasHook: Record<Phase, boolean>): Finding[] {
  const out: Finding[] = [];
  for (const family of ['ark', 'velero'] as Family[]) {
    if (target.families.includes(family)) continue;
    const keys = Object.keys(pod.annotations)
      .filter((k) => {
        const m = HOOK_KEY.exec(k);
        return m !== null && m[2] === DOMAINS[family].slice('hook.backup.'.length);
      })
      .sort();
    if (keys.length === 0) continue;
    const lost = (['pre', 'post'] as Phase[]).filter(
      (phase) =>
        !hasHook[phase] &&
        keySetOrder([family], phase).some((set) => {
          const v = stringAnnotation(pod, annotationKey(family, phase, 'command', set.legacy));
          return v !== undefined && v !== '';
        }),
    );
    const stopped = stoppedReading(family, target);
    const since = stopped
      ? `${describeTarget(target)} ignores them (${stopped.product === 'ark' ? 'Ark' : 'Velero'} stopped reading ${DOMAINS[family]} keys in v${stopped.from})`
      : `${describeTarget(target)} never reads them`;
    const other = target.families[0] as Family;
    out.push(
      finding({
        severity: lost.length > 0 ? 'error' : 'warning',
        code: `${family}-keys-ignored`,
        object,
        field: keys[0] as string,
        message: `${keys.length} ${DOMAINS[family]} key${keys.length > 1 ? 's' : ''}: ${since}${lost.length > 0 ? `, so the ${lost.join(' and ')} hook they define never runs` : ''}: write them as ${DOMAINS[other]} keys (kubectl ark-hooks annotate --overwrite)`,
      }),
    );
  }
  return out;
}

const HOOK_KEY = /^(?:(pre|post)\.)?hook\.backup\.(ark\.heptio\.com|velero\.io)\/(.*)$/;

/** Whether an annotation key is in a backup hook family (any field, any phase prefix). */
export function isHookKey(key: string): boolean {
  return HOOK_KEY.test(key);
}

/** Annotation keys that look like hook keys but that Ark would never read (typos, wrong case). */
export function unknownHookKeys(pod: PodInput, object: string): Finding[] {
  const out: Finding[] = [];
  for (const key of Object.keys(pod.annotations)) {
    const exact = HOOK_KEY.exec(key);
    if (exact) {
      const field = exact[3] as string;
      if (!(HOOK_FIELDS as readonly string[]).includes(field)) {
        const lower = field.toLowerCase();
        const close = HOOK_FIELDS.find((f) => f === lower || editDistance(f, lower) <= 2);
        out.push(
          finding({
            severity: 'warning',
            code: 'unknown-hook-key',
            object,
            field: key,
            message: `"${field}" is not a hook field, so Ark/Velero ignore this key${close ? `: did you mean "${close}"?` : ` (fields: ${HOOK_FIELDS.join(', ')})`}`,
          }),
        );
      }
      continue;
    }
    if (HOOK_KEY.test(key.toLowerCase())) {
      out.push(
        finding({
          severity: 'warning',
          code: 'hook-key-case',
          object,
          field: key,
          message: `annotation keys are case-sensitive and Ark/Velero ignore this one: write it as "${key.toLowerCase()}"`,
        }),
      );
    }
  }
  return out;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (dp[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = dp[i] as number[];
      const prev = dp[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return (dp[a.length] as number[])[b.length] as number;
}
