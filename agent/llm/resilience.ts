// What keeps a chat going when a provider stumbles: retry with exponential backoff (honouring the
// provider's retry-after, and only while nothing of the answer has been passed on), a circuit
// breaker per provider (a provider that keeps failing is left alone for a cool-down, then tried
// with one probe), and failover to the next configured provider.
import { setTimeout as sleep } from 'node:timers/promises';
import { TitanError, type ErrorCode } from '../../common/errors.ts';
import type { LlmEvent } from '../loop/llm-types.ts';
import { retryAfterOf, type ProviderConfig } from './provider-client.ts';

export type RetryPolicy = {
  /** Tries per provider, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry-after longer than this is not waited for: the next provider is tried instead. */
  maxRetryAfterMs: number;
};

export type BreakerPolicy = {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  coolDownMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };
export const DEFAULT_BREAKER: BreakerPolicy = { failureThreshold: 5, coolDownMs: 30_000 };

/** Worth another try at the same provider: the provider is busy or the connection failed. */
const RETRYABLE = new Set<ErrorCode>([
  'TITAN_E_PROVIDER_RATE_LIMITED',
  'TITAN_E_PROVIDER_OVERLOADED',
  'TITAN_E_PROVIDER_UNAVAILABLE',
  'TITAN_E_PROVIDER_STREAM',
]);
/** Says the provider is unhealthy: counted by its circuit breaker. */
const UNHEALTHY = new Set<ErrorCode>([...RETRYABLE, 'TITAN_E_TIMEOUT']);
/** The request itself is at fault: another provider would refuse it too, or the user stopped it. */
const FINAL = new Set<ErrorCode>(['TITAN_E_PROVIDER_BAD_REQUEST', 'TITAN_E_PROVIDER_CONTEXT_TOO_LONG', 'TITAN_E_INTERRUPTED']);

export function isRetryable(error: unknown): error is TitanError {
  return error instanceof TitanError && RETRYABLE.has(error.code);
}

export function allowsFailover(error: unknown): error is TitanError {
  return error instanceof TitanError && !FINAL.has(error.code);
}

export type BreakerState = 'closed' | 'open' | 'half-open';
export type BreakerSnapshot = { provider: string; state: BreakerState; failures: number; retryInMs: number };

export class CircuitBreaker {
  readonly provider: string;
  readonly #policy: BreakerPolicy;
  readonly #now: () => number;
  #failures = 0;
  #openedAt: number | undefined;
  #probing = false;

  constructor(provider: string, policy: BreakerPolicy = DEFAULT_BREAKER, now: () => number = () => performance.now()) {
    this.provider = provider;
    this.#policy = policy;
    this.#now = now;
  }

  get state(): BreakerState {
    if (this.#openedAt === undefined) return 'closed';
    return this.#now() - this.#openedAt >= this.#policy.coolDownMs ? 'half-open' : 'open';
  }

  /** Lets a call through, or throws TITAN_E_CIRCUIT_OPEN. Half-open lets exactly one probe through at a time. */
  admit(): void {
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open' && !this.#probing) {
      this.#probing = true;
      return;
    }
    const retryInMs = Math.max(0, Math.ceil(this.#policy.coolDownMs - (this.#now() - (this.#openedAt ?? 0))));
    throw new TitanError(
      'TITAN_E_CIRCUIT_OPEN',
      `${this.provider} failed ${this.#failures} times in a row and is paused (${state === 'open' ? `for ${retryInMs} ms more` : 'a probe is running'})`,
      {
        details: { provider: this.provider, retryInMs },
      },
    );
  }

  succeeded(): void {
    this.#failures = 0;
    this.#openedAt = undefined;
    this.#probing = false;
  }

  failed(): void {
    this.#failures++;
    if (this.#probing) {
      // The probe failed: another full cool-down.
      this.#probing = false;
      this.#openedAt = this.#now();
    } else if (this.#openedAt === undefined && this.#failures >= this.#policy.failureThreshold) {
      this.#openedAt = this.#now();
    }
  }

  /** A call that ended saying nothing of the provider's health (cancelled, or a bad request). */
  released(): void {
    this.#probing = false;
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    const retryInMs = state === 'open' ? Math.max(0, Math.ceil(this.#policy.coolDownMs - (this.#now() - (this.#openedAt ?? 0)))) : 0;
    return { provider: this.provider, state, failures: this.#failures, retryInMs };
  }
}

/** What the resilient stream is doing, for status lines and logs. */
export type LlmStatus =
  | { type: 'attempt'; provider: string; model: string; attempt: number }
  | { type: 'retry'; provider: string; attempt: number; delayMs: number; error: TitanError }
  | { type: 'failover'; from: string; to: string; error: TitanError };

export type Candidate = { provider: ProviderConfig; breaker: CircuitBreaker };

export type ResilienceOptions = {
  retry: RetryPolicy;
  signal?: AbortSignal;
  onStatus?: (status: LlmStatus) => void;
  /** 0..1; the jitter of the backoff (tests pass a constant). */
  random?: () => number;
};

/**
 * The wait before retry number `attempt` (1 = the first retry): the provider's retry-after when it
 * gave one (undefined when that is longer than the policy accepts), else exponential with jitter
 * (between half and all of base * 2^(attempt-1), capped).
 */
export function backoffMs(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number = Math.random): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs <= policy.maxRetryAfterMs ? retryAfterMs : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function summarize(failures: Array<{ provider: string; error: TitanError }>): TitanError {
  const last = failures[failures.length - 1].error;
  if (failures.length === 1) return last;
  const tried = failures.map((f) => `${f.provider}: ${f.error.code}`).join(', ');
  return new TitanError(last.code, `every configured provider failed (${tried}); the last said: ${last.message}`, {
    details: { ...last.details, failures: failures.map((f) => ({ provider: f.provider, code: f.error.code, message: f.error.message })) },
    cause: last,
  });
}

/**
 * Streams from the first candidate that answers. `open` starts one provider stream. Before the
 * first event is passed on, a retryable failure is retried (bounded, with backoff) and a failure
 * of the provider fails over to the next candidate; once an event is out, an error ends the stream
 * (the caller has seen part of an answer, and a second answer would not continue it).
 */
export async function* resilientStream(
  candidates: Candidate[],
  open: (provider: ProviderConfig) => AsyncIterable<LlmEvent>,
  options: ResilienceOptions,
): AsyncGenerator<LlmEvent, void, undefined> {
  const { retry, signal, onStatus } = options;
  const failures: Array<{ provider: string; error: TitanError }> = [];
  const interrupted = () => new TitanError('TITAN_E_INTERRUPTED', 'the request was cancelled while waiting to retry');

  for (const [position, { provider, breaker }] of candidates.entries()) {
    let lastError: TitanError | undefined;
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (signal?.aborted) throw interrupted();
      try {
        breaker.admit();
      } catch (error) {
        lastError = error as TitanError;
        break;
      }
      onStatus?.({ type: 'attempt', provider: provider.name, model: provider.model, attempt });
      let passedOn = false;
      let settled = false;
      try {
        for await (const event of open(provider)) {
          passedOn = true;
          yield event;
        }
        settled = true;
        breaker.succeeded();
        return;
      } catch (error) {
        settled = true;
        if (error instanceof TitanError && UNHEALTHY.has(error.code)) breaker.failed();
        else breaker.released();
        if (passedOn || !(error instanceof TitanError) || !allowsFailover(error)) throw error;
        lastError = error;
        if (!isRetryable(error) || attempt === retry.attempts) break;
        const delayMs = backoffMs(attempt, retry, retryAfterOf(error), options.random);
        if (delayMs === undefined) break;
        onStatus?.({ type: 'retry', provider: provider.name, attempt: attempt + 1, delayMs, error });
        try {
          await sleep(delayMs, undefined, { signal });
        } catch {
          throw interrupted();
        }
      } finally {
        // The caller left early (break, return): the call says nothing of the provider's health.
        if (!settled) breaker.released();
      }
    }
    if (lastError) {
      failures.push({ provider: provider.name, error: lastError });
      const next = candidates[position + 1];
      if (next) onStatus?.({ type: 'failover', from: provider.name, to: next.provider.name, error: lastError });
    }
  }
  if (failures.length === 0) throw new TitanError('TITAN_E_PROVIDER_NOT_CONFIGURED', 'no LLM provider is configured');
  throw summarize(failures);
}
