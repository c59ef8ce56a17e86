// The history a turn sends the model is the thread's as the store has it, whatever wrote it and
// however it changed between turns, while a warm thread reads only its latest messages; past its
// limit it begins where the last request began until a quarter of the limit is dropped at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredMessage } from '../../components/stores/ops.ts';
import type { StoreClient } from '../../kernel/store-client.ts';
import { HistoryCache, WINDOW } from './history-cache.ts';

/** A store holding messages the way the real one does: `pos` grows and never repeats. */
function fakeStore() {
  let pos = 0;
  const messages: Array<StoredMessage & { thread: string }> = [];
  const reads: number[] = [];
  const store = {
    async listMessages(threadId: string, limit = 50): Promise<StoredMessage[]> {
      const rows = messages.filter((m) => m.thread === threadId).slice(-limit);
      reads.push(rows.length);
      return rows.map(({ thread: _, ...row }) => row);
    },
  };
  return {
    client: store as unknown as StoreClient,
    reads,
    add(thread: string, n: number) {
      for (let i = 0; i < n; i++) {
        pos++;
        messages.push({ thread, pos, id: `${thread}-${pos}`, turn_id: null, role: 'user', content: `message ${pos}`, created_at: pos });
      }
    },
    deleteThread(thread: string) {
      for (let i = messages.length - 1; i >= 0; i--) if (messages[i].thread === thread) messages.splice(i, 1);
    },
  };
}

const ids = (rows: StoredMessage[]) => rows.map((r) => r.id);

test('a warm thread reads only its latest messages and still gets the whole history, new messages included', async () => {
  const store = fakeStore();
  const cache = new HistoryCache(store.client);
  store.add('a', 150);
  assert.equal((await cache.read('a', 100)).length, 100);
  store.add('a', 3);
  const rows = await cache.read('a', 100);
  assert.deepEqual(ids(rows), ids(await store.client.listMessages('a', 100)));
  assert.equal(store.reads.at(-2), WINDOW, 'the second read asked for the window only');
});

test('more new messages than the window, or a thread deleted and made again under its id, read the full history', async () => {
  const store = fakeStore();
  const cache = new HistoryCache(store.client);
  store.add('a', 40);
  await cache.read('a', 200);
  store.add('a', WINDOW + 5);
  assert.deepEqual(ids(await cache.read('a', 200)), ids(await store.client.listMessages('a', 200)));

  store.deleteThread('a');
  store.add('a', 2);
  const fresh = await cache.read('a', 200);
  assert.equal(fresh.length, 2, 'nothing of the deleted thread comes back');
  assert.deepEqual(ids(fresh), ids(await store.client.listMessages('a', 200)));
});

test('what a caller does to the history it got never changes the next read', async () => {
  const store = fakeStore();
  const cache = new HistoryCache(store.client);
  store.add('a', 30);
  const first = await cache.read('a', 200);
  first.length = 0;
  assert.equal((await cache.read('a', 200)).length, 30);
});

test('a history at its limit keeps its first message from request to request, then drops a quarter of the limit at once', async () => {
  const store = fakeStore();
  const cache = new HistoryCache(store.client);
  store.add('a', 10);
  assert.equal((await cache.window('a', 20)).length, 10, 'a thread under the limit is sent whole');
  store.add('a', 10);
  const full = await cache.window('a', 20);
  assert.deepEqual(ids(full), ids(await store.client.listMessages('a', 20)));
  const starts: string[] = [];
  const sizes: number[] = [];
  for (let turn = 0; turn < 8; turn++) {
    store.add('a', 2);
    const rows = await cache.window('a', 20);
    assert.deepEqual(rows.at(-1), (await store.client.listMessages('a', 1))[0], 'the newest message is always in');
    starts.push(rows[0].id);
    sizes.push(rows.length);
  }
  // 20 messages, then the first 5 of the latest 20 dropped: 15, 17, 19, then 15 again from a later start.
  assert.deepEqual(sizes, [15, 17, 19, 15, 17, 19, 15, 17]);
  assert.equal(new Set(starts.slice(0, 3)).size, 1, 'the start stays while the history fits');
  assert.notEqual(starts[3], starts[2]);
});

test('a history never starts with a tool result whose call was cut off', async () => {
  const rows: StoredMessage[] = Array.from({ length: 12 }, (_, i) => ({
    pos: i + 1,
    id: `m${i + 1}`,
    turn_id: null,
    role: i === 3 || i === 4 ? 'tool' : 'user',
    content: `message ${i + 1}`,
    created_at: i,
  }));
  const client = { listMessages: async (_thread: string, limit = 50) => rows.slice(-limit) } as unknown as StoreClient;
  const window = await new HistoryCache(client).window('a', 12);
  assert.equal(window[0].role, 'user');
  assert.deepEqual(ids(window), ids(rows.slice(5)));
});

test("the messages a turn's start read serve its history without asking the store again", async () => {
  const store = fakeStore();
  const cache = new HistoryCache(store.client);
  store.add('a', 5);
  const asked = cache.wants('a', 200);
  assert.equal(asked, 200, 'a thread not kept asks for the whole history');
  const first = await cache.read('a', 200, { rows: await store.client.listMessages('a', asked), limit: asked });
  assert.equal(store.reads.length, 1, 'only the start read');
  assert.deepEqual(ids(first), ids(await store.client.listMessages('a', 200)));

  store.add('a', 300);
  assert.equal(cache.wants('a', 200), WINDOW, 'a kept thread asks for the window');
  // More new messages than the window: the start's rows cannot tell the history, the store is asked.
  const reads = store.reads.length;
  const rows = await cache.read('a', 200, { rows: await store.client.listMessages('a', WINDOW), limit: WINDOW });
  assert.deepEqual(ids(rows), ids(await store.client.listMessages('a', 200)));
  assert.equal(store.reads.length - reads, 3, 'the start read, one full read, and the check here');

  store.add('a', 2);
  const before = store.reads.length;
  const next = await cache.read('a', 200, { rows: await store.client.listMessages('a', WINDOW), limit: WINDOW });
  assert.deepEqual(ids(next), ids(await store.client.listMessages('a', 200)));
  assert.equal(store.reads.length - before, 2, 'the start read and the check here: nothing more');
});
