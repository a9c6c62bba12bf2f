// Writing hook annotations (hooks-spec A9 "annotate"): which keys change, what the pod's hooks
// then look like, and whether that is allowed. Pure: the caller applies the changes.

import { annotationKey, HOOK_FIELDS, resolveAnnotationHook } from './annotations.ts';
import type { Target } from './targets.ts';
import type { HookField } from './annotations.ts';
import { parseGoDuration } from './duration.ts';
import type { Family, Finding, OnError, Phase, PodInput } from './types.ts';
import { PHASES } from './types.ts';
import { finding } from './findings.ts';

export interface HookWrite {
  phase: Phase;
  command: string[];
  container?: string | undefined;
  onError?: OnError | undefined;
  timeout?: string | undefined;
}

export interface EditRequest {
  writes: HookWrite[];
  /** Phases whose hook keys are deleted (--remove). */
  removePhases: Phase[];
  /** The family written: the one the target reads, or --flavor. */
  family: Family;
  /** The Ark/Velero version whose reading decides what the written keys do. */
  target: Target;
  /** Families whose keys --remove deletes. */
  removeFamilies: Family[];
  /** Write the deprecated un-prefixed pre keys (--legacy). */
  legacy: boolean;
  overwrite: boolean;
}

export interface EditResult {
  /** Annotation key → new value, or null to delete it. Only keys whose value changes. */
  changes: Record<string, string | null>;
  after: Record<string, string>;
  changed: boolean;
  /** Existing keys that would be replaced without --overwrite. */
  conflicts: { key: string; current: string; wanted: string | null }[];
  /** Findings about the hooks as they will be after the edit. */
  findings: Finding[];
}

/** Validates --timeout: Go duration syntax with a unit. Returns an error message or null. */
export function checkTimeout(value: string): string | null {
  const parsed = parseGoDuration(value);
  if (!parsed.ok) {
    const unitless = /^[0-9]+(\.[0-9]+)?$/.test(value.trim());
    return `invalid --timeout "${value}": ${unitless ? `add a unit, e.g. ${value.trim()}s` : 'use Go duration syntax such as 30s, 5m or 1h30m'}`;
  }
  if (parsed.nanos <= 0n)
    return `invalid --timeout "${value}": use a positive duration (0 means the default 30s, a negative value means no timeout at all)`;
  return null;
}

/** Canonical on-error spelling from case-insensitive input. */
export function parseOnErrorFlag(value: string): OnError | null {
  const v = value.toLowerCase();
  return v === 'fail' ? 'Fail' : v === 'continue' ? 'Continue' : null;
}

export function planAnnotationEdit(pod: PodInput, object: string, req: EditRequest): EditResult {
  const current = pod.annotations;
  const wanted = new Map<string, string | null>();
  for (const phase of req.removePhases) {
    for (const family of req.removeFamilies) {
      for (const field of HOOK_FIELDS) {
        wanted.set(annotationKey(family, phase, field), null);
        if (phase === 'pre') wanted.set(annotationKey(family, phase, field, true), null);
      }
    }
  }
  for (const w of req.writes) {
    const legacy = req.legacy && w.phase === 'pre';
    const values: Record<HookField, string | undefined> = {
      command: JSON.stringify(w.command),
      container: w.container,
      'on-error': w.onError,
      timeout: w.timeout,
    };
    for (const field of HOOK_FIELDS) wanted.set(annotationKey(req.family, w.phase, field, legacy), values[field] ?? null);
  }
  const changes: Record<string, string | null> = {};
  const conflicts: EditResult['conflicts'] = [];
  const after: Record<string, string> = { ...current };
  for (const [key, value] of wanted) {
    const has = Object.hasOwn(current, key);
    if (value === null) {
      if (!has) continue;
      delete after[key];
    } else {
      if (has && current[key] === value) continue;
      after[key] = value;
    }
    changes[key] = value;
    const isRemoval = req.removePhases.length > 0 && req.writes.length === 0;
    if (has && !req.overwrite && !isRemoval) conflicts.push({ key, current: current[key] as string, wanted: value });
  }
  const findings: Finding[] = [];
  const touched = new Set<Phase>([...req.writes.map((w) => w.phase)]);
  const afterPod: PodInput = { ...pod, annotations: after };
  for (const phase of PHASES) {
    if (!touched.has(phase)) continue;
    const r = resolveAnnotationHook(afterPod, phase, req.target, object);
    // A family the target does not read: the command warns once; nothing here would be read.
    if (!req.target.families.includes(req.family)) continue;
    const oursWins =
      r.hook?.source.type === 'annotation' &&
      r.hook.source.family === req.family &&
      r.hook.source.legacy === (req.legacy && phase === 'pre');
    findings.push(...r.findings.filter((f) => oursWins || (f.code !== 'both-families' && f.code !== 'legacy-and-prefixed')));
    if (r.hook) {
      findings.push(...r.hook.findings.filter((f) => f.code !== 'legacy-keys' || !req.legacy));
      const src = r.hook.source;
      if (src.type === 'annotation' && (src.family !== req.family || src.legacy !== (req.legacy && phase === 'pre'))) {
        findings.push(
          finding({
            severity: 'warning',
            code: 'written-hook-shadowed',
            object,
            field: src.key,
            message: `${src.key} is also set and is read first, so the hook written now is ignored for this phase: remove it (--remove --flavor ${src.family}) or write that family`,
          }),
        );
      }
    }
  }
  return { changes, after, changed: Object.keys(changes).length > 0, conflicts, findings };
}
