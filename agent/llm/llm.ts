// The kernel's LLM: one call, stream(request, { signal, purpose }), over the configured providers
// with retries, a circuit breaker per provider and failover. Background work (shadow predictions,
// summaries) prefers the background provider (a local Ollama, typically) and falls back to the
// chat chain. Each provider answers with its own configured model.
import { TitanError } from '../../common/errors.ts';
import type { ChatRequest, LlmEvent } from '../loop/llm-types.ts';
import { streamProvider, type ComponentCaller, type ProviderConfig } from './provider-client.ts';
import { configureHint, providersFromEnv } from './providers-config.ts';
import {
  CircuitBreaker,
  DEFAULT_BREAKER,
  DEFAULT_RETRY,
  resilientStream,
  type BreakerPolicy,
  type BreakerSnapshot,
  type Candidate,
  type LlmStatus,
  type RetryPolicy,
} from './resilience.ts';

export type LlmConfig = {
  /** The chat chain: the primary first, then the fallbacks in order. */
  providers: ProviderConfig[];
  background?: ProviderConfig;
  retry?: Partial<RetryPolicy>;
  breaker?: Partial<BreakerPolicy>;
  /** Where API keys are read from, on each request; default process.env. */
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  idleTimeoutMs?: number;
  /** 0..1 for the backoff jitter; tests pass a constant. */
  random?: () => number;
};

export type LlmPurpose = 'chat' | 'background';

export type LlmStreamOptions = {
  signal?: AbortSignal;
  purpose?: LlmPurpose;
  /** Attempts, retries and failovers as they happen. */
  onStatus?: (status: LlmStatus) => void;
};

export type Llm = {
  readonly providers: readonly ProviderConfig[];
  readonly background: ProviderConfig | undefined;
  /** True when at least one provider is configured. */
  readonly configured: boolean;
  /**
   * The model's answer as LLM events, each as soon as it is decoded; ends after the stop event.
   * request.model is used only by a provider configured without a model. Errors are TitanErrors
   * (TITAN_E_PROVIDER_*, TITAN_E_CIRCUIT_OPEN, TITAN_E_INTERRUPTED when the signal aborts).
   */
  stream(request: ChatRequest, options?: LlmStreamOptions): AsyncGenerator<LlmEvent, void, undefined>;
  /** The circuit breaker of each provider. */
  breakers(): BreakerSnapshot[];
};

export function createLlm(kernel: ComponentCaller, config: LlmConfig): Llm {
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...config.retry };
  const breakerPolicy: BreakerPolicy = { ...DEFAULT_BREAKER, ...config.breaker };
  const breakers = new Map<string, CircuitBreaker>();
  const candidate = (provider: ProviderConfig): Candidate => {
    let breaker = breakers.get(provider.name);
    if (!breaker) breakers.set(provider.name, (breaker = new CircuitBreaker(provider.name, breakerPolicy)));
    return { provider, breaker };
  };
  const chat = config.providers.map(candidate);
  const background = config.background ? [candidate(config.background), ...chat.filter((c) => c.provider.name !== config.background?.name)] : chat;

  return {
    providers: config.providers,
    background: config.background,
    configured: config.providers.length > 0 || config.background !== undefined,
    stream(request, options = {}) {
      const candidates = options.purpose === 'background' ? background : chat;
      if (candidates.length === 0) {
        // biome-ignore lint/correctness/useYield: a stream that fails on its first read, as a configured one would
        return (async function* notConfigured(): AsyncGenerator<LlmEvent, void, undefined> {
          throw new TitanError('TITAN_E_PROVIDER_NOT_CONFIGURED', configureHint());
        })();
      }
      const open = (provider: ProviderConfig) =>
        streamProvider(kernel, provider, request, { signal: options.signal, env: config.env, fetch: config.fetch, idleTimeoutMs: config.idleTimeoutMs });
      return resilientStream(candidates, open, { retry, signal: options.signal, onStatus: options.onStatus, random: config.random });
    },
    breakers: () => [...breakers.values()].map((b) => b.snapshot()),
  };
}

/** createLlm with the providers the environment configures (providersFromEnv). */
export function createLlmFromEnv(
  kernel: ComponentCaller,
  env: Record<string, string | undefined> = process.env,
  overrides: Omit<LlmConfig, 'providers' | 'background'> = {},
): Llm {
  const setup = providersFromEnv(env);
  return createLlm(kernel, { ...setup, env, ...overrides });
}
