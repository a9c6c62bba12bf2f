// Every finding code in one place: its usual severity and one line that says what it means (for
// `explain`, docs and reviewers). Findings are built with finding(), which takes the severity from
// here unless the site states another one the code allows.

import type { Finding, Severity } from './types.ts';

interface CodeInfo {
  severity: Severity;
  /** Other severities a site may give this code (e.g. an error when a container is missing, else a warning). */
  also?: readonly Severity[];
  description: string;
}

export const FINDINGS = {
  // Annotation commands (hooks-spec: a JSON array of strings, or one plain word).
  'command-invalid-json': {
    severity: 'error',
    description: 'The command looks like a JSON array but does not parse; Ark/Velero run it as one word.',
  },
  'command-not-json-array': {
    severity: 'error',
    description: 'The command is not a JSON array; Ark/Velero run the whole text as one program name.',
  },
  'command-not-string-array': { severity: 'error', description: 'The command array holds something other than strings.' },
  'command-null-element': { severity: 'warning', description: 'The command array holds null, which becomes an empty argument.' },
  'command-leading-space': { severity: 'error', description: 'The program name starts with a space, so exec cannot find it.' },
  'command-shell-syntax': {
    severity: 'warning',
    description: 'The command uses shell syntax (pipes, redirects, variables) but no shell runs it.',
  },
  'command-empty': { severity: 'error', description: 'The hook has no command: Ark/Velero fail it before running anything.' },
  'command-empty-program': { severity: 'error', description: 'The first word of the command (the program) is empty.' },
  'command-program-has-spaces': {
    severity: 'error',
    description: 'The program name holds spaces: exec looks for a file of that whole name.',
  },
  'empty-command': { severity: 'warning', description: 'A command annotation is present but empty, so the phase has no hook.' },
  'keys-without-command': {
    severity: 'warning',
    description: 'container, on-error or timeout is set for a phase that has no command annotation.',
  },
  // Annotation keys and families.
  'both-families': {
    severity: 'warning',
    description: 'Both ark.heptio.com and velero.io keys are set for a phase; the target reads only one of them.',
  },
  'legacy-and-prefixed': {
    severity: 'warning',
    description: 'Legacy un-prefixed keys and pre.* keys are both set; the prefixed ones win.',
  },
  'legacy-keys': { severity: 'warning', description: 'Deprecated un-prefixed pre hook keys (hook.backup.<domain>/…) are used.' },
  'ark-keys-ignored': {
    severity: 'warning',
    also: ['error'],
    description: 'ark.heptio.com hook keys are set, but the target reads only velero.io keys.',
  },
  'velero-keys-ignored': {
    severity: 'warning',
    also: ['error'],
    description: 'velero.io hook keys are set, but the target reads only ark.heptio.com keys.',
  },
  'unknown-hook-key': {
    severity: 'warning',
    description: 'An annotation in a hook family is not one of container, command, on-error, timeout.',
  },
  'hook-key-case': {
    severity: 'warning',
    description: 'A hook annotation key differs only in letter case from a real one, which is never read.',
  },
  'written-hook-shadowed': { severity: 'warning', description: 'annotate wrote a hook that another family or legacy key set overrides.' },
  // Values.
  'invalid-on-error': { severity: 'error', description: 'on-error is neither Fail nor Continue; the target silently uses its default.' },
  'on-error-unset-continues': { severity: 'info', description: 'on-error is unset, which this target treats as Continue.' },
  'sticky-on-error': { severity: 'info', description: 'The on-error of an earlier spec hook carries over to this one in this target.' },
  'invalid-timeout': { severity: 'error', description: 'timeout is not a Go duration; the default 30s is used instead.' },
  'empty-timeout': { severity: 'warning', description: 'timeout is empty; the default 30s is used.' },
  'negative-timeout': { severity: 'warning', description: 'timeout is negative, which means no timeout at all.' },
  'zero-timeout': { severity: 'info', description: 'timeout is zero, which means the default 30s.' },
  'invalid-container': { severity: 'error', description: 'The container is not a string.' },
  'no-containers': { severity: 'error', also: ['warning'], description: 'The pod spec lists no containers, so no hook can run.' },
  'container-not-found': { severity: 'error', description: 'The hook names a container that is not in the pod.' },
  'sticky-container': {
    severity: 'warning',
    description: 'The container of an earlier spec hook carries over to this one in this target.',
  },
  'sticky-container-not-found': {
    severity: 'error',
    description: 'The container carried over from an earlier spec hook is not in this pod.',
  },
  // The plan.
  'empty-hook-name': { severity: 'error', description: 'A Backup spec hook entry has no name.' },
  'annotation-shadows-spec': {
    severity: 'warning',
    description: "The pod's annotation hook replaces the Backup's spec hooks for that phase.",
  },
  'freeze-without-unfreeze': { severity: 'warning', description: 'A pre hook freezes a filesystem and no post hook unfreezes it.' },
  'pod-not-running': { severity: 'warning', description: 'The pod is not Running, so Ark/Velero skip its hooks.' },
  'pod-terminating': { severity: 'warning', description: 'The pod is being deleted.' },
  'container-not-running': { severity: 'warning', description: 'The hook container is not running, so exec fails.' },
  'differs-from-newest': {
    severity: 'warning',
    description: 'The newest Velero would run different hooks for this pod than the target does.',
  },
  'not-in-backup': { severity: 'info', description: 'The pod has hook annotations but the Backup does not back it up.' },
  'namespaces-unknown': {
    severity: 'warning',
    description: 'Namespaces could not be listed, so exclude-from-backup labels are not taken into account.',
  },
  // Backups.
  'backup-api-version': { severity: 'warning', description: 'The Backup apiVersion is neither ark.heptio.com/v1 nor velero.io/v1.' },
  'backup-group-not-read': { severity: 'warning', description: "The target's server does not process Backups of this API group." },
  'backup-spec-type': { severity: 'error', description: 'The Backup spec is not an object.' },
  'backup-would-fail': { severity: 'error', description: 'The target fails this Backup before backing up any pod, so no hook runs.' },
  'backup-excludes-pods': { severity: 'warning', description: 'The Backup excludes pods, so none of its hooks run.' },
  'deprecated-hooks-field': { severity: 'warning', description: 'A deprecated hooks field (e.g. hooks.resources[].hooks) is used.' },
  'invalid-field-type': { severity: 'error', description: 'A field has the wrong type; the target ignores or rejects it.' },
  'non-string-value': { severity: 'error', description: 'A label or annotation value is not a string.' },
  'unknown-field': { severity: 'warning', description: 'A field the target does not know; it is ignored.' },
  'field-not-in-target': { severity: 'warning', description: 'A field this target version does not have yet; it is ignored.' },
  'invalid-selector': { severity: 'error', description: 'A label selector is invalid: the target rejects the Backup.' },
  'selector-formats-as-none': { severity: 'error', description: 'A selector that the target formats as matching nothing.' },
  'selector-unknown-key': { severity: 'warning', description: 'A label selector holds a field the target ignores.' },
  'selector-and-or-selectors': { severity: 'error', description: 'labelSelector and orLabelSelectors are both set: FailedValidation.' },
  'hook-selector-empty': { severity: 'warning', description: 'A hook entry has an empty label selector, which matches every pod.' },
  'hook-excludes-pods': { severity: 'warning', description: 'A hook entry excludes pods, so it never runs.' },
  'hook-excludes-all-namespaces': { severity: 'warning', description: 'A hook entry excludes "*", every namespace, so it never runs.' },
  'hook-without-exec': { severity: 'warning', description: 'A spec hook has no exec section, so it runs nothing.' },
  'invalid-glob': { severity: 'warning', description: 'A glob pattern does not compile; it matches nothing.' },
  'literal-star': { severity: 'warning', description: 'A "*" that this target matches literally, not as a wildcard.' },
  'namespace-glob-literal': { severity: 'warning', description: 'A namespace glob that this target matches literally.' },
  'expanded-includes-empty': { severity: 'warning', description: 'The included namespace patterns match no namespace.' },
  'invalid-namespace-lists': { severity: 'error', description: 'includedNamespaces and excludedNamespaces conflict: FailedValidation.' },
  'invalid-namespace-name': { severity: 'error', description: 'A namespace name in the Backup is invalid: FailedValidation.' },
  'invalid-resource-lists': { severity: 'error', description: 'includedResources and excludedResources conflict: FailedValidation.' },
  'mixed-resource-filters': { severity: 'error', description: 'Old and new resource filters are mixed: FailedValidation.' },
  'namespaces-excluded-by-label': { severity: 'info', description: 'Namespaces labelled velero.io/exclude-from-backup=true are left out.' },
  'resource-unknown-offline': {
    severity: 'info',
    also: ['warning'],
    description: 'A resource name that cannot be resolved without a cluster.',
  },
  'unknown-resource': { severity: 'warning', description: 'A resource name the cluster does not serve.' },
  'wrong-scope-resource': { severity: 'warning', description: 'A cluster-scoped resource in a namespace-scoped list (or the reverse).' },
  'exclude-star-dropped': { severity: 'info', description: 'An excludedResources "*" that this target drops.' },
  // Manifests.
  'unreadable-manifest': { severity: 'error', description: 'A file or directory given with -f cannot be read.' },
  'invalid-manifest': { severity: 'error', description: 'A document given with -f is not YAML or JSON, or not a Kubernetes object.' },
  'missing-template': { severity: 'error', description: 'A workload has no pod template where its kind keeps one.' },
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof FINDINGS;

export const FINDING_CODES = Object.keys(FINDINGS) as FindingCode[];

/**
 * What `explain CODE` adds to the description: the Ark/Velero versions that behave this way and how
 * to fix it. The same words as docs/findings.md (which a krew install does not ship);
 * test/unit/explain.test.ts keeps the two in step.
 */
export const EXPLANATIONS: Record<FindingCode, { versions: string; fix: string }> = {
  'command-not-json-array': { versions: 'all', fix: 'write a JSON array, one element per argument.' },
  'command-invalid-json': {
    versions: 'all',
    fix: 'repair the JSON. kubectl ark-hooks annotate … --overwrite -- PROGRAM ARGS… writes it for you.',
  },
  'command-not-string-array': { versions: 'all', fix: 'quote every element.' },
  'command-leading-space': { versions: 'all', fix: 'remove the leading white space (watch out for YAML block scalars such as >-).' },
  'command-null-element': { versions: 'all', fix: 'remove it, or write "" if an empty argument is really meant.' },
  'command-shell-syntax': { versions: 'all', fix: 'run a shell explicitly.' },
  'command-empty': { versions: 'all', fix: 'give the command, or remove the keys.' },
  'command-empty-program': { versions: 'all', fix: 'name the program.' },
  'command-program-has-spaces': { versions: 'all', fix: 'one element per argument, or ["/bin/sh", "-c", "…"].' },
  'legacy-keys': { versions: 'all', fix: 'rename them to pre.hook.backup.velero.io/… (or the Ark family for Ark).' },
  'legacy-and-prefixed': { versions: 'all', fix: 'delete one of the two sets.' },
  'both-families': { versions: 'Velero v0.11', fix: 'keep only the velero.io keys (v1.0 and later read nothing else).' },
  'ark-keys-ignored': {
    versions: 'Velero v1.0+',
    fix: 'write the hooks as velero.io keys: kubectl ark-hooks annotate POD --overwrite … (it writes the family the target reads), then remove the old keys with annotate POD --remove --flavor ark.',
  },
  'velero-keys-ignored': {
    versions: 'Ark v0.7–v0.10',
    fix: 'write ark.heptio.com keys (annotate --flavor ark), or check the target: if the cluster runs Velero, pass --target velero.',
  },
  'keys-without-command': { versions: 'all', fix: 'add the command, or remove the keys.' },
  'empty-command': { versions: 'all', fix: "set the command, or remove the key (and the set's other keys)." },
  'unknown-hook-key': { versions: 'all', fix: 'correct the field name; the message suggests the closest one.' },
  'hook-key-case': { versions: 'all', fix: 'write it in lower case.' },
  'invalid-on-error': { versions: 'all (effect differs)', fix: 'write Fail or Continue with that capitalisation.' },
  'on-error-unset-continues': { versions: 'Velero v1.9+', fix: 'set onError: Fail if the later hooks must not run after a failure.' },
  'invalid-timeout': { versions: 'all', fix: 'add a unit: 300s, 5m, 1h30m.' },
  'empty-timeout': { versions: 'all', fix: 'remove the key or set a duration.' },
  'negative-timeout': { versions: 'all', fix: 'set a positive duration.' },
  'zero-timeout': { versions: 'all', fix: 'none needed; write the duration you want if 30s is not it.' },
  'invalid-container': { versions: 'all', fix: "give the container's name as a string." },
  'no-containers': { versions: 'all', fix: 'check the manifest; a pod template needs spec.containers.' },
  'container-not-found': {
    versions: 'all',
    fix: "name one of the pod's containers (the message lists them), or leave container empty for the first one. To freeze from a privileged sidecar, run it as a regular container.",
  },
  'sticky-container': {
    versions: 'Ark, Velero ≤ v1.8',
    fix: 'set container explicitly in the spec hook, or upgrade to Velero v1.9 or later.',
  },
  'sticky-container-not-found': {
    versions: 'Ark, Velero ≤ v1.8',
    fix: 'set container explicitly, or split the hook entry by label selector so that each entry covers pods with the same containers.',
  },
  'sticky-on-error': { versions: 'Ark, Velero ≤ v1.8', fix: 'set onError explicitly.' },
  'empty-hook-name': { versions: 'all', fix: 'give the entry a name.' },
  'annotation-shadows-spec': {
    versions: 'all',
    fix: "if both should run, move one into the other (a spec hook list, or one shell command in the annotation); otherwise remove the one you do not want, or narrow the spec entry's labelSelector.",
  },
  'freeze-without-unfreeze': {
    versions: 'all',
    fix: 'add the post hook: kubectl ark-hooks annotate POD --phase post -- /sbin/fsfreeze --unfreeze /data, or use --preset fsfreeze, which writes both.',
  },
  'pod-not-running': {
    versions: 'all',
    fix: 'wait until the pod runs, or keep it out of the Backup (a label selector, or the label velero.io/exclude-from-backup=true from Velero v1.2).',
  },
  'pod-terminating': { versions: 'Ark v0.7–v0.8', fix: 'none for the hook; it will probably fail because the pod is going away.' },
  'container-not-running': { versions: 'all', fix: 'fix the container, or run the hook in another one.' },
  'differs-from-newest': {
    versions: 'targets older than the newest',
    fix: 'nothing is wrong today; read it before upgrading, and make the hooks explicit (container, on-error) so that they mean the same on both.',
  },
  'not-in-backup': { versions: 'all', fix: 'if the hook should run, widen the Backup or label the pod.' },
  'backup-would-fail': { versions: 'all', fix: 'fix the errors listed with it.' },
  'invalid-namespace-lists': { versions: 'all', fix: 'remove the overlap or the *.' },
  'invalid-namespace-name': {
    versions: 'Velero v1.7+',
    fix: 'use the exact lower-case namespace name, or a pattern your version accepts.',
  },
  'namespace-glob-literal': {
    versions: 'Velero v1.0.1–v1.17',
    fix: 'list the namespaces by name, or upgrade to v1.18, which expands include patterns.',
  },
  'literal-star': { versions: 'Ark, Velero v0.11–v1.0.0', fix: 'list the names.' },
  'expanded-includes-empty': { versions: 'Velero v1.18+', fix: 'add includedNamespaces: ["*"].' },
  'namespaces-excluded-by-label': { versions: 'Velero v1.10+', fix: 'none; remove the label if the namespace should be backed up.' },
  'namespaces-unknown': {
    versions: 'all (with --backup)',
    fix: 'allow list on namespaces (see [rbac.md](rbac.md)), or ignore the warning if you do not use that label.',
  },
  'invalid-resource-lists': { versions: 'all', fix: 'remove the overlap or the *.' },
  'mixed-resource-filters': { versions: 'Velero v1.11+', fix: 'use one kind of filter.' },
  'wrong-scope-resource': { versions: 'Velero v1.11+', fix: 'move it to includedClusterScopedResources.' },
  'unknown-resource': { versions: 'all (effect differs at v1.4)', fix: 'use a real resource name (pods, po, persistentvolumeclaims, …).' },
  'resource-unknown-offline': { versions: 'all', fix: 'run against the cluster (--backup NAME) to resolve it with discovery.' },
  'backup-excludes-pods': { versions: 'all', fix: 'include pods.' },
  'invalid-selector': { versions: 'all', fix: 'correct the selector.' },
  'selector-unknown-key': { versions: 'all', fix: 'correct the spelling.' },
  'selector-formats-as-none': { versions: 'all', fix: 'give the selector matchLabels, or remove it.' },
  'selector-and-or-selectors': { versions: 'Velero v1.9+', fix: 'keep one.' },
  'field-not-in-target': { versions: 'older targets', fix: 'use the older fields, or check the target.' },
  'hook-excludes-all-namespaces': { versions: 'Velero v1.0.1+', fix: 'list the namespaces to exclude, or remove the entry.' },
  'invalid-glob': { versions: 'Velero v1.0.1+', fix: 'correct the pattern.' },
  'exclude-star-dropped': {
    versions: 'all',
    fix: 'remove it, or restrict the entry with includedResources, namespaces or a label selector.',
  },
  'hook-excludes-pods': { versions: 'all', fix: "use includedResources: [pods] and select the workload's pods with labelSelector." },
  'hook-selector-empty': { versions: 'all', fix: 'correct the selector.' },
  'hook-without-exec': { versions: 'all', fix: 'add exec: around the container, command, onError and timeout.' },
  'deprecated-hooks-field': { versions: 'all (read only by Ark and v0.11)', fix: 'rename hooks to pre.' },
  'backup-group-not-read': { versions: 'all', fix: 'choose a target of the right product (--target ark-0.9 or --target velero-1.18).' },
  'backup-api-version': { versions: 'all', fix: 'check what the server returned.' },
  'backup-spec-type': { versions: 'all', fix: 'correct the manifest.' },
  'unknown-field': { versions: 'all', fix: 'correct the spelling.' },
  'invalid-field-type': { versions: 'all', fix: 'correct the manifest.' },
  'non-string-value': { versions: 'all', fix: 'quote it.' },
  'missing-template': { versions: 'all', fix: 'correct the manifest.' },
  'invalid-manifest': { versions: 'all', fix: 'correct the file, or leave it out of -f.' },
  'unreadable-manifest': { versions: 'all', fix: 'pass only manifest files.' },
  'written-hook-shadowed': {
    versions: 'all',
    fix: 'remove the other set (annotate POD --remove --phase pre --flavor velero) or write that family instead.',
  },
};

/**
 * The one way to build a finding: the severity comes from the table unless the site gives one (which
 * must be the code's severity or one of its `also`; test/unit/findings.test.ts checks every site).
 */
export function finding(f: { code: FindingCode; object: string; field: string; message: string; severity?: Severity }): Finding {
  return { severity: f.severity ?? FINDINGS[f.code].severity, code: f.code, object: f.object, field: f.field, message: f.message };
}

/** The usual severity of a code and the others a site may give it. */
export function severitiesOf(code: FindingCode): Severity[] {
  const info: CodeInfo = FINDINGS[code];
  return [info.severity, ...(info.also ?? [])];
}
