// `kubectl ark-hooks completion SHELL` through the built plugin: each script loads into its real shell
// and completes commands, flag values and finding codes by asking `kubectl ark-hooks __complete`.
// zsh and fish are skipped when missing, except under CI=true (.ci/run installs them).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { arkHooks, run } from '../support/cli.ts';

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
const bashComplete = (words: string[]) =>
  run('bash', [
    '-c',
    `source <(kubectl ark-hooks completion bash) || exit 9
complete -p kubectl-ark_hooks || exit 8
COMP_WORDS=(kubectl-ark_hooks "$@"); COMP_CWORD=$#
_kubectl_ark_hooks
printf '%s\\n' "\${COMPREPLY[@]}"`,
    'bash',
    ...words,
  ]);

test('bash: the script loads, registers for kubectl-ark_hooks, and completes commands, values and codes', async (t) => {
  const commands = await bashComplete(['ex']);
  t.is(commands.code, 0, commands.stderr);
  t.is(commands.stdout, 'complete -o nosort -F _kubectl_ark_hooks kubectl-ark_hooks\nexplain\n');
  const outputs = await bashComplete(['list', '-o', '']);
  t.is(outputs.stdout.split('\n').slice(1, -1).join(' '), 'table wide json yaml');
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
compadd() { shift 2; print -rl -- "$@"; }
words=(kubectl-ark_hooks list -o j); CURRENT=4
_kubectl_ark_hooks`,
  ]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'registered: _kubectl_ark_hooks\njson\n');
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
