// Which reflex answered a turn, over a long run: memory holds the newest turns only, and "ask the
// model instead" for an older one still finds its reflex from the stored answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoreClient } from '../../kernel/store-client.ts';
import { AnsweredTurns, REMEMBERED } from './answered-turns.ts';

test('after 5,000 reflex answers the memory holds the newest ones, and an older turn is found in the store', async () => {
  const store = {
    op: async (op: string, input: { id: string }) => {
      assert.equal(op, 'turns.get');
      return { thread_id: `thread-of-${input.id}` };
    },
    listMessages: async (threadId: string) => [
      { turn_id: 'turn-0', role: 'user', content: 'weather in Oslo?', source: null },
      { turn_id: 'turn-0', role: 'assistant', content: 'Sunny in Oslo.', source: 'reflex:reflex-weather@3' },
      { turn_id: `other-${threadId}`, role: 'user', content: 'hello', source: null },
    ],
  } as unknown as StoreClient;
  const answered = new AnsweredTurns(store);
  for (let i = 0; i < 5_000; i++) answered.set(`turn-${i}`, { source: 'reflex', name: 'reflex-weather', prompt: `weather ${i}?`, threadId: 'thread-1' });
  assert.equal(answered.size, REMEMBERED);
  assert.equal(answered.get('turn-4999')?.prompt, 'weather 4999?');
  assert.equal(answered.get('turn-0'), undefined);
  assert.deepEqual(await answered.find('turn-0'), { source: 'reflex', name: 'reflex-weather', prompt: 'weather in Oslo?', threadId: 'thread-of-turn-0' });
});
