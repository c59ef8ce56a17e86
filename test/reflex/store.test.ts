// The store's reflex operations on both backends (libSQL file and PostgreSQL): records with their
// counters, a fast answer stored with its source in one transaction, and the turns the miner reads.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { deleteRecord, loadRecords, ObservedWindow, observedTurns, saveRecord, type ReflexRecord } from '../../agent/reflex/records.ts';
import { bootstrapBuiltins } from '../../kernel/api.ts';
import { BACKENDS, openStoreKernel, PostgresServer } from '../support/store.ts';

let postgres: PostgresServer;
before(async () => (postgres = await PostgresServer.start()));
after(() => postgres?.stop());

for (const backend of BACKENDS) {
  test(`${backend}: reflex records, a fast answer in one transaction, and the turns the miner reads`, async () => {
    const store = await openStoreKernel(backend, { postgres, name: 'reflex', bootstrap: false });
    try {
      const { kernel } = store;
      await bootstrapBuiltins(kernel);
      const db = kernel.store;
      const record = {
        id: randomUUID(),
        name: 'reflex-weather-1',
        version: '1.0.0',
        state: 'serving',
        description: 'weather',
        example: 'weather in Paris',
        slots: ['city'],
        spec: { core: ['weather'] },
        component: 'reflex/reflex-weather-1@1.0.0',
        provenance: ['t1'],
        reason: null,
        tools: { weather: 'sha256:x' },
        centroid: [0.5],
        hits: 3,
        misses: 1,
        rejections: 0,
        suspensions: 2,
        modelCallsAvoided: 3,
        createdAt: Date.now(),
        updatedAt: Date.now(),
      } as unknown as ReflexRecord;
      await saveRecord(db, record);
      await saveRecord(db, { ...record, hits: 4, state: 'suspended', reason: 'by hand' });
      const [loaded] = await loadRecords(db);
      assert.deepEqual(
        [loaded.name, loaded.state, loaded.hits, loaded.suspensions, loaded.reason, loaded.tools],
        ['reflex-weather-1', 'suspended', 4, 2, 'by hand', { weather: 'sha256:x' }],
      );

      const thread = await db.createThread({ id: randomUUID(), userId: 'ada' });
      const modelTurn = randomUUID();
      await db.op('turns.begin', {
        userId: 'ada',
        threadId: thread.id,
        turnId: modelTurn,
        message: { id: randomUUID(), role: 'user', content: 'weather in Paris' },
      });
      await db.appendMessages(thread.id, [{ id: randomUUID(), role: 'assistant', turnId: modelTurn, content: 'It is sunny.' }]);
      await db.transitionTurn(modelTurn, 'completed');
      const fastTurn = randomUUID();
      await db.op('turns.begin', {
        userId: 'ada',
        threadId: thread.id,
        turnId: fastTurn,
        message: { id: randomUUID(), role: 'user', content: 'weather in Rome' },
      });
      await db.op('reflexes.answer', {
        threadId: thread.id,
        turnId: fastTurn,
        message: { id: `${fastTurn}:reflex`, content: 'It is rainy.', source: 'reflex:reflex-weather-1@1.0.0' },
      });
      await assert.rejects(
        db.op('reflexes.answer', { threadId: thread.id, turnId: fastTurn, message: { id: `${fastTurn}:again`, content: 'x', source: 'shadow' } }),
        { code: 'TITAN_E_SQL_CONSTRAINT' },
      );
      const messages = await db.listMessages(thread.id);
      assert.deepEqual(
        messages.map((m) => [m.content, m.source]),
        [
          ['weather in Paris', null],
          ['It is sunny.', null],
          ['weather in Rome', null],
          ['It is rainy.', 'reflex:reflex-weather-1@1.0.0'],
        ],
      );
      assert.equal((await db.op('turns.get', { id: fastTurn })).state, 'completed');
      // The miner reads the model's turns only.
      assert.deepEqual(
        (await observedTurns(db)).map((t) => [t.prompt, t.answer]),
        [['weather in Paris', 'It is sunny.']],
      );
      await deleteRecord(db, record.id);
      assert.deepEqual(await loadRecords(db), []);
    } finally {
      await store.cleanup();
    }
  });
}

test('the miner reads any number of recent turns with a few statement texts: libSQL never frees a prepared statement', async () => {
  const store = await openStoreKernel('libsql', { name: 'reflex-texts', bootstrap: true });
  try {
    const { kernel } = store;
    const db = kernel.store;
    const texts = new Set<string>();
    // Every statement the backend runs, through its asynchronous calls or its synchronous ones (inline components).
    for (const backend of [kernel.db, kernel.db.sync]) {
      if (!backend) continue;
      const run = backend.run.bind(backend) as typeof backend.run;
      backend.run = ((sql: string, params: Parameters<typeof run>[1]) => {
        if (/turn_id IN/.test(sql)) texts.add(sql);
        return run(sql, params);
      }) as typeof backend.run;
    }
    const thread = await db.createThread({ id: randomUUID(), userId: 'ada' });
    for (let i = 1; i <= 40; i++) {
      const turnId = randomUUID();
      await db.op('turns.begin', { userId: 'ada', threadId: thread.id, turnId, message: { id: randomUUID(), role: 'user', content: `message ${i}` } });
      await db.appendMessages(thread.id, [{ id: randomUUID(), role: 'assistant', turnId, content: `echo: message ${i}` }]);
      await db.transitionTurn(turnId, 'completed');
      assert.equal((await observedTurns(db)).length, i);
    }
    // 1-16, 17-32 and 33-64 turns: three list lengths, two statements each (messages, tool calls).
    assert.equal(texts.size, 6, [...texts].map((t) => t.slice(0, 80)).join('\n'));
  } finally {
    await store.cleanup();
  }
});

test('each mining run reads from the store only the turns completed since the last; a deleted thread leaves the window', async () => {
  const store = await openStoreKernel('libsql', { name: 'reflex-window', bootstrap: true });
  try {
    const { kernel } = store;
    const db = kernel.store;
    let turnsRead = 0;
    for (const backend of [kernel.db, kernel.db.sync]) {
      if (!backend) continue;
      const run = backend.run.bind(backend) as typeof backend.run;
      backend.run = ((sql: string, params: Parameters<typeof run>[1]) => {
        // The messages' read names each turn it reads once (the tool calls' read names them again).
        if (/FROM messages WHERE turn_id IN/.test(sql))
          turnsRead += new Set((params as unknown[]).filter((p) => typeof p === 'string' && p.length === 36)).size;
        return run(sql, params);
      }) as typeof backend.run;
    }
    const turn = async (threadId: string, i: number) => {
      const turnId = randomUUID();
      await db.op('turns.begin', { userId: 'ada', threadId, turnId, message: { id: randomUUID(), role: 'user', content: `message ${i}` } });
      await db.appendMessages(threadId, [{ id: randomUUID(), role: 'assistant', turnId, content: `echo: message ${i}` }]);
      await db.transitionTurn(turnId, 'completed');
    };
    const kept = await db.createThread({ id: randomUUID(), userId: 'ada' });
    const gone = await db.createThread({ id: randomUUID(), userId: 'ada' });
    for (let i = 1; i <= 30; i++) await turn(i % 3 === 0 ? gone.id : kept.id, i);
    const window = new ObservedWindow(db, 25);
    assert.equal((await window.read()).length, 25);
    assert.equal(turnsRead, 25);
    // Nothing new: nothing read; five new turns: five read, the window still the newest 25, oldest first.
    assert.equal((await window.read()).length, 25);
    for (let i = 31; i <= 35; i++) await turn(kept.id, i);
    const turns = await window.read();
    assert.equal(turnsRead, 30);
    assert.deepEqual(
      turns.slice(-3).map((t) => t.prompt),
      ['message 33', 'message 34', 'message 35'],
    );
    await db.op('threads.delete', { userId: 'ada', threadId: gone.id });
    const left = (await window.read()).map((t) => Number(t.prompt.split(' ')[1]));
    assert.ok(left.length > 0 && left.every((i) => i % 3 !== 0 || i > 30), String(left));
    // Its place taken by the kept thread's 7 older turns (1, 2, 4, 5, 7, 8, 10): read, and only they.
    assert.equal(turnsRead, 30 + 7);
  } finally {
    await store.cleanup();
  }
});
