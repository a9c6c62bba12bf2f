import type { PodInput } from '../../src/hooks/types.ts';

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
