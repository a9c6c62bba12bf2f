// The report of `dry-run` and `run --dry-run` (kind HookPlan): the hooks a run would execute, in
// order, and every problem that would make it fail.

import type { HookSource, Phase } from '../hooks/types.ts';
import type { ScopeInfo, SourceInfo, TargetInfo } from './common.ts';

/** One SelfSubjectAccessReview: may the user do `verb` on `resource` in `namespace`? */
export interface AccessCheck {
  namespace: string;
  verb: string;
  resource: string;
  subresource?: string;
  allowed: boolean;
  reason?: string;
}

export interface PlannedHook {
  index: number;
  phase: Phase;
  name: string;
  source: HookSource;
  container: string | null;
  containerDefaulted: boolean;
  command: string[];
  onError: string;
  timeout: string;
  /** What would stop this hook in a real run, if anything. */
  problem?: string;
  warnings: string[];
}

export interface PlannedPod {
  namespace: string;
  pod: string;
  /** Pod, or the workload whose pod template it is (-f). */
  kind?: string;
  skip?: string;
  hooks: PlannedHook[];
}

export interface Problem {
  object: string;
  message: string;
}

/** What the target's server would do with the Backup itself, before any hook. */
export interface BackupVerdict {
  name: string;
  namespace: string;
  group: string;
  /** The server rejects the Backup (phase FailedValidation): no hook runs. */
  failsValidation: boolean;
  validationErrors: string[];
  /** Validation passes but no pod is backed up (every list fails, or the Backup fails first). */
  runsNoHooks: boolean;
  reason?: string;
}

export interface DryRunReport {
  apiVersion: string;
  kind: 'HookPlan';
  source: SourceInfo;
  scope: ScopeInfo;
  /** The Ark/Velero version the plan follows. */
  target: TargetInfo;
  backup?: BackupVerdict;
  pods: PlannedPod[];
  access: AccessCheck[];
  problems: Problem[];
  wouldFail: boolean;
  /**
   * problems: every entry of `problems`; failingHooks and failingPods: the hooks shown with a problem;
   * erroredHooks: the other hooks shown with an error finding (Ark/Velero run them as written).
   */
  summary: { pods: number; hooks: number; problems: number; failingHooks: number; failingPods: number; erroredHooks: number };
}
