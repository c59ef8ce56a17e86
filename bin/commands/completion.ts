// `titan completion bash|zsh|fish`: the shell completion script for every verb and flag.
import { Argument, type Command } from 'commander';
import { act, examples } from '../cli.ts';
import { completionScript, SHELLS, type Shell } from '../completion.ts';

export function register(program: Command): void {
  const cmd = program
    .command('completion')
    .description('print the shell completion script (verbs, subverbs, flags and their values)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS));
  examples(cmd, [
    'eval "$(titan completion bash)"    # in ~/.bashrc',
    'eval "$(titan completion zsh)"     # in ~/.zshrc',
    'titan completion fish > ~/.config/fish/completions/titan.fish',
  ]);
  act(cmd, async ({ positionals }) => {
    process.stdout.write(completionScript(program, positionals[0] as Shell));
    return 0;
  });
}
