// `titan onboard` on a terminal: the questions (@clack/prompts), each showing the current value as
// its default, with the provider and the store checked as soon as they are given. Returns the
// choices; the command reviews and writes them. Ctrl-C at any question writes nothing.
import type { Readable, Writable } from 'node:stream';
import * as p from '@clack/prompts';
import { TitanError } from '../../common/errors.ts';
import { DEFAULT_MODELS } from '../../agent/llm/providers-config.ts';
import { builtinChannels } from './channels.ts';
import { checkProvider, checkStore } from './checks.ts';
import { PROVIDER_CHOICES, choiceOf, keyNameOf, providerSectionOf, type Choices, type Current, type ProviderChoice } from './setup.ts';

export type Io = { input: Readable; output: Writable };

export const PAIRING_EXPLAINED = [
  'Pairing: nobody reaches your assistant through a channel until you let them in.',
  'The first time someone writes to the bot, they get a 6-letter code and nothing reaches Titan.',
  'You approve them on this machine: `titan pairing list`, then `titan pairing approve CODE`',
  '(or deny CODE). Your first chat then starts with a few questions about you, which you may skip.',
].join('\n');

const HINTS: Record<ProviderChoice, string> = {
  openai: 'api.openai.com, needs an API key',
  anthropic: 'api.anthropic.com, needs an API key',
  ollama: 'a local Ollama server, no key',
  scripted: 'the offline scripted model (tests, demos)',
  'openai-compatible': 'any server speaking the OpenAI API at a URL you give',
};

/** The answer, or TITAN_E_USAGE when the person cancelled (Ctrl-C, Esc). */
function answered<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw new TitanError('TITAN_E_USAGE', 'onboarding cancelled: nothing was written', { fix: 'run `titan onboard` again' });
  return value as Exclude<T, symbol>;
}

async function askProvider(current: Current, io: Io, choices: Choices): Promise<void> {
  const choice = answered(
    await p.select<ProviderChoice>({
      ...io,
      message: 'Which model provider should Titan use?',
      options: PROVIDER_CHOICES.map((value) => ({ value, label: value, hint: HINTS[value] })),
      initialValue: choiceOf(current.provider) ?? 'openai',
    }),
  );
  const name = choice === 'openai-compatible' ? 'openai' : choice;
  const same = choiceOf(current.provider) === choice;
  let baseUrl = '';
  if (choice === 'openai-compatible' || choice === 'ollama' || choice === 'scripted') {
    baseUrl = answered(
      await p.text({
        ...io,
        message:
          choice === 'openai-compatible'
            ? 'Its URL (e.g. http://127.0.0.1:8000/v1)'
            : choice === 'ollama'
              ? 'Where Ollama answers (empty: http://127.0.0.1:11434)'
              : 'The scripted server URL (empty: titan start runs its own, in echo mode)',
        initialValue: same ? current.provider.baseUrl : '',
        validate: (value) =>
          choice === 'openai-compatible' && !value?.trim()
            ? 'an OpenAI-compatible provider needs its URL'
            : value && !/^https?:\/\/\S+$/.test(value.trim())
              ? 'an http:// or https:// URL'
              : undefined,
      }),
    ).trim();
  }
  const model = answered(await p.text({ ...io, message: `Model (empty: ${DEFAULT_MODELS[name]})`, initialValue: same ? current.provider.model : '' })).trim();
  const keyName = choice === 'scripted' ? undefined : keyNameOf(name);
  let key: string | undefined;
  if (keyName) {
    const stored = current.stored.has(keyName);
    const optional = name === 'ollama' || choice === 'openai-compatible';
    key = answered(
      await p.password({
        ...io,
        message: `${keyName}${stored ? ' (empty: keep the stored one)' : optional ? ' (empty: none)' : ''}`,
        validate: (value) => (!value && !stored && !optional ? `${name} needs an API key` : undefined),
      }),
    ).trim();
  }
  choices.provider = providerSectionOf(choice, model, baseUrl);
  if (key) choices.apiKey = key;
}

async function askChannels(current: Current, io: Io, choices: Choices): Promise<void> {
  const offered = await builtinChannels();
  const channels = answered(
    await p.multiselect<string>({
      ...io,
      message: 'Messaging channels to run (space toggles, enter confirms; none is fine)',
      options: offered.map((c) => ({ value: c.name, label: c.title })),
      initialValues: current.channels,
      required: false,
    }),
  );
  choices.channels = channels;
  choices.channelSecrets = {};
  for (const { title, secrets } of offered.filter((c) => channels.includes(c.name))) {
    for (const secret of secrets) {
      const stored = current.stored.has(secret);
      const value = answered(
        await p.password({
          ...io,
          message: `${title}: ${secret}${stored ? ' (empty: keep the stored one)' : ''}`,
          validate: (v) => (!v && !stored ? `${title} cannot run without it` : undefined),
        }),
      ).trim();
      if (value) choices.channelSecrets[secret] = value;
    }
  }
  if (channels.length) p.note(PAIRING_EXPLAINED, 'Who may talk to Titan', io);
}

async function askStore(current: Current, io: Io, choices: Choices): Promise<void> {
  const kind = answered(
    await p.select<'libsql' | 'postgres'>({
      ...io,
      message: 'Where should Titan keep its data?',
      options: [
        { value: 'libsql', label: 'libSQL', hint: 'a file in $TITAN_HOME, nothing to run (the default)' },
        { value: 'postgres', label: 'PostgreSQL', hint: 'a server you run, by URL' },
      ],
      initialValue: current.dbUrl.startsWith('postgres') ? 'postgres' : 'libsql',
    }),
  );
  if (kind === 'libsql') {
    choices.dbUrl = current.dbUrl.startsWith('postgres') ? '' : current.dbUrl;
    return;
  }
  const url = answered(
    await p.text({
      ...io,
      message: 'PostgreSQL URL (postgres://user:password@host:port/db)',
      initialValue: current.dbUrl.startsWith('postgres') ? current.dbUrl : '',
      validate: (value) => (/^postgres(ql)?:\/\/\S+$/.test(value?.trim() ?? '') ? undefined : 'a postgres:// URL'),
    }),
  ).trim();
  p.log.success(await checkStore(url), io);
  choices.dbUrl = url;
}

/** Asks everything, checking the provider and the store on the way; throws a coded error for what cannot work. */
export async function askChoices(current: Current, io: Io): Promise<Choices> {
  p.intro('titan onboard: a model provider, channels and a store (Ctrl-C leaves, nothing written)', io);
  const choices: Choices = {};
  await askProvider(current, io, choices);
  const provider = choices.provider;
  if (provider) {
    const keyName = provider.name ? keyNameOf(provider.name) : undefined;
    const check = await checkProvider(provider, choices.apiKey ?? (keyName ? current.secret(keyName) : undefined));
    (check.state === 'unreachable' ? p.log.warn : p.log.info)(check.detail, io);
  }
  await askChannels(current, io, choices);
  await askStore(current, io, choices);
  return choices;
}

/** The review of what will be written, then yes or no. */
export async function confirmChanges(lines: string[], io: Io): Promise<boolean> {
  p.note(lines.join('\n'), 'This will be written', io);
  return answered(await p.confirm({ ...io, message: 'Write it?', initialValue: true }));
}

export function finish(message: string, io: Io): void {
  p.outro(message, io);
}
