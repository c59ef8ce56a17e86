// What `titan onboard` sets up, as data: the home's current choices (config.json and which secrets
// are stored), the choices asked for, the changes between them, and their write. Only what changed
// is written: the secrets first, then config.json in one atomic write (its other keys kept).
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../common/atomic-file.ts';
import { homePaths } from '../../common/home.ts';
import type { SecretStore } from '../../common/secret-store.ts';
import type { ProviderSection } from '../../agent/llm/provider-section.ts';
import type { PROVIDER_KEY_NAMES, ProviderName } from '../../agent/llm/providers-config.ts';
import type { TitanConfig } from '../config.ts';

/** What the person picks; "openai-compatible" is the openai provider on another address. */
export const PROVIDER_CHOICES = ['openai', 'anthropic', 'ollama', 'scripted', 'openai-compatible'] as const;
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];

export type Current = {
  provider: ProviderSection;
  /** Stored secrets' names, and a stored value when a check needs it (a key for the provider test). */
  stored: Set<string>;
  secret(name: string): string | undefined;
  channels: string[];
  /** kernel.dbUrl: empty is the libSQL file in $TITAN_HOME. */
  dbUrl: string;
};

export type Choices = {
  provider?: ProviderSection;
  /** A key for the provider, stored under its variable's name. */
  apiKey?: string;
  /** Channels to run, with the secrets given for them (variable name -> value). */
  channels?: string[];
  channelSecrets?: Record<string, string>;
  dbUrl?: string;
};

export type Change = { what: string; from: string; to: string };

export function currentOf(config: TitanConfig, secrets: SecretStore): Current {
  return {
    provider: config.provider,
    stored: new Set(secrets.list().map((s) => s.name)),
    secret: (name) => secrets.get(name),
    channels: config.channels.enabled,
    dbUrl: config.kernel.dbUrl,
  };
}

/** The provider section a choice stands for. */
export function providerSectionOf(choice: ProviderChoice, model: string, baseUrl: string): ProviderSection {
  return { name: choice === 'openai-compatible' ? 'openai' : choice, model, baseUrl };
}

/** The choice a provider section shows as (an openai provider on another address is "openai-compatible"). */
export function choiceOf(section: ProviderSection): ProviderChoice | undefined {
  if (!section.name) return undefined;
  return section.name === 'openai' && section.baseUrl ? 'openai-compatible' : section.name;
}

/** The secret a provider's key is stored under. */
export function keyNameOf(name: ProviderName): (typeof PROVIDER_KEY_NAMES)[number] | undefined {
  return name === 'openai' ? 'OPENAI_API_KEY' : name === 'anthropic' ? 'ANTHROPIC_API_KEY' : name === 'ollama' ? 'OLLAMA_API_KEY' : undefined;
}

const shown = (value: string, empty: string) => (value === '' ? empty : value.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'));

/** What applying `choices` would change, for the review and --json. */
export function changesOf(current: Current, choices: Choices): Change[] {
  const changes: Change[] = [];
  const p = choices.provider;
  if (p) {
    for (const key of ['name', 'model', 'baseUrl'] as const) {
      if (p[key] !== current.provider[key])
        changes.push({ what: `provider.${key}`, from: shown(current.provider[key], '(none)'), to: shown(p[key], '(default)') });
    }
    const keyName = p.name ? keyNameOf(p.name) : undefined;
    if (choices.apiKey && keyName)
      changes.push({ what: `secret ${keyName}`, from: current.stored.has(keyName) ? 'stored' : '(none)', to: 'stored (new value)' });
  }
  if (choices.channels && choices.channels.join(',') !== current.channels.join(',')) {
    changes.push({ what: 'channels.enabled', from: current.channels.join(', ') || '(none)', to: choices.channels.join(', ') || '(none)' });
  }
  for (const name of Object.keys(choices.channelSecrets ?? {})) {
    changes.push({ what: `secret ${name}`, from: current.stored.has(name) ? 'stored' : '(none)', to: 'stored (new value)' });
  }
  if (choices.dbUrl !== undefined && choices.dbUrl !== current.dbUrl) {
    changes.push({ what: 'kernel.dbUrl', from: shown(current.dbUrl, 'libSQL in $TITAN_HOME'), to: shown(choices.dbUrl, 'libSQL in $TITAN_HOME') });
  }
  return changes;
}

type ConfigFile = Record<string, unknown>;

function section(file: ConfigFile, name: string): Record<string, unknown> {
  const value = file[name];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  file[name] = fresh;
  return fresh;
}

/** Writes what changed: secrets, then config.json (old top-level keys of what it sets are moved into their sections). */
export async function applyChoices(home: string, secrets: SecretStore, current: Current, choices: Choices): Promise<Change[]> {
  const changes = changesOf(current, choices);
  if (changes.length === 0) return changes;
  const keyName = choices.provider?.name ? keyNameOf(choices.provider.name) : undefined;
  if (choices.apiKey && keyName) await secrets.set(keyName, choices.apiKey);
  for (const [name, value] of Object.entries(choices.channelSecrets ?? {})) await secrets.set(name, value);

  const file = homePaths(home).config;
  const config = await readJsonFile<ConfigFile>(file, {});
  if (choices.provider && changes.some((c) => c.what.startsWith('provider.'))) {
    const provider = section(config, 'provider');
    for (const key of ['name', 'model', 'baseUrl'] as const) {
      if (choices.provider[key]) provider[key] = choices.provider[key];
      else delete provider[key];
    }
  }
  if (changes.some((c) => c.what === 'channels.enabled') && choices.channels) {
    if (Array.isArray(config.channels)) delete config.channels; // the old top-level list
    section(config, 'channels').enabled = choices.channels;
  }
  if (changes.some((c) => c.what === 'kernel.dbUrl')) {
    delete config.dbUrl; // the old top-level key
    const kernel = section(config, 'kernel');
    if (choices.dbUrl) kernel.dbUrl = choices.dbUrl;
    else delete kernel.dbUrl;
  }
  await writeJsonAtomic(path.resolve(file), config);
  return changes;
}
