// The scripted server against the official `@anthropic-ai/sdk`: messages.stream() and create(),
// text, tool_use input rebuilt from many input_json_delta events, stop_reason, usage, event order.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { Script } from './script.ts';
import { startScriptedLlm, type ScriptedLlm } from './server.ts';

const input = { path: '/tmp/notes.md', lines: [1, 20], recursive: false, pattern: 'TODO:.*$' };

const script: Script = {
  turns: [
    {
      repeat: true,
      match: { lastUserContains: 'read' },
      content: [
        { type: 'text', text: ['I will ', 'read ', 'the file.'] },
        { type: 'tool_call', name: 'read_file', id: 'toolu_r1', arguments: input, chunkSize: 7 },
      ],
      usage: { inputTokens: 300, outputTokens: 25 },
    },
    { repeat: true, match: { lastUserContains: 'stop' }, content: [{ type: 'text', text: 'one two' }], stop: 'stop_sequence' },
  ],
};

const tools: Anthropic.Tool[] = [{ name: 'read_file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }];

describe('@anthropic-ai/sdk', () => {
  let llm: ScriptedLlm;
  let client: Anthropic;
  before(async () => {
    llm = await startScriptedLlm({ script });
    client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: llm.baseUrls.anthropic, maxRetries: 0 });
  });
  beforeEach(() => llm.reset());
  after(() => llm.close());

  test('messages.stream(): text, tool_use input from many input_json_delta, stop_reason and usage', async () => {
    const stream = client.messages.stream({ model: 'claude-test', max_tokens: 512, tools, messages: [{ role: 'user', content: 'read my notes' }] });
    const texts: string[] = [];
    const jsonPieces: string[] = [];
    stream.on('text', (text) => texts.push(text));
    stream.on('inputJson', (partial) => jsonPieces.push(partial));
    const message = await stream.finalMessage();
    assert.deepEqual(texts, ['I will ', 'read ', 'the file.']);
    assert.equal(jsonPieces.join(''), JSON.stringify(input));
    assert.equal(jsonPieces.length, Math.ceil(JSON.stringify(input).length / 7));
    assert.ok(jsonPieces.length > 5, 'the input came in many pieces');
    assert.equal(message.stop_reason, 'tool_use');
    assert.equal(message.model, 'claude-test');
    assert.equal(message.content.length, 2);
    const [text, toolUse] = message.content;
    assert.ok(text.type === 'text' && toolUse.type === 'tool_use');
    assert.equal(text.text, 'I will read the file.');
    assert.equal(toolUse.id, 'toolu_r1');
    assert.equal(toolUse.name, 'read_file');
    assert.deepEqual(toolUse.input, input);
    assert.equal(message.usage.input_tokens, 300);
    assert.equal(message.usage.output_tokens, 25);
  });

  test('the raw event stream is in the real order, with a ping after the first content_block_start', async () => {
    const stream = await client.messages.create({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'read it' }], stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type === 'content_block_delta' ? `delta:${event.delta.type}` : event.type);
    const collapsed = types.filter((t, i) => t !== types[i - 1]);
    assert.deepEqual(collapsed, [
      'message_start',
      'content_block_start',
      'delta:text_delta',
      'content_block_stop',
      'content_block_start',
      'delta:input_json_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const wire = llm.timeline()[0].sent.map((f) => /^event: (\w+)/.exec(f.data)?.[1]);
    assert.deepEqual(wire.slice(0, 4), ['message_start', 'content_block_start', 'ping', 'content_block_delta']);
  });

  test('messages.create() without streaming returns the same message', async () => {
    const message = await client.messages.create({ model: 'claude-test', max_tokens: 64, tools, messages: [{ role: 'user', content: 'read it' }] });
    assert.equal(message.type, 'message');
    assert.equal(message.stop_reason, 'tool_use');
    const toolUse = message.content.find((b) => b.type === 'tool_use');
    assert.ok(toolUse && toolUse.type === 'tool_use');
    assert.deepEqual(toolUse.input, input);
    assert.deepEqual(message.usage.input_tokens, 300);
  });

  test('stop_sequence reports the sequence the request named', async () => {
    const message = await client.messages.create({
      model: 'claude-test',
      max_tokens: 64,
      stop_sequences: ['\nEND'],
      messages: [{ role: 'user', content: 'stop here' }],
    });
    assert.equal(message.stop_reason, 'stop_sequence');
    assert.equal(message.stop_sequence, '\nEND');
  });

  test('a tool_result is the last message for `match`, while the last user text stays the question', async () => {
    const echo = await startScriptedLlm({
      script: {
        turns: [
          { match: { lastUserContains: '18 degrees' }, content: [{ type: 'text', text: 'wrong turn' }] },
          { match: { lastMessageContains: '18 degrees', lastUserContains: 'weather?' }, content: [{ type: 'text', text: 'It is 18 degrees.' }] },
        ],
      },
    });
    try {
      const c = new Anthropic({ apiKey: 'x', baseURL: echo.baseUrls.anthropic, maxRetries: 0 });
      const message = await c.messages.create({
        model: 'claude-test',
        max_tokens: 64,
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18 degrees, cloudy' }] },
        ],
      });
      assert.deepEqual(message.content, [{ type: 'text', text: 'It is 18 degrees.' }]);
      assert.equal(message.stop_reason, 'end_turn');
    } finally {
      await echo.close();
    }
  });

  test('models.list() reads the Anthropic model list format', async () => {
    const page = await client.models.list();
    assert.equal(page.data[0].id, 'titan-scripted');
    assert.equal(page.data[0].type, 'model');
  });

  test('a request without max_tokens is refused with the SDK BadRequestError', async () => {
    await assert.rejects(
      client.messages.create({ model: 'claude-test', messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming),
      (error: unknown) => error instanceof Anthropic.BadRequestError && error.status === 400 && error.type === 'invalid_request_error',
    );
  });
});
