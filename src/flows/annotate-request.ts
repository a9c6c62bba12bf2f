// Turns annotate's flags into an EditRequest for the hook model: which phases, which command (JSON
// array, repeated --command, or the words after --), a preset, removal, the family to write. Every
// mistake is a usage error, found before any request is sent.

import { UsageError } from '../errors.ts';
import type { EditRequest, HookWrite } from '../hooks/edit.ts';
import { checkTimeout, parseOnErrorFlag } from '../hooks/edit.ts';
import { PRESETS, PRESET_NAMES } from '../hooks/presets.ts';
import type { Target } from '../hooks/targets.ts';
import { describeTarget } from '../hooks/targets.ts';
import type { Family, OnError, Phase } from '../hooks/types.ts';

/** annotate's hook flags, as given. */
export interface AnnotateFlags {
  phase?: Phase | undefined;
  command?: string[] | undefined;
  afterDashes?: string[] | undefined;
  container?: string | undefined;
  onError?: string | undefined;
  timeout?: string | undefined;
  flavor?: Family | undefined;
  legacy: boolean;
  preset?: string | undefined;
  mountPath?: string | undefined;
  remove: boolean;
  overwrite: boolean;
}

interface Extra {
  container?: string | undefined;
  onError?: OnError | undefined;
  timeout?: string | undefined;
}

/** The EditRequest for `target`; `warn` gets the warning for a --flavor the target does not read. */
export function editRequest(f: AnnotateFlags, target: Target, warn?: (message: string) => void): EditRequest {
  const family = f.flavor ?? (target.families[0] as Family);
  const onError = f.onError === undefined ? undefined : parseOnErrorFlag(f.onError);
  if (onError === null) throw new UsageError(`invalid --on-error "${f.onError}": use Fail or Continue`);
  const problem = f.timeout === undefined ? null : checkTimeout(f.timeout);
  if (problem) throw new UsageError(problem);
  if (f.legacy && f.phase === 'post') throw new UsageError('--legacy keys only exist for pre hooks');
  // Removing a family the target does not read is a clean-up, not a hook that never runs: no warning.
  if (warn && f.flavor !== undefined && !f.remove && !target.families.includes(family)) {
    const keys = family === 'ark' ? 'ark.heptio.com' : 'velero.io';
    warn(`--flavor ${family}: ${target.name} (${describeTarget(target)}) does not read ${keys} keys, so hooks written now never run there`);
  }
  const base: EditRequest = {
    target,
    writes: [],
    removePhases: [],
    family,
    removeFamilies: f.flavor ? [family] : ['ark', 'velero'],
    legacy: f.legacy,
    overwrite: f.overwrite,
  };
  if (f.remove) {
    if (f.command || f.afterDashes || f.preset) throw new UsageError('--remove deletes hooks; it takes no command or preset');
    return { ...base, removePhases: f.phase ? [f.phase] : ['pre', 'post'] };
  }
  const extra: Extra = { container: f.container, onError, timeout: f.timeout };
  if (f.preset !== undefined) return { ...base, writes: presetWrites(f, extra) };
  if (!f.phase) throw new UsageError('--phase pre or --phase post is required (or use --preset)');
  return { ...base, writes: [{ phase: f.phase, command: hookCommand(f), ...extra }] };
}

function presetWrites(f: AnnotateFlags, extra: Extra): HookWrite[] {
  const name = f.preset as string;
  const preset = PRESETS[name];
  if (!preset) throw new UsageError(`unknown --preset "${name}": use one of ${PRESET_NAMES.join(', ')}`);
  if (f.command || f.afterDashes) throw new UsageError('--preset sets the command itself; drop --command');
  if (preset.needsPath && !f.mountPath?.startsWith('/')) {
    throw new UsageError(`--preset ${name} needs --path with an absolute mount point, e.g. --path /var/lib/data`);
  }
  const hooks = Object.entries(preset.hooks(f.mountPath ?? '')) as [Phase, string[]][];
  const writes = hooks.filter(([p]) => !f.phase || p === f.phase).map(([phase, command]) => ({ phase, command, ...extra }));
  if (writes.length === 0) throw new UsageError(`--preset ${name} has no ${f.phase} hook`);
  return writes;
}

/** The hook's argv: after --, a JSON array in one --command, or --command once per word. */
function hookCommand(f: AnnotateFlags): string[] {
  if (f.command && f.afterDashes) throw new UsageError('give the command with --command or after --, not both');
  let argv: string[];
  if (f.afterDashes) argv = f.afterDashes;
  else if (f.command) argv = commandFlag(f.command);
  else throw new UsageError('the hook needs a command: --command \'["/bin/sync"]\', or the command after --');
  if (argv.length === 0 || argv[0] === '') throw new UsageError('the hook command is empty');
  return argv;
}

function commandFlag(words: string[]): string[] {
  const only = words[0] as string;
  if (words.length !== 1 || !only.trimStart().startsWith('[')) return words;
  let parsed: unknown;
  try {
    parsed = JSON.parse(only);
  } catch (e) {
    throw new UsageError(`--command ${JSON.stringify(only)} is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string')) {
    throw new UsageError('--command must be a JSON array of strings, e.g. ["/sbin/fsfreeze","--freeze","/data"]');
  }
  return parsed as string[];
}
