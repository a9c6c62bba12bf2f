// `completion bash|zsh|fish|powershell`: prints a shell completion script, as kubectl and cobra plugins
// do. Each script completes the plugin's own command (kubectl-ark_hooks) by asking
// `kubectl ark-hooks __complete WORDS…` (complete.ts): one candidate per line, then cobra's
// directive line (`:4`: no file names; `:0`: file names are fine; `:6`: no file names and no space after
// the candidate, for `statefulset/`).

import { Command, Option } from 'clipanion';
import { BaseCommand } from './base.ts';
import { oneOf, SHELLS } from './flags.ts';
type Shell = (typeof SHELLS)[number];

const BASH = `# bash completion for kubectl-ark_hooks: source <(kubectl ark-hooks completion bash)
_kubectl_ark_hooks() {
  local out directive
  out=$(kubectl ark-hooks __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  directive=\${out##*:}
  out=\${out%:*}
  COMPREPLY=()
  local line
  while IFS= read -r line; do
    [[ -n $line ]] && COMPREPLY+=("$line")
  done <<< "$out"
  if (( \${#COMPREPLY[@]} == 0 && (directive & 4) == 0 )); then
    compopt -o default 2>/dev/null
  fi
  if (( (directive & 2) != 0 )); then
    compopt -o nospace 2>/dev/null
  fi
  return 0
}
complete -o nosort -F _kubectl_ark_hooks kubectl-ark_hooks 2>/dev/null || complete -F _kubectl_ark_hooks kubectl-ark_hooks
`;

const ZSH = `#compdef kubectl-ark_hooks
# zsh completion for kubectl-ark_hooks: source <(kubectl ark-hooks completion zsh)
_kubectl_ark_hooks() {
  local -a lines candidates
  local directive
  lines=("\${(@f)$(kubectl ark-hooks __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  directive=\${lines[-1]#:}
  candidates=("\${(@)lines[1,-2]}")
  candidates=("\${(@)candidates:#}")
  if (( \${#candidates} && (directive & 2) )); then
    compadd -Q -S '' -- "\${(@)candidates}"
  elif (( \${#candidates} )); then
    compadd -Q -- "\${(@)candidates}"
  elif (( (directive & 4) == 0 )); then
    _files
  fi
}
if (( $+functions[compdef] )); then
  compdef _kubectl_ark_hooks kubectl-ark_hooks
fi
`;

const FISH = `# fish completion for kubectl-ark_hooks: kubectl ark-hooks completion fish | source
function __kubectl_ark_hooks_complete
    set -l args (commandline -opc) (commandline -ct)
    set -e args[1]
    set -l out (kubectl ark-hooks __complete $args 2>/dev/null)
    test (count $out) -gt 0; or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test (count $out) -eq 0; and test (math "floor($directive / 4) % 2") -eq 0
        __fish_complete_path (commandline -ct)
    else
        printf '%s\\n' $out
    end
end
complete -c kubectl-ark_hooks -f -a '(__kubectl_ark_hooks_complete)'
`;

const POWERSHELL = `# PowerShell completion for kubectl-ark_hooks: kubectl ark-hooks completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName 'kubectl-ark_hooks' -ScriptBlock {
  param($WordToComplete, $CommandAst, $CursorPosition)
  $words = @($CommandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
  if ($WordToComplete -eq '') { $words += '""' }
  $out = @(kubectl ark-hooks __complete @words 2>$null)
  if ($out.Count -eq 0) { return }
  $out | Select-Object -SkipLast 1 | Where-Object { $_ -ne '' } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;

export const SCRIPTS: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH, powershell: POWERSHELL };

export class CompletionCommand extends BaseCommand {
  static override paths = [['completion']];
  static override usage = Command.Usage({
    category: 'Other Commands',
    description: 'Print a shell completion script (bash, zsh, fish or powershell)',
    details: `
      The script completes \`kubectl-ark_hooks\` (the plugin run on its own): commands, flags, flag values, namespaces, contexts, pod names, TYPE/NAME of workloads (\`annotate statefulset/<TAB>\`), Backup names (\`--backup <TAB>\`) and finding codes (\`explain <TAB>\`). For \`kubectl ark-hooks <TAB>\`, kubectl 1.26 and later call an executable named \`kubectl_complete-ark_hooks\` on the PATH that runs \`kubectl ark-hooks __complete "$@"\`.
    `,
    examples: [
      ['Load completion into the current bash', 'source <($0 completion bash)'],
      ['Install it for zsh', '$0 completion zsh > "\${fpath[1]}/_kubectl-ark_hooks"'],
      ['Load it into fish', '$0 completion fish | source'],
      ['Load it into PowerShell', '$0 completion powershell | Out-String | Invoke-Expression'],
    ],
  });
  /** The `Usage:` lines of the help (and of the README's command table). */
  static synopsis = ['completion bash|zsh|fish|powershell'];

  shell = Option.String({ name: 'SHELL', validator: oneOf('SHELL', SHELLS) });

  async run(): Promise<number> {
    this.context.stdout.write(SCRIPTS[this.shell]);
    return 0;
  }
}
