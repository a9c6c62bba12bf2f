// Reconciles what the plugin says it did with what the test API server saw. Every hook of the plan
// (`dry-run -o json`) must be accounted for, either by an exec session the server saw start and
// finish (and whose result the report states truthfully: exit code included), or by a report entry
// that says it did not run, with a reason, while the server saw no session for it. Anything else
// is lost. For `wrap`, each pod whose pre hook the server saw start is thawed only when the server
// saw every planned post hook of that pod run to its status frame.
//
// The figures come from the server's exec log and the plan, never from the report's summary.

import type { ExecRequest } from './apiserver.ts';

export interface PlannedHook {
  namespace: string;
  pod: string;
  phase: 'pre' | 'post';
  index: number;
  container: string | null;
  command: string[];
}

interface ReportedHook extends PlannedHook {
  result: string;
  exitCode: number | null;
  message: string;
}

export interface Accounting {
  /** Hooks in the plan. */
  planned: number;
  /** Planned hooks whose exec the server saw start and finish, reported truthfully. */
  ran: number;
  /** Planned hooks reported as not run (with a reason) for which the server saw no exec. */
  notRun: number;
  /** wrap only: post hooks of pods whose pre phase never started (the report says why; the server saw no pre exec). */
  notDue: number;
  /** ran + notRun + notDue. */
  accounted: number;
  /** One line per planned hook that is not accounted for, and per pod left frozen. */
  lost: string[];
  /** Exec sessions the server saw that no planned hook explains. */
  unplanned: string[];
  /** wrap only: pods whose pre exec the server saw start, split by whether post ran to completion. */
  thawed: string[];
  frozen: string[];
}

const key = (h: { namespace: string; pod: string }) => `${h.namespace}/${h.pod}`;
const hookId = (h: PlannedHook) => `${key(h)} ${h.phase} ${h.index}`;
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The hooks of a `dry-run -o json` plan. */
export function plannedHooks(plan: any): PlannedHook[] {
  return (plan?.pods ?? []).flatMap((p: any) =>
    (p.hooks ?? []).map((h: any) => ({
      namespace: p.namespace,
      pod: p.pod,
      phase: h.phase,
      index: h.index,
      container: h.container ?? null,
      command: h.command ?? [],
    })),
  );
}

function reportedHooks(report: any): ReportedHook[] {
  return (report?.phases ?? []).flatMap((ph: any) => (ph.pods ?? []).flatMap((p: any) => p.hooks ?? []));
}

/**
 * Accounts for every planned hook against the server's exec log. `report` is the `run`/`wrap`
 * `-o json` report (null when the process left none: then nothing counts as "not run").
 * Only the sessions in the plan's namespaces are considered.
 */
export function accountFromExecLog(
  server: { execs: readonly ExecRequest[] },
  plan: any,
  report: any,
  opts: { wrap?: boolean } = {},
): Accounting {
  const planned = plannedHooks(plan);
  const namespaces = new Set(planned.map((h) => h.namespace));
  const sessions = server.execs.filter((e) => namespaces.has(e.namespace));
  const used = new Set<ExecRequest>();
  const reported = new Map(reportedHooks(report).map((h) => [hookId(h), h]));
  const lost: string[] = [];
  const unplanned: string[] = [];
  let ran = 0;
  let notRun = 0;
  let notDue = 0;
  const sessionOf = new Map<string, ExecRequest>();

  // Pass 1: match each planned hook, in plan order, to the first unused session with its pod, container and argv.
  const ordered = [...planned].sort((a, b) => (a.phase === b.phase ? 0 : a.phase === 'pre' ? -1 : 1));
  for (const h of ordered) {
    const s = sessions.find(
      (e) =>
        !used.has(e) &&
        e.namespace === h.namespace &&
        e.pod === h.pod &&
        (h.container === null || e.container === h.container) &&
        same(e.command, h.command),
    );
    if (s) {
      used.add(s);
      sessionOf.set(hookId(h), s);
    }
  }
  for (const s of sessions) if (!used.has(s)) unplanned.push(`${key(s)} ${s.container}: ${JSON.stringify(s.command)}`);

  const preRan = new Set(planned.filter((h) => h.phase === 'pre' && sessionOf.has(hookId(h))).map(key));
  const preNotStarted = (h: PlannedHook) => {
    const pres = planned.filter((x) => x.phase === 'pre' && key(x) === key(h));
    return (
      pres.length > 0 &&
      !preRan.has(key(h)) &&
      pres.every((x) => {
        const r = reported.get(hookId(x));
        return r !== undefined && r.result === 'not-run' && r.message !== '';
      })
    );
  };

  for (const h of planned) {
    const id = hookId(h);
    const s = sessionOf.get(id);
    const r = reported.get(id);
    if (s) {
      if (s.finishedAt === undefined) {
        lost.push(`${id}: the server saw the exec start but never finish`);
        continue;
      }
      if (!r) {
        lost.push(`${id}: ran on the server but is missing from the report`);
        continue;
      }
      if (r.result === 'not-run' || r.result === 'skipped') {
        lost.push(`${id}: reported ${r.result} but the server ran it`);
        continue;
      }
      if (s.ended === 'status' && s.exitCode !== undefined) {
        const want = s.exitCode === 0 ? 'succeeded' : 'failed';
        if (r.result !== want || r.exitCode !== s.exitCode) {
          lost.push(`${id}: the server reported exit code ${s.exitCode}, the report says ${r.result} (exit code ${r.exitCode})`);
          continue;
        }
      } else if (r.result === 'succeeded' || r.result === 'failed') {
        lost.push(`${id}: reported ${r.result} but the server sent no exit status (${s.ended})`);
        continue;
      }
      ran++;
      continue;
    }
    if (r) {
      if (['succeeded', 'failed', 'timeout'].includes(r.result)) lost.push(`${id}: reported ${r.result} but the server never ran it`);
      else if (r.message.trim() === '') lost.push(`${id}: reported ${r.result} without a reason`);
      else notRun++;
      continue;
    }
    if (opts.wrap && h.phase === 'post' && preNotStarted(h)) {
      notDue++;
      continue;
    }
    lost.push(`${id}: planned, but neither run nor reported`);
  }

  const thawed: string[] = [];
  const frozen: string[] = [];
  if (opts.wrap) {
    for (const pod of [...preRan].sort()) {
      const posts = planned.filter((h) => h.phase === 'post' && key(h) === pod);
      if (posts.length === 0) continue;
      const done = posts.every((h) => sessionOf.get(hookId(h))?.ended === 'status');
      (done ? thawed : frozen).push(pod);
    }
    for (const pod of frozen) lost.push(`${pod}: its pre hook ran, its post hooks did not all complete (left frozen)`);
  }
  return { planned: planned.length, ran, notRun, notDue, accounted: ran + notRun + notDue, lost, unplanned, thawed, frozen };
}
