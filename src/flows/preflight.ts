// dry-run: the exact plan of a run and everything that would make it fail, found without
// executing anything. Every request it sends is a read (lists, gets, SelfSubjectAccessReviews).

import { loadKube } from '../kube-loader.ts';
import { blockingProblem } from '../engine/phase.ts';
import { timeoutText } from '../hooks/duration.ts';
import type { Cluster } from '../kube/cluster.ts';
import { REPORT_API_VERSION } from '../report/common.ts';
import type { Inventory } from '../report/inventory.ts';
import type { InventoryIO, ScopeConfig } from './inventory.ts';
import { collect } from './inventory.ts';
import { allFindings } from '../hooks/plan.ts';
import { INPUT_ERRORS } from '../report/hook-report.ts';
import type { AccessCheck, BackupVerdict, DryRunReport, PlannedHook, PlannedPod, Problem } from '../report/plan-report.ts';

/** `dry-run` and `run --dry-run`: the inventory (creating nothing, not even a ServerStatusRequest), then the plan report. */
export async function dryRun(cfg: ScopeConfig, io: InventoryIO): Promise<DryRunReport> {
  const { inventory, cluster } = await collect({ ...cfg, allowCreate: false }, io);
  return preflight(inventory, cluster);
}

/** The plan report of an inventory (its plan holds only the phases asked for), with RBAC checks in a cluster. */
export async function preflight(inv: Inventory, cluster: Cluster | null): Promise<DryRunReport> {
  const pods: PlannedPod[] = [];
  const problems: Problem[] = [];
  // A Backup that Ark/Velero rejects before any hook runs (failed validation, invalid hook selector)
  // runs nothing, so its pods are all skipped: the reasons are the problems.
  // Manifests given with -f that cannot be read: kubectl stops on them; a plan without them is not the plan.
  for (const f of allFindings(inv.plan).filter((x) => INPUT_ERRORS.has(x.code))) problems.push({ object: f.object, message: f.message });
  const fatal = inv.plan.findings.find((f) => f.code === 'backup-would-fail');
  if (fatal) {
    for (const f of inv.plan.findings.filter((x) => x.object === fatal.object && x.severity === 'error')) {
      problems.push({ object: f.object, message: f.message });
    }
  }
  for (const p of inv.plan.pods) {
    const hooks = p.hooks;
    if (hooks.length === 0) continue;
    const counters: Record<string, number> = {};
    const planned: PlannedPod = {
      namespace: p.namespace,
      pod: p.name,
      kind: p.kind,
      hooks: hooks.map((h) => {
        counters[h.phase] = (counters[h.phase] ?? 0) + 1;
        const ph: PlannedHook = {
          index: counters[h.phase] as number,
          phase: h.phase,
          name: h.name,
          source: h.source,
          container: h.container,
          containerDefaulted: h.containerDefaulted,
          command: h.command,
          onError: h.onError,
          timeout: timeoutText(h.timeoutNanos),
          warnings: h.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity}: ${f.message}`),
        };
        const problem = p.skip ? null : blockingProblem(p, h);
        if (problem) {
          ph.problem = problem;
          problems.push({ object: `${p.namespace}/${p.name}`, message: `${h.phase} hook ${ph.index}: ${problem}` });
        }
        return ph;
      }),
    };
    if (p.skip) planned.skip = p.skip;
    pods.push(planned);
  }
  let backup: BackupVerdict | undefined;
  const b = inv.backup;
  if (b) {
    backup = {
      name: b.name,
      namespace: b.namespace,
      group: b.group,
      failsValidation: b.validationErrors.length > 0,
      validationErrors: [...b.validationErrors],
      runsNoHooks: b.fatal || b.listsFail !== null,
    };
    if (b.fatal) backup.reason = b.validationErrors.length > 0 ? 'FailedValidation' : 'the Backup fails before any item is backed up';
    else if (b.listsFail) backup.reason = `every list fails: ${b.listsFail}`;
    if (backup.runsNoHooks)
      problems.push({ object: b.object, message: `${inv.scope.target.versions} would run no hook for this Backup (${backup.reason})` });
  }
  let access: AccessCheck[] = [];
  if (cluster) {
    const { execAccess } = await loadKube();
    const namespaces = [...new Set(pods.filter((p) => !p.skip).map((p) => p.namespace))].sort();
    access = await execAccess(cluster, namespaces);
    for (const a of access.filter((x) => !x.allowed)) {
      problems.push({
        object: `namespace ${a.namespace}`,
        message: `you may not ${a.verb} pods/exec here${a.verb === 'get' ? ' (the WebSocket exec upgrade is authorised as get)' : ' (clusters from 1.35 also require create for WebSocket exec)'}; ask for both get and create on pods/exec`,
      });
    }
    // Every hook in a namespace where exec is denied fails: the plan shows it on each of them.
    const denied = new Map<string, string[]>();
    for (const a of access.filter((x) => !x.allowed)) denied.set(a.namespace, [...(denied.get(a.namespace) ?? []), a.verb]);
    for (const p of pods.filter((x) => !x.skip && denied.has(x.namespace)))
      for (const h of p.hooks) h.problem ??= `you may not ${denied.get(p.namespace)?.join(' or ')} pods/exec in namespace ${p.namespace}`;
  }
  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'HookPlan',
    source: inv.source,
    scope: inv.scope,
    target: inv.scope.target,
    ...(backup ? { backup } : {}),
    pods,
    access,
    problems,
    wouldFail: problems.length > 0,
    summary: planSummary(pods, problems.length),
  };
}

/** The counts of the plan, from the same hooks the views show. */
function planSummary(pods: PlannedPod[], problems: number): DryRunReport['summary'] {
  const count = (test: (h: PlannedPod['hooks'][number]) => boolean) => pods.reduce((n, p) => n + p.hooks.filter(test).length, 0);
  return {
    pods: pods.length,
    hooks: count(() => true),
    problems,
    failingHooks: count((h) => Boolean(h.problem)),
    failingPods: pods.filter((p) => p.hooks.some((h) => h.problem)).length,
    // Shown with an error finding but nothing stops them: Ark/Velero run them as written.
    erroredHooks: count((h) => !h.problem && h.warnings.some((w) => w.startsWith('error:'))),
  };
}
