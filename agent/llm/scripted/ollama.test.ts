// The scripted server against the official `ollama` SDK: chat streamed (NDJSON, whole tool_calls,
// final done line with eval counts) and not streamed, and the model list.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Ollama, type ToolCall } from 'ollama';
import type { Script } from './script.ts';
import { startScriptedLlm, type ScriptedLlm } from './server.ts';

const args = { command: 'ls -la /tmp', timeoutSeconds: 5 };

const script: Script = {
  turns: [
    {
      repeat: true,
      content: [
        { type: 'text', text: 'Running it now.' },
        { type: 'tool_call', name: 'shell', arguments: args },
        { type: 'tool_call', name: 'shell', arguments: { command: 'pwd' } },
      ],
      usage: { inputTokens: 80, outputTokens: 9 },
    },
  ],
};

describe('ollama SDK', () => {
  let llm: ScriptedLlm;
  let client: Ollama;
  before(async () => {
    llm = await startScriptedLlm({ script });
    client = new Ollama({ host: llm.baseUrls.ollama });
  });
  beforeEach(() => llm.reset());
  after(() => llm.close());

  test('a streamed chat: text pieces, whole tool_calls, then done with done_reason and eval counts', async () => {
    const stream = await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'list /tmp' }], stream: true });
    const pieces: string[] = [];
    const calls: ToolCall[] = [];
    let last;
    for await (const part of stream) {
      assert.equal(part.model, 'llama3.2');
      if (part.message.content) pieces.push(part.message.content);
      calls.push(...(part.message.tool_calls ?? []));
      last = part;
    }
    assert.deepEqual(pieces, ['Running ', 'it ', 'now.']);
    assert.deepEqual(calls, [{ function: { name: 'shell', arguments: args } }, { function: { name: 'shell', arguments: { command: 'pwd' } } }]);
    assert.ok(last);
    assert.equal(last.done, true);
    assert.equal(last.done_reason, 'stop');
    assert.equal(last.prompt_eval_count, 80);
    assert.equal(last.eval_count, 9);
    assert.equal(llm.timeline()[0].sent.length, 6, 'three text lines, two tool-call lines, one done line');
  });

  test('stream: false returns one message with the tool calls', async () => {
    const response = await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'list' }], stream: false });
    assert.equal(response.done, true);
    assert.equal(response.message.role, 'assistant');
    assert.equal(response.message.content, 'Running it now.');
    assert.deepEqual(response.message.tool_calls?.[0], { function: { name: 'shell', arguments: args } });
    assert.equal(response.eval_count, 9);
    assert.equal(llm.timeline()[0].stream, false);
  });

  test('a request that leaves out "stream" is streamed, as Ollama does', async () => {
    const response = await fetch(`${llm.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }) });
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { done: boolean });
    assert.equal(lines.at(-1)?.done, true);
  });

  test('echo mode through the SDK', async () => {
    const echo = await startScriptedLlm();
    try {
      const c = new Ollama({ host: echo.baseUrls.ollama });
      const response = await c.chat({ model: 'm', messages: [{ role: 'user', content: 'ping pong' }] });
      assert.equal(response.message.content, 'echo: ping pong');
    } finally {
      await echo.close();
    }
  });

  test('list() and version() read the tags and version routes', async () => {
    const list = await client.list();
    assert.equal(list.models[0].name, 'titan-scripted');
    const version = await client.version();
    assert.match(version.version, /^\d+\.\d+\.\d+$/);
  });
});
