// Usage by day on both backends: the turns' completion events counted per day in the caller's time
// zone, by where the answer came from, with model requests and tokens summed; days without turns
// are listed at zero; a range or offset out of bounds is refused and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, openStoreKernel, PostgresServer, type StoreKernel } from '../support/store.ts';
import { rejectsWithCode } from '../support/fixtures.ts';

const DAY = 86_400_000;

let postgres: PostgresServer;
before(async () => {
  postgres = await PostgresServer.start();
});
after(() => postgres?.stop());

for (const backend of BACKENDS) {
  describe(`usage by day: ${backend}`, () => {
    let store: StoreKernel;
    before(async () => {
      store = await openStoreKernel(backend, { postgres });
    });
    after(() => store?.cleanup());

    test('completed turns are counted by day and by source; tokens and model requests are summed', async () => {
      const { kernel } = store;
      await kernel.store.op('users.ensure', { id: 'usage-ann' });
      await kernel.store.createThread({ id: 'usage-t', userId: 'usage-ann' });
      const completions = [
        { from: 'model', usage: { input_tokens: 120, output_tokens: 30 }, modelRequests: 2 },
        { from: 'model', usage: { input_tokens: 80, output_tokens: 20 }, modelRequests: 1 },
        { from: 'reflex' },
        { from: 'shadow' },
        // Stored before requests were counted: a model answer made one.
        { from: 'model', usage: { input_tokens: 10, output_tokens: 5 } },
      ];
      for (const [i, completed] of completions.entries()) {
        await kernel.store.op('turns.create', { id: `usage-turn-${i}`, threadId: 'usage-t' });
        await kernel.store.op('events.append', {
          turnId: `usage-turn-${i}`,
          events: [
            { seq: 0, type: 'text', data: { text: 'not counted' } },
            { seq: 1, type: 'turn.completed', data: { type: 'turn.completed', stopReason: 'stop', ...completed } },
          ],
        });
      }
      await kernel.store.op('turns.create', { id: 'usage-failed', threadId: 'usage-t' });
      await kernel.store.op('events.append', { turnId: 'usage-failed', events: [{ seq: 0, type: 'turn.failed', data: { code: 'X' } }] });

      const days = await kernel.store.op('usage.daily', { days: 7 });
      assert.equal(days.length, 7, 'every day of the range, those without turns too');
      assert.deepEqual(
        days.slice(0, 6).map((d) => d.turns),
        [0, 0, 0, 0, 0, 0],
      );
      const today = days[6];
      assert.equal(today.day, new Date().toISOString().slice(0, 10));
      assert.deepEqual(
        { ...today, day: undefined },
        { day: undefined, turns: 5, model: 3, reflex: 1, shadow: 1, onboarding: 0, modelRequests: 4, inputTokens: 210, outputTokens: 55 },
      );

      // Seen from tomorrow, today's turns are yesterday's; from a week on, they are out of the range.
      const tomorrow = await kernel.store.op('usage.daily', { days: 2, now: Date.now() + DAY });
      assert.deepEqual(
        tomorrow.map((d) => d.turns),
        [5, 0],
      );
      const later = await kernel.store.op('usage.daily', { days: 7, now: Date.now() + 8 * DAY });
      assert.equal(
        later.reduce((sum, d) => sum + d.turns, 0),
        0,
      );
    });

    test('days are the caller\u2019s: an offset east of UTC moves a late-evening turn to the next day', async () => {
      const now = Date.now();
      const utcDay = new Date(now).toISOString().slice(0, 10);
      const east = await store.kernel.store.op('usage.daily', { days: 1, offsetMinutes: 14 * 60 - 1 });
      const west = await store.kernel.store.op('usage.daily', { days: 1, offsetMinutes: -(14 * 60 - 1) });
      assert.ok(east[0].day >= utcDay && west[0].day <= utcDay, `${west[0].day} <= ${utcDay} <= ${east[0].day}`);
    });

    test('a range or an offset out of bounds is refused', async () => {
      for (const input of [{ days: 0 }, { days: 400 }, { days: 1.5 }, { offsetMinutes: 15 * 60 }])
        await rejectsWithCode(store.kernel.store.op('usage.daily', input), 'TITAN_E_USAGE');
    });
  });
}
