// Shell completion scripts for bash, zsh and fish, written from the commander tree itself: every
// verb, subverb and flag a verb declares, and the values of flags with fixed choices.
import type { Command } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

type Node = { path: string; command: Command };

/** Every command with its path from the root ('' for titan itself, 'registry list' for a subverb). */
function nodes(program: Command): Node[] {
  const all: Node[] = [];
  const walk = (command: Command, path: string) => {
    all.push({ path, command });
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  // `titan help VERB`: commander's help command is not among program.commands.
  all.push({ path: 'help', command: program.createCommand('help').description("show a verb's flags and examples") });
  return all;
}

/** The flags a command takes: its own, its ancestors' (such as --json), and --help. */
function flags(command: Command) {
  const own = [];
  for (let at: Command | null = command; at; at = at.parent) own.push(...at.options);
  return [...own, { long: '--help', description: 'show help', argChoices: undefined, required: false, optional: false }].filter(
    (o): o is typeof o & { long: string } => typeof o.long === 'string',
  );
}

const words = (list: string[]) => list.join(' ');
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
// fish escapes a quote inside single quotes with a backslash.
const fishQuote = (text: string) => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
/** What may follow a command: its subverbs (and `help` after titan itself; the verbs after `help`). */
function children(program: Command, { path, command }: Node): readonly Command[] {
  if (path === 'help') return program.commands;
  return path === '' ? [...program.commands, program.createCommand('help').description("show a verb's flags and examples")] : command.commands;
}

function bash(program: Command): string {
  const all = nodes(program);
  const verbCases = all.map(({ path, command }) => {
    const list = [...children(program, { path, command }).map((c) => c.name()), ...flags(command).map((f) => f.long)];
    return `    ${quote(path)}) words=${quote(words(list))} ;;`;
  });
  const valueCases = all.flatMap(({ path, command }) =>
    flags(command)
      .filter((f) => f.argChoices?.length)
      .map((f) => `    ${quote(`${path} ${f.long}`)}) words=${quote(words(f.argChoices ?? []))} ;;`),
  );
  return `# titan completion for bash: add  eval "$(titan completion bash)"  to ~/.bashrc
_titan_paths=${quote(`|${all.map((n) => n.path).join('|')}|`)}
_titan_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" next w i words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    next="\${path:+$path }$w"
    [[ "$_titan_paths" == *"|$next|"* ]] && path="$next"
  done
  case "$path $prev" in
${valueCases.join('\n')}
  esac
  if [[ -z "$words" ]]; then
    case "$path" in
${verbCases.join('\n')}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _titan_complete titan
`;
}

function zsh(program: Command): string {
  // zsh runs the bash function through its bash completion layer.
  return `# titan completion for zsh: add  eval "$(titan completion zsh)"  to ~/.zshrc
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(program).split('\n').slice(1).join('\n')}`;
}

function fish(program: Command): string {
  const all = nodes(program);
  const lines = all.flatMap(({ path, command }) => [
    ...children(program, { path, command }).map(
      (sub) => `complete -c titan -n ${fishQuote(`__titan_at ${fishQuote(path)}`)} -f -a ${fishQuote(sub.name())} -d ${fishQuote(sub.description())}`,
    ),
    ...flags(command).map((f) => {
      const value = f.argChoices?.length ? ` -x -a ${fishQuote(words(f.argChoices))}` : f.required || f.optional ? ' -r' : '';
      return `complete -c titan -n ${fishQuote(`__titan_at ${fishQuote(path)}`)} -l ${f.long.slice(2)}${value} -d ${fishQuote(f.description)}`;
    }),
  ]);
  return `# titan completion for fish: titan completion fish > ~/.config/fish/completions/titan.fish
set -g __titan_paths ${all.map((n) => fishQuote(n.path)).join(' ')}
function __titan_at
  set -l words (commandline -opc)
  set -l path ''
  for w in $words[2..-1]
    string match -q -- '-*' $w; and continue
    set -l next (string trim -- "$path $w")
    contains -- $next $__titan_paths; and set path $next
  end
  test "$path" = "$argv[1]"
end
${lines.join('\n')}
`;
}

export function completionScript(program: Command, shell: Shell): string {
  return { bash, zsh, fish }[shell](program);
}
