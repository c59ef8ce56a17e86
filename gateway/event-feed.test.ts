// The event feed's memory: however many turns pass, the events it holds for resumes stay within
// its budget (the oldest turns go first), and a recent turn is still replayed from memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../kernel/events.ts';
import type { Kernel } from '../kernel/api.ts';
import { EventFeed } from './event-feed.ts';

function kernelWithBus() {
  const bus = new EventBus();
  // The store knows the last turn only (its message is all the thread's newest page holds).
  const store = {
    op: async (op: string) => (op === 'turns.get' ? { thread_id: 'thread-1' } : []),
    listMessages: async (_thread: string, _limit: number, before?: number) => (before ? [] : [{ turn_id: 'turn-9999', pos: 1 }]),
  };
  return { bus, kernel: { bus, store, logger: { warn() {} } } as unknown as Kernel };
}

test('after ten thousand turns the feed holds no more events than its budget', async () => {
  const { bus, kernel } = kernelWithBus();
  const feed = new EventFeed(kernel, { maxEvents: 1_000 });
  for (let turn = 0; turn < 10_000; turn++) {
    const base = { threadId: 'thread-1', turnId: `turn-${turn}`, at: Date.now() };
    bus.emit('turn.event', { ...base, seq: 1, type: 'text', text: 'Hello there.' });
    bus.emit('turn.event', { ...base, seq: 2, type: 'turn.completed', stopReason: 'end_turn', from: 'model' });
    assert.ok(feed.buffered <= 1_000);
  }
  assert.ok(feed.buffered >= 998, `${feed.buffered} events held`);
  // The newest turn is still replayed event for event from memory.
  const replayed = await feed.replay('thread-1', { turnId: 'turn-9999', seq: 0 });
  assert.deepEqual(
    replayed.map((e) => e.type),
    ['text', 'turn.completed'],
  );
});
