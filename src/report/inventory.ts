// The data a command works on once its inputs are read: the plan, where it came from, the scope and
// the target. Plain data: the live cluster connection travels beside it (flows/inventory.ts), never inside.

import type { BackupModel } from '../hooks/backup.ts';
import type { Plan } from '../hooks/plan.ts';
import type { Target } from '../hooks/targets.ts';
import type { ScopeInfo, SourceInfo } from './common.ts';

export interface Inventory {
  plan: Plan;
  source: SourceInfo;
  scope: ScopeInfo;
  target: Target;
  /** The Backup whose scope the plan follows, if any. */
  backup?: BackupModel;
  podsSeen: number;
  /** Pods in scope that were counted, not kept: nothing in them gives a hook or a finding (list, validate). */
  inertPods?: number;
}
