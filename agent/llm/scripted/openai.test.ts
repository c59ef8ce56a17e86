// The scripted server against the official `openai` SDK: streamed and whole chat completions,
// tool-call arguments reassembled from many deltas, usage, finish_reason, the stream helper, models.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { Script } from './script.ts';
import { startScriptedLlm, type ScriptedLlm } from './server.ts';

const weatherArgs = { city: 'Paris', unit: 'celsius', days: [1, 2, 3], note: 'quoted "text" and ünïcode' };

const script: Script = {
  name: 'openai',
  turns: [
    {
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_call', name: 'get_weather', id: 'call_w1', arguments: weatherArgs, chunkSize: 5 },
        { type: 'tool_call', name: 'get_time', arguments: { zone: 'Europe/Paris' }, chunkSize: 4 },
      ],
      usage: { inputTokens: 42, outputTokens: 17 },
      repeat: true,
    },
  ],
};

describe('openai SDK', () => {
  let llm: ScriptedLlm;
  let client: OpenAI;
  before(async () => {
    llm = await startScriptedLlm({ script });
    client = new OpenAI({ apiKey: 'sk-test', baseURL: llm.baseUrls.openai, maxRetries: 0 });
  });
  beforeEach(() => llm.reset());
  after(() => llm.close());

  test('a streamed completion: text, tool-call arguments reassembled from many deltas, finish_reason and usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'weather?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    const calls: { id: string; name: string; args: string; deltas: number }[] = [];
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.equal(chunk.model, 'gpt-test');
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta.content ?? '';
      for (const delta of choice.delta.tool_calls ?? []) {
        calls[delta.index] ??= { id: '', name: '', args: '', deltas: 0 };
        const call = calls[delta.index];
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        if (delta.function?.arguments) {
          call.args += delta.function.arguments;
          call.deltas++;
        }
      }
      finish = choice.finish_reason ?? finish;
    }
    assert.equal(text, 'Let me check.');
    assert.equal(calls.length, 2);
    assert.equal(calls[0].id, 'call_w1');
    assert.equal(calls[0].name, 'get_weather');
    assert.equal(calls[0].args, JSON.stringify(weatherArgs));
    assert.deepEqual(JSON.parse(calls[0].args), weatherArgs);
    assert.equal(calls[0].deltas, Math.ceil(JSON.stringify(weatherArgs).length / 5));
    assert.ok(calls[0].deltas > 10, 'the arguments came in many pieces');
    assert.equal(calls[1].name, 'get_time');
    assert.match(calls[1].id, /^call_/);
    assert.deepEqual(JSON.parse(calls[1].args), { zone: 'Europe/Paris' });
    assert.equal(finish, 'tool_calls');
    assert.deepEqual(
      { ...usage, prompt_tokens_details: undefined, completion_tokens_details: undefined },
      {
        prompt_tokens: 42,
        completion_tokens: 17,
        total_tokens: 59,
        prompt_tokens_details: undefined,
        completion_tokens_details: undefined,
      },
    );
    const [entry] = llm.timeline();
    assert.equal(entry.route, 'openai');
    assert.equal(entry.turn, 0);
    assert.equal(entry.ended?.outcome, 'completed');
    assert.equal(entry.sent.at(-1)?.data, 'data: [DONE]\n\n');
  });

  test('without stream_options.include_usage no usage chunk is sent', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.usage, undefined);
      assert.equal(chunk.choices.length, 1);
    }
    assert.ok(chunks > 3);
  });

  test('the SDK stream helper rebuilds the final message and emits argument deltas', async () => {
    const stream = client.chat.completions.stream({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    const argumentDeltas: string[] = [];
    stream.on('tool_calls.function.arguments.delta', (event) => argumentDeltas.push(event.arguments_delta));
    const final = await stream.finalChatCompletion();
    const message = final.choices[0].message;
    assert.equal(message.content, 'Let me check.');
    const calls = (message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [c] : []));
    assert.deepEqual(
      calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)]),
      [
        ['get_weather', weatherArgs],
        ['get_time', { zone: 'Europe/Paris' }],
      ],
    );
    assert.equal(argumentDeltas.join(''), JSON.stringify(weatherArgs) + JSON.stringify({ zone: 'Europe/Paris' }));
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
  });

  test('a non-streamed completion carries the same message, finish_reason and usage', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(completion.object, 'chat.completion');
    const choice = completion.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, 'Let me check.');
    const first = choice.message.tool_calls?.[0];
    assert.ok(first && first.type === 'function');
    assert.equal(first.id, 'call_w1');
    assert.deepEqual(JSON.parse(first.function.arguments), weatherArgs);
    assert.equal(completion.usage?.prompt_tokens, 42);
    assert.equal(completion.usage?.completion_tokens, 17);
    assert.equal(llm.timeline()[0].stream, false);
  });

  test('echo mode answers "echo: <last user message>" with finish_reason stop', async () => {
    const echo = await startScriptedLlm();
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: echo.baseUrls.openai, maxRetries: 0 });
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hello out there' }] },
      ];
      const whole = await c.chat.completions.create({ model: 'm', messages });
      assert.equal(whole.choices[0].message.content, 'echo: hello out there');
      assert.equal(whole.choices[0].finish_reason, 'stop');
      const stream = await c.chat.completions.create({ model: 'm', messages, stream: true });
      const pieces: string[] = [];
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
      assert.deepEqual(pieces, ['echo: ', 'hello ', 'out ', 'there']);
      assert.equal(echo.timeline()[0].turn, 'echo');
    } finally {
      await echo.close();
    }
  });

  test('models.list() reads the model list', async () => {
    const page = await client.models.list();
    assert.deepEqual(
      page.data.map((m) => m.id),
      ['titan-scripted'],
    );
  });

  test('a request without messages is refused with the SDK BadRequestError', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-test' } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.status === 400 && /messages/.test(error.message),
    );
  });
});
