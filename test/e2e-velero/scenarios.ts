// The differential suite's scenarios, as data: pods with hook annotations, a Backup spec, and what
// Velero v1.18.3 does with them according to its source (a check that the scenario exercises what
// it says; the real judgement is the comparison of Velero's executions with the plugin's plan, made
// by velero.test.ts). Sources cited are files of github.com/vmware-tanzu/velero at v1.18.3.

export type Phase = 'pre' | 'post';

export interface PodDef {
  /** Namespace suffix: '' is the scenario's first namespace, 'b' is "<first>-b". */
  ns?: string;
  name: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  containers?: string[];
  /**
   * Pods that are not Running live on a node nobody manages; Succeeded/Failed are set through the
   * status subresource; Terminating pods are deleted, and stay so because no kubelet confirms it.
   */
  phase?: 'Pending' | 'Succeeded' | 'Failed' | 'Terminating';
  initContainers?: string[];
}

export interface Scenario {
  id: string;
  title: string;
  /** Namespace suffix → labels; the first namespace ('') always exists. */
  namespaces?: Record<string, Record<string, string>>;
  pods: PodDef[];
  /** The Backup's spec; ns() names the scenario's namespaces, glob() a pattern matching only them. */
  backup: (ns: (suffix?: string) => string, glob: string) => Record<string, unknown>;
  /** Create with `kubectl create --validate=false` (deprecated or misspelt fields). */
  validateFalse?: boolean;
  /** What Velero v1.18.3 does, read from its source: the backup's phase and how many execs reach a container. */
  velero: { phase: 'Completed' | 'PartiallyFailed' | 'FailedValidation' | 'Failed'; execs: number; attempted?: number; failed?: number };
  /** The plugin (without a version target) predicts otherwise: a one-line description. The test is then `test.failing`. */
  disagreement?: string;
  /** The plugin deliberately differs (a one-line note; the comparison still holds for dry-run). */
  note?: string;
  /**
   * Also run the same scope with `kubectl ark-hooks run --phase pre` (and `--phase post` with 'both',
   * for scenarios where Velero runs the post phase of every pod) and compare the executions and
   * failures of each phase with Velero's. Post hooks are those whose tag contains "-post".
   */
  run?: 'pre' | 'both';
  /** `run` disagrees with Velero here (one line); that comparison is then `test.failing`. */
  runDisagreement?: string;
}

const VE = 'hook.backup.velero.io';
const ARK = 'hook.backup.ark.heptio.com';

interface HookFields {
  command: string[] | string;
  container?: string;
  onError?: string;
  timeout?: string;
}

/** Hook annotations of one family and phase ('' = the legacy un-prefixed keys). */
function hook(family: string, phase: Phase | '', f: HookFields): Record<string, string> {
  const p = phase === '' ? '' : `${phase}.`;
  const out: Record<string, string> = { [`${p}${family}/command`]: typeof f.command === 'string' ? f.command : JSON.stringify(f.command) };
  if (f.container !== undefined) out[`${p}${family}/container`] = f.container;
  if (f.onError !== undefined) out[`${p}${family}/on-error`] = f.onError;
  if (f.timeout !== undefined) out[`${p}${family}/timeout`] = f.timeout;
  return out;
}
const v = (phase: Phase | '', f: HookFields) => hook(VE, phase, f);
const ark = (phase: Phase | '', f: HookFields) => hook(ARK, phase, f);
const ok = (tag: string) => ['echo', tag];
const fail = (tag: string, code = 3) => ['sh', '-c', `exit ${code}`, tag];
const slow = (tag: string) => ['sh', '-c', 'sleep 3', tag];
const exec = (command: string[], extra: { container?: string; onError?: string; timeout?: string } = {}) => ({
  exec: { command, ...extra },
});
/** Only the scenario's own namespaces, so a backup never runs the hooks of another scenario. */
const only = (ns: (s?: string) => string, ...suffixes: string[]) => ({
  includedNamespaces: (suffixes.length ? suffixes : ['']).map((s) => ns(s)),
});

export const SCENARIOS: Scenario[] = [
  // --- annotations: families, legacy keys, precedence (internal/hook/item_hook_handler.go HandleHooks) ---
  {
    id: 'a1',
    title: 'velero.io pre and post annotations run in that order',
    pods: [{ name: 'p', annotations: { ...v('pre', { command: ok('a1-pre') }), ...v('post', { command: ok('a1-post') }) } }],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
  },
  {
    id: 'a2',
    title: 'ark.heptio.com annotations are ignored by Velero',
    pods: [{ name: 'p', annotations: { ...ark('pre', { command: ok('a2-pre') }), ...ark('post', { command: ok('a2-post') }) } }],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 0, attempted: 0, failed: 0 },
    disagreement: 'without a target the plugin reads ark.heptio.com keys too (flavor auto); Velero 1.18 reads only velero.io',
  },
  {
    id: 'a3',
    title: 'both families on one pod: only the velero.io hooks run',
    pods: [
      {
        name: 'p',
        annotations: {
          ...v('pre', { command: ok('a3-v') }),
          ...ark('pre', { command: ok('a3-ark') }),
          ...ark('post', { command: ok('a3-ark-post') }),
        },
      },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
    disagreement: 'without a target the plugin also runs the ark.heptio.com post hook',
  },
  {
    id: 'a4',
    title: 'legacy un-prefixed velero.io keys are a pre hook',
    pods: [{ name: 'p', annotations: { ...v('', { command: ok('a4-legacy') }), ...v('post', { command: ok('a4-post') }) } }],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
  },
  {
    id: 'a5',
    title: 'a prefixed pre command wins over the whole legacy set',
    pods: [
      {
        name: 'p',
        containers: ['main', 'side'],
        annotations: { ...v('pre', { command: ok('a5-pre') }), ...v('', { command: ok('a5-legacy'), container: 'side' }) },
      },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
    run: 'pre',
  },
  {
    id: 'a6',
    title: 'legacy ark.heptio.com keys are ignored by Velero',
    pods: [{ name: 'p', annotations: ark('', { command: ok('a6-legacy') }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 0, attempted: 0, failed: 0 },
    disagreement: 'without a target the plugin reads the legacy ark.heptio.com set as a pre hook',
  },
  {
    id: 'a7',
    title: 'an annotation hook replaces the spec hooks of its phase only',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('a7-ann-pre') }) }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', pre: [exec(ok('a7-spec-pre'))], post: [exec(ok('a7-spec-post'))] }] },
    }),
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
    run: 'both',
  },
  {
    id: 'a8',
    title: 'a plain-string command is one argv element, not split on spaces',
    pods: [{ name: 'p', annotations: v('pre', { command: 'echo a8 plain', onError: 'Continue' }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 1, failed: 1 },
    run: 'pre',
  },
  {
    id: 'a9',
    title: 'a timeout without a unit falls back to 30s; the hook runs',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('a9'), timeout: '5' }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },

  // --- spec hooks: order, entries, deprecated field (pkg/apis/velero/v1/backup_types.go) ---
  {
    id: 's1',
    title: 'spec pre hooks in array order, then post',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', pre: [exec(ok('s1-pre-1')), exec(ok('s1-pre-2'))], post: [exec(ok('s1-post'))] }] },
    }),
    velero: { phase: 'Completed', execs: 3, attempted: 3, failed: 0 },
    run: 'both',
  },
  {
    id: 's2',
    title: 'every matching entry runs, in spec order',
    pods: [{ name: 'p', labels: { app: 'db' } }],
    backup: (ns) => ({
      ...only(ns),
      hooks: {
        resources: [
          { name: 'one', pre: [exec(ok('s2-one'))] },
          { name: 'two', labelSelector: { matchLabels: { app: 'db' } }, pre: [exec(ok('s2-two'))] },
          { name: 'three', labelSelector: { matchLabels: { app: 'web' } }, pre: [exec(ok('s2-three'))] },
        ],
      },
    }),
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
    run: 'pre',
  },
  {
    id: 's3',
    title: 'the deprecated spec "hooks" list is not a pre hook in Velero (the CRD prunes it)',
    pods: [{ name: 'p' }],
    backup: (ns) => ({ ...only(ns), hooks: { resources: [{ name: 'old', hooks: [exec(ok('s3-deprecated'))] }] } }),
    validateFalse: true,
    velero: { phase: 'Completed', execs: 0, attempted: 0, failed: 0 },
  },
  {
    id: 's4',
    title: 'a misspelt entry field is pruned, so the entry applies everywhere in the backup',
    namespaces: { '': {}, b: {} },
    pods: [{ name: 'p' }, { ns: 'b', name: 'q' }],
    backup: (ns) => ({
      ...only(ns, '', 'b'),
      hooks: { resources: [{ name: 'typo', includedNamespace: [ns('b')], pre: [exec(ok('s4'))] }] },
    }),
    validateFalse: true,
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
  },
  {
    id: 's5',
    title: 'a spec hook without container runs in the first container',
    pods: [{ name: 'p', containers: ['first', 'second'] }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', pre: [exec(ok('s5'))], post: [exec(ok('s5-post'), { container: 'second' })] }] },
    }),
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
  },

  // --- namespaces: hook-level and backup-level, globs, invalid patterns ---
  {
    id: 'n1',
    title: 'hook entry includedNamespaces glob',
    namespaces: { '': {}, b: {} },
    pods: [{ name: 'p' }, { ns: 'b', name: 'q' }],
    backup: (ns) => ({
      ...only(ns, '', 'b'),
      hooks: { resources: [{ name: 'h', includedNamespaces: [`${ns('')}-?`], pre: [exec(ok('n1'))] }] },
    }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'n2',
    title: 'hook entry excludedNamespaces glob',
    namespaces: { '': {}, b: {} },
    pods: [{ name: 'p' }, { ns: 'b', name: 'q' }],
    backup: (ns) => ({
      ...only(ns, '', 'b'),
      hooks: { resources: [{ name: 'h', excludedNamespaces: [`${ns('')}-*`], pre: [exec(ok('n2'))] }] },
    }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'n3',
    title: 'backup includedNamespaces glob (expanded from v1.18)',
    namespaces: { '': {}, b: {} },
    pods: [
      { name: 'p', annotations: v('pre', { command: ok('n3-p') }) },
      { ns: 'b', name: 'q', annotations: v('pre', { command: ok('n3-q') }) },
    ],
    backup: (_ns, glob) => ({ includedNamespaces: [glob] }),
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
  },
  {
    id: 'n4',
    title: 'backup excludedNamespaces glob',
    namespaces: { '': {}, b: {} },
    pods: [
      { name: 'p', annotations: v('pre', { command: ok('n4-p') }) },
      { ns: 'b', name: 'q', annotations: v('pre', { command: ok('n4-q') }) },
    ],
    backup: (ns) => ({ ...only(ns, '', 'b'), excludedNamespaces: [`${ns('')}-*`] }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'n5',
    title: 'an invalid namespace pattern fails validation',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('n5') }) }],
    backup: (ns) => ({ includedNamespaces: [`${ns('')}[`] }),
    velero: { phase: 'FailedValidation', execs: 0 },
    disagreement: 'the plugin does not validate namespace patterns; Velero 1.18 fails a Backup whose include is not a valid pattern',
  },
  {
    id: 'n6',
    title: '"*" mixed with other included namespaces fails validation',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('n6') }) }],
    backup: (ns) => ({ includedNamespaces: ['*', ns('')] }),
    velero: { phase: 'FailedValidation', execs: 0 },
  },
  {
    id: 'n7',
    title: 'a namespace both included and excluded fails validation',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('n7') }) }],
    backup: (ns) => ({ includedNamespaces: [ns('')], excludedNamespaces: [ns('')] }),
    velero: { phase: 'FailedValidation', execs: 0 },
  },

  // --- resources: includedResources forms, hook entry resources ---
  ...(['pods', 'po', 'pods.', '*'] as const).map(
    (form, i): Scenario => ({
      id: `r${i + 1}`,
      title: `backup includedResources ["${form}"] covers pods`,
      pods: [{ name: 'p', annotations: v('pre', { command: ok(`r${i + 1}`) }) }],
      backup: (ns) => ({ ...only(ns), includedResources: [form] }),
      velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
    }),
  ),
  {
    id: 'r5',
    title: 'backup includedResources ["deployments"] runs no pod hooks',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('r5') }) }],
    backup: (ns) => ({ ...only(ns), includedResources: ['deployments'] }),
    velero: { phase: 'Completed', execs: 0, attempted: 0, failed: 0 },
  },
  {
    id: 'r6',
    title: 'hook entry includedResources: "po" applies, "deployments" never does',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: {
        resources: [
          { name: 'short', includedResources: ['po'], pre: [exec(ok('r6-po'))] },
          { name: 'deploy', includedResources: ['deployments'], pre: [exec(ok('r6-deploy'))] },
        ],
      },
    }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'r7',
    title: 'backup excludedResources ["pods"] runs no hooks',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('r7') }) }],
    backup: (ns) => ({ ...only(ns), excludedResources: ['pods'] }),
    velero: { phase: 'Completed', execs: 0, attempted: 0, failed: 0 },
  },

  // --- labels and exclusion ---
  {
    id: 'l1',
    title: 'backup labelSelector: only matching pods run hooks',
    pods: [
      { name: 'db', labels: { app: 'db' }, annotations: v('pre', { command: ok('l1-db') }) },
      { name: 'web', labels: { app: 'web' }, annotations: v('pre', { command: ok('l1-web') }) },
    ],
    backup: (ns) => ({ ...only(ns), labelSelector: { matchLabels: { app: 'db' } } }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'l2',
    title: 'orLabelSelectors: pods matching any selector',
    pods: [
      { name: 'db', labels: { app: 'db' }, annotations: v('pre', { command: ok('l2-db') }) },
      { name: 'web', labels: { app: 'web' }, annotations: v('pre', { command: ok('l2-web') }) },
      { name: 'tmp', labels: { app: 'tmp' }, annotations: v('pre', { command: ok('l2-tmp') }) },
    ],
    backup: (ns) => ({
      ...only(ns),
      orLabelSelectors: [{ matchLabels: { app: 'db' } }, { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }],
    }),
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
    run: 'pre',
  },
  {
    id: 'l3',
    title: 'labelSelector together with orLabelSelectors fails validation',
    pods: [{ name: 'p', labels: { app: 'db' }, annotations: v('pre', { command: ok('l3') }) }],
    backup: (ns) => ({ ...only(ns), labelSelector: { matchLabels: { app: 'db' } }, orLabelSelectors: [{ matchLabels: { app: 'db' } }] }),
    velero: { phase: 'FailedValidation', execs: 0 },
  },
  {
    id: 'l4',
    title: 'velero.io/exclude-from-backup=true on a pod: no hooks',
    pods: [
      { name: 'out', labels: { 'velero.io/exclude-from-backup': 'true' }, annotations: v('pre', { command: ok('l4-out') }) },
      { name: 'in', annotations: v('pre', { command: ok('l4-in') }) },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'l5',
    title: 'velero.io/exclude-from-backup=true on a namespace: no hooks for its pods',
    namespaces: { '': {}, b: { 'velero.io/exclude-from-backup': 'true' } },
    pods: [
      { name: 'p', annotations: v('pre', { command: ok('l5-p') }) },
      { ns: 'b', name: 'q', annotations: v('pre', { command: ok('l5-q') }) },
    ],
    backup: (_ns, glob) => ({ includedNamespaces: [glob] }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
    disagreement: 'the plugin ignores the velero.io/exclude-from-backup label on namespaces (Velero >= 1.10 leaves them out)',
  },

  // --- containers ---
  {
    id: 'c1',
    title: 'an annotation hook in the second container',
    pods: [
      {
        name: 'p',
        containers: ['app', 'freezer'],
        annotations: { ...v('pre', { command: ok('c1-pre'), container: 'freezer' }), ...v('post', { command: ok('c1-post') }) },
      },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
    run: 'both',
  },
  {
    id: 'c2',
    title: 'a missing container fails the hook before exec (on-error Continue: post still runs)',
    pods: [
      {
        name: 'p',
        annotations: {
          ...v('pre', { command: ok('c2-pre'), container: 'nope', onError: 'Continue' }),
          ...v('post', { command: ok('c2-post') }),
        },
      },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 2, failed: 1 },
    run: 'both',
  },
  {
    id: 'c3',
    title: 'a missing container in a Fail spec hook skips the rest of the phase, which still counts as attempted',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: {
        resources: [
          { name: 'h', pre: [exec(ok('c3-1'), { container: 'nope', onError: 'Fail' }), exec(ok('c3-2'))], post: [exec(ok('c3-post'))] },
        ],
      },
    }),
    velero: { phase: 'PartiallyFailed', execs: 0, attempted: 2, failed: 1 },
    run: 'pre',
  },

  // --- failures, on-error, timeouts (pkg/podexec/pod_command_executor.go, pkg/backup/backup.go backupItemBlock) ---
  {
    id: 'f1',
    title: 'pre fails with on-error Fail: no post hook for the pod',
    pods: [
      { name: 'p', annotations: { ...v('pre', { command: fail('f1-pre'), onError: 'Fail' }), ...v('post', { command: ok('f1-post') }) } },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 1, failed: 1 },
    run: 'pre',
    note: '`wrap` deliberately runs post after a failed pre (a frozen filesystem must be thawed); dry-run and Velero agree here',
  },
  {
    id: 'f2',
    title: 'pre fails with on-error Continue: post runs',
    pods: [
      {
        name: 'p',
        annotations: { ...v('pre', { command: fail('f2-pre'), onError: 'Continue' }), ...v('post', { command: ok('f2-post') }) },
      },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 2, attempted: 2, failed: 1 },
    run: 'both',
  },
  {
    id: 'f3',
    title: 'pre fails with on-error unset: Velero >= 1.9 continues (post runs)',
    pods: [{ name: 'p', annotations: { ...v('pre', { command: fail('f3-pre') }), ...v('post', { command: ok('f3-post') }) } }],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 2, attempted: 2, failed: 1 },
    run: 'both',
    disagreement: 'without a target the plugin treats unset on-error as Fail and predicts no post hook; Velero 1.18 continues',
  },
  {
    id: 'f4',
    title: 'on-error "fail" (lower case) is unset, so Velero continues',
    pods: [
      { name: 'p', annotations: { ...v('pre', { command: fail('f4-pre'), onError: 'fail' }), ...v('post', { command: ok('f4-post') }) } },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 2, attempted: 2, failed: 1 },
    disagreement: 'without a target the plugin treats an invalid on-error as Fail; Velero 1.18 continues',
  },
  {
    id: 'f5',
    title: 'spec: a failing Fail hook skips the later hooks of the phase (counted as attempted) and the post phase',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', pre: [exec(fail('f5-1'), { onError: 'Fail' }), exec(ok('f5-2'))], post: [exec(ok('f5-post'))] }] },
    }),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 2, failed: 1 },
    run: 'pre',
  },
  {
    id: 'f6',
    title: 'spec: a failing Continue hook lets the next hooks run',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: {
        resources: [{ name: 'h', pre: [exec(fail('f6-1'), { onError: 'Continue' }), exec(ok('f6-2'))], post: [exec(ok('f6-post'))] }],
      },
    }),
    velero: { phase: 'PartiallyFailed', execs: 3, attempted: 3, failed: 1 },
    run: 'both',
  },
  {
    id: 'f7',
    title: 'spec: a failing hook with on-error unset lets the next hooks run (Velero >= 1.9)',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', pre: [exec(fail('f7-1')), exec(ok('f7-2'))], post: [exec(ok('f7-post'))] }] },
    }),
    velero: { phase: 'PartiallyFailed', execs: 3, attempted: 3, failed: 1 },
    run: 'both',
    disagreement: 'without a target the plugin treats unset on-error as Fail and predicts the later hooks are skipped',
    runDisagreement:
      "run (without a target) stops the pod's pre phase after the first failing hook with unset on-error; Velero 1.18 runs the next one",
  },
  {
    id: 't1',
    title: 'a hook that outlives its timeout fails (Continue: post runs); the command itself runs to its end',
    pods: [
      {
        name: 'p',
        annotations: {
          ...v('pre', { command: slow('t1-pre'), timeout: '1s', onError: 'Continue' }),
          ...v('post', { command: ok('t1-post') }),
        },
      },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 2, attempted: 2, failed: 1 },
    run: 'both',
  },
  {
    id: 't2',
    title: 'a hook that outlives its timeout with on-error Fail: no post hook',
    pods: [
      {
        name: 'p',
        annotations: { ...v('pre', { command: slow('t2-pre'), timeout: '1s', onError: 'Fail' }), ...v('post', { command: ok('t2-post') }) },
      },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 1, failed: 1 },
    run: 'pre',
  },

  // --- pod phases (pkg/podexec/pod_command_executor.go: Succeeded/Failed pods are not exec'd) ---
  {
    id: 'p1',
    title: 'a Pending pod: Velero tries the exec, the API server refuses it, the hook fails',
    pods: [{ name: 'p', phase: 'Pending', annotations: v('pre', { command: ok('p1'), onError: 'Continue' }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 0, attempted: 1, failed: 1 },
    run: 'pre',
  },
  {
    id: 'p2',
    title: 'a Succeeded pod: hooks counted as attempted, not executed, not failed',
    pods: [
      { name: 'p', phase: 'Succeeded', annotations: { ...v('pre', { command: ok('p2-pre') }), ...v('post', { command: ok('p2-post') }) } },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 0, attempted: 2, failed: 0 },
    run: 'both',
  },
  {
    id: 'p3',
    title: 'a Failed pod: hooks counted as attempted, not executed, not failed',
    pods: [{ name: 'p', phase: 'Failed', annotations: v('pre', { command: fail('p3-pre') }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 0, attempted: 1, failed: 0 },
    run: 'pre',
  },

  // --- more forms: selectors, filters, command parsing, names ---
  {
    id: 'x1',
    title: 'velero.io/exclude-from-backup with a value other than "true" does not exclude',
    pods: [{ name: 'p', labels: { 'velero.io/exclude-from-backup': 'false' }, annotations: v('pre', { command: ok('x1') }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'x2',
    title: 'hook entry labelSelector with matchExpressions (NotIn, Exists)',
    pods: [{ name: 'db', labels: { app: 'db', tier: 'data' } }, { name: 'web', labels: { app: 'web', tier: 'front' } }, { name: 'bare' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: {
        resources: [
          {
            name: 'h',
            labelSelector: {
              matchExpressions: [
                { key: 'app', operator: 'NotIn', values: ['web'] },
                { key: 'tier', operator: 'Exists' },
              ],
            },
            pre: [exec(ok('x2'))],
          },
        ],
      },
    }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
    run: 'pre',
  },
  {
    id: 'x3',
    title: 'hook entry excludedResources ["pods"] never applies; the next entry does',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: {
        resources: [
          { name: 'nopods', excludedResources: ['pods'], pre: [exec(ok('x3-excluded'))] },
          { name: 'all', pre: [exec(ok('x3-all'))] },
        ],
      },
    }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'x4',
    title: 'a command annotation that is not a JSON array ("[blarg") is one argv element',
    pods: [{ name: 'p', annotations: v('pre', { command: '[blarg', onError: 'Continue' }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 1, failed: 1 },
  },
  {
    id: 'x5',
    title: 'an annotation post hook replaces the spec post hooks only; spec pre hooks still run',
    pods: [{ name: 'p', annotations: v('post', { command: ok('x5-ann-post') }) }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', pre: [exec(ok('x5-spec-pre'))], post: [exec(ok('x5-spec-post'))] }] },
    }),
    velero: { phase: 'Completed', execs: 2, attempted: 2, failed: 0 },
    run: 'both',
  },
  {
    id: 'x6',
    title: 'includedNamespaceScopedResources ["pods"] (the newer filters) covers pods',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('x6') }) }],
    backup: (ns) => ({ ...only(ns), includedNamespaceScopedResources: ['pods'] }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'x7',
    title: 'includedNamespaceScopedResources ["deployments"] runs no pod hooks',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('x7') }) }],
    backup: (ns) => ({ ...only(ns), includedNamespaceScopedResources: ['deployments'] }),
    velero: { phase: 'Completed', execs: 0, attempted: 0, failed: 0 },
  },
  {
    id: 'x8',
    title: 'old and new resource filters together fail validation',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('x8') }) }],
    backup: (ns) => ({ ...only(ns), includedResources: ['pods'], includedNamespaceScopedResources: ['pods'] }),
    velero: { phase: 'FailedValidation', execs: 0 },
  },
  {
    id: 'x9',
    title: 'an invalid operator in a hook entry labelSelector fails the whole backup',
    pods: [{ name: 'p', labels: { app: 'db' }, annotations: v('pre', { command: ok('x9') }) }],
    backup: (ns) => ({
      ...only(ns),
      hooks: {
        resources: [
          {
            name: 'h',
            labelSelector: { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['db'] }] },
            pre: [exec(ok('x9-spec'))],
          },
        ],
      },
    }),
    velero: { phase: 'Failed', execs: 0 },
  },
  {
    id: 'x10',
    title: 'a negative timeout means no timeout; the hook runs',
    pods: [{ name: 'p', annotations: v('pre', { command: ok('x10'), timeout: '-1s' }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'x11',
    title: 'the legacy set keeps its own container',
    pods: [{ name: 'p', containers: ['main', 'side'], annotations: v('', { command: ok('x11'), container: 'side' }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
    run: 'pre',
  },
  {
    id: 'x12',
    title: 'an empty JSON array command is a hook that fails without exec and hides the spec pre hooks',
    pods: [{ name: 'p', annotations: v('pre', { command: '[]', onError: 'Continue' }) }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', pre: [exec(ok('x12-spec-pre'))], post: [exec(ok('x12-spec-post'))] }] },
    }),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 2, failed: 1 },
    run: 'both',
  },
  {
    id: 'x13',
    title: 'an empty command annotation is no hook: the spec pre hooks run',
    pods: [{ name: 'p', annotations: { [`pre.${VE}/command`]: '' } }],
    backup: (ns) => ({ ...only(ns), hooks: { resources: [{ name: 'h', pre: [exec(ok('x13-spec-pre'))] }] } }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'x14',
    title: 'spec "pre" and the deprecated "hooks" in one entry: only pre runs',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', hooks: [exec(ok('x14-deprecated'))], pre: [exec(ok('x14-pre'))] }] },
    }),
    validateFalse: true,
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'x15',
    title: 'one spec entry over two namespaces: each pod runs its own hooks in order',
    namespaces: { '': {}, b: {} },
    pods: [{ name: 'p' }, { ns: 'b', name: 'q', containers: ['first', 'second'] }],
    backup: (ns) => ({
      ...only(ns, '', 'b'),
      hooks: { resources: [{ name: 'h', pre: [exec(ok('x15-1')), exec(ok('x15-2'))], post: [exec(ok('x15-post'))] }] },
    }),
    velero: { phase: 'Completed', execs: 6, attempted: 6, failed: 0 },
    run: 'both',
  },
  {
    id: 'x16',
    title: 'a hook that exceeds a sub-second timeout fails',
    pods: [{ name: 'p', annotations: v('pre', { command: slow('x16'), timeout: '500ms', onError: 'Continue' }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 1, failed: 1 },
  },
  {
    id: 'x17',
    title: 'a terminating pod is skipped: no hooks, nothing counted',
    pods: [
      { name: 'gone', phase: 'Terminating', annotations: v('pre', { command: ok('x17-gone') }) },
      { name: 'here', annotations: v('pre', { command: ok('x17-here') }) },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
    run: 'pre',
  },
  {
    id: 'x18',
    title: 'a lone prefixed container key does not mix with the legacy set',
    pods: [
      {
        name: 'p',
        containers: ['main', 'side'],
        annotations: { [`pre.${VE}/container`]: 'side', ...v('', { command: ok('x18-legacy') }) },
      },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
    run: 'pre',
  },
  {
    id: 'x19',
    title: 'a JSON array with a number is not a string array: the raw text is the argv',
    pods: [{ name: 'p', annotations: v('pre', { command: '["echo",1]', onError: 'Continue' }) }],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 1, failed: 1 },
  },
  {
    id: 'x20',
    title: 'an init container is not a hook container',
    pods: [
      {
        name: 'p',
        initContainers: ['init'],
        annotations: {
          ...v('pre', { command: ok('x20-pre'), container: 'init', onError: 'Continue' }),
          ...v('post', { command: ok('x20-post') }),
        },
      },
    ],
    backup: (ns) => only(ns),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 2, failed: 1 },
    run: 'both',
  },
  {
    id: 'x21',
    title: 'a spec hook timeout: the hook fails when the command outlives it',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', pre: [exec(slow('x21-1'), { timeout: '1s', onError: 'Continue' }), exec(ok('x21-2'))] }] },
    }),
    velero: { phase: 'PartiallyFailed', execs: 2, attempted: 2, failed: 1 },
    run: 'pre',
  },
  {
    id: 'x22',
    title: 'backup includedNamespaces with a "?" glob',
    namespaces: { '': {}, b: {}, cc: {} },
    pods: [
      { name: 'p', annotations: v('pre', { command: ok('x22-p') }) },
      { ns: 'b', name: 'q', annotations: v('pre', { command: ok('x22-q') }) },
      { ns: 'cc', name: 'r', annotations: v('pre', { command: ok('x22-r') }) },
    ],
    backup: (ns) => ({ includedNamespaces: [`${ns('')}-?`] }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'x23',
    title: 'a missing container in a Continue spec hook: the next hook still runs',
    pods: [{ name: 'p' }],
    backup: (ns) => ({
      ...only(ns),
      hooks: { resources: [{ name: 'h', pre: [exec(ok('x23-1'), { container: 'nope', onError: 'Continue' }), exec(ok('x23-2'))] }] },
    }),
    velero: { phase: 'PartiallyFailed', execs: 1, attempted: 2, failed: 1 },
    run: 'pre',
  },
  {
    id: 'x24',
    title: 'an invalid operator in the backup labelSelector',
    pods: [{ name: 'p', labels: { app: 'db' }, annotations: v('pre', { command: ok('x24') }) }],
    backup: (ns) => ({ ...only(ns), labelSelector: { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['db'] }] } }),
    // pkg/backup/item_collector.go logs "Fail to convert backup LabelSelector" for every resource it lists and backs up no pod.
    velero: { phase: 'PartiallyFailed', execs: 0, attempted: 0, failed: 0 },
    disagreement:
      'the plugin says Velero fails this Backup before any hook; Velero 1.18 runs it to PartiallyFailed without any pod (no hook runs either way)',
  },
  {
    id: 'x25',
    title: 'hook entry includedNamespaces with an invalid pattern sorted first matches nothing',
    pods: [{ name: 'p' }],
    // pkg/util/collections/includes_excludes.go globStringSet.match: the sorted list is tried in
    // order and the first pattern that does not compile answers false for the whole list.
    backup: (ns) => ({ ...only(ns), hooks: { resources: [{ name: 'h', includedNamespaces: ['[bad', ns('')], pre: [exec(ok('x25'))] }] } }),
    velero: { phase: 'Completed', execs: 0, attempted: 0, failed: 0 },
    disagreement:
      'the plugin matches the valid pattern and runs the hook; Velero 1.18 gives up on the list at the first invalid pattern (sorted order)',
  },
  {
    id: 'x26',
    title: 'hook entry excludedNamespaces ["*"] excludes every namespace',
    pods: [{ name: 'p' }],
    backup: (ns) => ({ ...only(ns), hooks: { resources: [{ name: 'h', excludedNamespaces: ['*'], pre: [exec(ok('x26'))] }] } }),
    velero: { phase: 'Completed', execs: 0, attempted: 0, failed: 0 },
  },
  {
    id: 'x27',
    title: 'hook entry excludedNamespaces with only an invalid pattern excludes nothing',
    pods: [{ name: 'p' }],
    backup: (ns) => ({ ...only(ns), hooks: { resources: [{ name: 'h', excludedNamespaces: [`${ns('')}[`], pre: [exec(ok('x27'))] }] } }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  {
    id: 'x28',
    title: 'hook entry includedResources ["po*"]: not a resource name, kept and matched as a glob',
    pods: [{ name: 'p' }],
    backup: (ns) => ({ ...only(ns), hooks: { resources: [{ name: 'h', includedResources: ['po*'], pre: [exec(ok('x28'))] }] } }),
    velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
  },
  ...(['pod', 'PODS'] as const).map(
    (form, i): Scenario => ({
      id: `x${29 + i}`,
      title: `backup includedResources ["${form}"]`,
      pods: [{ name: 'p', annotations: v('pre', { command: ok(`x${29 + i}`) }) }],
      backup: (ns) => ({ ...only(ns), includedResources: [form] }),
      velero: { phase: 'Completed', execs: 1, attempted: 1, failed: 0 },
    }),
  ),
];
