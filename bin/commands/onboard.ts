// `titan onboard`: set up a home in the terminal, with no network needed: the model provider (its
// key into the secret store, the provider tried when it can be reached), the messaging channels
// (their tokens into the secret store, pairing explained) and the store (libSQL, or PostgreSQL
// tried first). Safe to run again: current values are the defaults and only what changed is
// written. On a terminal it asks; with --yes it takes its flags (and the channels' tokens from the
// TITAN_* variables of its environment) for scripts. Bad input is a coded error, nothing written.
import type { Command } from 'commander';
import { TitanError } from '../../common/errors.ts';
import { titanHome } from '../../common/home.ts';
import { act, examples, type Args } from '../cli.ts';
import { print } from '../output.ts';
import { PROVIDER_CHOICES, type Choices, type Current, type ProviderChoice } from '../onboard/setup.ts';

type Io = { input: NodeJS.ReadableStream & { isTTY?: boolean }; output: NodeJS.WritableStream };

/** The key piped on stdin (--api-key-stdin): never taken from the command line, where it would leak. */
async function stdinKey(input: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of input) parts.push(Buffer.from(chunk as Buffer));
  const key = Buffer.concat(parts).toString('utf8').trim();
  if (!key) throw new TitanError('TITAN_E_USAGE', '--api-key-stdin was given but stdin was empty: nothing was written');
  return key;
}

/** The choices the flags make; what no flag names stays as it is. */
async function flagChoices(current: Current, values: Args['values'], io: Io): Promise<Choices> {
  const { providerSectionOf, keyNameOf } = await import('../onboard/setup.ts');
  const { builtinChannels } = await import('../onboard/channels.ts');
  const choices: Choices = {};
  const provider = values.provider as string | undefined;
  if (provider !== undefined) {
    if (!(PROVIDER_CHOICES as readonly string[]).includes(provider))
      throw new TitanError('TITAN_E_ONBOARD_PROVIDER', `"${provider}" is not a provider Titan knows: nothing was written`);
    const choice = provider as ProviderChoice;
    const baseUrl = String(values.baseUrl ?? '');
    if (choice === 'openai-compatible' && !baseUrl)
      throw new TitanError('TITAN_E_ONBOARD_PROVIDER', 'openai-compatible needs --base-url (its http:// or https:// URL): nothing was written');
    choices.provider = providerSectionOf(choice, String(values.model ?? ''), baseUrl);
    if (values.apiKeyStdin) {
      const name = choices.provider.name ? keyNameOf(choices.provider.name) : undefined;
      if (!name) throw new TitanError('TITAN_E_USAGE', `the ${provider} provider takes no API key: nothing was written`);
      choices.apiKey = await stdinKey(io.input);
    }
  } else if (values.model !== undefined || values.baseUrl !== undefined || values.apiKeyStdin) {
    throw new TitanError('TITAN_E_USAGE', '--model, --base-url and --api-key-stdin go with --provider');
  }
  const channels = values.channel as string[] | undefined;
  if (channels) {
    const offered = await builtinChannels();
    const unknown = channels.filter((c) => c !== 'none' && !offered.some((o) => o.name === c));
    if (unknown.length)
      throw new TitanError('TITAN_E_USAGE', `unknown channel ${unknown.join(', ')} (one of ${offered.map((o) => o.name).join(', ')}, or none)`);
    choices.channels = channels.filter((c) => c !== 'none');
    choices.channelSecrets = {};
    for (const { name: channel, secrets } of offered.filter((o) => choices.channels?.includes(o.name))) {
      for (const secret of secrets) {
        const value = process.env[secret]?.trim();
        if (value) choices.channelSecrets[secret] = value;
        else if (!current.stored.has(secret))
          throw new TitanError('TITAN_E_CHANNEL_CONFIG', `${channel} needs ${secret}: nothing was written`, {
            fix: `set ${secret} in the environment of titan onboard (it is moved into the secret store), or run titan onboard on a terminal`,
          });
      }
    }
  }
  const store = values.store as string | undefined;
  if (store !== undefined) choices.dbUrl = store === 'libsql' ? '' : store;
  return choices;
}

export async function onboardCommand({ values, out }: Args, io: Io = { input: process.stdin, output: process.stdout }): Promise<number> {
  const home = titanHome();
  const interactive = !values.yes;
  if (interactive && !io.input.isTTY)
    throw new TitanError('TITAN_E_USAGE', 'titan onboard asks its questions on a terminal; here there is none', {
      fix: 'run it on a terminal, or give the choices as flags with --yes (titan onboard --provider ollama --store libsql --yes)',
    });
  const [{ loadTitanConfig }, { SecretStore }, setup, checks] = await Promise.all([
    import('../config.ts'),
    import('../../common/secret-store.ts'),
    import('../onboard/setup.ts'),
    import('../onboard/checks.ts'),
  ]);
  const { config } = await loadTitanConfig();
  const secrets = await SecretStore.open(home);
  const current = setup.currentOf(config, secrets);
  const notes: string[] = [];
  let choices: Choices;
  if (interactive) {
    const ask = await import('../onboard/interactive.ts');
    const prompts = { input: io.input as NodeJS.ReadStream, output: io.output as NodeJS.WriteStream };
    choices = await ask.askChoices(current, prompts);
    const changes = setup.changesOf(current, choices);
    if (changes.length === 0) {
      ask.finish('Nothing changed: your setup stays as it is.', prompts);
      return 0;
    }
    if (
      !(await ask.confirmChanges(
        changes.map((c) => `${c.what}: ${c.from} -> ${c.to}`),
        prompts,
      ))
    ) {
      ask.finish('Nothing was written.', prompts);
      return 0;
    }
    await setup.applyChoices(home, secrets, current, choices);
    ask.finish(`Written. Start Titan with \`npx titan start\` (a running one picks the changes up when restarted).`, prompts);
    return 0;
  }
  choices = await flagChoices(current, values, io);
  // Checked before anything is written: a refused key or an unreachable PostgreSQL changes nothing.
  if (choices.provider) {
    const keyName = choices.provider.name ? setup.keyNameOf(choices.provider.name) : undefined;
    notes.push((await checks.checkProvider(choices.provider, choices.apiKey ?? (keyName ? current.secret(keyName) : undefined))).detail);
  }
  if (choices.dbUrl !== undefined && choices.dbUrl !== current.dbUrl) notes.push(await checks.checkStore(choices.dbUrl));
  const changes = await setup.applyChoices(home, secrets, current, choices);
  if (choices.channels?.length) notes.push((await import('../onboard/interactive.ts')).PAIRING_EXPLAINED.replaceAll('\n', ' '));
  print(out, { changed: changes, notes }, () =>
    [...(changes.length ? changes.map((c) => `${c.what}: ${c.from} -> ${c.to}`) : ['nothing changed']), ...notes].join('\n'),
  );
  return 0;
}

export function register(program: Command): void {
  examples(
    act(
      program
        .command('onboard')
        .description('set up the model provider, channels and store (asks on a terminal; --yes takes flags); safe to run again')
        .option('--provider <name>', `the model provider: ${PROVIDER_CHOICES.join(', ')}`)
        .option('--model <name>', "the provider's model (default: its usual one)")
        .option('--base-url <url>', 'where the provider answers (openai-compatible, ollama, scripted)')
        .option('--api-key-stdin', "read the provider's API key from stdin (into the secret store)")
        .option('--channel <name...>', 'channels to run (telegram, slack, discord, whatsapp, or none); tokens from their TITAN_* variables')
        .option('--store <kind>', 'libsql (a file in $TITAN_HOME) or a postgres:// URL (tried first)')
        .option('--yes', 'no questions: apply the flags as given'),
      (args) => onboardCommand(args),
    ),
    [
      'titan onboard',
      'titan onboard --provider ollama --store libsql --yes',
      'printf %s "$OPENAI_API_KEY" | titan onboard --provider openai --api-key-stdin --yes --json',
      'titan onboard --provider openai-compatible --base-url http://127.0.0.1:8000/v1 --yes',
    ],
  );
}
