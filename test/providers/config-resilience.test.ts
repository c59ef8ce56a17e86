// The providers the environment configures (and the one line shown when none is), and the
// resilience rules on their own: backoff, the breaker's states, retrying only before the first
// event, and what fails over.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TitanError } from '../../common/errors.ts';
import type { LlmEvent } from '../../agent/loop/llm-types.ts';
import { createLlm } from '../../agent/llm/llm.ts';
import type { ProviderConfig } from '../../agent/llm/provider-client.ts';
import { configureHint, providersFromEnv } from '../../agent/llm/providers-config.ts';
import { backoffMs, CircuitBreaker, DEFAULT_RETRY, resilientStream, type Candidate } from '../../agent/llm/resilience.ts';
import { collect } from './support.ts';

function configError(env: Record<string, string>): TitanError {
  try {
    providersFromEnv(env);
  } catch (error) {
    if (error instanceof TitanError) return error;
    throw error;
  }
  assert.fail(`expected TITAN_E_CONFIG_INVALID for ${JSON.stringify(env)}`);
}

describe('providers from the environment', () => {
  test('nothing configured: no providers, and one line saying how', async () => {
    assert.deepEqual(providersFromEnv({}), { providers: [] });
    const hint = configureHint();
    assert.ok(!hint.includes('\n'));
    for (const name of ['TITAN_PROVIDER', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OLLAMA_HOST', 'TITAN_SCRIPTED_LLM_URL', 'TITAN_MODEL'])
      assert.ok(hint.includes(name), name);
    const llm = createLlm({ call: async () => assert.fail('no component is called') }, providersFromEnv({}));
    assert.equal(llm.configured, false);
    const { error } = await collect(llm.stream({ model: '', messages: [{ role: 'user', content: 'hi' }], tools: [] }));
    assert.equal(error?.code, 'TITAN_E_PROVIDER_NOT_CONFIGURED');
    assert.equal(error?.message, hint);
  });

  test('openai with its key, TITAN_MODEL, fallbacks in order and an Ollama for background work', () => {
    const setup = providersFromEnv({
      TITAN_PROVIDER: 'openai',
      TITAN_MODEL: 'gpt-4.1',
      OPENAI_API_KEY: 'sk-1',
      ANTHROPIC_API_KEY: 'sk-ant-1',
      ANTHROPIC_MODEL: 'claude-haiku-4-5',
      TITAN_FALLBACK_PROVIDERS: ' anthropic , openai,ollama',
      TITAN_BACKGROUND_PROVIDER: 'ollama',
      OLLAMA_HOST: '0.0.0.0',
    });
    const ollama: ProviderConfig = { name: 'ollama', component: 'ollama', baseUrl: 'http://127.0.0.1:11434', model: 'llama3.2' };
    assert.deepEqual(setup.providers, [
      { name: 'openai', component: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4.1', apiKeyEnv: 'OPENAI_API_KEY' },
      { name: 'anthropic', component: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude-haiku-4-5', apiKeyEnv: 'ANTHROPIC_API_KEY' },
      ollama,
    ]);
    assert.deepEqual(setup.background, ollama);
    // Keys stay in the environment: the config names the variable, never the value.
    assert.ok(!JSON.stringify(setup).includes('sk-'));
  });

  test('an OpenAI-compatible server needs no key; OLLAMA_HOST is read as the ollama CLI reads it; scripted speaks OpenAI under /v1', () => {
    assert.deepEqual(providersFromEnv({ TITAN_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1/' }).providers[0], {
      name: 'openai',
      component: 'openai',
      baseUrl: 'http://127.0.0.1:8000/v1',
      model: 'gpt-4.1-mini',
    });
    const ollamaAt = (host: string) => providersFromEnv({ TITAN_PROVIDER: 'ollama', OLLAMA_HOST: host }).providers[0].baseUrl;
    assert.equal(ollamaAt('gpu-box'), 'http://gpu-box:11434');
    assert.equal(ollamaAt('gpu-box:9999'), 'http://gpu-box:9999');
    assert.equal(ollamaAt('https://ollama.example.com'), 'https://ollama.example.com');
    assert.deepEqual(providersFromEnv({ TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: 'http://127.0.0.1:4010' }).providers[0], {
      name: 'scripted',
      component: 'openai',
      baseUrl: 'http://127.0.0.1:4010/v1',
      model: 'titan-scripted',
    });
  });

  test('each bad setting is TITAN_E_CONFIG_INVALID naming the variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ TITAN_PROVIDER: 'gemini' }, /TITAN_PROVIDER="gemini" is not one of openai, anthropic, ollama, scripted/],
      [{ TITAN_PROVIDER: 'openai' }, /needs OPENAI_API_KEY/],
      [{ TITAN_PROVIDER: 'anthropic' }, /needs ANTHROPIC_API_KEY/],
      [{ TITAN_PROVIDER: 'scripted' }, /needs TITAN_SCRIPTED_LLM_URL/],
      [{ TITAN_PROVIDER: 'openai', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'api.openai.com' }, /OPENAI_BASE_URL="api.openai.com" is not a URL/],
      [{ TITAN_PROVIDER: 'ollama', TITAN_FALLBACK_PROVIDERS: 'ollama,bard' }, /TITAN_FALLBACK_PROVIDERS="bard"/],
      [{ TITAN_PROVIDER: 'ollama', TITAN_BACKGROUND_PROVIDER: 'local' }, /TITAN_BACKGROUND_PROVIDER="local"/],
      [{ TITAN_FALLBACK_PROVIDERS: 'ollama' }, /need TITAN_PROVIDER/],
    ];
    for (const [env, pattern] of cases) {
      const error = configError(env);
      assert.equal(error.code, 'TITAN_E_CONFIG_INVALID');
      assert.match(error.message, pattern);
    }
    assert.match(configError({ TITAN_PROVIDER: 'scripted' }).fix ?? '', /npm run mock-llm/);
  });
});

describe('resilience', () => {
  test("backoff doubles from the base, is capped, takes the provider's wait, and refuses a wait too long", () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, undefined, () => 1)),
      [100, 200, 400, 800, 1000],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => backoffMs(n, policy, undefined, () => 0)),
      [50, 100, 200],
    );
    assert.equal(backoffMs(1, policy, 3000), 3000);
    assert.equal(backoffMs(1, policy, 60_000), undefined);
  });

  test('the breaker: closed, open after N failures in a row, one probe at a time when half-open', () => {
    let now = 0;
    const breaker = new CircuitBreaker('p', { failureThreshold: 3, coolDownMs: 1000 }, () => now);
    breaker.failed();
    breaker.failed();
    breaker.succeeded(); // a success in between resets the count
    breaker.failed();
    breaker.failed();
    assert.equal(breaker.state, 'closed');
    breaker.failed();
    assert.equal(breaker.state, 'open');
    assert.throws(
      () => breaker.admit(),
      (e: unknown) => e instanceof TitanError && e.code === 'TITAN_E_CIRCUIT_OPEN' && e.details?.retryInMs === 1000,
    );
    now = 999;
    assert.equal(breaker.snapshot().retryInMs, 1);
    now = 1000;
    assert.equal(breaker.state, 'half-open');
    breaker.admit(); // the probe
    assert.throws(() => breaker.admit(), /a probe is running/);
    breaker.released(); // the probe was cancelled: the next call probes
    breaker.admit();
    breaker.failed();
    assert.equal(breaker.state, 'open', 'a failed probe opens the circuit for another cool-down');
    now = 2000;
    breaker.admit();
    breaker.succeeded();
    assert.deepEqual(breaker.snapshot(), { provider: 'p', state: 'closed', failures: 0, retryInMs: 0 });
  });

  const provider = (name: string): ProviderConfig => ({ name, component: name, baseUrl: 'http://x', model: 'm' });
  const candidate = (name: string): Candidate => ({ provider: provider(name), breaker: new CircuitBreaker(name) });
  const fail = (code: 'TITAN_E_PROVIDER_OVERLOADED' | 'TITAN_E_PROVIDER_AUTH' | 'TITAN_E_PROVIDER_BAD_REQUEST') => new TitanError(code, code);
  const retry = { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 1 };

  test('an error after the first event passes through: no retry, no failover', async () => {
    const opened: string[] = [];
    async function* open(p: ProviderConfig): AsyncGenerator<LlmEvent> {
      opened.push(p.name);
      yield { type: 'text', text: 'partial' };
      throw fail('TITAN_E_PROVIDER_OVERLOADED');
    }
    const { events, error } = await collect(resilientStream([candidate('a'), candidate('b')], open, { retry }));
    assert.deepEqual(events, [{ type: 'text', text: 'partial' }]);
    assert.equal(error?.code, 'TITAN_E_PROVIDER_OVERLOADED');
    assert.deepEqual(opened, ['a']);
  });

  test('auth is not retried but fails over; a bad request neither', async () => {
    const opened: string[] = [];
    const opener = (code: Parameters<typeof fail>[0]) =>
      async function* open(p: ProviderConfig): AsyncGenerator<LlmEvent> {
        opened.push(p.name);
        if (p.name === 'a') throw fail(code);
        yield { type: 'stop', reason: 'end_turn' };
      };
    const failedOver = await collect(resilientStream([candidate('a'), candidate('b')], opener('TITAN_E_PROVIDER_AUTH'), { retry }));
    assert.equal(failedOver.error, undefined);
    assert.deepEqual(opened, ['a', 'b']);
    opened.length = 0;
    const refused = await collect(resilientStream([candidate('a'), candidate('b')], opener('TITAN_E_PROVIDER_BAD_REQUEST'), { retry }));
    assert.equal(refused.error?.code, 'TITAN_E_PROVIDER_BAD_REQUEST');
    assert.deepEqual(opened, ['a']);
  });

  test('an abort during the wait before a retry ends it with TITAN_E_INTERRUPTED at once', async () => {
    const controller = new AbortController();
    async function* open(): AsyncGenerator<LlmEvent> {
      setTimeout(() => controller.abort(), 10);
      throw fail('TITAN_E_PROVIDER_OVERLOADED');
    }
    const started = performance.now();
    const { error } = await collect(
      resilientStream([candidate('a')], open, { retry: { ...DEFAULT_RETRY, baseDelayMs: 10_000, maxDelayMs: 10_000 }, signal: controller.signal }),
    );
    assert.equal(error?.code, 'TITAN_E_INTERRUPTED');
    assert.ok(performance.now() - started < 1000);
  });
});
