// `titan new tool NAME [--in DIR]`: a component folder that builds as written, to start a tool from.
import { Argument, type Command } from 'commander';
import { act, examples } from '../cli.ts';
import { print } from '../output.ts';

export function register(program: Command): void {
  const cmd = program
    .command('new')
    .description('scaffold a component folder: manifest, source, WIT declarations, tsconfig and a unit test')
    .addArgument(new Argument('<kind>', 'what to make').choices(['tool']))
    .argument('<name>', "the component's name (lowercase letters, digits and -)")
    .option('--in <dir>', 'the folder to create it in (default: here)');
  examples(cmd, ['titan new tool greet', 'cd greet && node --test && titan build . && titan registry publish .']);
  act(cmd, async ({ positionals, values, out }) => {
    const { scaffoldTool } = await import('../scaffold.ts');
    const made = await scaffoldTool(positionals[1], typeof values.in === 'string' ? values.in : process.cwd());
    print(out, made, () =>
      [
        `made ${made.dir}:`,
        ...made.files.map((f) => `  ${f}`),
        `next: cd ${made.dir} && node --test (the unit test), titan build . (the component), titan registry publish . (then titan kernel propose tool/${positionals[1]})`,
      ].join('\n'),
    );
    return 0;
  });
}
