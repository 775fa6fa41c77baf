/**
 * Shell completion scripts generated from the command map (oclif's loaded commands: core and
 * plugin-contributed, with aliases and flags). Instance names are completed at run time with
 * `dockersnap list -q`, so the scripts never go stale as instances come and go.
 */

/** What a completion script needs to know about one command. */
export interface CompletionCommand {
  /** Words of the command (`['plugin', 'list']`). */
  words: string[];
  /** Other visible names, as words. */
  aliases: string[][];
  summary: string;
  flags: Array<{ name: string; char?: string; takesValue: boolean; summary: string }>;
  /** Its first argument is an instance name. */
  instanceArg: boolean;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Every name a command answers to, space-joined (`plugin list`, `plugins`). */
function names(c: CompletionCommand): string[] {
  return [c.words, ...c.aliases].map((w) => w.join(' '));
}

function bashScript(commands: readonly CompletionCommand[]): string {
  const top = [...new Set(commands.flatMap((c) => names(c).map((n) => n.split(' ')[0]!)))].sort();
  const topics = [...new Set(commands.flatMap((c) => names(c).filter((n) => n.includes(' ')).map((n) => n.split(' ')[0]!)))].sort();
  const cases = commands.map((c) => {
    const flags = c.flags.flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]).join(' ');
    return `    ${names(c).map((n) => sq(n)).join('|')}) flags=${sq(flags)}; inst=${c.instanceArg ? 1 : 0};;`;
  });
  const subs = topics.map((t) => `    ${sq(t)}) subs=${sq(commands.flatMap(names).filter((n) => n.startsWith(`${t} `)).map((n) => n.slice(t.length + 1)).join(' '))};;`);
  return `# dockersnap bash completion. Load with: eval "$(dockersnap completion bash)"
_dockersnap() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd="" w i flags="" inst=0 subs=""
  local topics=${sq(` ${topics.join(' ')} `)}
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    case "$w" in
      -r|--remote|-t|--token) ((i++)); continue;;
      -*) continue;;
    esac
    if [[ -z $cmd ]]; then cmd=$w; [[ $topics == *" $w "* ]] || break
    else cmd="$cmd $w"; break; fi
  done
  if [[ -z $cmd ]]; then COMPREPLY=($(compgen -W ${sq(top.join(' '))} -- "$cur")); return; fi
  case "$cmd" in
${subs.join('\n')}
  esac
  if [[ -n $subs && $cmd != *" "* ]]; then COMPREPLY=($(compgen -W "$subs" -- "$cur")); return; fi
  case "$cmd" in
${cases.join('\n')}
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$flags --help" -- "$cur")); return; fi
  if [[ $cmd == completion ]]; then COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur")); return; fi
  if ((inst)); then COMPREPLY=($(compgen -W "$(dockersnap list -q 2>/dev/null)" -- "$cur")); fi
}
complete -F _dockersnap dockersnap
`;
}

function zshScript(commands: readonly CompletionCommand[]): string {
  return `#compdef dockersnap
# dockersnap zsh completion (the bash script through bashcompinit). Load with: eval "$(dockersnap completion zsh)"
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(commands)}`;
}

function fishScript(commands: readonly CompletionCommand[]): string {
  const lines = ['# dockersnap fish completion. Load with: dockersnap completion fish | source', 'complete -c dockersnap -f'];
  const seen = new Set<string>();
  for (const c of commands) {
    for (const n of names(c)) {
      const [first, second] = n.split(' ');
      if (second === undefined) lines.push(`complete -c dockersnap -n __fish_use_subcommand -a ${sq(first!)} -d ${sq(c.summary)}`);
      else {
        if (!seen.has(first!)) lines.push(`complete -c dockersnap -n __fish_use_subcommand -a ${sq(first!)} -d ${sq(`${first} commands`)}`);
        seen.add(first!);
        lines.push(`complete -c dockersnap -n ${sq(`__fish_seen_subcommand_from ${first}`)} -a ${sq(second)} -d ${sq(c.summary)}`);
      }
    }
    const when = sq(`__fish_seen_subcommand_from ${names(c).map((n) => n.split(' ').pop()).join(' ')}`);
    for (const f of c.flags) lines.push(`complete -c dockersnap -n ${when} -l ${f.name}${f.char ? ` -s ${f.char}` : ''}${f.takesValue ? ' -r' : ''} -d ${sq(f.summary)}`);
    if (c.instanceArg) lines.push(`complete -c dockersnap -n ${when} -a '(dockersnap list -q 2>/dev/null)'`);
  }
  lines.push(`complete -c dockersnap -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'`);
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell, commands: readonly CompletionCommand[]): string {
  if (shell === 'bash') return bashScript(commands);
  if (shell === 'zsh') return zshScript(commands);
  return fishScript(commands);
}
