import type { BackupContext } from '../../src/hooks/backup.ts';
import { readBackup } from '../../src/hooks/backup.ts';
import { OFFLINE_INDEX } from '../../src/hooks/scope.ts';
import type { Target } from '../../src/hooks/targets.ts';
import { targetByName } from '../../src/hooks/targets.ts';
import type { PodInput } from '../../src/hooks/types.ts';

/** A target by name; a typo fails the test run at once. */
export function target(name: string): Target {
  const t = targetByName(name);
  if (!t) throw new Error(`no target ${name}`);
  return t;
}

/** An offline context for a target (built-in resources; namespaces as given). */
export function ctx(t: Target | string, namespaces: BackupContext['namespaces'] = null): BackupContext {
  return { target: typeof t === 'string' ? target(t) : t, index: OFFLINE_INDEX, namespaces };
}

/** A Backup of the target's API group with this spec, judged by the target. */
export function backupFor(t: Target | string, spec: object, name = 'b', namespaces: BackupContext['namespaces'] = null) {
  const c = ctx(t, namespaces);
  const group = c.target.backupGroup;
  return readBackup(
    { apiVersion: `${group}/v1`, kind: 'Backup', metadata: { name, namespace: group === 'velero.io' ? 'velero' : 'heptio-ark' }, spec },
    c,
  );
}

export function pod(annotations: Record<string, string>, extra: Partial<PodInput> = {}): PodInput {
  return {
    kind: 'Pod',
    namespace: 'ns',
    name: 'p',
    labels: {},
    annotations,
    containers: ['app', 'sidecar'],
    initContainers: [],
    sidecars: [],
    findings: [],
    ...extra,
  };
}

export const codes = (findings: { code: string }[]) => findings.map((f) => f.code).sort();
