// The store conformance suite, second half: approvals, deletion, settings, SQL errors and a restart,
// the same cases word for word against the embedded libSQL file and a real PostgreSQL server
// (migrations, threads, messages and turns: conformance.test.ts).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Approval } from '../../kernel/store-client.ts';
import { rejectsWithCode } from '../support/fixtures.ts';
import { BACKENDS, countDelta, lazyPostgres, tableCounts } from '../support/store.ts';
import { conformanceBench, HOUR } from '../support/store-conformance.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

for (const backend of BACKENDS) {
  describe(`store conformance (lifecycle): ${backend}`, () => {
    const bench = conformanceBench(backend, postgres);
    const { store, progress, filledThread } = bench;

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

      await bench.restart();
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
