// `titan new tool|channel|provider NAME [--in DIR]`: a component folder that builds as written.
import { Argument, type Command } from 'commander';
import { act, examples } from '../cli.ts';
import { print } from '../output.ts';

export function register(program: Command): void {
  const cmd = program
    .command('new')
    .description('scaffold a component folder: manifest, source, WIT declarations, tsconfig and a unit test')
    .addArgument(new Argument('<kind>', 'what to make').choices(['tool', 'channel', 'provider']))
    .argument('<name>', "the component's name (lowercase letters, digits and -)")
    .option('--in <dir>', 'the folder to create it in (default: here)');
  examples(cmd, [
    'titan new tool greet',
    'titan new channel my-hook',
    'titan new provider my-llm',
    'cd greet && node --test && titan build . && titan registry publish .',
  ]);
  act(cmd, async ({ positionals, values, out }) => {
    const { scaffold } = await import('../scaffold/write.ts');
    const [kind, name] = positionals as ['tool' | 'channel' | 'provider', string];
    const made = await scaffold(kind, name, typeof values.in === 'string' ? values.in : process.cwd());
    print(out, made, () =>
      [
        `made ${made.dir}:`,
        ...made.files.map((f) => `  ${f}`),
        `next: cd ${made.dir} && node --test (the unit test), titan build . (the component), titan registry publish . (then titan kernel propose ${kind}/${name})`,
      ].join('\n'),
    );
    return 0;
  });
}
