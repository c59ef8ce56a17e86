// `titan secrets set|list|rm`: the encrypted secret store in $TITAN_HOME. A value is never taken
// from the command line (it would land in the shell history and in `ps`): `set` reads it from a
// prompt that does not echo on a terminal, or from stdin when stdin is piped.
import { TitanError } from '../../common/errors.ts';
import { titanHome } from '../../common/home.ts';
import { checkSecretName, SecretStore } from '../../common/secret-store.ts';
import type { Command } from 'commander';
import { act, examples, type Args } from '../cli.ts';
import { print, table } from '../output.ts';

/** Reads one value: hidden typing on a terminal, the whole of stdin otherwise (one trailing newline dropped). */
export async function readSecretValue(name: string, input: NodeJS.ReadStream = process.stdin, prompt: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) {
    const parts: Buffer[] = [];
    for await (const chunk of input) parts.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(parts)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  prompt.write(`value for ${name} (not shown): `);
  input.setRawMode(true);
  input.resume();
  let value = '';
  try {
    for await (const chunk of input) {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return value;
        if (ch === '\u0003') throw new TitanError('TITAN_E_USAGE', 'cancelled: nothing was stored');
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    }
    return value;
  } finally {
    input.setRawMode(false);
    input.pause();
    prompt.write('\n');
  }
}

export async function secretsCommand({ positionals, out }: Args): Promise<number> {
  const [verb, name, ...extra] = positionals;
  const store = await SecretStore.open(titanHome());
  switch (verb) {
    case 'list': {
      const rows = store.list();
      print(out, rows, () => table(rows, ['name', 'updated']));
      return 0;
    }
    case 'set': {
      if (!name) throw new TitanError('TITAN_E_USAGE', 'titan secrets set NAME (the value is read from a prompt or stdin)');
      if (extra.length > 0) {
        throw new TitanError('TITAN_E_USAGE', "a secret's value is never taken from the command line: it would stay in the shell history and show in `ps`", {
          fix: `run \`titan secrets set ${name}\` and type it, or pipe it: printf %s "$VALUE" | titan secrets set ${name}`,
        });
      }
      checkSecretName(name);
      await store.set(name, await readSecretValue(name));
      print(out, { name, stored: true }, () => `stored ${name} (encrypted in ${store.file})`);
      return 0;
    }
    case 'rm': {
      if (!name) throw new TitanError('TITAN_E_USAGE', 'titan secrets rm NAME');
      if (!(await store.remove(name)))
        throw new TitanError('TITAN_E_SECRET_MISSING', `no secret named ${name}`, { fix: 'run `titan secrets list` for the stored names' });
      print(out, { name, removed: true }, () => `removed ${name}`);
      return 0;
    }
    default:
      throw new TitanError('TITAN_E_USAGE', 'titan secrets set NAME | list | rm NAME');
  }
}

export function register(program: Command): void {
  const secrets = program.command('secrets').description('the encrypted secret store in $TITAN_HOME (values never on the command line)');
  examples(
    act(
      secrets
        .command('set')
        .description('store a secret, typed at a hidden prompt or piped on stdin')
        .argument('<name>', "the secret's name")
        // Taken only to refuse it with the reason: a value on the command line leaks.
        .argument('[value...]'),
      secretsCommand,
      ['set'],
    ),
    ['titan secrets set OPENAI_API_KEY', 'printf %s "$KEY" | titan secrets set OPENAI_API_KEY'],
  );
  examples(act(secrets.command('list').description("the stored secrets' names (never their values)"), secretsCommand, ['list']), ['titan secrets list --json']);
  examples(act(secrets.command('rm').description('remove a secret').argument('<name>', "the secret's name"), secretsCommand, ['rm']), [
    'titan secrets rm OPENAI_API_KEY',
  ]);
}
