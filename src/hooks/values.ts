// Effective values of a hook (hooks-spec A4), shared by annotation hooks and spec hooks.
// Each resolver returns the value Ark would use plus the findings that explain any difference
// between what was written and what will happen.

import { DEFAULT_HOOK_TIMEOUT_NANOS, formatGoDuration, parseGoDuration } from './duration.ts';
import type { Target } from './targets.ts';
import { describeTarget } from './targets.ts';
import type { Finding, OnError, PodInput } from './types.ts';
import { finding } from './findings.ts';
import type { FindingCode } from './findings.ts';

export interface Where {
  object: string;
  field: string;
}

/** User data quoted for a one-line message: JSON-quoted and cut at 60 characters. */
export function quoted(v: unknown): string {
  let text: string;
  try {
    text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  return JSON.stringify(text.length > 60 ? text.slice(0, 60) + '…' : text);
}

const at = (where: Where, severity: Finding['severity'], code: FindingCode, message: string): Finding =>
  finding({
    severity,
    code,
    object: where.object,
    field: where.field,
    message,
  });

export interface OnErrorResolution {
  /** What decides after an exec failure (non-zero exit, timeout, stream error). */
  value: OnError;
  /** What decides when the executor rejects the hook before exec (no such container, no command, no name). */
  ifRejected: OnError;
  findings: Finding[];
}

/**
 * on-error as the target's executor and handler use it. Anything other than exactly "Fail" or
 * "Continue" is "unset": Ark and Velero <= 1.8 wrote Fail into the hook only after validating it,
 * so an exec failure stops and a rejected hook does not (pod_command_executor.go@v1.8.0); Velero
 * >= 1.9 defaults a copy, so the handler always goes on (pod_command_executor.go@v1.9.0).
 */
export function resolveOnError(raw: unknown, where: Where, target: Target, noteUnset = false): OnErrorResolution {
  const unset: Pick<OnErrorResolution, 'value' | 'ifRejected'> =
    target.onErrorDefault === 'continue' ? { value: 'Continue', ifRejected: 'Continue' } : { value: 'Fail', ifRejected: 'Continue' };
  const server = describeTarget(target);
  if (raw === undefined || raw === null || raw === '') {
    const findings: Finding[] = [];
    if (noteUnset && target.onErrorDefault === 'continue') {
      findings.push(
        at(
          where,
          'info',
          'on-error-unset-continues',
          `on-error is not set; ${server} goes on with the pod's next hook after a failure (its docs say the default is Fail) and the Backup ends ${target.errorPhase}: set "Fail" to stop`,
        ),
      );
    }
    return { ...unset, findings };
  }
  if (raw === 'Fail' || raw === 'Continue') return { value: raw, ifRejected: raw, findings: [] };
  const text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  const lower = text.toLowerCase();
  const hint =
    lower === 'fail' || lower === 'continue'
      ? `write "${lower === 'fail' ? 'Fail' : 'Continue'}" (the value is case-sensitive)`
      : 'use "Fail" or "Continue"';
  const acts =
    target.onErrorDefault === 'continue' ? 'Continue' : 'Fail after an exec failure (Continue when the hook is rejected before exec)';
  return {
    ...unset,
    findings: [
      at(where, 'error', 'invalid-on-error', `on-error ${quoted(text)} is not valid; ${server} silently treats it as ${acts}: ${hint}`),
    ],
  };
}

/** timeout: a Go duration; missing, zero or unparsable means 30s, negative means no timeout. */
export function resolveTimeout(raw: unknown, where: Where): { value: bigint | null; findings: Finding[] } {
  if (raw === undefined || raw === null) return { value: DEFAULT_HOOK_TIMEOUT_NANOS, findings: [] };
  if (typeof raw !== 'string') {
    return {
      value: DEFAULT_HOOK_TIMEOUT_NANOS,
      findings: [
        at(
          where,
          'error',
          'invalid-timeout',
          `timeout ${quoted(raw)} is not a duration string; Ark/Velero use the default 30s: write it as a string with a unit, e.g. "90s"`,
        ),
      ],
    };
  }
  if (raw === '') {
    return {
      value: DEFAULT_HOOK_TIMEOUT_NANOS,
      findings: [
        at(
          where,
          'warning',
          'empty-timeout',
          'timeout is empty; Ark/Velero use the default 30s: remove the key or set a duration such as "2m"',
        ),
      ],
    };
  }
  const parsed = parseGoDuration(raw);
  if (!parsed.ok) {
    const unitless = /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(raw);
    const hint = unitless ? `add a unit, e.g. "${raw.trim()}s"` : 'use Go duration syntax, e.g. "90s", "5m" or "1h30m"';
    return {
      value: DEFAULT_HOOK_TIMEOUT_NANOS,
      findings: [
        at(where, 'error', 'invalid-timeout', `timeout ${quoted(raw)} cannot be parsed; Ark/Velero silently use 30s instead: ${hint}`),
      ],
    };
  }
  if (parsed.nanos < 0n) {
    return {
      value: null,
      findings: [
        at(
          where,
          'warning',
          'negative-timeout',
          `timeout ${quoted(raw)} is negative, which Ark/Velero treat as no timeout at all: a hung command blocks the backup; set a positive duration`,
        ),
      ],
    };
  }
  if (parsed.nanos === 0n) {
    return {
      value: DEFAULT_HOOK_TIMEOUT_NANOS,
      findings: [
        at(
          where,
          'info',
          'zero-timeout',
          `timeout ${quoted(raw)} is zero, which means the default ${formatGoDuration(DEFAULT_HOOK_TIMEOUT_NANOS)}`,
        ),
      ],
    };
  }
  return { value: parsed.nanos, findings: [] };
}

/** container: empty means the pod's first container; a name must be one of spec.containers. */
export function resolveContainer(
  raw: unknown,
  pod: PodInput,
  where: Where,
): { value: string | null; defaulted: boolean; findings: Finding[] } {
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    return {
      value: null,
      defaulted: false,
      findings: [at(where, 'error', 'invalid-container', `container must be a string, got ${quoted(raw)}`)],
    };
  }
  const name = (raw as string | undefined | null) ?? '';
  if (name === '') {
    const first = pod.containers[0];
    if (first === undefined) {
      return {
        value: null,
        defaulted: true,
        findings: [
          at(where, 'error', 'no-containers', 'the pod has no containers; Ark/Velero fail the hook with "need at least 1 container"'),
        ],
      };
    }
    return { value: first, defaulted: true, findings: [] };
  }
  if (pod.containers.includes(name)) return { value: name, defaulted: false, findings: [] };
  const choices = pod.containers.length > 0 ? `choose one of: ${pod.containers.join(', ')}` : 'the pod has no containers';
  let why = `container "${name}" is not in the pod's spec.containers; Ark/Velero fail the hook with no such container`;
  if (pod.sidecars.includes(name)) {
    why = `container "${name}" is a native sidecar (init container with restartPolicy Always); released Ark and Velero versions only accept spec.containers`;
  } else if (pod.initContainers.includes(name)) {
    why = `container "${name}" is an init container; hooks only run in spec.containers`;
  }
  return { value: name, defaulted: false, findings: [at(where, 'error', 'container-not-found', `${why}: ${choices}`)] };
}
