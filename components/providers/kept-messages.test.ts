// The openai component reads only what a thread's next request adds to the last one: every body it
// writes that way is the body a full read of the same request writes, and a request that does not
// extend the last one (a history cut at its start, a bad message added) is read in full.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ChatMessage, ChatRequest } from '../../agent/loop/llm-types.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { providerKernel } from '../../test/providers/support.ts';

let kernel: Kernel;
let cleanup: () => Promise<void>;
before(async () => ({ kernel, cleanup } = await providerKernel()));
after(() => cleanup());

const tools = [{ name: 'get_weather', description: 'Weather of a city', schema: { type: 'object', properties: { city: { type: 'string' } } } }];

/** The body for the request as the host writes it (tools first, messages last: kept and extended). */
const sent = async (request: ChatRequest) => {
  const { tools: t, ...rest } = request;
  return ((await kernel.call('provider', 'openai', 'encode-request', [JSON.stringify({ tools: t, ...rest })])) as { body: string }).body;
};
/** The body of a full read (messages not last: never kept). */
const readInFull = async (request: ChatRequest) => {
  const { messages, ...rest } = request;
  return ((await kernel.call('provider', 'openai', 'encode-request', [JSON.stringify({ messages, ...rest })])) as { body: string }).body;
};

test('a growing thread: each body equals a full read of the same request', async () => {
  const turns: ChatMessage[][] = [];
  let history: ChatMessage[] = [
    { role: 'system', content: 'You are Titan.' },
    { role: 'user', content: 'Weather in Zürich?' },
  ];
  turns.push(history);
  history = [
    ...history,
    { role: 'assistant', content: '', tool_calls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Zürich"}' }] },
    { role: 'tool', content: '{"temp":21}', tool_call_id: 'c1' },
  ];
  turns.push(history);
  history = [...history, { role: 'assistant', content: 'It is 21 °C.' }, { role: 'user', content: 'And "tomorrow"?\n' }];
  turns.push(history);
  turns.push(history); // the same request again (a retry)
  turns.push([history[0], ...history.slice(3)]); // the oldest messages dropped: read in full
  turns.push([...history.slice(0, 3), { role: 'user', content: 'changed' }]); // a different last message

  const requests = turns.map((messages): ChatRequest => ({ model: 'm-1', messages, tools }));
  const expected = [];
  for (const request of requests) expected.push(await readInFull(request));
  for (const [i, request] of requests.entries()) assert.equal(await sent(request), expected[i], `request ${i}`);
  const parsed = JSON.parse(expected[2]) as { messages: unknown[]; tools: unknown[] };
  assert.equal(parsed.messages.length, 6);
  assert.equal(parsed.tools.length, 1);
});

test('a bad message added to a kept thread is refused as a full read refuses it', async () => {
  const start: ChatRequest = { model: 'm-1', messages: [{ role: 'user', content: 'hi' }], tools };
  await sent(start);
  const bad = { ...start, messages: [...start.messages, { role: 'tool', content: 'x' }] } as ChatRequest;
  await assert.rejects(sent(bad), (error: Error) => /messages\[1\]\.tool_call_id is required/.test(JSON.stringify(error)));
  // The thread goes on as before.
  const next: ChatRequest = { ...start, messages: [...start.messages, { role: 'assistant', content: 'hello' }] };
  assert.equal(await sent(next), await readInFull(next));
});
