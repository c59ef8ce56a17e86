// The OpenAI-compatible API as an OpenAI client meets it, pass-through and bad requests: requests with
// client tools and the provider models go through the kernel's LLM to the scripted LLM server, over
// the official `openai` SDK on 127.0.0.1 (the bench: test/support/openai-compat.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { hello, openAiBench, TOKEN, until, weatherArgs, weatherTool } from '../test/support/openai-compat.ts';

const bench = openAiBench();
const { serve, events } = bench;

describe('pass-through: client tools and provider models', () => {
  test('tools passed through, whole: the tool calls come back unexecuted with their arguments intact', async (t) => {
    bench.server.load({
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
    const sent = bench.server.timeline().find((e) => e.path === '/v1/chat/completions')?.body as {
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
    bench.server.load({
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
    bench.server.load({ turns: [{ match: { lastMessageContains: '18 °C' }, content: [{ type: 'text', text: 'It is 18 °C in Paris.' }] }] });
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
    const sent = bench.server.timeline()[0].body as { messages: Array<{ role: string; tool_call_id?: string }> };
    assert.deepEqual(
      sent.messages.map((m) => m.role),
      ['user', 'assistant', 'tool'],
    );
  });

  test('a provider that refuses is its status to the client: 429 rate limit with retry-after', async (t) => {
    bench.server.load({ turns: [{ fault: { kind: 'rate_limit', retryAfterSeconds: 3 } }] });
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
    bench.server.load({ turns: [{ delayMs: 100, content: [{ type: 'text', text: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] }] }] });
    const { client } = await serve(t);
    const stream = await client.chat.completions.create({ model: 'titan', messages: [{ role: 'user', content: 'go' }], tools: [weatherTool], stream: true });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break;
    }
    await until(() => bench.server.timeline()[0]?.ended !== null, 'the provider request ends');
    const entry = bench.server.timeline()[0];
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
    assert.equal(bench.server.timeline().length, 0);
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
