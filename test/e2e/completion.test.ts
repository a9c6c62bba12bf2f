// `kubectl ark-hooks completion SHELL` through the built plugin: each script loads into its real shell
// and completes commands, flag values and finding codes by asking `kubectl ark-hooks __complete`.
// zsh and fish are skipped when missing, except under CI=true (.ci/run installs them).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import type { TestApiServer } from '../support/apiserver.ts';
import { startApiServer } from '../support/apiserver.ts';
import { arkHooks, run } from '../support/cli.ts';

let server: TestApiServer;
let kc: string;

test.before(async () => {
  server = await startApiServer();
  server.addPod('shop', 'web-0', {});
  server.addPod('shop', 'web-1', {});
  server.addPod('other', 'elsewhere-0', {});
  const template = { metadata: {}, spec: { containers: [{ name: 'db', image: 'mysql' }] } };
  server.addObject('apps', 'statefulsets', { kind: 'StatefulSet', metadata: { name: 'mysql', namespace: 'shop' }, spec: { template } });
  server.addObject('apps', 'statefulsets', { kind: 'StatefulSet', metadata: { name: 'mongo', namespace: 'shop' }, spec: { template } });
  server.addObject('apps', 'deployments', { kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' }, spec: { template } });
  server.addBackup('velero.io', 'velero', 'nightly', {});
  server.addBackup('velero.io', 'velero', 'weekly', {});
  server.addBackup('velero.io', 'backups', 'elsewhere', {});
  server.addBackup('ark.heptio.com', 'heptio-ark', 'old-ark', {});
  kc = server.writeKubeconfig({ namespace: 'shop' });
});
test.after.always(() => server?.stop());

const has = (shell: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const shellTest = (shell: string) => (has(shell) || process.env.CI === 'true' ? test : test.skip);

/** Runs the bash completion function for the words typed so far (the last one is being completed). */
const bashComplete = (words: string[], opts: { env?: Record<string, string> } = {}) =>
  run(
    'bash',
    [
      '-c',
      `source <(kubectl ark-hooks completion bash) || exit 9
complete -p kubectl-ark_hooks || exit 8
COMP_WORDS=(kubectl-ark_hooks "$@"); COMP_CWORD=$#
_kubectl_ark_hooks
printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      ...words,
    ],
    opts,
  );

test('bash: the script loads, registers for kubectl-ark_hooks, and completes commands, values and codes', async (t) => {
  const commands = await bashComplete(['ex']);
  t.is(commands.code, 0, commands.stderr);
  t.is(commands.stdout, 'complete -o nosort -F _kubectl_ark_hooks kubectl-ark_hooks\nexplain\n');
  const outputs = await bashComplete(['list', '-o', '']);
  t.is(
    outputs.stdout.split('\n').slice(1, -1).join(' '),
    'table wide json yaml name jsonpath= jsonpath-file= custom-columns= custom-columns-file=',
  );
  const codes = await bashComplete(['explain', 'sticky-container']);
  t.is(codes.code, 0, codes.stderr);
  t.is(codes.stdout.split('\n').slice(1, -1).join(' '), 'sticky-container sticky-container-not-found');
  const shells = await bashComplete(['completion', '']);
  t.is(shells.stdout.split('\n').slice(1, -1).join(' '), 'bash zsh fish powershell');
});

shellTest('zsh')('zsh: the script registers with compdef and offers the candidates through compadd', async (t) => {
  const r = await run('zsh', [
    '-c',
    `autoload -U compinit && compinit -u -D
source <(kubectl ark-hooks completion zsh) || exit 9
print -r -- "registered: \${_comps[kubectl-ark_hooks]}"
compadd() { print -r -- "\${(j: :)\${@[1,\${@[(i)--]}]}}"; shift \${@[(i)--]}; print -rl -- "$@"; }
words=(kubectl-ark_hooks list -o j); CURRENT=4
_kubectl_ark_hooks`,
  ]);
  t.is(r.code, 0, r.stderr);
  // jsonpath= is a prefix: no space after the candidates (-S '').
  t.is(r.stdout, 'registered: _kubectl_ark_hooks\n-Q -S  --\njson\njsonpath=\njsonpath-file=\n');
});

shellTest('fish')('fish: the script loads and `complete -C` lists the candidates', async (t) => {
  const r = await run('fish', [
    '--no-config',
    '-c',
    "kubectl ark-hooks completion fish | source; complete -C'kubectl-ark_hooks explain invalid-t'",
  ]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'invalid-timeout\n');
});

test('powershell: the script registers a native completer for kubectl-ark_hooks that asks __complete', async (t) => {
  // No PowerShell on the test machines: the script is checked as text only.
  const r = await arkHooks(['completion', 'powershell']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^Register-ArgumentCompleter -Native -CommandName 'kubectl-ark_hooks' -ScriptBlock \{$/m);
  t.regex(r.stdout, /kubectl ark-hooks __complete @words/);
});

test('an unknown shell is one line and exit 2; --help has examples', async (t) => {
  const r = await arkHooks(['completion', 'tcsh']);
  t.is(r.code, 2);
  t.is(r.stdout, '');
  t.regex(r.stderr, /^error: invalid SHELL "tcsh": use one of bash, zsh, fish, powershell\n/);
  const help = await arkHooks(['completion', '--help']);
  t.regex(help.stdout, /source <\(kubectl ark-hooks completion bash\)/);
});

/** The candidates of `__complete WORDS` (the directive line apart). */
const candidates = (stdout: string) => stdout.split('\n').slice(0, -2);

test('__complete: annotate offers pods and TYPE/ (no space after those alone), TYPE/NAME from the cluster, Jobs only with --local; run offers pods', async (t) => {
  const env = { env: { KUBECONFIG: kc } };
  const first = await arkHooks(['__complete', 'annotate', ''], env);
  t.is(first.code, 0, first.stderr);
  t.deepEqual(candidates(first.stdout), [
    'web-0',
    'web-1',
    'deployment/',
    'statefulset/',
    'daemonset/',
    'replicaset/',
    'replicationcontroller/',
    'cronjob/',
  ]);
  t.is((await arkHooks(['__complete', 'annotate', '--local', '-f', 'k8s/', 'j'], env)).stdout, 'job/\n:6\n', 'Jobs only with --local');
  t.is((await arkHooks(['__complete', 'annotate', 'j'], env)).stdout, ':4\n', "a Job's pod template cannot change");
  t.is((await arkHooks(['__complete', 'annotate', 'st'], env)).stdout, 'statefulset/\n:6\n', 'cobra NoSpace|NoFileComp');
  t.is((await arkHooks(['__complete', 'annotate', 'statefulset/m'], env)).stdout, 'statefulset/mongo\nstatefulset/mysql\n:4\n');
  t.is((await arkHooks(['__complete', 'annotate', 'deploy/'], env)).stdout, 'deploy/api\n:4\n', "kubectl's short names");
  t.is((await arkHooks(['__complete', 'annotate', '-n', 'other', 'e'], env)).stdout, 'elsewhere-0\n:4\n');
  t.is((await arkHooks(['__complete', 'annotate', 'services/'], env)).stdout, ':4\n', 'not a type annotate takes');
  t.is((await arkHooks(['__complete', 'run', '--phase', 'post', 'web-'], env)).stdout, 'web-0\nweb-1\n:4\n');
});

test('__complete: --backup offers velero.io Backups of the backup namespace, then ark.heptio.com ones', async (t) => {
  const env = { env: { KUBECONFIG: kc } };
  t.is((await arkHooks(['__complete', 'list', '--backup', ''], env)).stdout, 'nightly\nweekly\nold-ark\n:4\n');
  t.is((await arkHooks(['__complete', 'run', '--phase', 'pre', '--backup', 'n'], env)).stdout, 'nightly\n:4\n');
  t.is((await arkHooks(['__complete', 'dry-run', '--backup-namespace', 'backups', '--backup', ''], env)).stdout, 'elsewhere\n:4\n');
});

/** kubectl's own bash completion (kubectl completion bash), which asks kubectl_complete-ark_hooks from bin/. */
const kubectlBash = (words: string[]) =>
  run(
    'bash',
    [
      '-c',
      // The one function of the bash-completion package that kubectl's script calls (not installed here).
      `_get_comp_words_by_ref() { cur=\${COMP_WORDS[COMP_CWORD]}; prev=\${COMP_WORDS[COMP_CWORD-1]}; words=("\${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
source <(kubectl completion bash) || exit 9
COMP_WORDS=(kubectl "$@"); COMP_CWORD=$#; COMP_LINE="kubectl $*"; COMP_POINT=\${#COMP_LINE}
__start_kubectl 2>/dev/null
printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      ...words,
    ],
    { env: { KUBECONFIG: kc } },
  );

test('from a checkout (bin/ on PATH): kubectl completes `kubectl ark-hooks …` through kubectl_complete-ark_hooks', async (t) => {
  const commands = await kubectlBash(['ark-hooks', 'dr']);
  t.is(commands.code, 0, commands.stderr);
  t.is(commands.stdout, 'dry-run\n');
  t.is((await kubectlBash(['ark-hooks', 'annotate', 'statefulset/my'])).stdout, 'statefulset/mysql\n');
  t.is((await kubectlBash(['ark-hooks', 'list', '--backup', 'w'])).stdout, 'weekly\n');
  t.is((await kubectlBash(['ark-hooks', 'explain', 'invalid-t'])).stdout, 'invalid-timeout\n');
});

test("bash (the plugin's script): workload names and Backup names from the cluster", async (t) => {
  const env = { env: { KUBECONFIG: kc } };
  const names = await bashComplete(['annotate', 'statefulset/'], env);
  t.is(names.code, 0, names.stderr);
  t.is(names.stdout.split('\n').slice(1, -1).join(' '), 'statefulset/mongo statefulset/mysql');
  const backups = await run(
    'bash',
    [
      '-c',
      `source <(kubectl ark-hooks completion bash); COMP_WORDS=(kubectl-ark_hooks list --backup ''); COMP_CWORD=3; _kubectl_ark_hooks; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    env,
  );
  t.is(backups.stdout, 'nightly\nweekly\nold-ark\n');
});

shellTest('zsh')('zsh: TYPE/ prefixes are added with no space after them; names come from the cluster', async (t) => {
  const r = await run(
    'zsh',
    [
      '-c',
      `autoload -U compinit && compinit -u -D
source <(kubectl ark-hooks completion zsh) || exit 9
compadd() { print -r -- "$*"; }
words=(kubectl-ark_hooks annotate stat); CURRENT=3
_kubectl_ark_hooks
words=(kubectl-ark_hooks annotate sts/); CURRENT=3
_kubectl_ark_hooks`,
    ],
    { env: { KUBECONFIG: kc } },
  );
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '-Q -S  -- statefulset/\n-Q -- sts/mongo sts/mysql\n');
});

shellTest('fish')('fish: Backup names and TYPE/NAME from the cluster', async (t) => {
  const r = await run(
    'fish',
    [
      '--no-config',
      '-c',
      "kubectl ark-hooks completion fish | source; complete -C'kubectl-ark_hooks list --backup '; complete -C'kubectl-ark_hooks annotate deployment/'",
    ],
    { env: { KUBECONFIG: kc } },
  );
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'nightly\nold-ark\nweekly\ndeployment/api\n');
});
