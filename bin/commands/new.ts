// `titan new tool|channel|provider NAME [--in DIR]`: a component folder that builds as written; or,
// with --describe, a channel or provider the running Titan's model writes, built, published and
// proposed as a verified patch.
import { Argument, type Command } from 'commander';
import { act, examples } from '../cli.ts';
import { print } from '../output.ts';
import { TitanError } from '../../common/errors.ts';
import type { Patch } from '../../kernel/api.ts';

export function register(program: Command): void {
  const cmd = program
    .command('new')
    .description('scaffold a component folder: manifest, source, WIT declarations, tsconfig and a unit test')
    .addArgument(new Argument('<kind>', 'what to make').choices(['tool', 'channel', 'provider']))
    .argument('<name>', "the component's name (lowercase letters, digits and -)")
    .option('--in <dir>', 'the folder to create it in (default: here)')
    .option('--describe <text>', "a channel or provider written by the running Titan's model from this description, proposed as a patch");
  examples(cmd, [
    'titan new tool greet',
    'titan new channel my-hook',
    'titan new provider my-llm',
    'titan new channel ntfy --describe "ntfy.sh: messages by webhook with a token header, replies POSTed to the topic URL"',
    'cd greet && node --test && titan build . && titan registry publish .',
  ]);
  act(cmd, async ({ positionals, values, out }) => {
    const [kind, name] = positionals as ['tool' | 'channel' | 'provider', string];
    if (typeof values.describe === 'string') {
      if (kind === 'tool') throw new TitanError('TITAN_E_USAGE', '--describe writes a channel or a provider; a tool starts from `titan new tool NAME`');
      const { withClient } = await import('../client.ts');
      const made = await withClient((client) =>
        client.request<{ manifest: { version: string }; patch: Patch }>('POST', '/api/components/generate', { kind, name, description: values.describe }),
      );
      const v = made.patch.verification;
      print(out, made, () =>
        [
          `written, built and published ${kind}/${name}@${made.manifest.version}; proposed as patch ${made.patch.id.slice(0, 8)}`,
          `verification: ${v ? (v.passed ? 'passed' : `FAILED: ${v.reasons.join('; ')}`) : 'not run'}`,
          `next: titan kernel show ${made.patch.id.slice(0, 8)}, then titan kernel approve and deploy it`,
        ].join('\n'),
      );
      return 0;
    }
    const { scaffold } = await import('../scaffold/write.ts');
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
