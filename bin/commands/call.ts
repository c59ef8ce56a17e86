// `titan call echo '{"text":"hi"}'`: calls a tool (or KIND/NAME#FN with a JSON array of arguments).
import { TitanError } from '../../common/errors.ts';
import type { Command } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print } from '../output.ts';
import { withClient } from '../client.ts';

export async function callCommand({ positionals, out }: Args): Promise<number> {
  const [target, json = '{}'] = positionals;
  if (!target) throw new TitanError('TITAN_E_USAGE', `titan call [kind/]name[#fn] JSON, e.g. titan call echo '{"text":"hi"}'`);
  const [path, fn = 'invoke'] = target.split('#');
  const [kind, name] = path.includes('/') ? path.split('/') : ['tool', path];
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch {
    throw new TitanError('TITAN_E_USAGE', `the input is not JSON: ${json}`);
  }
  // A tool's invoke takes its input as JSON text; other functions take the arguments array as given.
  const args = fn === 'invoke' ? [JSON.stringify(input)] : Array.isArray(input) ? input : [input];
  const { result } = await withClient((client) => client.request<{ result: unknown }>('POST', '/api/call', { kind, name, fn, args }));
  const value = typeof result === 'string' && fn === 'invoke' ? JSON.parse(result) : result;
  print(out, value, () => (typeof value === 'string' ? value : JSON.stringify(value, null, 2)));
  return 0;
}

export function register(program: Command): void {
  const cmd = program
    .command('call')
    .description('call a tool (or FN of another kind with KIND/NAME#FN) on the running kernel, or on one opened for the call')
    .argument('<target>', '[kind/]name[#fn]: a tool by name, or a function of another component')
    .argument('[json]', "the tool's input as JSON (for another FN: a JSON array of its arguments)", '{}');
  examples(cmd, [`titan call echo '{"text":"hi"}'`, `titan call kv '{"op":"get","key":"greeting"}' --json`, `titan call store/libsql#status '[]'`]);
  act(cmd, callCommand);
}
