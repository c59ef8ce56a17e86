// The event feed's memory: however many turns pass, the events it holds for resumes stay within
// its byte budget (the oldest turns go first), a recent turn is still replayed from memory event for
// event, and a turn past the budget or its time is replayed from the store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../kernel/events.ts';
import type { Kernel } from '../kernel/api.ts';
import { EventFeed } from './event-feed.ts';

/** The store knows the turns `stored` lists (its events, text merged into one) and the thread's last turn only. */
function kernelWithBus(lastTurn = 'turn-9999', stored: Record<string, Array<{ seq: number; type: string; data: string }>> = {}) {
  const bus = new EventBus();
  const store = {
    op: async (op: string, input: { turnId?: string; afterSeq?: number }) => {
      if (op === 'turns.get') return { thread_id: 'thread-1' };
      return (stored[input.turnId ?? ''] ?? []).filter((e) => e.seq > (input.afterSeq ?? 0)).map((e) => ({ ...e, created_at: 1 }));
    },
    listMessages: async (_thread: string, _limit: number, before?: number) => (before ? [] : [{ turn_id: lastTurn, pos: 1 }]),
  };
  return { bus, kernel: { bus, store, logger: { warn() {} } } as unknown as Kernel };
}

function turn(bus: EventBus, turnId: string, deltas: string[]) {
  const base = { threadId: 'thread-1', turnId, at: Date.now() };
  for (const [i, text] of deltas.entries()) bus.emit('turn.event', { ...base, seq: i + 1, type: 'text', text });
  bus.emit('turn.event', { ...base, seq: deltas.length + 1, type: 'turn.completed', stopReason: 'end_turn', from: 'model' });
}

test('after ten thousand turns the feed holds no more bytes than its budget', async () => {
  const { bus, kernel } = kernelWithBus();
  const feed = new EventFeed(kernel, { maxBytes: 100_000 });
  for (let i = 0; i < 10_000; i++) {
    turn(bus, `turn-${i}`, ['Hello there.']);
    assert.ok(feed.bytes <= 100_000, `${feed.bytes} bytes held`);
  }
  assert.ok(feed.bytes >= 99_000 && feed.buffered > 100, `${feed.bytes} bytes, ${feed.buffered} events held`);
  // The newest turn is still replayed event for event from memory.
  const replayed = await feed.replay('thread-1', { turnId: 'turn-9999', seq: 0 });
  assert.deepEqual(
    replayed.map((e) => e.type),
    ['text', 'turn.completed'],
  );
});

test('a resume within the budget gets every text delta it missed; one past it gets the stored turn', async () => {
  const stored = { 'turn-0': [{ seq: 4, type: 'turn.completed', data: '{"stopReason":"end_turn"}' }] };
  const { bus, kernel } = kernelWithBus('turn-0', stored);
  const feed = new EventFeed(kernel, { maxBytes: 2_000 });
  turn(bus, 'turn-0', ['one ', 'two ', 'three']);
  const held = await feed.replay('thread-1', { turnId: 'turn-0', seq: 1 });
  assert.deepEqual(
    held.map((e) => ('text' in e ? e.text : e.type)),
    ['two ', 'three', 'turn.completed'],
  );
  // Other threads' turns push it out of the budget: the store answers for it.
  for (let i = 1; i <= 50; i++) bus.emit('turn.event', { threadId: 'thread-2', turnId: `other-${i}`, seq: 1, type: 'text', text: 'x'.repeat(100), at: 1 });
  assert.ok(feed.bytes <= 2_000);
  const fromStore = await feed.replay('thread-1', { turnId: 'turn-0', seq: 1 });
  assert.deepEqual(
    fromStore.map((e) => [e.type, e.seq]),
    [['turn.completed', 4]],
  );
});

test('an ended turn past its time is let go at the next event, a running one is kept', async () => {
  const { bus, kernel } = kernelWithBus();
  const feed = new EventFeed(kernel, { endedTtlMs: 0 });
  turn(bus, 'turn-ended', ['done']);
  bus.emit('turn.event', { threadId: 'thread-1', turnId: 'turn-running', seq: 1, type: 'text', text: 'still going', at: 1 });
  await new Promise((resolve) => setTimeout(resolve, 5));
  bus.emit('turn.event', { threadId: 'thread-1', turnId: 'turn-running', seq: 2, type: 'text', text: ' on', at: 1 });
  assert.equal(feed.buffered, 2, 'only the running turn is held');
});
