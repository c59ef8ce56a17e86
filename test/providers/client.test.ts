// The whole LLM client against the scripted LLM server, in all three wire formats: text streams in
// as several events before the answer ends, tool calls arrive whole, a 429 is retried after the
// wait it asked for, an overloaded provider is retried then failed over, a cut stream ends with
// TITAN_E_PROVIDER_STREAM after what arrived, an abort stops the HTTP stream at once, the API key
// reaches the server in its header and never the component, and the circuit breaker opens and
// later lets a probe through.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ChatRequest, LlmEvent } from '../../agent/loop/llm-types.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { createLlm, type LlmConfig } from '../../agent/llm/llm.ts';
import type { ComponentCaller, ProviderConfig } from '../../agent/llm/provider-client.ts';
import type { LlmStatus } from '../../agent/llm/resilience.ts';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/llm/scripted/server.ts';
import type { Script } from '../../agent/llm/scripted/script.ts';
import { collect, providerKernel, PROVIDERS, textOf, toolCalls, type ProviderComponent } from './support.ts';

const ASK: ChatRequest = {
  model: '',
  messages: [{ role: 'user', content: 'go' }],
  tools: [{ name: 'get_weather', description: 'Weather', schema: { type: 'object' } }],
};
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5_000 };
/** Another format to fail over to. */
const OTHER: Record<ProviderComponent, ProviderComponent> = { openai: 'anthropic', anthropic: 'ollama', ollama: 'openai' };

describe('the LLM client against the scripted LLM server', () => {
  let kernel: Kernel;
  let cleanup: () => Promise<void>;
  let server: ScriptedLlm;

  before(async () => {
    ({ kernel, cleanup } = await providerKernel());
    server = await startScriptedLlm();
  });
  beforeEach(() => server.reset());
  after(async () => {
    await server.close();
    await cleanup();
  });

  const provider = (component: ProviderComponent, extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
    name: component,
    component,
    baseUrl: server.baseUrls[component],
    model: `titan-${component}`,
    ...extra,
  });
  const llmFor = (providers: ProviderConfig[], extra: Partial<LlmConfig> = {}, caller: ComponentCaller = kernel) =>
    createLlm(caller, { providers, retry: FAST_RETRY, random: () => 0.5, env: {}, ...extra });
  const load = (script: Script) => {
    server.load(script);
    server.reset();
  };
  const chatRequests = () => server.timeline().filter((e) => e.path !== '/' && !e.path.startsWith('/_titan'));

  for (const component of PROVIDERS) {
    describe(component, () => {
      test('text streams in as several events, each before the answer has ended', async () => {
        load({ turns: [{ delayMs: 40, content: [{ type: 'text', text: ['Stream', 'ing ', 'wörds ', '🚀 ', 'in.'] }] }] });
        const arrivals: number[] = [];
        const { events, error } = await collect(llmFor([provider(component)]).stream(ASK), (e) => {
          if (e.type === 'text') arrivals.push(performance.now());
        });
        assert.equal(error, undefined);
        assert.equal(textOf(events), 'Streaming wörds 🚀 in.');
        assert.equal(arrivals.length, 5);
        const [entry] = chatRequests();
        assert.equal(entry.ended?.outcome, 'completed');
        // Each text event was yielded right after its frame was sent, long before the next one.
        const frames = entry.sent.filter((f) => f.content);
        assert.equal(frames.length, 5);
        for (const [i, at] of arrivals.entries()) {
          assert.ok(at >= frames[i].at, `event ${i} after its frame`);
          if (i + 1 < frames.length) assert.ok(at < frames[i + 1].at, `event ${i} yielded before frame ${i + 1} was sent`);
        }
        assert.ok(arrivals[0] < entry.ended!.at - 100, 'the first text arrived well before the stream ended');
        assert.deepEqual(events.at(-1), { type: 'stop', reason: 'end_turn' });
        assert.equal(events.filter((e) => e.type === 'usage').length, 1);
      });

      test('tool calls come whole from many argument deltas, with stop tool_use', async () => {
        const args = { city: 'Zürich', unit: 'celsius', days: [1, 2, 3], note: 'a "quoted" \\ 🚀' };
        load({
          turns: [
            {
              content: [
                { type: 'text', text: 'Checking.' },
                { type: 'tool_call', name: 'get_weather', id: 'call_9', arguments: args, chunkSize: 4 },
              ],
            },
          ],
        });
        const { events, error } = await collect(llmFor([provider(component)]).stream(ASK));
        assert.equal(error, undefined);
        const calls = toolCalls(events);
        assert.equal(calls.length, 1);
        assert.equal(calls[0].name, 'get_weather');
        assert.deepEqual(JSON.parse(calls[0].arguments), args);
        if (component !== 'ollama') {
          assert.equal(calls[0].id, 'call_9');
          assert.ok(events.filter((e) => e.type === 'tool_call').length > 10, 'arguments came in many deltas');
        }
        assert.deepEqual(events.at(-1), { type: 'stop', reason: 'tool_use' });
      });

      test('a 429 is retried after the wait it asked for, then the answer streams', async () => {
        const retryAfterSeconds = component === 'openai' ? 1 : 0;
        load({ turns: [{ fault: { kind: 'rate_limit', retryAfterSeconds } }, { content: [{ type: 'text', text: 'after the wait' }] }] });
        const statuses: LlmStatus[] = [];
        const { events, error } = await collect(llmFor([provider(component)]).stream(ASK, { onStatus: (s) => statuses.push(s) }));
        assert.equal(error, undefined);
        assert.equal(textOf(events), 'after the wait');
        const [first, second] = chatRequests();
        assert.equal(first.status, 429);
        assert.equal(second.status, 200);
        const retry = statuses.find((s) => s.type === 'retry');
        assert.equal(retry?.type === 'retry' && retry.error.code, 'TITAN_E_PROVIDER_RATE_LIMITED');
        assert.equal(retry?.type === 'retry' && retry.delayMs, retryAfterSeconds * 1000);
        if (retryAfterSeconds > 0) assert.ok(second.received.at - first.ended!.at >= 990, `waited ${second.received.at - first.ended!.at} ms`);
      });

      test(`overloaded is retried, then fails over to ${OTHER[component]}`, async () => {
        const status = component === 'anthropic' ? 529 : 503;
        load({
          turns: [
            { route: component, repeat: true, fault: { kind: 'overloaded', status } },
            { route: OTHER[component], content: [{ type: 'text', text: 'from the fallback' }] },
          ],
        });
        const statuses: LlmStatus[] = [];
        const llm = llmFor([provider(component), provider(OTHER[component])]);
        const { events, error } = await collect(llm.stream(ASK, { onStatus: (s) => statuses.push(s) }));
        assert.equal(error, undefined);
        assert.equal(textOf(events), 'from the fallback');
        assert.deepEqual(
          chatRequests().map((e) => [e.route, e.status]),
          [
            [component, status],
            [component, status],
            [component, status],
            [OTHER[component], 200],
          ],
        );
        assert.deepEqual(
          statuses.map((s) => s.type),
          ['attempt', 'retry', 'attempt', 'retry', 'attempt', 'failover', 'attempt'],
        );
        const failover = statuses.find((s) => s.type === 'failover');
        assert.equal(failover?.type === 'failover' && failover.error.code, 'TITAN_E_PROVIDER_OVERLOADED');
        // The fallback answered with its own configured model.
        assert.equal((chatRequests()[3].body as { model: string }).model, `titan-${OTHER[component]}`);
      });

      test('a disconnect mid-stream is TITAN_E_PROVIDER_STREAM after the events that arrived, and is not retried', async () => {
        load({ turns: [{ delayMs: 5, content: [{ type: 'text', text: ['one ', 'two ', 'three ', 'four'] }], fault: { kind: 'disconnect', afterChunks: 2 } }] });
        const { events, error } = await collect(llmFor([provider(component)]).stream(ASK));
        assert.equal(error?.code, 'TITAN_E_PROVIDER_STREAM');
        assert.equal(textOf(events), 'one two ');
        assert.equal(chatRequests().length, 1, 'an answer already partly passed on is not asked again');
        assert.equal(chatRequests()[0].ended?.outcome, 'disconnected');
      });

      test('an abort stops the stream at once and the server sees the client leave', async () => {
        load({ turns: [{ delayMs: 200, content: [{ type: 'text', text: ['a ', 'b ', 'c ', 'd ', 'e ', 'f'] }] }] });
        const controller = new AbortController();
        let abortedAt = 0;
        const { events, error } = await collect(llmFor([provider(component)]).stream(ASK, { signal: controller.signal }), (e) => {
          if (e.type === 'text' && abortedAt === 0) {
            abortedAt = performance.now();
            controller.abort();
          }
        });
        const ended = performance.now();
        assert.equal(error?.code, 'TITAN_E_INTERRUPTED');
        assert.equal(textOf(events), 'a ');
        assert.ok(ended - abortedAt < 50, `the stream ended ${ended - abortedAt} ms after the abort`);
        for (let i = 0; i < 100 && chatRequests()[0].ended === null; i++) await new Promise((r) => setTimeout(r, 5));
        assert.equal(chatRequests()[0].ended?.outcome, 'client_closed');
        assert.ok(chatRequests()[0].sent.filter((f) => f.content).length < 6, 'the server stopped before sending everything');
      });

      test('the API key reaches the server in its header and never the component', async () => {
        const seen: IncomingHttpHeaders[] = [];
        const proxy = await recordingProxy(server.url, seen);
        try {
          load({ turns: [{ content: [{ type: 'text', text: 'keyed' }] }] });
          const calls: unknown[][] = [];
          const recording: ComponentCaller = {
            call: (kind, name, fn, args, options) => {
              calls.push([kind, name, fn, args]);
              return kernel.call(kind, name, fn, args, options);
            },
          };
          const key = `sk-titan-secret-${component}-1234567890`;
          const base = server.baseUrls[component].replace(server.url, proxy.url);
          const llm = llmFor([provider(component, { baseUrl: base, apiKeyEnv: 'TITAN_TEST_KEY' })], { env: { TITAN_TEST_KEY: key } }, recording);
          const { events, error } = await collect(llm.stream(ASK));
          assert.equal(error, undefined);
          assert.equal(textOf(events), 'keyed');
          if (component === 'anthropic') {
            assert.equal(seen[0]['x-api-key'], key);
            assert.equal(seen[0].authorization, undefined);
            assert.equal(seen[0]['anthropic-version'], '2023-06-01');
          } else {
            assert.equal(seen[0].authorization, `Bearer ${key}`);
          }
          assert.ok(calls.length >= 2, 'encode-request and decode-stream were called');
          assert.deepEqual([...new Set(calls.map((c) => c[2]))].sort(), ['decode-stream', 'encode-request']);
          assert.ok(!JSON.stringify(calls).includes(key), 'the key is in no argument the component received');
          assert.ok(!JSON.stringify(calls).includes('TITAN_TEST_KEY'), 'nor the name of its variable');
        } finally {
          await proxy.close();
        }
      });
    });
  }

  test('no key in the environment is TITAN_E_PROVIDER_AUTH before anything is sent', async () => {
    const { error } = await collect(llmFor([provider('openai', { apiKeyEnv: 'TITAN_MISSING_KEY' })]).stream(ASK));
    assert.equal(error?.code, 'TITAN_E_PROVIDER_AUTH');
    assert.match(error?.message ?? '', /TITAN_MISSING_KEY is not set/);
    assert.equal(chatRequests().length, 0);
  });

  test('an unreachable provider is TITAN_E_PROVIDER_UNAVAILABLE, retried, then failed over', async () => {
    load({ turns: [{ content: [{ type: 'text', text: 'fallback' }] }] });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const statuses: LlmStatus[] = [];
    const llm = llmFor([provider('ollama', { baseUrl: `http://127.0.0.1:${port}` }), provider('openai')]);
    const { events, error } = await collect(llm.stream(ASK, { onStatus: (s) => statuses.push(s) }));
    assert.equal(error, undefined);
    assert.equal(textOf(events), 'fallback');
    const failover = statuses.find((s) => s.type === 'failover');
    assert.equal(failover?.type === 'failover' && failover.error.code, 'TITAN_E_PROVIDER_UNAVAILABLE');
  });

  test('every provider failing ends with the last error, naming each failure', async () => {
    load({ turns: [{ repeat: true, fault: { kind: 'server_error' } }] });
    const llm = llmFor([provider('openai'), provider('anthropic')], { retry: { ...FAST_RETRY, attempts: 2 } });
    const { events, error } = await collect(llm.stream(ASK));
    assert.deepEqual(events, []);
    assert.equal(error?.code, 'TITAN_E_PROVIDER_UNAVAILABLE');
    assert.match(error?.message ?? '', /every configured provider failed \(openai: TITAN_E_PROVIDER_UNAVAILABLE, anthropic: TITAN_E_PROVIDER_UNAVAILABLE\)/);
    assert.equal(chatRequests().length, 4);
  });

  test('a context too long is not retried nor failed over: another provider would refuse it too', async () => {
    load({ turns: [{ repeat: true, fault: { kind: 'context_too_long' } }] });
    const { error } = await collect(llmFor([provider('anthropic'), provider('openai')]).stream(ASK));
    assert.equal(error?.code, 'TITAN_E_PROVIDER_CONTEXT_TOO_LONG');
    assert.equal(chatRequests().length, 1);
  });

  test('the circuit breaker opens after repeated failures, refuses without a request, then lets one probe through', async () => {
    load({ turns: [{ repeat: true, fault: { kind: 'server_error' } }] });
    const llm = llmFor([provider('openai')], { retry: { ...FAST_RETRY, attempts: 1 }, breaker: { failureThreshold: 2, coolDownMs: 150 } });
    assert.equal((await collect(llm.stream(ASK))).error?.code, 'TITAN_E_PROVIDER_UNAVAILABLE');
    assert.equal(llm.breakers()[0].state, 'closed');
    assert.equal((await collect(llm.stream(ASK))).error?.code, 'TITAN_E_PROVIDER_UNAVAILABLE');
    assert.equal(llm.breakers()[0].state, 'open');
    const refused = await collect(llm.stream(ASK));
    assert.equal(refused.error?.code, 'TITAN_E_CIRCUIT_OPEN');
    assert.equal(chatRequests().length, 2, 'an open circuit sends nothing');

    // After the cool-down: one probe. It fails, so the circuit opens again for another cool-down.
    await new Promise((r) => setTimeout(r, 160));
    assert.equal(llm.breakers()[0].state, 'half-open');
    assert.equal((await collect(llm.stream(ASK))).error?.code, 'TITAN_E_PROVIDER_UNAVAILABLE');
    assert.equal(llm.breakers()[0].state, 'open');
    assert.equal((await collect(llm.stream(ASK))).error?.code, 'TITAN_E_CIRCUIT_OPEN');
    assert.equal(chatRequests().length, 3);

    // The provider recovers: the next probe succeeds and the circuit closes.
    load({ turns: [{ repeat: true, content: [{ type: 'text', text: 'back' }] }] });
    await new Promise((r) => setTimeout(r, 160));
    const probe = await collect(llm.stream(ASK));
    assert.equal(probe.error, undefined);
    assert.equal(textOf(probe.events), 'back');
    assert.deepEqual(llm.breakers()[0], { provider: 'openai', state: 'closed', failures: 0, retryInMs: 0 });
  });

  test('an open circuit fails over to the next provider without asking the open one', async () => {
    load({
      turns: [
        { route: 'openai', repeat: true, fault: { kind: 'server_error' } },
        { route: 'ollama', repeat: true, content: [{ type: 'text', text: 'ollama here' }] },
      ],
    });
    const llm = llmFor([provider('openai'), provider('ollama')], {
      retry: { ...FAST_RETRY, attempts: 1 },
      breaker: { failureThreshold: 1, coolDownMs: 60_000 },
    });
    assert.equal(textOf((await collect(llm.stream(ASK))).events), 'ollama here');
    server.reset();
    const statuses: LlmStatus[] = [];
    assert.equal(textOf((await collect(llm.stream(ASK, { onStatus: (s) => statuses.push(s) }))).events), 'ollama here');
    assert.deepEqual(
      chatRequests().map((e) => e.route),
      ['ollama'],
    );
    const failover = statuses.find((s) => s.type === 'failover');
    assert.equal(failover?.type === 'failover' && failover.error.code, 'TITAN_E_CIRCUIT_OPEN');
  });

  test('background work goes to the background provider; chat to the primary', async () => {
    load({ turns: [{ repeat: true, content: [{ type: 'text', text: 'ok' }] }] });
    const llm = createLlm(kernel, { providers: [provider('anthropic')], background: provider('ollama'), env: {} });
    await collect(llm.stream(ASK, { purpose: 'background' }));
    await collect(llm.stream(ASK, { purpose: 'chat' }));
    assert.deepEqual(
      chatRequests().map((e) => e.route),
      ['ollama', 'anthropic'],
    );
  });

  test('a consumer that stops reading early stops the HTTP stream', async () => {
    load({ turns: [{ delayMs: 100, content: [{ type: 'text', text: ['x ', 'y ', 'z'] }] }] });
    const events: LlmEvent[] = [];
    for await (const event of llmFor([provider('anthropic')]).stream(ASK)) {
      events.push(event);
      if (event.type === 'text') break;
    }
    for (let i = 0; i < 100 && chatRequests()[0].ended === null; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(chatRequests()[0].ended?.outcome, 'client_closed');
  });
});

/** A pass-through HTTP proxy in front of the scripted server that records the headers it receives. */
async function recordingProxy(target: string, seen: IncomingHttpHeaders[]): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target);
  const proxy: Server = createServer((req, res) => {
    seen.push(req.headers);
    const upstream = httpRequest({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        proxy.close(() => r());
        proxy.closeAllConnections();
      }),
  };
}
