// A turn's end against a store that fails: the end of a normal turn throws at once (the turn then
// fails); the failure path reports the turn ended at once and retries the write until it lands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TitanError } from '../../common/errors.ts';
import { EventBus } from '../../kernel/events.ts';
import { StoreClient } from '../../kernel/store-client.ts';
import { TurnEventLog } from './event-log.ts';
import { endTurn } from './turn-end.ts';
import type { TurnEvent } from './turn-events.ts';

/** A store whose first `failures` calls fail as an unreachable database; records what it took. */
function flakyStore(failures: number) {
  const calls: Array<{ op: string; input: Record<string, unknown> }> = [];
  const store = new StoreClient(
    async (_kind, _name, _fn, args) => {
      const [op, input] = args as [string, string];
      calls.push({ op, input: JSON.parse(input) });
      if (calls.length <= failures) throw new TitanError('TITAN_E_WRITE_FAILED', `${op}: connection refused`);
      return JSON.stringify({ ok: true });
    },
    'core',
    () => undefined,
  );
  return { store, calls };
}

function logOn(store: StoreClient) {
  const bus = new EventBus();
  const seen: TurnEvent[] = [];
  bus.on('turn.event', (e) => seen.push(e));
  return { log: new TurnEventLog(store, bus, 'thread-1', 'turn-1'), seen };
}

test('the failure path: the turn is told ended at once, and the write is retried until the store takes it', async () => {
  const { store, calls } = flakyStore(3);
  const { log, seen } = logOn(store);
  log.emit({ type: 'text', text: 'half an ans' });
  let ended = false;
  let retries: Promise<void> | undefined;
  await endTurn(
    store,
    log,
    {
      to: 'failed',
      messages: [{ id: 'turn-1:partial', role: 'assistant', content: 'half an ans [cut off]' }],
      events: [{ type: 'turn.failed', code: 'TITAN_E_WRITE_FAILED', message: 'x' }],
      error: 'x',
    },
    {
      oneWrite: true,
      retrying: true,
      retry: () => true,
      onStored: () => (ended = true),
      detach: (p) => (retries = p),
    },
  );
  assert.equal(ended, true);
  assert.deepEqual(
    seen.map((e) => e.type),
    ['text', 'turn.failed'],
    'clients hear the end at once',
  );
  assert.ok(retries, 'the write goes on in the background');
  await retries;
  const ends = calls.filter((c) => c.op === 'turns.end');
  assert.ok(ends.length >= 2, 'retried');
  assert.deepEqual(
    ends[0].input.events && (ends[0].input.events as Array<{ type: string }>).map((e) => e.type),
    ['text', 'turn.failed'],
    'the unwritten events go with the end',
  );
  const last = calls.at(-1)!;
  assert.equal(last.op, 'turns.end', 'the last write is the end, and it landed');
  assert.equal(last.input.to, 'failed');
});

test('a normal end that fails throws at once, with its code, and tells nobody', async () => {
  const { store } = flakyStore(1);
  const { log, seen } = logOn(store);
  let ended = false;
  await assert.rejects(
    endTurn(
      store,
      log,
      { to: 'completed', messages: [], events: [{ type: 'turn.completed', stopReason: 'end_turn', from: 'model' }] },
      {
        oneWrite: true,
        retrying: false,
        retry: () => true,
        onStored: () => (ended = true),
        detach: () => assert.fail('nothing to detach'),
      },
    ),
    (error: TitanError) => error.code === 'TITAN_E_WRITE_FAILED',
  );
  assert.equal(ended, false);
  assert.deepEqual(seen, []);
});

test('a stopping kernel gives the retries a few last tries, then leaves the turn to the next start', async () => {
  const { store, calls } = flakyStore(1_000);
  const { log } = logOn(store);
  let retries: Promise<void> | undefined;
  await endTurn(
    store,
    log,
    { to: 'interrupted', messages: [], events: [{ type: 'turn.interrupted', by: 'shutdown' }] },
    {
      oneWrite: true,
      retrying: true,
      retry: () => false,
      onStored: () => {},
      detach: (p) => (retries = p),
    },
  );
  await assert.rejects(retries!, (error: TitanError) => error.code === 'TITAN_E_WRITE_FAILED');
  assert.equal(calls.length, 3);
});
