// The OpenAI-compatible API as an OpenAI client meets it, model "titan": the official `openai` SDK over
// real HTTP on 127.0.0.1 runs agent turns (a model double streams Titan's LLM events) through the router
// mounted at /v1 (the bench: test/support/openai-compat.ts). Pass-through and bad requests: openai-compat-passthrough.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TitanError } from '../common/errors.ts';
import OpenAI from 'openai';
import { hello, openAiBench, until } from '../test/support/openai-compat.ts';
import { toolCall } from '../test/support/model-double.ts';

const bench = openAiBench();
const { serve, ofTurn, events } = bench;

function modelMessages(model: { requests: unknown[] }, i = 0): Array<{ role: string; content: string }> {
  return (model.requests[i] as { messages: Array<{ role: string; content: string }> }).messages;
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
    const stored = await bench.kernel.store.listMessages(threadId);
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
        stateAtFirstText = (await bench.kernel.store.op('turns.get', { id: turnId })).state;
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
    assert.equal((await bench.kernel.store.op('turns.get', { id: turnId })).state, 'interrupted');
  });
});
