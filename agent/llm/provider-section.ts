// The provider chosen in config.json ({ "provider": { "name": "openai", "model": "...", "baseUrl": "..." } },
// what `titan onboard` writes): read as the environment variables providers-config.ts reads, for
// those the environment leaves unset. TITAN_PROVIDER in the environment wins over the whole section.
import { defineSection } from '../../common/config-section.ts';
import { PROVIDER_NAMES, type ProviderName } from './providers-config.ts';

export type ProviderSection = {
  /** The primary provider; empty: the environment decides (TITAN_PROVIDER), or none is configured. */
  name: ProviderName | '';
  /** Its model; empty: the provider's default (or TITAN_MODEL). */
  model: string;
  /** Where it answers (an OpenAI-compatible server, an Ollama host, the scripted server); empty: its default. */
  baseUrl: string;
};

export const providerSection = defineSection<'provider', ProviderSection>({
  name: 'provider',
  defaults: { name: '', model: '', baseUrl: '' },
  schema: {
    name: { enum: ['', ...PROVIDER_NAMES] },
    model: { type: 'string', maxLength: 200 },
    baseUrl: { type: 'string', pattern: '^(https?://\\S+)?$' },
  },
});

/** The variable each provider reads its address from. */
export const BASE_URL_VARIABLE: Record<ProviderName, string> = {
  openai: 'OPENAI_BASE_URL',
  anthropic: 'ANTHROPIC_BASE_URL',
  ollama: 'OLLAMA_HOST',
  scripted: 'TITAN_SCRIPTED_LLM_URL',
};

type Env = Record<string, string | undefined>;

/** `env` with the configured provider filled in where the environment names none. */
export function withConfiguredProvider(env: Env, section: ProviderSection): Env {
  if (env.TITAN_PROVIDER?.trim() || !section.name) return env;
  const view: Env = { ...env, TITAN_PROVIDER: section.name };
  if (section.model && !env.TITAN_MODEL?.trim()) view.TITAN_MODEL = section.model;
  const variable = BASE_URL_VARIABLE[section.name];
  if (section.baseUrl && !env[variable]?.trim()) view[variable] = section.baseUrl;
  return view;
}
