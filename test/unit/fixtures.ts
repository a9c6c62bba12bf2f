// Small inventories and run results for the unit tests of the reports and their views.
import { buildPlan } from '../../src/hooks/plan.ts';
import type { Phase, PodInput } from '../../src/hooks/types.ts';
import type { Inventory } from '../../src/report/inventory.ts';
import type { HookResult, PodResult } from '../../src/report/run-report.ts';
import { pod, target } from './helpers.ts';

const ann = (phase: Phase, command: string[], extra: Record<string, string> = {}) => ({
  [`${phase}.hook.backup.velero.io/command`]: JSON.stringify(command),
  ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${phase}.hook.backup.velero.io/${k}`, v])),
});

/** ns/db: a good pre and post hook; ns/web: a pre hook in a container it does not have; ns/idle: no hooks. */
export function inventory(phases: Phase[] = ['pre', 'post'], pods?: PodInput[]): Inventory {
  const inputs = pods ?? [
    pod(
      {
        ...ann('pre', ['/sbin/fsfreeze', '--freeze', '/data'], { timeout: '2m' }),
        ...ann('post', ['/sbin/fsfreeze', '--unfreeze', '/data']),
      },
      { name: 'db' },
    ),
    pod(ann('pre', ['/bin/sync'], { container: 'nope' }), { name: 'web' }),
    pod({}, { name: 'idle' }),
  ];
  const t = target('velero-1.18');
  const plan = buildPlan(inputs, { target: t, phases });
  return {
    plan,
    source: { type: 'files', files: 1 },
    scope: { namespace: '*', phases, target: { name: t.name, versions: 'Velero v1.18.0+', chosenBy: '--target' } },
    target: t,
    podsSeen: inputs.length,
  };
}

export function hookResult(over: Partial<HookResult> = {}): HookResult {
  return {
    namespace: 'ns',
    pod: 'db',
    phase: 'pre',
    index: 1,
    name: '<from-annotation>',
    source: { type: 'annotation', family: 'velero', legacy: false, key: 'pre.hook.backup.velero.io/command' } as HookResult['source'],
    container: 'app',
    command: ['/bin/sync'],
    onError: 'Fail',
    timeout: '30s',
    result: 'succeeded',
    exitCode: 0,
    message: 'exit code 0',
    durationMs: 12,
    stdout: '',
    stderr: '',
    outputTruncated: false,
    ...over,
  };
}

export function podResult(hooks: HookResult[], over: Partial<PodResult> = {}): PodResult {
  const first = hooks[0];
  return { namespace: first?.namespace ?? 'ns', pod: first?.pod ?? 'db', phase: first?.phase ?? 'pre', started: true, hooks, ...over };
}
