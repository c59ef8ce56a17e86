// A home from before migration 16 (turns indexed twice by state) migrates with its turns intact:
// the duplicate index is gone, and the turns a crash left streaming are still found at start.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Kernel } from '../../kernel/kernel.ts';
import { BACKENDS, LATEST_SCHEMA, lazyPostgres, openStoreKernel } from '../support/store.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

async function turnIndexes(kernel: Kernel, backend: string): Promise<string[]> {
  const sql =
    backend === 'libsql'
      ? "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'turns' AND name NOT LIKE 'sqlite_%' ORDER BY name"
      : "SELECT indexname FROM pg_indexes WHERE tablename = 'turns' AND indexname <> 'turns_pkey' ORDER BY indexname";
  return (await kernel.db.run(sql, [])).rows.map((row) => String(row[0]));
}

for (const backend of BACKENDS) {
  describe(`turns by state: ${backend}`, () => {
    test('a home at schema 15 with a turn left streaming migrates: one state index, the turn still found for crash recovery', async () => {
      const home = await openStoreKernel(backend, backend === 'postgres' ? { postgres: await postgres.server() } : {});
      try {
        const store = () => home.kernel.store;
        await store().createThread({ id: 'idx-thread', userId: 'idx-user', title: 'kept' });
        const begun = await store().op('turns.begin', {
          userId: 'idx-user',
          threadId: 'idx-thread',
          turnId: 'idx-turn',
          message: { id: 'idx-message', role: 'user', content: 'hello' },
        });
        assert.equal(begun.state, 'streaming');
        assert.equal((await store().op('turns.get', { id: 'idx-turn' })).state, 'streaming', 'begun turns are stored streaming, as they were');
        assert.deepEqual(await turnIndexes(home.kernel, backend), ['turns_state_updated', 'turns_thread']);

        // Put the database back where schema 15 left it, then restart: the store migrates it.
        await home.kernel.db.run('CREATE INDEX turns_state ON turns (state)', []);
        await home.kernel.db.run(`DELETE FROM schema_migrations WHERE version > 15`, []);
        assert.deepEqual(await turnIndexes(home.kernel, backend), ['turns_state', 'turns_state_updated', 'turns_thread']);
        await home.restart();

        const status = await store().status();
        assert.equal(status.version, LATEST_SCHEMA);
        assert.ok(
          status.applied.some((m) => m.version === 16),
          'migration 16 recorded',
        );
        assert.deepEqual(await turnIndexes(home.kernel, backend), ['turns_state_updated', 'turns_thread']);
        const stale = await store().op('turns.stale', {});
        assert.deepEqual(
          stale.map((t) => [t.id, t.state]),
          [['idx-turn', 'streaming']],
        );
        const messages = await store().op('messages.list', { threadId: 'idx-thread' });
        assert.deepEqual(
          messages.map((m) => m.content),
          ['hello'],
        );
      } finally {
        await home.cleanup();
      }
    });
  });
}
