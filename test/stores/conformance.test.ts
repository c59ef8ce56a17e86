// The store conformance suite: the same cases, word for word, against the embedded libSQL file and
// a real PostgreSQL server. One kernel per backend serves every case (each case uses its own ids
// and measures what it changed), so the suite stays cheap enough to run on every commit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bootstrapBuiltins } from '../../kernel/bootstrap.ts';
import type { KernelEvents } from '../../kernel/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Approval, StoredMessage, Turn } from '../../kernel/store-client.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { BACKENDS, countDelta, DIALECT, LATEST_SCHEMA, lazyPostgres, openStoreKernel, tableCounts, type StoreKernel } from '../support/store.ts';

const ALL_VERSIONS = Array.from({ length: LATEST_SCHEMA }, (_, i) => i + 1);

const postgres = lazyPostgres();
after(() => postgres.stop());

const HOUR = 3600_000;

for (const backend of BACKENDS) {
  describe(`store conformance: ${backend}`, () => {
    let handle: StoreKernel;
    let kernel: Kernel;
    const progress: Array<{ step: number; of: number; version: number; name: string }> = [];
    const store = () => kernel.store;

    before(async () => {
      handle = await openStoreKernel(backend, {
        postgres: backend === 'postgres' ? await postgres.server() : undefined,
        name: 'conformance',
        bootstrap: false,
      });
      kernel = handle.kernel;
      kernel.bus.on('component.event', (event: KernelEvents['component.event']) => {
        if (event.slot === 'store/core' && event.kind === 'progress') progress.push(JSON.parse(event.data));
      });
      const report = await bootstrapBuiltins(kernel);
      assert.deepEqual(report.failed, []);
    });
    after(() => handle?.cleanup());

    /** A thread of `userId` with `turns` turns, each with messages, events, a tool call and an approval. */
    async function filledThread(
      id: string,
      userId: string,
      turns = 2,
    ): Promise<{ messages: number; turns: number; events: number; toolCalls: number; approvals: number }> {
      await store().createThread({ id, userId, title: `thread ${id}` });
      for (let t = 0; t < turns; t++) {
        const turnId = `${id}-turn${t}`;
        await store().createTurn(turnId, id);
        await store().appendMessages(id, [
          { id: `${turnId}-q`, role: 'user', content: 'question', turnId },
          { id: `${turnId}-a`, role: 'assistant', content: 'answer', turnId },
        ]);
        await store().op('events.append', {
          turnId,
          events: [
            { seq: 0, type: 'text', data: { text: 'ans' } },
            { seq: 1, type: 'tool.start', data: { tool: 'echo' } },
            { seq: 2, type: 'text', data: 'wer' },
          ],
        });
        await store().op('toolCalls.upsert', { id: `${turnId}-call`, turnId, tool: 'echo', arguments: '{"text":"x"}', status: 'done', result: '{"text":"x"}' });
        await store().op('approvals.create', {
          id: `${turnId}-approval`,
          turnId,
          toolCallId: `${turnId}-call`,
          summary: 'run echo',
          expiresAt: Date.now() + HOUR,
        });
      }
      return { messages: 2 * turns, turns, events: 3 * turns, toolCalls: turns, approvals: turns };
    }

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

    test('approvals: decided once; a second decision is refused and changes nothing', async () => {
      await filledThread('appr', 'appr-user', 1);
      const decided = await store().op('approvals.decide', { id: 'appr-turn0-approval', decision: 'approved', by: 'alice', reason: 'looks safe' });
      assert.deepEqual([decided.status, decided.decided_by, decided.reason], ['approved', 'alice', 'looks safe']);
      assert.ok(decided.decided_at);
      const again = await rejectsWithCode(
        store().op('approvals.decide', { id: 'appr-turn0-approval', decision: 'rejected', by: 'mallory' }),
        'TITAN_E_SQL_CONSTRAINT',
      );
      assert.match(again.message, /already approved/);
      const pending = await store().op('approvals.pending');
      assert.ok(!pending.some((a) => a.id === 'appr-turn0-approval'));
      await rejectsWithCode(store().op('approvals.decide', { id: 'appr-missing', decision: 'approved', by: 'alice' }), 'TITAN_E_NOT_FOUND');
      // @ts-expect-error: bad input on purpose (a decision is approved or rejected); the store refuses it too
      await rejectsWithCode(store().op('approvals.decide', { id: 'appr-turn0-approval', decision: 'maybe', by: 'alice' }), 'TITAN_E_USAGE');
    });

    test('approvals: one past its expiry cannot be decided, and says why', async () => {
      await store().createThread({ id: 'late', userId: 'late-user' });
      await store().createTurn('late-turn', 'late');
      await store().op('approvals.create', { id: 'late-approval', turnId: 'late-turn', summary: 'delete files', expiresAt: Date.now() - 1000 });
      const refused = await rejectsWithCode(
        store().op('approvals.decide', { id: 'late-approval', decision: 'approved', by: 'alice' }),
        'TITAN_E_SQL_CONSTRAINT',
      );
      assert.match(refused.message, /expired before a decision/);
    });

    test('approvals: one refused as expired is marked expired, with its reason, and leaves the pending list', {}, async () => {
      await store().createThread({ id: 'late2', userId: 'late-user' });
      await store().createTurn('late2-turn', 'late2');
      await store().op('approvals.create', { id: 'late2-approval', turnId: 'late2-turn', summary: 'delete files', expiresAt: Date.now() - 1000 });
      await rejectsWithCode(store().op('approvals.decide', { id: 'late2-approval', decision: 'approved', by: 'alice' }), 'TITAN_E_SQL_CONSTRAINT');
      const pending = await store().op('approvals.pending');
      assert.ok(!pending.some((a) => a.id === 'late2-approval'), 'an expired approval is no longer pending');
      const row = (await store().op('table.dump', { table: 'approvals', limit: 5000 })).find((a) => a.id === 'late2-approval');
      assert.deepEqual([row?.status, row?.reason], ['expired', 'expired before a decision']);
    });

    test('approvals.expire marks exactly the pending approvals past their expiry, and returns them', async () => {
      await store().createThread({ id: 'exp', userId: 'exp-user' });
      await store().createTurn('exp-turn', 'exp');
      // Expiry times far in the past (epoch + seconds) so no other case's approval is due at `now`.
      await store().op('approvals.create', { id: 'exp-due', turnId: 'exp-turn', summary: 'a', expiresAt: 5000 });
      await store().op('approvals.create', { id: 'exp-due-too', turnId: 'exp-turn', summary: 'b', expiresAt: 7000 });
      await store().op('approvals.create', { id: 'exp-later', turnId: 'exp-turn', summary: 'c', expiresAt: 9000 });
      const due = await store().op('approvals.expire', { now: 7000 });
      assert.deepEqual(due.map((a) => a.id).sort(), ['exp-due', 'exp-due-too']);
      const pending = (await store().op('approvals.pending')).map((a) => a.id);
      assert.ok(pending.includes('exp-later') && !pending.includes('exp-due') && !pending.includes('exp-due-too'), JSON.stringify(pending));
      const rows = ((await store().op('table.dump', { table: 'approvals', limit: 5000 })) as Approval[]).filter((a) => a.id.startsWith('exp-due'));
      assert.deepEqual(
        rows.map((a) => [a.status, a.reason, a.decided_at]),
        [
          ['expired', 'expired before a decision', 7000],
          ['expired', 'expired before a decision', 7000],
        ],
      );
      assert.deepEqual(await store().op('approvals.expire', { now: 7000 }), [], 'a second sweep finds nothing');
    });

    test('deleting a thread removes its turns, messages, events, tool calls and approvals, and nothing else', async () => {
      const gone = await filledThread('del-x1', 'del-x', 3);
      await filledThread('del-x2', 'del-x', 1);
      await filledThread('del-y1', 'del-y', 2);
      await store().op('settings.set', { userId: 'del-x', key: 'theme', value: 'dark' });
      const keptMessages = await store().listMessages('del-x2');
      const before = await tableCounts(store());

      assert.deepEqual(await store().deleteThread('del-x', 'del-x1'), { messages: gone.messages, turns: gone.turns, threads: 1 });
      assert.deepEqual(countDelta(before, await tableCounts(store())), {
        threads: -1,
        turns: -gone.turns,
        messages: -gone.messages,
        turn_events: -gone.events,
        tool_calls: -gone.toolCalls,
        approvals: -gone.approvals,
      });
      await rejectsWithCode(store().op('threads.get', { userId: 'del-x', threadId: 'del-x1' }), 'TITAN_E_NOT_FOUND');
      assert.deepEqual(await store().listMessages('del-x1'), []);
      await rejectsWithCode(store().op('turns.get', { id: 'del-x1-turn0' }), 'TITAN_E_NOT_FOUND');
      assert.deepEqual(await store().op('events.list', { turnId: 'del-x1-turn0' }), []);
      assert.deepEqual(await store().op('toolCalls.list', { turnId: 'del-x1-turn0' }), []);
      assert.deepEqual(await store().listMessages('del-x2'), keptMessages);
      assert.deepEqual(
        (await store().listThreads({ userId: 'del-x' })).map((t) => t.id),
        ['del-x2'],
      );
      assert.equal((await store().op('settings.get', { userId: 'del-x', key: 'theme' }))!.value, 'dark');
    });

    test('clearing all chats removes every thread of that user, and nothing of another user', async () => {
      const a = await filledThread('clr-c1', 'clr-carol', 2);
      const b = await filledThread('clr-c2', 'clr-carol', 1);
      await filledThread('clr-d1', 'clr-dave', 2);
      await store().op('settings.set', { userId: 'clr-carol', key: 'lang', value: 'fr' });
      const daveMessages = await store().listMessages('clr-d1');
      const before = await tableCounts(store());

      assert.deepEqual(await store().clearThreads('clr-carol'), { messages: a.messages + b.messages, turns: a.turns + b.turns, threads: 2 });
      assert.deepEqual(countDelta(before, await tableCounts(store())), {
        threads: -2,
        turns: -(a.turns + b.turns),
        messages: -(a.messages + b.messages),
        turn_events: -(a.events + b.events),
        tool_calls: -(a.toolCalls + b.toolCalls),
        approvals: -(a.approvals + b.approvals),
      });
      assert.deepEqual(await store().listThreads({ userId: 'clr-carol' }), []);
      assert.deepEqual(
        (await store().listThreads({ userId: 'clr-dave' })).map((t) => t.id),
        ['clr-d1'],
      );
      assert.deepEqual(await store().listMessages('clr-d1'), daveMessages);
      assert.equal((await store().op('events.list', { turnId: 'clr-d1-turn1' })).length, 3);
      assert.equal((await store().op('settings.get', { userId: 'clr-carol', key: 'lang' }))!.value, 'fr', 'settings are not chats');
      assert.deepEqual(await store().clearThreads('clr-carol'), { messages: 0, turns: 0, threads: 0 }, 'clearing again is harmless');
    });

    test('settings: set, overwrite, get and list, per user', async () => {
      await store().op('settings.set', { userId: 'set-u', key: 'model', value: 'small' });
      await store().op('settings.set', { userId: 'set-u', key: 'avatar', value: '{"emoji":"🚀"}' });
      await store().op('settings.set', { userId: 'set-u', key: 'model', value: 'large' });
      await store().op('settings.set', { userId: 'set-v', key: 'model', value: 'tiny' });
      assert.equal((await store().op('settings.get', { userId: 'set-u', key: 'model' }))!.value, 'large');
      assert.equal(await store().op('settings.get', { userId: 'set-u', key: 'missing' }), null);
      const listed = await store().op('settings.list', { userId: 'set-u' });
      assert.deepEqual(
        listed.map((s) => [s.key, s.value]),
        [
          ['avatar', '{"emoji":"🚀"}'],
          ['model', 'large'],
        ],
      );
      assert.deepEqual(
        (await store().op('settings.list', { userId: 'set-v' })).map((s) => s.value),
        ['tiny'],
      );
      const counts = await tableCounts(store());
      // @ts-expect-error: bad input on purpose (a setting's value is a string); the store refuses it too
      await rejectsWithCode(store().op('settings.set', { userId: 'set-u', key: 'model', value: 42 }), 'TITAN_E_USAGE');
      // @ts-expect-error: bad input on purpose (a setting needs a key); the store refuses it too
      await rejectsWithCode(store().op('settings.set', { userId: 'set-u', value: 'x' }), 'TITAN_E_USAGE');
      assert.deepEqual(await tableCounts(store()), counts);
      assert.equal((await store().op('settings.get', { userId: 'set-u', key: 'model' }))!.value, 'large');
    });

    test('SQL errors come back as coded errors and change nothing', async () => {
      await store().createThread({ id: 'err-t', userId: 'err-owner', title: 'original', channel: 'slack', externalId: 'C1' });
      await store().createTurn('err-turn', 'err-t');
      const counts = await tableCounts(store());

      const duplicate = await rejectsWithCode(store().createThread({ id: 'err-t', userId: 'err-intruder', title: 'hijack' }), 'TITAN_E_SQL_CONSTRAINT');
      assert.match(duplicate.message, /^threads\.create: /);
      await rejectsWithCode(store().createThread({ id: 'err-t2', userId: 'err-intruder', channel: 'slack', externalId: 'C1' }), 'TITAN_E_SQL_CONSTRAINT');
      await rejectsWithCode(store().createTurn('err-turn', 'err-t'), 'TITAN_E_SQL_CONSTRAINT');
      await rejectsWithCode(store().createTurn('err-orphan', 'err-no-thread'), 'TITAN_E_SQL_CONSTRAINT');
      await rejectsWithCode(
        store().op('approvals.create', { id: 'err-a', turnId: 'err-no-turn', summary: 's', expiresAt: Date.now() + HOUR }),
        'TITAN_E_SQL_CONSTRAINT',
      );
      // @ts-expect-error: bad input on purpose (not an op of the table); the store refuses it too
      await rejectsWithCode(store().op('no.such.op', {}), 'TITAN_E_USAGE');
      await rejectsWithCode(store().op('table.count', { table: 'users; DROP TABLE threads' }), 'TITAN_E_USAGE');
      await rejectsWithCode(store().createThread({ id: 'err-t3' } as never), 'TITAN_E_USAGE');

      assert.deepEqual(await tableCounts(store()), counts, 'no refused call left a row behind (not even the user a failed thread.create would have added)');
      const thread = await store().op('threads.get', { userId: 'err-owner', threadId: 'err-t' });
      assert.deepEqual([thread.user_id, thread.title], ['err-owner', 'original']);
      await rejectsWithCode(store().op('threads.get', { userId: 'err-intruder', threadId: 'err-t' }), 'TITAN_E_NOT_FOUND');
    });

    // Last: it restarts the kernel.
    test('after a restart on the same database: pending approvals are still pending, nothing migrates again', async () => {
      await filledThread('restart', 'restart-user', 2);
      const pendingBefore = (await store().op('approvals.pending')).filter((a) => a.id.startsWith('restart-'));
      assert.equal(pendingBefore.length, 2);
      const statusBefore = await store().status();
      const countsBefore = await tableCounts(store());
      const seen = progress.length;

      kernel = await handle.restart();
      kernel.bus.on('component.event', (event) => {
        if (event.kind === 'progress') progress.push(JSON.parse(event.data));
      });
      assert.deepEqual(
        (await store().op('approvals.pending')).filter((a) => a.id.startsWith('restart-')),
        pendingBefore,
      );
      assert.deepEqual(await store().status(), statusBefore);
      assert.deepEqual(await tableCounts(store()), countsBefore);
      assert.equal(progress.length, seen, 'no migration ran on restart');
      const decided = await store().op('approvals.decide', { id: 'restart-turn1-approval', decision: 'rejected', by: 'bob' });
      assert.equal(decided.status, 'rejected');
    });
  });
}
