// The hook model's vocabulary. Everything here is plain data: no I/O, no classes.

import type { FindingCode } from './findings.ts';

export type Phase = 'pre' | 'post';
export const PHASES: readonly Phase[] = ['pre', 'post'];

export type Family = 'ark' | 'velero';

export type OnError = 'Fail' | 'Continue';
export type Severity = 'error' | 'warning' | 'info';

/** A problem or remark about one object, pinned to the field it concerns. */
export interface Finding {
  severity: Severity;
  /** Stable identifier, e.g. "command-not-json-array" (the list: findings.ts). */
  code: FindingCode;
  /** "namespace/name" of the pod (or "kind/name" of a workload or Backup, or a file path). */
  object: string;
  /** The annotation key or spec path the finding is about. */
  field: string;
  /** One sentence: what is wrong, what Ark/Velero would do, what to do. */
  message: string;
}

/** A pod, or the pod template of a workload, as the model sees it. */
export interface PodInput {
  /** "Pod" for pods; the workload kind ("Deployment", …) for pod templates. */
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  containers: string[];
  /** Native sidecars (init containers with restartPolicy Always) are listed separately. */
  initContainers: string[];
  sidecars: string[];
  /** status.phase, when known (cluster pods). */
  phase?: string;
  deletionTimestamp?: string;
  /** Container name → running or not, when status is known. */
  containerRunning?: Record<string, boolean>;
  /** The controller that owns this pod, when there is one. */
  owner?: { kind: string; name: string };
  /** Where the object came from (a file path) in offline mode. */
  origin?: string;
  /** Problems found while reading the object itself. */
  findings: Finding[];
}

export interface AnnotationSource {
  type: 'annotation';
  family: Family;
  legacy: boolean;
  /** The annotation key that holds the command. */
  key: string;
}

export interface SpecSource {
  type: 'spec';
  backup: string;
  /** spec.hooks.resources[i].name */
  name: string;
  /** e.g. "spec.hooks.resources[0].pre[1]" */
  field: string;
}

export type HookSource = AnnotationSource | SpecSource;

/** One hook for one pod and phase, with the values Ark would actually use. */
export interface ResolvedHook {
  phase: Phase;
  source: HookSource;
  /** The hook name Ark logs: "<from-annotation>" or the spec entry's name. */
  name: string;
  /** The effective container, or null when none can be resolved (pod without containers). */
  container: string | null;
  containerDefaulted: boolean;
  command: string[];
  /** What stops the pod's remaining hooks after an exec failure. */
  onError: OnError;
  /** What applies when the executor rejects the hook before exec (no such container, no command). */
  onErrorIfRejected: OnError;
  /** Effective timeout in nanoseconds; null means no timeout (negative value, as Ark). */
  timeoutNanos: bigint | null;
  /** Findings about this hook; any error means Ark would not run it as written. */
  findings: Finding[];
}
