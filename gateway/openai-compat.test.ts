// The OpenAI-compatible API as an OpenAI client meets it: the official `openai` SDK over real HTTP
// on 127.0.0.1, against the router mounted at /v1 in a small Koa app with a stub bearer auth.
// Model "titan" runs agent turns (a model double streams Titan's LLM events); requests with tools
// and the provider models pass through the kernel's LLM to the scripted LLM server.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, beforeEach, describe, test, type TestContext } from 'node:test';
import { Router } from '@koa/router';
import Koa from 'koa';
import OpenAI from 'openai';
import { TitanError } from '../common/errors.ts';
import { openAiRoutes } from './openai-compat.ts';
import { bootstrapBuiltins, type Kernel } from '../kernel/api.ts';
import { Agent, createLlm, type Llm, type TurnEvent } from '../agent/api.ts';
import { startScriptedLlm, type ScriptedLlm } from '../agent/llm/scripted/server.ts';
import { openTestKernel } from '../test/support/kernel.ts';
import { scriptedModel, toolCall, type Step } from '../test/support/model-double.ts';

const TOKEN = 'sk-titan-test';
const weatherArgs = { city: 'Paris', unit: 'celsius', days: [1, 2, 3], note: 'quoted "text" and ünïcode' };
const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

let kernel: Kernel;
let home: string;
let cleanupKernel: () => Promise<void>;
let server: ScriptedLlm;
let llm: Llm;
const events: TurnEvent[] = [];

before(async () => {
  ({ kernel, home, cleanup: cleanupKernel } = await openTestKernel());
  const report = await bootstrapBuiltins(kernel);
  assert.deepEqual(report.failed, []);
  kernel.bus.on('turn.event', (e) => events.push(e));
  server = await startScriptedLlm();
  llm = createLlm(kernel, {
    providers: [{ name: 'scripted', component: 'openai', baseUrl: server.baseUrls.openai, model: 'titan-scripted' }],
    env: {},
    // One try and a breaker that never opens: each test sees exactly the provider's answer.
    retry: { attempts: 1 },
    breaker: { failureThreshold: 1_000 },
  });
});

after(async () => {
  await server.close();
  await cleanupKernel();
});

beforeEach(() => server.reset());

type Served = { client: OpenAI; url: string; agent: Agent; model: ReturnType<typeof scriptedModel>; as(user: string): OpenAI };

/** An agent answering from `steps`, the router mounted at /v1 behind a stub auth, and an SDK client. */
async function serve(t: TestContext, steps: Step[] = [], options: { withLlm?: boolean; guardedTools?: string[] } = {}): Promise<Served> {
  const model = scriptedModel(steps);
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: model, guardedTools: options.guardedTools });
  await agent.start();
  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.get('authorization') !== `Bearer ${TOKEN}`) {
      ctx.status = 401;
      return;
    }
    ctx.state.userId = ctx.get('x-test-user') || 'ada';
    await next();
  });
  const root = new Router();
  const routes = openAiRoutes({ kernel, agent, userIdOf: (ctx) => ctx.state.userId as string, ...(options.withLlm === false ? {} : { llm }) });
  root.use('/v1', routes.routes());
  app.use(root.routes());
  const http = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  t.after(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    await agent.close();
  });
  const as = (user: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: TOKEN, maxRetries: 0, logLevel: 'off', defaultHeaders: { 'x-test-user': user } });
  return { client: as('ada'), url, agent, model, as };
}

const hello: Step = [
  { type: 'text', text: 'Hello ' },
  { type: 'text', text: 'there, ' },
  { type: 'text', text: 'Ada.' },
  { type: 'usage', input_tokens: 12, output_tokens: 4 },
  { type: 'stop', reason: 'end_turn' },
];

function modelMessages(model: { requests: unknown[] }, i = 0): Array<{ role: string; content: string }> {
  return (model.requests[i] as { messages: Array<{ role: string; content: string }> }).messages;
}

function ofTurn(turnId: string): TurnEvent[] {
  return events.filter((e) => e.turnId === turnId);
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `${what}: not within 2 s`);
}

describe('model "titan": an agent turn', () => {
  test('a whole completion: the agent answers the last user message in a new thread seeded with the earlier messages', async (t) => {
    const { client, model } = await serve(t, [hello]);
    const { data, response } = await client.chat.completions
      .create({
        model: 'titan',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'My name is Ada.' },
          { role: 'assistant', content: 'Noted.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Say ' },
              { type: 'text', text: 'hello.' },
            ],
          },
        ],
      })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'titan');
    assert.equal(data.choices.length, 1);
    assert.equal(data.choices[0].message.role, 'assistant');
    assert.equal(data.choices[0].message.content, 'Hello there, Ada.');
    assert.equal(data.choices[0].message.tool_calls, undefined);
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.deepEqual(data.usage, { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
    const threadId = response.headers.get('x-titan-thread');
    const turnId = response.headers.get('x-titan-turn');
    assert.ok(threadId && turnId);
    assert.equal(data.id, `chatcmpl-${turnId}`);
    // The model read the request's earlier messages as the thread's history, after Titan's own prompt.
    assert.deepEqual(modelMessages(model).slice(1), [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Noted.' },
      { role: 'user', content: 'Say hello.' },
    ]);
    const stored = await kernel.store.listMessages(threadId);
    assert.deepEqual(stored.map((m) => [m.role, m.content]).slice(-2), [
      ['user', 'Say hello.'],
      ['assistant', 'Hello there, Ada.'],
    ]);
  });

  test("x-titan-thread continues a thread: its stored history is the context; another user's thread is a 404", async (t) => {
    const { client, model, as } = await serve(t, [
      hello,
      [
        { type: 'text', text: 'You are Ada.' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ]);
    const first = await client.chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'I am Ada.' }] }).withResponse();
    const threadId = first.response.headers.get('x-titan-thread') ?? '';
    const second = await client.chat.completions
      .create(
        {
          model: 'titan',
          messages: [
            { role: 'user', content: 'ignored: the thread has the history' },
            { role: 'user', content: 'Who am I?' },
          ],
        },
        { headers: { 'x-titan-thread': threadId } },
      )
      .withResponse();
    assert.equal(second.data.choices[0].message.content, 'You are Ada.');
    assert.equal(second.response.headers.get('x-titan-thread'), threadId);
    assert.deepEqual(
      modelMessages(model, 1)
        .slice(1)
        .map((m) => [m.role, m.content]),
      [
        ['user', 'I am Ada.'],
        ['assistant', 'Hello there, Ada.'],
        ['user', 'Who am I?'],
      ],
    );
    await assert.rejects(
      as('mallory').chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'read it' }] }, { headers: { 'x-titan-thread': threadId } }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.NotFoundError);
        assert.equal(e.status, 404);
        assert.equal((e.error as { titan_code?: string }).titan_code, 'TITAN_E_NOT_FOUND');
        assert.doesNotMatch(e.message, /I am Ada/);
        return true;
      },
    );
    assert.equal(model.requests.length, 2, 'nothing ran for the other user');
  });

  test('streaming: content arrives in several chunks while the turn runs, then finish_reason, usage and [DONE]', async (t) => {
    const { client } = await serve(t, [
      [
        { type: 'text', text: 'one ' },
        { wait: 60 },
        { type: 'text', text: 'two ' },
        { wait: 60 },
        { type: 'text', text: 'three' },
        { type: 'usage', input_tokens: 30, output_tokens: 3 },
        { type: 'stop', reason: 'end_turn' },
      ],
    ]);
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'titan', messages: [{ role: 'user', content: 'count' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const turnId = response.headers.get('x-titan-turn') ?? '';
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    let stateAtFirstText: string | undefined;
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (chunk.choices[0]?.delta.content && stateAtFirstText === undefined) {
        stateAtFirstText = (await kernel.store.op('turns.get', { id: turnId })).state;
      }
    }
    assert.equal(stateAtFirstText, 'streaming', 'the first words arrived before the turn ended');
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'titan' && c.id === `chatcmpl-${turnId}`));
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const texts = chunks.flatMap((c) => (c.choices[0]?.delta.content ? [c.choices[0].delta.content] : []));
    assert.deepEqual(texts, ['one ', 'two ', 'three']);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    assert.deepEqual(
      finish.map((c) => c.choices[0].finish_reason),
      ['stop'],
    );
    const last = chunks.at(-1);
    assert.deepEqual(last?.choices, []);
    assert.deepEqual(last?.usage, { prompt_tokens: 30, completion_tokens: 3, total_tokens: 33 });
    assert.ok(
      chunks.slice(0, -1).every((c) => c.usage === null),
      'usage is null until the usage chunk',
    );
  });

  test("Titan's own tools run inside the turn: the client gets the text of every step, never tool_calls", async (t) => {
    const { client } = await serve(t, [
      [{ type: 'text', text: 'Let me echo.' }, ...toolCall(0, 'call-1', 'echo', { text: 'ping' }), { type: 'stop', reason: 'tool_use' }],
      [
        { type: 'text', text: 'It said ping.' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ]);
    const stream = await client.chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'echo ping' }], stream: true });
    let text = '';
    let sawToolCalls = false;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.delta.tool_calls) sawToolCalls = true;
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, 'Let me echo.\n\nIt said ping.');
    assert.equal(sawToolCalls, false);
    assert.equal(finish, 'stop');
    const completed = events.filter((e) => e.type === 'tool.completed' && e.name === 'echo');
    assert.ok(
      completed.some((e) => e.type === 'tool.completed' && e.ok),
      'the echo tool ran in Titan',
    );
  });

  test('a turn waiting for an approval keeps the stream open; approved elsewhere, the answer completes', async (t) => {
    const { client, agent } = await serve(
      t,
      [
        [...toolCall(0, 'call-1', 'echo', { text: 'ping' }), { type: 'stop', reason: 'tool_use' }],
        [
          { type: 'text', text: 'Echoed after approval.' },
          { type: 'stop', reason: 'end_turn' },
        ],
      ],
      { guardedTools: ['echo'] },
    );
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'titan', messages: [{ role: 'user', content: 'echo ping' }], stream: true })
      .withResponse();
    const turnId = response.headers.get('x-titan-turn') ?? '';
    const approve = (async () => {
      await until(() => ofTurn(turnId).some((e) => e.type === 'approval.needed'), 'the approval is asked');
      const needed = ofTurn(turnId).find((e) => e.type === 'approval.needed');
      assert.ok(needed?.type === 'approval.needed');
      await agent.decide(needed.approvalId, 'approved', 'ada');
    })();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    await approve;
    assert.equal(text, 'Echoed after approval.');
  });

  test('a turn that fails is an error the SDK raises: an HTTP status when whole, an in-band error after the first words when streamed', async (t) => {
    const overloaded = new TitanError('TITAN_E_PROVIDER_OVERLOADED', 'scripted answered 503: overloaded');
    const { client } = await serve(t, [
      [{ fail: overloaded }],
      [{ type: 'text', text: 'Partly ' }, { fail: new TitanError('TITAN_E_PROVIDER_STREAM', 'the connection to scripted was cut after 1 events') }],
    ]);
    await assert.rejects(client.chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.InternalServerError);
      assert.equal(e.status, 503);
      assert.equal(e.type, 'server_error');
      assert.equal(e.code, 'TITAN_E_PROVIDER_OVERLOADED');
      assert.match(e.message, /overloaded/);
      assert.equal(e.headers.get('x-should-retry'), 'false');
      return true;
    });
    const stream = await client.chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'hi again' }], stream: true });
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError);
        assert.equal(e.code, 'TITAN_E_PROVIDER_STREAM');
        assert.equal((e.error as { titan_code?: string }).titan_code, 'TITAN_E_PROVIDER_STREAM');
        assert.match(e.message, /cut/);
        return true;
      },
    );
    assert.equal(text, 'Partly ');
  });

  test('a client that goes away mid-stream interrupts the turn', async (t) => {
    const { client } = await serve(t, [
      [{ type: 'text', text: 'Thinking ' }, { wait: 5_000 }, { type: 'text', text: 'too late' }, { type: 'stop', reason: 'end_turn' }],
    ]);
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'titan', messages: [{ role: 'user', content: 'think long' }], stream: true })
      .withResponse();
    const turnId = response.headers.get('x-titan-turn') ?? '';
    const started = performance.now();
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break; // the SDK aborts the request
    }
    await until(() => ofTurn(turnId).some((e) => e.type === 'turn.interrupted'), 'the turn is interrupted');
    assert.ok(performance.now() - started < 2_000, 'the interrupt did not wait for the model');
    const interrupted = ofTurn(turnId).find((e) => e.type === 'turn.interrupted');
    assert.equal(interrupted?.type === 'turn.interrupted' && interrupted.by, 'openai-client:ada');
    assert.equal((await kernel.store.op('turns.get', { id: turnId })).state, 'interrupted');
  });
});

describe('pass-through: client tools and provider models', () => {
  test('tools passed through, whole: the tool calls come back unexecuted with their arguments intact', async (t) => {
    server.load({
      turns: [
        {
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', name: 'get_weather', id: 'call_w1', arguments: weatherArgs, chunkSize: 5 },
          ],
          usage: { inputTokens: 42, outputTokens: 17 },
        },
      ],
    });
    const { client, model } = await serve(t);
    const { data, response } = await client.chat.completions
      .create({ model: 'titan', messages: [{ role: 'user', content: 'weather in Paris?' }], tools: [weatherTool] })
      .withResponse();
    const message = data.choices[0].message;
    assert.equal(data.choices[0].finish_reason, 'tool_calls');
    assert.equal(message.content, 'Checking.');
    assert.equal(message.tool_calls?.length, 1);
    const call = message.tool_calls?.[0];
    assert.ok(call?.type === 'function');
    assert.equal(call.id, 'call_w1');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), weatherArgs);
    assert.deepEqual(data.usage, { prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 });
    assert.equal(response.headers.get('x-titan-provider'), 'scripted/titan-scripted');
    assert.equal(model.requests.length, 0, 'the agent did not run');
    assert.equal(
      events.some((e) => e.type === 'tool.started' && e.name === 'get_weather'),
      false,
      'Titan ran no tool',
    );
    const sent = server.timeline().find((e) => e.path === '/v1/chat/completions')?.body as {
      messages: unknown[];
      tools: Array<{ function: { name: string; parameters: unknown } }>;
    };
    assert.deepEqual(sent.messages, [{ role: 'user', content: 'weather in Paris?' }], 'no Titan prompt was added');
    assert.deepEqual(
      sent.tools.map((x) => [x.function.name, x.function.parameters]),
      [['get_weather', weatherTool.function.parameters]],
    );
  });

  test('tools passed through, streamed: arguments reassembled from many deltas, the SDK stream helper agrees, usage with include_usage', async (t) => {
    server.load({
      turns: [
        {
          content: [
            { type: 'tool_call', name: 'get_weather', id: 'call_w1', arguments: weatherArgs, chunkSize: 5 },
            { type: 'tool_call', name: 'get_time', arguments: { zone: 'Europe/Paris' }, chunkSize: 4 },
          ],
          usage: { inputTokens: 42, outputTokens: 17 },
          repeat: true,
        },
      ],
    });
    const { client } = await serve(t);
    const request = {
      model: 'titan',
      messages: [{ role: 'user' as const, content: 'weather and time?' }],
      tools: [weatherTool, { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object' } } }],
    };
    const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    const calls: Array<{ id: string; name: string; args: string; deltas: number }> = [];
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      finish = choice.finish_reason ?? finish;
      for (const delta of choice.delta.tool_calls ?? []) {
        if (delta.id) calls[delta.index] = { id: delta.id, name: delta.function?.name ?? '', args: '', deltas: 0 };
        calls[delta.index].args += delta.function?.arguments ?? '';
        calls[delta.index].deltas++;
      }
    }
    assert.equal(finish, 'tool_calls');
    assert.deepEqual(
      calls.map((c) => [c.name, JSON.parse(c.args)]),
      [
        ['get_weather', weatherArgs],
        ['get_time', { zone: 'Europe/Paris' }],
      ],
    );
    assert.equal(calls[0].id, 'call_w1');
    assert.ok(calls[0].deltas > 5, `the arguments came in many deltas (${calls[0].deltas})`);
    assert.deepEqual(usage, { prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 });

    const helper = client.chat.completions.stream(request);
    const final = await helper.finalChatCompletion();
    const viaHelper = final.choices[0].message.tool_calls?.map((c) => (c.type === 'function' ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : []));
    assert.deepEqual(viaHelper?.[0], ['call_w1', 'get_weather', weatherArgs]);
    assert.equal(viaHelper?.[1]?.[1], 'get_time');
  });

  test("a provider model answers raw, without the agent; the client's tool results go back to the model", async (t) => {
    server.load({ turns: [{ match: { lastMessageContains: '18 °C' }, content: [{ type: 'text', text: 'It is 18 °C in Paris.' }] }] });
    const { client, model } = await serve(t);
    const data = await client.chat.completions.create({
      model: 'scripted/titan-scripted',
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_w1', content: '18 °C' },
      ],
      tools: [weatherTool],
    });
    assert.equal(data.model, 'scripted/titan-scripted');
    assert.equal(data.choices[0].message.content, 'It is 18 °C in Paris.');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.equal(model.requests.length, 0);
    const sent = server.timeline()[0].body as { messages: Array<{ role: string; tool_call_id?: string }> };
    assert.deepEqual(
      sent.messages.map((m) => m.role),
      ['user', 'assistant', 'tool'],
    );
  });

  test('a provider that refuses is its status to the client: 429 rate limit with retry-after', async (t) => {
    server.load({ turns: [{ fault: { kind: 'rate_limit', retryAfterSeconds: 3 } }] });
    const { client } = await serve(t);
    await assert.rejects(
      client.chat.completions.create({ model: 'scripted/titan-scripted', messages: [{ role: 'user', content: 'hi' }], stream: true }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.RateLimitError);
        assert.equal(e.status, 429);
        assert.equal(e.code, 'rate_limit_exceeded');
        assert.equal((e.error as { titan_code?: string }).titan_code, 'TITAN_E_PROVIDER_RATE_LIMITED');
        assert.equal(e.headers.get('retry-after'), '3');
        return true;
      },
    );
  });

  test('a client that goes away mid-stream aborts the provider stream', async (t) => {
    server.load({ turns: [{ delayMs: 100, content: [{ type: 'text', text: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] }] }] });
    const { client } = await serve(t);
    const stream = await client.chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'go' }], tools: [weatherTool], stream: true });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break;
    }
    await until(() => server.timeline()[0]?.ended !== null, 'the provider request ends');
    const entry = server.timeline()[0];
    assert.equal(entry.ended?.outcome, 'client_closed');
    assert.ok(entry.sent.filter((f) => f.content).length < 5, 'the provider stopped sending');
  });

  test('without the kernel LLM, pass-through is a 503 naming the missing provider; agent turns still work', async (t) => {
    const { client } = await serve(t, [hello], { withLlm: false });
    await assert.rejects(
      client.chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'hi' }], tools: [weatherTool] }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.InternalServerError);
        assert.equal(e.status, 503);
        assert.equal(e.code, 'TITAN_E_PROVIDER_NOT_CONFIGURED');
        return true;
      },
    );
    const data = await client.chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(data.choices[0].message.content, 'Hello there, Ada.');
    assert.deepEqual(
      (await client.models.list()).data.map((m) => m.id),
      ['titan'],
    );
  });
});

describe('models and bad requests', () => {
  test('GET /v1/models lists titan and the configured provider models; one can be retrieved', async (t) => {
    const { client } = await serve(t);
    const models = await client.models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      ['titan', 'scripted/titan-scripted'],
    );
    for (const m of models.data) {
      assert.equal(m.object, 'model');
      assert.equal(m.owned_by, 'titan');
      assert.ok(Number.isInteger(m.created) && m.created > 1_700_000_000);
    }
    assert.equal((await client.models.retrieve('scripted/titan-scripted')).id, 'scripted/titan-scripted');
    await assert.rejects(client.models.retrieve('gpt-5'), OpenAI.NotFoundError);
  });

  test('no messages: BadRequestError 400 naming the field; nothing runs', async (t) => {
    const { client, model } = await serve(t, [hello]);
    await assert.rejects(client.chat.completions.create({ model: 'titan', messages: [] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.equal(e.status, 400);
      assert.equal(e.type, 'invalid_request_error');
      assert.equal(e.param, 'messages');
      assert.equal(e.code, 'TITAN_E_USAGE');
      return true;
    });
    await assert.rejects(
      client.chat.completions.create({
        model: 'titan',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://127.0.0.1/x.png' } }] }],
      }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'messages[0].content[0]',
    );
    await assert.rejects(
      client.chat.completions.create({
        model: 'titan',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
        ],
      }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'messages[1].role',
    );
    await assert.rejects(
      client.chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'hi' }], tools: [weatherTool], tool_choice: 'required' }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'tool_choice',
    );
    assert.equal(model.requests.length, 0);
    assert.equal(server.timeline().length, 0);
  });

  test('an unknown model: NotFoundError 404 with code model_not_found', async (t) => {
    const { client } = await serve(t);
    for (const stream of [false, true]) {
      await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.NotFoundError);
        assert.equal(e.status, 404);
        assert.equal(e.code, 'model_not_found');
        assert.equal(e.param, 'model');
        assert.equal((e.error as { titan_code?: string }).titan_code, 'TITAN_E_NOT_FOUND');
        assert.match(e.message, /gpt-4o/);
        return true;
      });
    }
  });

  test('malformed JSON and unknown routes get OpenAI-shaped errors', async (t) => {
    const { url, client } = await serve(t);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"model": "titan", "messages": [',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { type: string; titan_code: string; message: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.titan_code, 'TITAN_E_USAGE');
    await assert.rejects(client.images.generate({ model: 'titan', prompt: 'x' }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.equal(e.code, 'unknown_url');
      assert.match(e.message, /POST \/v1\/images\/generations/);
      return true;
    });
  });
});
