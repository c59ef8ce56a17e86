// The store conformance suite: the same cases, word for word, against the embedded libSQL file and
// a real PostgreSQL server: migrations, threads, messages and turns here; approvals, deletion,
// settings, errors and restarts in conformance-lifecycle.test.ts. One kernel per backend and file
// serves every case (test/support/store-conformance.ts), so the suite stays cheap enough to run on every commit.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { StoredMessage, Turn } from '../../kernel/store-client.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { BACKENDS, DIALECT, LATEST_SCHEMA, lazyPostgres, tableCounts } from '../support/store.ts';
import { conformanceBench } from '../support/store-conformance.ts';

const ALL_VERSIONS = Array.from({ length: LATEST_SCHEMA }, (_, i) => i + 1);

const postgres = lazyPostgres();
after(() => postgres.stop());

for (const backend of BACKENDS) {
  describe(`store conformance: ${backend}`, () => {
    const bench = conformanceBench(backend, postgres);
    const { store, progress } = bench;

    test('every migration ran once, in order, with progress, and is recorded', async () => {
      const status = await store().status();
      assert.equal(status.dialect, DIALECT[backend]);
      assert.equal(status.version, status.latest);
      assert.equal(status.latest, LATEST_SCHEMA);
      assert.deepEqual(
        status.applied.map((m) => m.version),
        ALL_VERSIONS,
      );
      assert.ok(
        status.applied.every((m) => m.name && Number.isFinite(m.applied_at)),
        JSON.stringify(status.applied),
      );
      assert.deepEqual(status.pending, []);
      assert.deepEqual(
        progress.map((p) => [p.step, p.of, p.version]),
        ALL_VERSIONS.map((v) => [v, LATEST_SCHEMA, v]),
      );
    });

    test('threads: create, get, list and find by external id, scoped to their user', async () => {
      const a1 = await store().createThread({ id: 'scope-a1', userId: 'scope-alice', title: 'Trip to Oslo', channel: 'telegram', externalId: 'chat-17' });
      assert.deepEqual(
        { ...a1, created_at: 0, updated_at: 0 },
        { id: 'scope-a1', user_id: 'scope-alice', title: 'Trip to Oslo', channel: 'telegram', external_id: 'chat-17', created_at: 0, updated_at: 0 },
      );
      assert.equal(a1.created_at, a1.updated_at);
      await store().createThread({ id: 'scope-a2', userId: 'scope-alice', title: 'Groceries ✓ 日本語' });
      await store().createThread({ id: 'scope-b1', userId: 'scope-bob' });

      const got = await store().op('threads.get', { userId: 'scope-alice', threadId: 'scope-a2' });
      assert.equal(got.title, 'Groceries ✓ 日本語');
      const listed = await store().listThreads({ userId: 'scope-alice' });
      assert.deepEqual(listed.map((t) => t.id).sort(), ['scope-a1', 'scope-a2']);
      assert.ok(listed[0].updated_at >= listed[1].updated_at, 'newest first');
      assert.deepEqual(
        (await store().listThreads({ userId: 'scope-bob' })).map((t) => t.id),
        ['scope-b1'],
      );
      assert.deepEqual(await store().listThreads({ userId: 'scope-nobody' }), []);
      assert.equal((await store().op('threads.byExternal', { channel: 'telegram', externalId: 'chat-17' }))!.id, 'scope-a1');
      assert.equal(await store().op('threads.byExternal', { channel: 'telegram', externalId: 'chat-404' }), null);

      // Bob can neither see nor delete Alice's thread, and trying changes nothing.
      await rejectsWithCode(store().op('threads.get', { userId: 'scope-bob', threadId: 'scope-a1' }), 'TITAN_E_NOT_FOUND');
      await rejectsWithCode(store().deleteThread('scope-bob', 'scope-a1'), 'TITAN_E_NOT_FOUND');
      await rejectsWithCode(store().deleteThread('scope-alice', 'scope-missing'), 'TITAN_E_NOT_FOUND');
      assert.equal((await store().op('threads.get', { userId: 'scope-alice', threadId: 'scope-a1' })).title, 'Trip to Oslo');
      // @ts-expect-error: bad input on purpose (a thread id is required); the store refuses it too
      await rejectsWithCode(store().op('threads.get', { userId: 'scope-alice' }), 'TITAN_E_USAGE');
    });

    test('messages: an append is idempotent by id; the last 50 of 300 come in order; paging back returns each once', async () => {
      await store().createThread({ id: 'msgs', userId: 'msgs-user' });
      assert.deepEqual(
        await store().appendMessages('msgs', [
          { id: 'msgs-0', role: 'user', content: 'first' },
          { id: 'msgs-1', role: 'assistant', content: 'second' },
        ]),
        { appended: 2, duplicates: 0 },
      );
      // A retry of the same batch, plus one new message: only the new one lands.
      assert.deepEqual(
        await store().appendMessages('msgs', [
          { id: 'msgs-0', role: 'user', content: 'first (resent)' },
          { id: 'msgs-1', role: 'assistant', content: 'second' },
          { id: 'msgs-2', role: 'user', content: 'third' },
        ]),
        { appended: 1, duplicates: 2 },
      );
      for (let start = 3; start < 300; start += 99) {
        const batch = Array.from({ length: Math.min(99, 300 - start) }, (_, i) => ({
          id: `msgs-${start + i}`,
          role: i % 2 ? 'assistant' : 'user',
          content: `message ${start + i} — ✓ "quoted" \\ ${'x'.repeat(i)}`,
        }));
        assert.equal((await store().appendMessages('msgs', batch)).appended, batch.length);
      }

      const last = await store().listMessages('msgs', 50);
      assert.deepEqual(
        last.map((m) => m.id),
        Array.from({ length: 50 }, (_, i) => `msgs-${250 + i}`),
      );
      assert.equal(last[10].content, `message 260 — ✓ "quoted" \\ ${'x'.repeat(260 - 201)}`);
      assert.equal(
        (await store().listMessages('msgs', 1000)).find((m) => m.id === 'msgs-0')?.content,
        'first',
        'the resent copy did not overwrite the original',
      );

      const pages: StoredMessage[][] = [];
      let beforePos: number | undefined;
      for (;;) {
        const page = await store().listMessages('msgs', 70, beforePos);
        if (page.length === 0) break;
        pages.push(page);
        beforePos = page[0].pos;
      }
      assert.deepEqual(
        pages.map((p) => p.length),
        [70, 70, 70, 70, 20],
      );
      const all = pages.reverse().flat();
      assert.deepEqual(
        all.map((m) => m.id),
        Array.from({ length: 300 }, (_, i) => `msgs-${i}`),
      );
      assert.ok(
        all.every((m, i) => i === 0 || m.pos > all[i - 1].pos),
        'positions strictly increase',
      );

      const counts = await tableCounts(store());
      await rejectsWithCode(store().appendMessages('no-such-thread', [{ id: 'orphan', role: 'user', content: 'x' }]), 'TITAN_E_NOT_FOUND');
      await rejectsWithCode(
        store().appendMessages('msgs', [{ id: 'msgs-new', role: 'user', content: 'ok' }, { id: 'msgs-bad', role: 'user' } as never]),
        'TITAN_E_USAGE',
      );
      await rejectsWithCode(store().appendMessages('msgs', []), 'TITAN_E_USAGE');
      assert.deepEqual(await tableCounts(store()), counts, 'refused appends wrote nothing, not even their valid messages');
    });

    test('8 writers appending to one thread at once, with retries racing the originals: every message once, none lost', async () => {
      await store().createThread({ id: 'race', userId: 'race-user' });
      const WRITERS = 8;
      const EACH = 50;
      let sent = 0;
      let appended = 0;
      let duplicates = 0;
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          for (let i = 0; i < EACH; i++) {
            const message = { id: `race-w${w}-${i}`, role: 'user', content: `writer ${w} message ${i}` };
            const sends = [[message]];
            if (i % 5 === 4) sends.push([message]); // a client retrying before the first answer came back
            if (i % 7 === 3) sends.push([{ id: `race-w${w}-${i - 1}`, role: 'user', content: `writer ${w} message ${i - 1}` }, message]); // a resent tail
            for (const result of await Promise.all(sends.map((batch) => store().appendMessages('race', batch)))) {
              appended += result.appended;
              duplicates += result.duplicates;
            }
            sent += sends.reduce((n, batch) => n + batch.length, 0);
          }
        }),
      );
      assert.equal(appended, WRITERS * EACH, 'each message was appended exactly once');
      assert.equal(duplicates, sent - WRITERS * EACH, 'every other copy was reported as a duplicate');

      const stored = await store().listMessages('race', 1000);
      assert.equal(stored.length, WRITERS * EACH);
      const expected = Array.from({ length: WRITERS }, (_, w) => Array.from({ length: EACH }, (_, i) => `race-w${w}-${i}`)).flat();
      assert.deepEqual(stored.map((m) => m.id).sort(), expected.sort());
      assert.equal(new Set(stored.map((m) => m.pos)).size, stored.length, 'no two messages share a position');
      for (let w = 0; w < WRITERS; w++) {
        const mine = stored.filter((m) => m.id.startsWith(`race-w${w}-`)).map((m) => Number(m.id.split('-').at(-1)));
        assert.deepEqual(
          mine,
          Array.from({ length: EACH }, (_, i) => i),
          `writer ${w}'s messages keep the order it sent them in`,
        );
      }
    });

    test('turns follow their state machine; a refused transition leaves the state as it was', async () => {
      await store().createThread({ id: 'turns', userId: 'turns-user' });
      const created = await store().createTurn('turns-1', 'turns');
      assert.equal(created.state, 'pending');
      const path: Turn['state'][] = [];
      for (const to of ['streaming', 'awaiting_approval', 'streaming', 'completed'] as const) path.push((await store().transitionTurn('turns-1', to)).state);
      assert.deepEqual(path, ['streaming', 'awaiting_approval', 'streaming', 'completed']);

      const state = async (id: string) => (await store().op('turns.get', { id })).state;
      for (const to of ['streaming', 'awaiting_approval', 'failed', 'interrupted', 'completed'] as const) {
        const refused = await rejectsWithCode(store().transitionTurn('turns-1', to), 'TITAN_E_TURN_STATE');
        assert.match(refused.message, new RegExp(`turn turns-1 is completed; it cannot become ${to}`));
        assert.equal(await state('turns-1'), 'completed');
      }

      await store().createTurn('turns-2', 'turns');
      await rejectsWithCode(store().transitionTurn('turns-2', 'awaiting_approval'), 'TITAN_E_TURN_STATE');
      await rejectsWithCode(store().transitionTurn('turns-2', 'completed'), 'TITAN_E_TURN_STATE');
      assert.equal(await state('turns-2'), 'pending');
      await rejectsWithCode(store().transitionTurn('turns-2', 'pending'), 'TITAN_E_USAGE');
      await rejectsWithCode(store().transitionTurn('turns-2', 'sleeping' as never), 'TITAN_E_USAGE');
      await rejectsWithCode(store().transitionTurn('turns-missing', 'streaming'), 'TITAN_E_NOT_FOUND');
      const failed = await store().transitionTurn('turns-2', 'failed', 'provider timed out');
      assert.deepEqual([failed.state, failed.error], ['failed', 'provider timed out']);

      // Two transitions racing from the same state: exactly one wins, and the turn shows the winner.
      await store().createTurn('turns-3', 'turns');
      await store().transitionTurn('turns-3', 'streaming');
      const outcomes = await Promise.allSettled([store().transitionTurn('turns-3', 'completed'), store().transitionTurn('turns-3', 'interrupted')]);
      const won = outcomes.filter((o) => o.status === 'fulfilled') as PromiseFulfilledResult<Turn>[];
      const lost = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
      assert.equal(won.length, 1, JSON.stringify(outcomes));
      assert.equal((lost[0].reason as { code: string }).code, 'TITAN_E_TURN_STATE');
      assert.equal(await state('turns-3'), won[0].value.state);
    });

    test("turns.begin answers the thread's latest messages when asked, as messages.list does", async () => {
      await store().createThread({ id: 'begins', userId: 'begins-user' });
      await store().appendMessages('begins', [
        { id: 'begins-m1', role: 'user', content: 'one' },
        { id: 'begins-m2', role: 'assistant', content: 'two' },
      ]);
      const plain = await store().op('turns.begin', {
        userId: 'begins-user',
        threadId: 'begins',
        turnId: 'begins-1',
        message: { id: 'begins-q1', role: 'user', content: 'q1' },
      });
      assert.equal(plain.recent, undefined, 'not asked, not read');
      await store().op('turns.end', {
        threadId: 'begins',
        turnId: 'begins-1',
        to: 'completed',
        messages: [{ id: 'begins-a1', role: 'assistant', content: 'a1' }],
        events: [],
      });
      const begun = await store().op('turns.begin', {
        userId: 'begins-user',
        threadId: 'begins',
        turnId: 'begins-2',
        message: { id: 'begins-q2', role: 'user', content: 'q2 "quoted" \\ ünïcode' },
        recent: 3,
      });
      assert.deepEqual([begun.turnId, begun.messageId, begun.state], ['begins-2', 'begins-q2', 'streaming']);
      assert.deepEqual(begun.recent, await store().listMessages('begins', 3));
      assert.deepEqual(
        begun.recent?.map((m) => m.content),
        ['q1', 'a1', 'q2 "quoted" \\ ünïcode'],
      );
    });

    test('turns.end: the last messages, the last events and the state commit together, or nothing does', async () => {
      await store().createThread({ id: 'ends', userId: 'ends-user' });
      await store().op('turns.begin', { userId: 'ends-user', threadId: 'ends', turnId: 'ends-1', message: { id: 'ends-q1', role: 'user', content: 'q' } });
      await store().op('toolCalls.upsert', { id: 'ends-call', turnId: 'ends-1', tool: 'echo', arguments: '{}', status: 'running' });
      const stale = await store().op('turns.stale', {});
      assert.ok(
        stale.some((t) => t.id === 'ends-1'),
        'a streaming turn is stale until it ends',
      );
      const ended = await store().op('turns.end', {
        threadId: 'ends',
        turnId: 'ends-1',
        to: 'completed',
        messages: [{ id: 'ends-a1', role: 'assistant', content: 'the answer' }],
        events: [
          { seq: 3, type: 'text', data: { type: 'text', text: 'the answer' } },
          { seq: 4, type: 'turn.completed', data: { type: 'turn.completed' } },
        ],
      });
      assert.deepEqual([ended.state, ended.messages], ['completed', 1]);
      const turn = await store().op('turns.get', { id: 'ends-1' });
      assert.equal(turn.state, 'completed');
      assert.deepEqual(
        (await store().listMessages('ends')).map((m) => [m.id, m.turn_id]),
        [
          ['ends-q1', 'ends-1'],
          ['ends-a1', 'ends-1'],
        ],
      );
      assert.deepEqual(
        (await store().op('events.list', { turnId: 'ends-1' })).map((e) => [Number(e.seq), e.type]),
        [
          [3, 'text'],
          [4, 'turn.completed'],
        ],
      );
      assert.equal((await store().op('toolCalls.list', { turnId: 'ends-1' }))[0].status, 'interrupted');
      assert.ok(!(await store().op('turns.stale', {})).some((t) => t.id === 'ends-1'));

      // An ended turn cannot end again: nothing of the second end is written.
      await rejectsWithCode(
        store().op('turns.end', {
          threadId: 'ends',
          turnId: 'ends-1',
          to: 'interrupted',
          messages: [{ id: 'ends-late', role: 'assistant', content: 'late' }],
          events: [{ seq: 9, type: 'turn.interrupted', data: {} }],
        }),
        'TITAN_E_TURN_STATE',
      );
      assert.equal((await store().listMessages('ends')).length, 2);
      assert.equal((await store().op('events.list', { turnId: 'ends-1' })).length, 2);
      assert.equal((await store().op('turns.get', { id: 'ends-1' })).state, 'completed');
      await rejectsWithCode(store().op('turns.end', { threadId: 'other', turnId: 'ends-1', to: 'failed' }), 'TITAN_E_NOT_FOUND');
      // @ts-expect-error: bad input on purpose (a turn does not end by streaming); the store refuses it too
      await rejectsWithCode(store().op('turns.end', { threadId: 'ends', turnId: 'ends-1', to: 'streaming' }), 'TITAN_E_USAGE');
    });
  });
}
