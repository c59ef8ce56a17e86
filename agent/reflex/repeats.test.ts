// A request asked again in its thread: its read-only tools run again; the same results give the
// first answer, changed results the answer rendered from its template when the answer states every
// change, else the model answers. Tools that change things are never run again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kernel } from '../../kernel/kernel.ts';
import type { ToolCatalog, ToolInfo } from '../loop/tool-catalog.ts';
import { Repeats } from './repeats.ts';

function setup(result: () => unknown) {
  const invoked: string[] = [];
  const kernel = {
    call: async (_kind: string, name: string, _op: string, [input]: [string]) => {
      invoked.push(`${name} ${input}`);
      return JSON.stringify(result());
    },
  };
  const info = (name: string, sideEffects: boolean) => ({ name, description: '', schema: {}, needsApproval: false, sideEffects }) as ToolInfo;
  const tools = { list: async () => [info('weather', false), info('kv', true)] } as unknown as ToolCatalog;
  return { repeats: new Repeats(kernel as unknown as Kernel, tools, () => {}), invoked };
}

const turn = (result: unknown, answer: string, tool = 'weather') => ({
  turnId: 't1',
  prompt: "What's the weather in Oslo?",
  calls: [{ tool, args: { city: 'Oslo' }, result: JSON.stringify(result) }],
  answer,
});

test('asked again: the tool runs again; the same result gives the same answer, a changed value the answer states is rendered anew', async () => {
  let now = { city: 'Oslo', temp_c: 4, sky: 'cloudy', humidity: 80 };
  const { repeats, invoked } = setup(() => now);
  await repeats.learn('th', turn(now, 'It is 4 °C and cloudy in Oslo.'));
  assert.equal(await repeats.answer('th', "what's the weather in oslo"), 'It is 4 °C and cloudy in Oslo.', 'the same words, read as the reflexes read them');
  assert.deepEqual(invoked, ['weather {"city":"Oslo"}']);
  now = { ...now, temp_c: 6, sky: 'rainy' };
  assert.equal(await repeats.answer('th', "What's the weather in Oslo?"), 'It is 6 °C and rainy in Oslo.');
  // A field the answer never stated changed: the first answer may hang on it, so the model answers.
  now = { ...now, humidity: 40 };
  assert.equal(await repeats.answer('th', "What's the weather in Oslo?"), undefined);
  assert.equal(invoked.length, 3);
  // Another thread, other words: not a request asked before.
  assert.equal(await repeats.answer('other', "What's the weather in Oslo?"), undefined);
  assert.equal(await repeats.answer('th', "What's the weather in Oslo tomorrow?"), undefined);
  repeats.forget('th', "What's the weather in Oslo?");
  assert.equal(repeats.size, 0);
  // Asked the model instead: not kept again.
  await repeats.learn('th', turn(now, 'It is 6 °C and rainy in Oslo.'));
  assert.equal(repeats.size, 0);
});

test('a turn that called a tool with side effects, or no tool, or with values the request does not say, is never answered again', async () => {
  const { repeats, invoked } = setup(() => ({ ok: true }));
  await repeats.learn('th', turn({ ok: true }, 'Saved.', 'kv'));
  await repeats.learn('th', { turnId: 't2', prompt: 'tell me a joke', calls: [], answer: 'A joke.' });
  // A follow-up whose city came from the conversation: asked again later, it may be about another city.
  await repeats.learn('th', { ...turn({ temp_c: 4 }, 'It is 4 °C.'), prompt: 'and what about tomorrow?' });
  assert.equal(repeats.size, 0);
  assert.equal(await repeats.answer('th', "What's the weather in Oslo?"), undefined);
  assert.deepEqual(invoked, []);
});

test('a turn that started no tool is not read back when it completes; one that did is read and kept', async () => {
  const reads: string[] = [];
  const rows = {
    'reflexes.messages': [
      { turn_id: 't1', role: 'user', content: "What's the weather in Oslo?" },
      { turn_id: 't1', role: 'assistant', content: 'It is 4 °C in Oslo.' },
    ],
    'reflexes.calls': [{ turn_id: 't1', tool: 'weather', arguments: '{"city":"Oslo"}', result: '{"temp_c":4}', status: 'completed' }],
  };
  const store = {
    op: async (name: keyof typeof rows) => {
      reads.push(name);
      return rows[name];
    },
  };
  const info = { name: 'weather', description: '', schema: {}, needsApproval: false, sideEffects: false } as ToolInfo;
  const tools = { list: async () => [info] } as unknown as ToolCatalog;
  const repeats = new Repeats({ store } as unknown as Kernel, tools, () => {});
  // A thousand turns answered without a tool (a busy chat): nothing read back, nothing kept.
  for (let i = 0; i < 1000; i++) await repeats.afterTurn('th', `plain-${i}`);
  assert.deepEqual(reads, []);
  repeats.toolStarted('t1');
  await repeats.afterTurn('th', 't1');
  assert.deepEqual(reads.sort(), ['reflexes.calls', 'reflexes.messages']);
  assert.equal(repeats.size, 1);
});
