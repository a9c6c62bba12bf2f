// Regression tests for issue #13's six scope bugs and the blend's user-facing mistakes, run as the
// real CLI on manifests (no cluster). The target is chosen with ARK_HOOKS_TARGET so the same file
// also runs against builds from before targets existed; each test failed on those builds.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arkHooks } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'ark-hooks-regress-'));
let n = 0;
function file(text: string): string {
  const p = join(dir, `m${n++}.yaml`);
  writeFileSync(p, text);
  return p;
}

const podYaml = (ns: string, name: string, annotations: Record<string, string> = {}, labels: Record<string, string> = {}) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels: ${JSON.stringify(labels)}\n  annotations: ${JSON.stringify(annotations)}\nspec:\n  containers: [{name: app}, {name: side}]\n`;
const backupYaml = (group: string, spec: object) =>
  `apiVersion: ${group}/v1\nkind: Backup\nmetadata: {name: b, namespace: ${group === 'velero.io' ? 'velero' : 'heptio-ark'}}\nspec: ${JSON.stringify(spec)}\n`;

interface Report {
  pods: {
    namespace: string;
    pod: string;
    skip?: string;
    hooks: { phase: string; container: string | null; command: string[]; onError: string }[];
  }[];
  findings?: { code: string; message: string; severity: string }[];
  problems?: { object: string; message: string }[];
  backup?: { failsValidation: boolean; runsNoHooks: boolean; reason?: string; validationErrors: string[] };
}

async function plan(target: string, pods: string, backup: string, extra: string[] = []): Promise<Report> {
  const r = await arkHooks(['dry-run', '-f', pods, '--backup-file', backup, '-o', 'json', ...extra], {
    env: { ARK_HOOKS_TARGET: target, KUBECONFIG: '/nonexistent' },
  });
  t0(r.stderr);
  return JSON.parse(r.stdout) as Report;
}
async function findings(target: string, pods: string, backup?: string): Promise<{ code: string; message: string; severity: string }[]> {
  const r = await arkHooks(['list', '-f', pods, ...(backup ? ['--backup-file', backup] : []), '-o', 'json'], {
    env: { ARK_HOOKS_TARGET: target, KUBECONFIG: '/nonexistent' },
  });
  return (JSON.parse(r.stdout) as { findings: { code: string; message: string; severity: string }[] }).findings;
}
function t0(stderr: string) {
  if (/unexpected failure/.test(stderr)) throw new Error(stderr);
}

test('bug 1: an Ark hook entry with includedResources [leases] is not planned on every pod (leases is a built-in resource)', async (t) => {
  // pkg/backup/backup.go@v0.10.0: the name resolves through discovery; only unresolvable names are dropped.
  const pods = file(podYaml('shop', 'db-0'));
  const backup = file(
    backupYaml('ark.heptio.com', {
      hooks: { resources: [{ name: 'lease-hook', includedResources: ['leases'], pre: [{ exec: { command: ['/bin/true'] } }] }] },
    }),
  );
  const r = await plan('ark-0.9', pods, backup);
  t.deepEqual(
    r.pods.flatMap((p) => p.hooks),
    [],
  );
});

test('bug 1: offline, a name that is not built in is "cannot tell offline", not "no such resource"', async (t) => {
  const pods = file(podYaml('shop', 'db-0'));
  const backup = file(
    backupYaml('ark.heptio.com', {
      hooks: { resources: [{ name: 'crd-hook', includedResources: ['widgets.example.com'], pre: [{ exec: { command: ['/bin/true'] } }] }] },
    }),
  );
  const f = await findings('ark-0.9', pods, backup);
  const hit = f.find((x) => x.code === 'resource-unknown-offline');
  t.truthy(hit, JSON.stringify(f.map((x) => x.code)));
  t.regex(hit?.message ?? '', /cannot tell offline whether widgets\.example\.com/);
  t.false(f.some((x) => x.code === 'unknown-resource'));
});

test('bug 2: excludedResources ["*"] in a hook entry is dropped, so the hook applies', async (t) => {
  // pkg/util/collections/includes_excludes.go@v1.18.0: "wildcards are invalid for excludes, so ignore them".
  const pods = file(podYaml('shop', 'db-0'));
  const backup = file(
    backupYaml('velero.io', {
      hooks: { resources: [{ name: 'h', excludedResources: ['*'], pre: [{ exec: { command: ['/bin/sync'], onError: 'Fail' } }] }] },
    }),
  );
  const r = await plan('velero-1.18', pods, backup);
  t.deepEqual(
    r.pods.flatMap((p) => p.hooks.map((h) => h.command)),
    [['/bin/sync']],
  );
});

test('bug 3: Backup namespace patterns are validated per target (v1.18 rejects [!…], v1.7.1 rejects ?)', async (t) => {
  // pkg/util/wildcard/expand.go@v1.18.0 and pkg/util/collections/includes_excludes.go@v1.7.1.
  const pods = file(podYaml('app-a', 'db-0', { 'pre.hook.backup.velero.io/command': '["/bin/sync"]' }));
  const r18 = await plan('velero-1.18', pods, file(backupYaml('velero.io', { includedNamespaces: ['app-[!x]'] })));
  t.true(r18.backup?.failsValidation, JSON.stringify(r18.backup));
  t.deepEqual(r18.pods, [], 'FailedValidation: no hook runs');
  const r171 = await plan('velero-1.7.1', pods, file(backupYaml('velero.io', { includedNamespaces: ['app-?'] })));
  t.true(r171.backup?.failsValidation);
});

test('bug 3: v1.18 expands an include glob; v1.17 lists it literally and selects no pod', async (t) => {
  const pods = file(podYaml('app-a', 'db-0', { 'pre.hook.backup.velero.io/command': '["/bin/sync"]' }));
  const backup = file(backupYaml('velero.io', { includedNamespaces: ['app-*'] }));
  t.deepEqual(
    (await plan('velero-1.18', pods, backup)).pods.map((p) => p.pod),
    ['db-0'],
  );
  t.deepEqual(
    (await plan('velero-1.16', pods, backup)).pods.map((p) => p.pod),
    [],
    'item_collector.go@v1.17.0 getNamespacesToList',
  );
  const f = await findings('velero-1.16', pods, backup);
  t.regex(
    f.find((x) => x.code === 'differs-from-newest')?.message ?? '',
    /does not back this pod up, Velero v1\.18\.0\+ does and runs its hooks: pre: app \["\/bin\/sync"\]/,
  );
});

test('bug 4: namespaces labelled velero.io/exclude-from-backup=true are excluded (v1.10+)', async (t) => {
  // pkg/controller/backup_controller.go@v1.10.0.
  const pods = file(
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: secret, labels: {velero.io/exclude-from-backup: "true"}}\n---\n${podYaml('secret', 'db-0', { 'pre.hook.backup.velero.io/command': '["/bin/sync"]' })}`,
  );
  const backup = file(backupYaml('velero.io', {}));
  t.deepEqual((await plan('velero-1.18', pods, backup)).pods, []);
  t.deepEqual(
    (await plan('velero-1.9', pods, backup, ['--target', 'velero-1.9'])).pods.map((p) => p.pod),
    ['db-0'],
    'before v1.10 the namespace label does nothing',
  );
});

test('bug 5: a cluster-scoped name in includedNamespaceScopedResources is dropped (v1.11+)', async (t) => {
  // pkg/util/collections/includes_excludes.go@v1.11.0 GetScopeResourceIncludesExcludes.
  const pods = file(podYaml('shop', 'db-0', { 'pre.hook.backup.velero.io/command': '["/bin/sync"]' }));
  const backup = file(backupYaml('velero.io', { includedNamespaceScopedResources: ['persistentvolumes'] }));
  t.deepEqual(
    (await plan('velero-1.18', pods, backup)).pods.map((p) => p.pod),
    ['db-0'],
    'the list is left empty: every namespace-scoped resource, pods included',
  );
  const f = await findings('velero-1.18', pods, backup);
  t.true(f.some((x) => x.code === 'wrong-scope-resource'));
});

test('bug 6: a typo\'d labelSelector key: pruned to {}, "<none>", no pod, PartiallyFailed, and the cause named', async (t) => {
  // pkg/backup/item_collector.go@v1.18.0 (metav1.FormatLabelSelector of an empty selector is "<none>").
  const pods = file(podYaml('shop', 'db-0', { 'pre.hook.backup.velero.io/command': '["/bin/sync"]' }, { app: 'db' }));
  const backup = file(backupYaml('velero.io', { labelSelector: { matchLabel: { app: 'db' } } }));
  const r = await plan('velero-1.18', pods, backup);
  t.deepEqual(r.pods, []);
  t.false(r.backup?.failsValidation, 'the Backup passes validation');
  t.true(r.backup?.runsNoHooks);
  const f = await findings('velero-1.18', pods, backup);
  t.regex(f.find((x) => x.code === 'selector-unknown-key')?.message ?? '', /"matchLabel" \(did you mean matchLabels\?\)/);
  t.regex(f.find((x) => x.code === 'selector-formats-as-none')?.message ?? '', /"<none>".*every list fails.*PartiallyFailed/);
});

test("bug 6: a typo'd labelSelector key in a hook entry leaves {}, which matches every pod", async (t) => {
  const pods = file(podYaml('shop', 'db-0', {}, { app: 'web' }));
  const backup = file(
    backupYaml('velero.io', {
      hooks: { resources: [{ name: 'h', labelSelector: { matchLabel: { app: 'db' } }, pre: [{ exec: { command: ['/bin/sync'] } }] }] },
    }),
  );
  const r = await plan('velero-1.18', pods, backup);
  t.deepEqual(
    r.pods.map((p) => p.pod),
    ['db-0'],
  );
  t.true((await findings('velero-1.18', pods, backup)).some((x) => x.code === 'hook-selector-empty'));
});

test('ark.heptio.com keys under Velero >= 1.0 are an error naming v1.0.0, not "ok"', async (t) => {
  const pods = file(
    podYaml('shop', 'nginx', {
      'pre.hook.backup.ark.heptio.com/command': '["/sbin/fsfreeze","--freeze","/var/log/nginx"]',
      'pre.hook.backup.ark.heptio.com/container': 'side',
    }),
  );
  const f = await findings('velero-1.18', pods);
  const hit = f.find((x) => x.code === 'ark-keys-ignored');
  t.is(hit?.severity, 'error');
  t.regex(hit?.message ?? '', /v1\.0\.0/);
});

test('unset on-error under Velero >= 1.9: Continue, the next spec hook still runs', async (t) => {
  // pkg/podexec/pod_command_executor.go@v1.9.0 (localHook := *hook).
  const pods = file(podYaml('shop', 'db-0'));
  const backup = file(
    backupYaml('velero.io', { hooks: { resources: [{ name: 'h', pre: [{ exec: { command: ['a'] } }, { exec: { command: ['b'] } }] }] } }),
  );
  const r = await plan('velero-1.18', pods, backup);
  t.deepEqual(
    r.pods[0]?.hooks.map((h) => h.onError),
    ['Continue', 'Continue'],
  );
  const old = await plan('velero-1.7.1', pods, backup, ['--target', 'velero-1.7.1']);
  t.deepEqual(
    old.pods[0]?.hooks.map((h) => h.onError),
    ['Fail', 'Fail'],
  );
});

test('an invalid operator in a velero.io Backup labelSelector: no pod, PartiallyFailed (not "fails before any hook"); Ark: fails', async (t) => {
  // pkg/backup/item_collector.go@v1.18.1 logs "Fail to convert backup LabelSelector" per resource and
  // lists nothing; Velero v1.18.3 ended such a Backup PartiallyFailed with no pod (test:velero x24).
  const pods = file(podYaml('shop', 'db-0', { 'pre.hook.backup.velero.io/command': '["/bin/true"]' }, { app: 'db' }));
  const sel = { labelSelector: { matchExpressions: [{ key: 'app', operator: 'Bogus', values: ['db'] }] } };
  const r = await plan('velero-1.18', pods, file(backupYaml('velero.io', { includedNamespaces: ['shop'], ...sel })));
  t.true(r.backup?.runsNoHooks);
  t.false(r.backup?.failsValidation);
  t.regex(r.backup?.reason ?? '', /^every list fails/);
  t.deepEqual(
    r.pods.flatMap((p) => p.hooks),
    [],
  );
  // resource_backupper.go@v0.10.0 returns "invalid label selector": the Ark backup fails.
  const ark = await plan(
    'ark-0.9',
    file(podYaml('shop', 'db-0', { 'pre.hook.backup.ark.heptio.com/command': '["/bin/true"]' }, { app: 'db' })),
    file(backupYaml('ark.heptio.com', { includedNamespaces: ['shop'], ...sel })),
  );
  t.true(ark.backup?.runsNoHooks);
  t.notRegex(ark.backup?.reason ?? '', /^every list fails/);
});
