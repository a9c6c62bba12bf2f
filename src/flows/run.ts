// `run`: the hooks of one phase in the pods in scope (or the pods named), after confirmation; the
// report is printed and the exit status is 1 when any hook failed, whatever its on-error (Velero ends
// such a Backup PartiallyFailed, and `run --phase pre && snapshot` must not go on after a failed freeze).

import { Interrupts } from '../engine/signals.ts';
import type { Phase } from '../hooks/types.ts';
import type { Inventory } from '../report/inventory.ts';
import type { ExecIO, ExecSettings } from './exec.ts';
import { checkOutputDir, countHooks, openSession, plural, requireCluster } from './exec.ts';
import type { ScopeConfig } from './inventory.ts';
import { collect } from './inventory.ts';

export interface RunRequest {
  scope: ScopeConfig;
  phase: Phase;
  /** Only these pods (by name) of the scope; empty: all. */
  podNames: readonly string[];
  exec: ExecSettings;
}

/** Keeps only the named pods in the plan; a name not in scope is a warning. */
function keepNamed(inv: Inventory, names: readonly string[], io: ExecIO): void {
  if (names.length === 0) return;
  const want = new Set(names);
  const kept = inv.plan.pods.filter((p) => want.has(p.name));
  for (const name of [...want].filter((n) => !kept.some((p) => p.name === n)).sort()) io.say(`warning: pod "${name}" is not in scope\n`);
  inv.plan.pods.splice(0, inv.plan.pods.length, ...kept);
}

export async function runHooks(req: RunRequest, io: ExecIO): Promise<number> {
  requireCluster(req.scope.files);
  checkOutputDir(req.exec.outputDir);
  const { inventory: inv, cluster } = await collect(req.scope, io);
  if (!cluster) throw new Error('running hooks needs a cluster');
  keepNamed(inv, req.podNames, io);
  const { phase } = req;
  const { pods, hooks } = countHooks(inv);
  if (hooks === 0) {
    io.say(`No ${phase} hooks in scope.\n`);
    return 0;
  }
  const refused = await io.confirm(`run ${plural(hooks, `${phase} hook`)} in ${plural(pods, 'pod')}`, inv.source);
  if (refused !== null) {
    io.say('Nothing was run.\n');
    return refused;
  }
  const interrupts = new Interrupts((name, count) => {
    io.say(
      count === 1
        ? `\n${name}: starting no new hooks; waiting for the running ones (again to close their streams)\n`
        : `\n${name}: closing the running hooks' streams\n`,
    );
  }).install();
  try {
    const session = openSession(inv, cluster, req.exec, io, interrupts);
    try {
      const started = new Date();
      const runs = await session.phase(phase);
      const report = session.report(started, [{ phase, pods: runs }]);
      const printed = await io.render(report);
      return interrupts.exitCode ?? (report.summary.failed > 0 || !printed ? 1 : 0);
    } finally {
      session.close();
    }
  } finally {
    interrupts.dispose();
  }
}
