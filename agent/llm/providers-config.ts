// The configured LLM providers, from the environment: the primary (TITAN_PROVIDER), the fallbacks
// tried in order when it fails (TITAN_FALLBACK_PROVIDERS), and the one cheap background work
// prefers (TITAN_BACKGROUND_PROVIDER). Checked here, once, so a typo is a clear error at start
// and not a failed request later. No provider configured is not an error: Titan still starts and
// says in one line how to configure one (configureHint).
import { TitanError } from '../../common/errors.ts';
import type { ProviderConfig } from './provider-client.ts';

export const PROVIDER_NAMES = ['openai', 'anthropic', 'ollama', 'scripted'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export type ProvidersSetup = {
  /** The primary first, then the fallbacks; empty when none is configured. */
  providers: ProviderConfig[];
  /** Preferred for background work (shadow predictions, summaries); the chain above follows it. */
  background?: ProviderConfig;
};

type Env = Record<string, string | undefined>;

/** Provider API keys that may be kept in the secret store (`titan secrets set OPENAI_API_KEY`). */
export const PROVIDER_KEY_NAMES = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OLLAMA_API_KEY'] as const;

/**
 * The environment with the provider keys it does not set read from the secret store instead.
 * The environment wins. Read at each use (a getter), so a key stored while Titan runs is used
 * from the next request on.
 */
export function withStoredKeys(env: Env, stored: (name: string) => string | undefined): Env {
  const view: Env = { ...env };
  for (const name of PROVIDER_KEY_NAMES) {
    if (value(env, name) !== undefined) continue;
    Object.defineProperty(view, name, { enumerable: true, configurable: true, get: () => stored(name) });
  }
  return view;
}

/** Used when neither TITAN_MODEL (for the primary) nor <NAME>_MODEL says which model. */
export const DEFAULT_MODELS: Record<ProviderName, string> = {
  openai: 'gpt-4.1-mini',
  anthropic: 'claude-sonnet-4-5',
  ollama: 'llama3.2',
  scripted: 'titan-scripted',
};

const OPENAI_URL = 'https://api.openai.com/v1';
const ANTHROPIC_URL = 'https://api.anthropic.com';
const OLLAMA_URL = 'http://127.0.0.1:11434';

/** The one line Titan prints when no provider is configured. */
export function configureHint(): string {
  return 'no LLM provider is configured: set TITAN_PROVIDER=openai (with OPENAI_API_KEY), anthropic (with ANTHROPIC_API_KEY), ollama (OLLAMA_HOST, default 127.0.0.1:11434), scripted (TITAN_SCRIPTED_LLM_URL, from `npm run mock-llm`) or the name of a provider component (with <NAME>_BASE_URL); TITAN_MODEL picks the model';
}

function invalid(message: string, fix?: string): TitanError {
  return new TitanError('TITAN_E_CONFIG_INVALID', message, fix === undefined ? {} : { fix });
}

function value(env: Env, name: string): string | undefined {
  const text = env[name]?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/** An http(s) URL without a trailing slash; `variable` names where it came from in the error. */
function httpUrl(text: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`${variable}="${text}" is not a URL`, `set ${variable} to an http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`${variable}="${text}" is not an http:// or https:// URL`);
  if (url.search || url.hash) throw invalid(`${variable}="${text}" must not have a query or a fragment`);
  return url.href.replace(/\/+$/, '');
}

/**
 * OLLAMA_HOST as the ollama CLI reads it: "host", "host:port" or a URL; without a scheme the port
 * defaults to 11434. 0.0.0.0 (the server listening everywhere) means this machine.
 */
function ollamaUrl(text: string): string {
  const schemeGiven = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  const url = new URL(httpUrl(schemeGiven ? text : `http://${text}`, 'OLLAMA_HOST'));
  const hostPort = schemeGiven ? text.slice(text.indexOf('://') + 3) : text;
  if (!schemeGiven && !/^[^/]*:\d+(\/|$)/.test(hostPort)) url.port = '11434';
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  return url.href.replace(/\/+$/, '');
}

function isName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

function modelFor(name: ProviderName, env: Env, primary: boolean): string {
  return (primary ? value(env, 'TITAN_MODEL') : undefined) ?? value(env, `${name.toUpperCase()}_MODEL`) ?? DEFAULT_MODELS[name];
}

/** The prefix of a provider component's variables: "azure-openai" -> AZURE_OPENAI (_BASE_URL, _API_KEY, _MODEL). */
export function variablePrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/**
 * Any other provider is a provider component of that name (published and deployed, now or later):
 * its address comes from <NAME>_BASE_URL, or else from its manifest's `provider` section when it
 * serves; its key from <NAME>_API_KEY; the model from TITAN_MODEL, <NAME>_MODEL or its manifest.
 * Requiring one of its variables keeps a typo ("opneai") a clear error at start.
 */
function openProvider(name: string, env: Env, primary: boolean, variable: string): ProviderConfig {
  const prefix = variablePrefix(name);
  const base = value(env, `${prefix}_BASE_URL`);
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(name) || (base === undefined && value(env, `${prefix}_API_KEY`) === undefined)) {
    throw invalid(
      `${variable}="${name}" is not one of ${PROVIDER_NAMES.join(', ')}, nor a provider component configured by ${prefix}_BASE_URL or ${prefix}_API_KEY`,
      `check the spelling, or set ${prefix}_BASE_URL for the provider component "${name}" (titan registry list --kind provider)`,
    );
  }
  const model = (primary ? value(env, 'TITAN_MODEL') : undefined) ?? value(env, `${prefix}_MODEL`) ?? '';
  return {
    name,
    component: name,
    baseUrl: base === undefined ? '' : httpUrl(base, `${prefix}_BASE_URL`),
    model,
    ...(value(env, `${prefix}_API_KEY`) ? { apiKeyEnv: `${prefix}_API_KEY` } : {}),
  };
}

/** The configuration of one provider by name; `primary` lets TITAN_MODEL choose its model. */
export function providerConfig(name: string, env: Env, primary = false, variable = 'TITAN_PROVIDER'): ProviderConfig {
  if (!isName(name)) return openProvider(name, env, primary, variable);
  const model = modelFor(name, env, primary);
  switch (name) {
    case 'openai': {
      const baseUrl = httpUrl(value(env, 'OPENAI_BASE_URL') ?? OPENAI_URL, 'OPENAI_BASE_URL');
      const hasKey = value(env, 'OPENAI_API_KEY') !== undefined;
      // OpenAI itself needs a key; an OpenAI-compatible server on another URL may not.
      if (!hasKey && new URL(baseUrl).hostname === 'api.openai.com') {
        throw invalid('the openai provider needs OPENAI_API_KEY', 'set OPENAI_API_KEY, or OPENAI_BASE_URL to an OpenAI-compatible server that needs none');
      }
      return { name, component: 'openai', baseUrl, model, ...(hasKey ? { apiKeyEnv: 'OPENAI_API_KEY' } : {}) };
    }
    case 'anthropic': {
      const baseUrl = httpUrl(value(env, 'ANTHROPIC_BASE_URL') ?? ANTHROPIC_URL, 'ANTHROPIC_BASE_URL');
      const hasKey = value(env, 'ANTHROPIC_API_KEY') !== undefined;
      if (!hasKey && new URL(baseUrl).hostname === 'api.anthropic.com') {
        throw invalid('the anthropic provider needs ANTHROPIC_API_KEY', 'set ANTHROPIC_API_KEY (console.anthropic.com, API keys)');
      }
      return { name, component: 'anthropic', baseUrl, model, ...(hasKey ? { apiKeyEnv: 'ANTHROPIC_API_KEY' } : {}) };
    }
    case 'ollama': {
      const baseUrl = ollamaUrl(value(env, 'OLLAMA_HOST') ?? OLLAMA_URL);
      // An Ollama behind a proxy (or ollama.com) takes a bearer key; a local one needs none.
      return { name, component: 'ollama', baseUrl, model, ...(value(env, 'OLLAMA_API_KEY') ? { apiKeyEnv: 'OLLAMA_API_KEY' } : {}) };
    }
    case 'scripted': {
      const url = value(env, 'TITAN_SCRIPTED_LLM_URL');
      if (!url)
        throw invalid('the scripted provider needs TITAN_SCRIPTED_LLM_URL', 'run `npm run mock-llm` and set TITAN_SCRIPTED_LLM_URL to the URL it prints');
      const root = httpUrl(url, 'TITAN_SCRIPTED_LLM_URL');
      // The scripted server speaks the OpenAI wire format under /v1, like any compatible server.
      return { name, component: 'openai', baseUrl: root.endsWith('/v1') ? root : `${root}/v1`, model };
    }
  }
}

function names(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The providers the environment configures; throws TITAN_E_CONFIG_INVALID naming the bad variable. */
export function providersFromEnv(env: Env = process.env): ProvidersSetup {
  const primary = value(env, 'TITAN_PROVIDER');
  const fallbacks = names(env.TITAN_FALLBACK_PROVIDERS);
  const backgroundName = value(env, 'TITAN_BACKGROUND_PROVIDER');
  if (!primary) {
    if (fallbacks.length > 0 || backgroundName) throw invalid('TITAN_FALLBACK_PROVIDERS and TITAN_BACKGROUND_PROVIDER need TITAN_PROVIDER', configureHint());
    return { providers: [] };
  }
  const providers = [providerConfig(primary.toLowerCase(), env, true)];
  for (const name of fallbacks) {
    const lower = name.toLowerCase();
    if (providers.some((p) => p.name === lower)) continue;
    providers.push(providerConfig(lower, env, false, 'TITAN_FALLBACK_PROVIDERS'));
  }
  if (!backgroundName) return { providers };
  const lower = backgroundName.toLowerCase();
  const background = providers.find((p) => p.name === lower) ?? providerConfig(lower, env, false, 'TITAN_BACKGROUND_PROVIDER');
  return { providers, background };
}
