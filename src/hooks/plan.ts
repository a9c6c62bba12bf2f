// The plan: for each pod in scope and each phase, the hooks the active target would run, in order,
// with their effective values and findings (hooks-spec A5 precedence, A6 eligibility, A9 checks).

import { checkArgv, ignoredFamilyFindings, isHookKey, resolveAnnotationHook, unknownHookKeys } from './annotations.ts';
import type { BackupContext, BackupModel, SpecEntry, SpecHook } from './backup.ts';
import { backupCovers, entryApplies, readBackup } from './backup.ts';
import { objectRef } from './workloads.ts';
import type { Target } from './targets.ts';
import { NEWEST_VELERO, describeTarget } from './targets.ts';
import type { Finding, Phase, PodInput, ResolvedHook } from './types.ts';
import { PHASES } from './types.ts';
import { resolveContainer, resolveOnError, resolveTimeout } from './values.ts';
import { finding } from './findings.ts';

export interface PlanOptions {
  /** The Ark/Velero version whose behaviour the plan reproduces. */
  target: Target;
  /** Phases to keep in the plan; checks that pair phases (freeze/unfreeze) always see both. */
  phases: readonly Phase[];
  /** The Backup whose scope decides which pods are in the plan, if any. */
  scope?: BackupModel | null;
  /** Backups whose spec hooks apply to the pods they cover (the scope Backup is always one). */
  backups?: readonly BackupModel[];
}

export interface PodPlan {
  object: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  origin?: string;
  /** Hooks in execution order: the pre phase first, then post. */
  hooks: ResolvedHook[];
  /** Why hooks would not run on this pod at all (terminating, completed), if so. */
  skip?: string;
  /** Findings about the pod that are not about one hook. */
  findings: Finding[];
}

export interface ExcludedPod {
  object: string;
  reason: string;
}

export interface Plan {
  pods: PodPlan[];
  /** With a Backup: pods with hook annotations that the Backup does not back up. */
  excluded: ExcludedPod[];
  /** Findings about the Backup and about inputs that are not pods. */
  findings: Finding[];
}

/** The hooks of one phase of a pod, in order: the one place a phase is picked out of a plan. */
export function hooksOf(pod: PodPlan, phase: Phase): ResolvedHook[] {
  return pod.hooks.filter((h) => h.phase === phase);
}

export function hasHooksIn(pod: PodPlan, phase: Phase): boolean {
  return pod.hooks.some((h) => h.phase === phase);
}

export function hasHookAnnotations(pod: PodInput): boolean {
  return Object.keys(pod.annotations).some(isHookKey);
}

export function emptyNameFinding(backup: BackupModel, entry: SpecEntry): Finding {
  return finding({
    severity: 'error',
    code: 'empty-hook-name',
    object: backup.object,
    field: `${entry.field}.name`,
    message: 'the hook spec has no name; Ark/Velero fail each of its hooks with "hookName is required": give it a name',
  });
}

function resolveSpecHook(
  hook: SpecHook,
  entry: SpecEntry,
  phase: Phase,
  pod: PodInput,
  podObject: string,
  backup: BackupModel,
  target: Target,
): ResolvedHook {
  const findings: Finding[] = [];
  const at = (field: string) => ({ object: backup.object, field: `${hook.field}.${field}` });
  let argv: string[] = [];
  if (Array.isArray(hook.command) && hook.command.every((x) => typeof x === 'string')) {
    argv = hook.command as string[];
    findings.push(...checkArgv(argv, (severity, code, message) => finding({ severity, code, ...at('command'), message })));
  } else {
    findings.push(
      finding({
        severity: 'error',
        code: 'command-not-string-array',
        ...at('command'),
        message:
          hook.command === undefined || hook.command === null
            ? 'the exec hook has no command; Ark/Velero fail it with "command is required"'
            : 'command must be a list of strings, e.g. ["/sbin/fsfreeze", "--freeze", "/data"]',
      }),
    );
  }
  const container = resolveContainer(hook.container, pod, { object: podObject, field: `${backup.object} ${hook.field}.container` });
  const onError = resolveOnError(hook.onError, at('onError'), target, true);
  const timeout = resolveTimeout(hook.timeout, at('timeout'));
  if (entry.name === '') findings.push(emptyNameFinding(backup, entry));
  findings.push(...container.findings, ...onError.findings, ...timeout.findings);
  return {
    phase,
    source: { type: 'spec', backup: backup.object, name: entry.name, field: hook.field },
    name: entry.name,
    container: container.value,
    containerDefaulted: container.defaulted,
    command: argv,
    onError: onError.value,
    onErrorIfRejected: onError.ifRejected,
    timeoutNanos: timeout.value,
    findings,
  };
}

const isFreeze = (argv: readonly string[]) =>
  argv.some((a) => /(^|\/)fsfreeze$/.test(a)) && argv.some((a) => a === '--freeze' || a === '-f');
const isUnfreeze = (argv: readonly string[]) =>
  argv.some((a) => /(^|\/)fsfreeze$/.test(a)) && argv.some((a) => a === '--unfreeze' || a === '-u');
const mentionsFreeze = (argv: readonly string[]) => isFreeze(argv) || argv.some((a) => /fsfreeze\s+(--freeze|-f)\b/.test(a));
const mentionsUnfreeze = (argv: readonly string[]) => isUnfreeze(argv) || argv.some((a) => /fsfreeze\s+(--unfreeze|-u)\b/.test(a));

/** What every pod of one plan shares: the target, the Backups, and the values Ark makes sticky. */
interface PlanContext {
  target: Target;
  server: string;
  scope: BackupModel | null;
  backups: BackupModel[];
  // Ark and Velero <= v1.8 wrote the defaults (first container, Fail) into the spec hook that every
  // pod shares (#4499, pod_command_executor.go@v1.8.0): later pods get the first pod's values.
  stickyContainer: Map<string, string>;
  stickyFail: Set<string>;
}

/**
 * Builds the plan for the given pods. Pure: the same inputs always give the same plan. With `consume`
 * the caller gives `inputs` away: it is sorted in place and emptied as the pods are planned, so each
 * pod can be collected as soon as its plan exists (a listing of 100k pods keeps ~10k of them).
 */
export function buildPlan(inputs: readonly PodInput[], options: PlanOptions, consume = false): Plan {
  const scope = options.scope ?? null;
  const backups = [...new Set([...(scope ? [scope] : []), ...(options.backups ?? [])])];
  const plan: Plan = { pods: [], excluded: [], findings: backups.flatMap((b) => b.findings) };
  // Plain code-unit order, as kubectl sorts names (localeCompare would also load ICU collation).
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byKey = (a: PodInput, b: PodInput) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.kind, b.kind);
  const sorted: (PodInput | undefined)[] = consume ? (inputs as PodInput[]).sort(byKey) : [...inputs].sort(byKey);
  const target = options.target;
  const ctx: PlanContext = { target, server: describeTarget(target), scope, backups, stickyContainer: new Map(), stickyFail: new Set() };
  for (let i = 0; i < sorted.length; i++) {
    const pod = sorted[i] as PodInput;
    if (consume) sorted[i] = undefined;
    const object = objectRef(pod.kind, pod.namespace, pod.name) + (pod.origin ? ` (${pod.origin})` : '');
    if (scope) {
      const cover = backupCovers(scope, pod);
      if (!cover.covered) {
        if (hasHookAnnotations(pod)) plan.excluded.push({ object, reason: cover.reason });
        continue;
      }
    }
    const podPlan: PodPlan = { object, kind: pod.kind, namespace: pod.namespace, name: pod.name, hooks: [], findings: [...pod.findings] };
    if (pod.origin) podPlan.origin = pod.origin;
    if (pod.uid) podPlan.uid = pod.uid;
    podPlan.findings.push(...unknownHookKeys(pod, object));
    const all = podHooks(pod, object, podPlan, ctx);
    podPlan.findings.push(
      ...ignoredFamilyFindings(pod, target, object, {
        pre: all.some((h) => h.phase === 'pre' && h.source.type === 'annotation'),
        post: all.some((h) => h.phase === 'post' && h.source.type === 'annotation'),
      }),
    );
    if (
      all.some((h) => h.phase === 'pre' && mentionsFreeze(h.command)) &&
      !all.some((h) => h.phase === 'post' && mentionsUnfreeze(h.command))
    ) {
      podPlan.findings.push(
        finding({
          severity: 'warning',
          code: 'freeze-without-unfreeze',
          object,
          field: 'post',
          message:
            'a pre hook freezes a filesystem but no post hook unfreezes it, so the pod stays frozen after the backup: add a post hook running fsfreeze --unfreeze',
        }),
      );
    }
    if (pod.kind === 'Pod') checkPodState(pod, podPlan, all, ctx);
    podPlan.hooks = all.filter((h) => options.phases.includes(h.phase));
    plan.pods.push(podPlan);
  }
  if (consume) sorted.length = 0;
  for (const backup of backups) {
    for (const entry of backup.entries) {
      if (entry.name === '') plan.findings.push(emptyNameFinding(backup, entry));
    }
  }
  return plan;
}

/** A pod's hooks of both phases, in order: its annotation hook, else the spec hooks that apply to it. */
function podHooks(pod: PodInput, object: string, podPlan: PodPlan, ctx: PlanContext): ResolvedHook[] {
  const { target, scope, backups } = ctx;
  const all: ResolvedHook[] = [];
  for (const phase of PHASES) {
    const ann = resolveAnnotationHook(pod, phase, target, object);
    podPlan.findings.push(...ann.findings);
    const specHooks = backups
      .filter((b) => b === scope || backupCovers(b, pod).covered)
      .flatMap((b) =>
        b.entries.filter((e) => entryApplies(e, pod, target)).flatMap((e) => e.hooks[phase].map((hook) => ({ backup: b, entry: e, hook }))),
      );
    if (ann.hook) {
      all.push(ann.hook);
      if (specHooks.length > 0) {
        const names = [
          ...new Set(specHooks.map((s) => `${s.entry.name || '#' + s.entry.index}" of ${s.backup.object.replace(/^backup /, 'backup/')}`)),
        ];
        podPlan.findings.push(
          finding({
            severity: 'warning',
            code: 'annotation-shadows-spec',
            object,
            field: ann.hook.source.type === 'annotation' ? ann.hook.source.key : '',
            message: `this annotation hook replaces the ${phase} hooks ${names.map((n) => `"${n}`).join(', ')} for this pod (annotations take priority); remove one of them if that is not intended`,
          }),
        );
      }
      continue;
    }
    for (const { backup, entry, hook } of specHooks) {
      const resolved = resolveSpecHook(hook, entry, phase, pod, object, backup, target);
      if (target.stickySpecHooks) applySticky(resolved, hook, entry, backup, pod, object, ctx.server, ctx.stickyContainer, ctx.stickyFail);
      all.push(resolved);
    }
  }
  // "on-error unset goes on" matters only where a later hook of the same phase would run.
  for (const phase of PHASES) {
    const hooks = all.filter((h) => h.phase === phase);
    const last = hooks[hooks.length - 1];
    if (last) last.findings = last.findings.filter((f) => f.code !== 'on-error-unset-continues');
  }
  return all;
}

/** A pod's status: skipped (terminating, finished) or hooks that exec cannot reach (not running). */
function checkPodState(pod: PodInput, podPlan: PodPlan, all: ResolvedHook[], { target, server }: PlanContext): void {
  const { object } = podPlan;
  if (pod.deletionTimestamp && target.skipTerminating) podPlan.skip = `pod is terminating (${server} skips pods being deleted)`;
  else if ((pod.phase === 'Succeeded' || pod.phase === 'Failed') && target.skipFinishedPods) {
    podPlan.skip = `pod phase is ${pod.phase} (${server} skips its hooks without running them)`;
  } else if (pod.phase !== undefined && pod.phase !== 'Running' && all.length > 0) {
    podPlan.findings.push(
      finding({
        severity: 'warning',
        code: 'pod-not-running',
        object,
        field: 'status.phase',
        message: `pod phase is ${pod.phase}, so exec into it fails${pod.phase === 'Succeeded' || pod.phase === 'Failed' ? ` (${server} still tries; Velero v1.13+ skips such pods)` : ''}; wait until it is Running`,
      }),
    );
  } else if (pod.deletionTimestamp && all.length > 0) {
    podPlan.findings.push(
      finding({
        severity: 'warning',
        code: 'pod-terminating',
        object,
        field: 'metadata.deletionTimestamp',
        message: `the pod is being deleted; ${server} still runs its hooks (Ark v0.9+ skips such pods)`,
      }),
    );
  }
  if (podPlan.skip || !pod.containerRunning) return;
  for (const h of all) {
    if (h.container !== null && pod.containerRunning[h.container] === false) {
      h.findings.push(
        finding({
          severity: 'warning',
          code: 'container-not-running',
          object,
          field: 'status.containerStatuses',
          message: `container "${h.container}" is not running, so exec into it fails`,
        }),
      );
    }
  }
}

/** #4499 for targets that have it: the first pod's defaults stay in the shared spec hook. */
function applySticky(
  resolved: ResolvedHook,
  hook: SpecHook,
  entry: SpecEntry,
  backup: BackupModel,
  pod: PodInput,
  object: string,
  server: string,
  stickyContainer: Map<string, string>,
  stickyFail: Set<string>,
) {
  // The executor checks hookName first: a nameless hook is rejected before anything is written.
  if (entry.name === '') return;
  const key = `${backup.object}\u0000${hook.field}`;
  const first = stickyContainer.get(key);
  if (resolved.containerDefaulted) {
    if (first === undefined) {
      if (resolved.container !== null) stickyContainer.set(key, resolved.container);
    } else if (first !== resolved.container) {
      resolved.container = first;
      resolved.containerDefaulted = false;
      const missing = !pod.containers.includes(first);
      resolved.findings = resolved.findings.filter((f) => f.code !== 'no-containers');
      resolved.findings.push(
        finding({
          severity: missing ? 'error' : 'warning',
          code: missing ? 'sticky-container-not-found' : 'sticky-container',
          object,
          field: `${backup.object} ${hook.field}.container`,
          message: `${server} reuses the first pod's container "${first}" for this hook on every later pod (#4499)${missing ? ' and fails here with no such container' : ''}; Velero v1.9+ picks this pod's first container: set container explicitly`,
        }),
      );
    }
  }
  if (stickyFail.has(key) && (resolved.onError !== 'Fail' || resolved.onErrorIfRejected !== 'Fail')) {
    resolved.onError = 'Fail';
    resolved.onErrorIfRejected = 'Fail';
    resolved.findings.push(
      finding({
        severity: 'info',
        code: 'sticky-on-error',
        object,
        field: `${backup.object} ${hook.field}.onError`,
        message: `${server} wrote the default Fail into this spec hook on an earlier pod (#4499), so on-error is Fail here`,
      }),
    );
  }
  const rejected = resolved.container === null || !pod.containers.includes(resolved.container) || resolved.command.length === 0;
  if (!rejected && hook.onError !== 'Fail' && hook.onError !== 'Continue') stickyFail.add(key);
}

function hookSignature(h: ResolvedHook): string {
  return `${h.container ?? '?'} ${JSON.stringify(h.command)} on-error ${h.onError}`;
}

function podOutcome(p: PodPlan | undefined, phase: Phase): string {
  if (!p) return 'not backed up';
  if (p.skip) return 'skipped';
  const hooks = p.hooks.filter((h) => h.phase === phase);
  return hooks.length === 0 ? 'no hook' : hooks.map(hookSignature).join('; ');
}

/** A `differs-from-newest` warning: what changes, cut at 300 characters. */
function differs(object: string, lead: string, parts: readonly string[]): Finding {
  const text = parts.join(' | ');
  return finding({
    severity: 'warning',
    code: 'differs-from-newest',
    object,
    field: '',
    message: `${lead}: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`,
  });
}

/**
 * Plans the same inputs with the newest Velero and adds a `differs-from-newest` finding to every pod
 * whose hooks (container, argv, on-error) or coverage would change on an upgrade.
 */
export function compareWithNewest(plan: Plan, inputs: readonly PodInput[], options: PlanOptions, ctx: Omit<BackupContext, 'target'>): void {
  if (options.target === NEWEST_VELERO) return;
  const reread = (b: BackupModel) => readBackup(b.raw, { ...ctx, target: NEWEST_VELERO }, { origin: b.origin });
  const scope = options.scope ? reread(options.scope) : null;
  const backups = (options.backups ?? []).map((b) => (b === options.scope && scope ? scope : reread(b)));
  const newer = buildPlan(inputs, { target: NEWEST_VELERO, phases: PHASES, scope, backups });
  const byObject = new Map(newer.pods.map((p) => [p.object, p]));
  const here = describeTarget(options.target);
  const there = describeTarget(NEWEST_VELERO);
  const mine = new Set(plan.pods.map((p) => p.object));
  for (const other of newer.pods) {
    if (mine.has(other.object)) continue;
    const hooks = options.phases.map((phase) => `${phase}: ${podOutcome(other, phase)}`).filter((x) => !x.endsWith(': no hook'));
    if (hooks.length === 0) continue;
    plan.findings.push(differs(other.object, `${here} does not back this pod up, ${there} does and runs its hooks`, hooks));
  }
  for (const p of plan.pods) {
    const other = byObject.get(p.object);
    const changes: string[] = [];
    for (const phase of options.phases) {
      const a = podOutcome(p, phase);
      const b = podOutcome(other, phase);
      if (a !== b) changes.push(`${phase}: ${a} → ${b}`);
    }
    if (changes.length === 0) continue;
    p.findings.push(differs(p.object, `upgrading from ${here} to ${there} changes this pod's hooks`, changes));
  }
}

/** Every finding of a plan, deduplicated, in a stable order (errors first). */
export function allFindings(plan: Plan): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  const add = (f: Finding) => {
    const key = `${f.object}\u0000${f.field}\u0000${f.code}\u0000${f.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(f);
  };
  plan.findings.forEach(add);
  for (const p of plan.pods) {
    p.findings.forEach(add);
    for (const h of p.hooks) h.findings.forEach(add);
  }
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return out
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}
