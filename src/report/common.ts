// What every report says about its inputs: where the pods came from (a cluster or files), the scope
// that was asked for, and the Ark/Velero target the hooks were judged by.

import type { Phase } from '../hooks/types.ts';

export const REPORT_API_VERSION = 'ark-hooks.kubectl.dev/v1alpha1';

export interface SourceInfo {
  type: 'cluster' | 'files';
  context?: string;
  server?: string;
  files?: number;
}

export interface TargetInfo {
  name: string;
  /** "Velero v1.18.0+" */
  versions: string;
  /** How it was chosen: "--target", "ARK_HOOKS_TARGET", "detected: …", "default: …". */
  chosenBy: string;
}

export interface DroppedObject {
  object: string;
  reason: string;
}

export interface ScopeInfo {
  namespace: string;
  selector?: string;
  /** Objects the server sent that the request did not ask for (another namespace, a non-matching label): never acted on. */
  dropped?: DroppedObject[];
  phases: Phase[];
  target: TargetInfo;
  backup?: { name: string; namespace: string; group: string };
}
