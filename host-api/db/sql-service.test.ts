// The sql service's synchronous calls (libSQL's driver answers at once, so an inline store's sql
// imports are plain calls): they write and read what the asynchronous ones do, keep a transaction
// apart until it commits, retry a busy database before giving up, and report the final failure.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { SqlBackend } from './backend.ts';
import { openLibsql } from './libsql-backend.ts';
import { SqlFailure } from './sql-errors.ts';
import { createSqlService } from './sql-service.ts';
import { StorageHealth } from './storage-health.ts';

async function withService(fn: (service: ReturnType<typeof createSqlService>) => Promise<void> | void): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-sql-service-'));
  const db = await openLibsql(path.join(dir, 'titan.db'));
  try {
    await fn(createSqlService(db, () => {}));
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('libSQL answers synchronously: a batch, a transaction and reads see the same data as the asynchronous calls', () =>
  withService(async (service) => {
    const sync = service.sync;
    assert.ok(sync, 'a libSQL service has synchronous calls');
    sync.run('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)', []);
    assert.deepEqual(
      sync
        .batch([
          { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [1, 'one'] },
          { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [2, 'two'] },
        ])
        .map((r) => r.changes),
      [1, 1],
    );
    const tx = sync.begin();
    sync.inTransaction(tx, 'INSERT INTO t (id, name) VALUES (?, ?)', [3, 'three']);
    assert.equal((await service.run('SELECT count(*) AS n FROM t', [])).rows[0][0], 2, 'not seen before it commits');
    sync.commit(tx);
    assert.deepEqual((await service.run('SELECT name FROM t ORDER BY id', [])).rows, [['one'], ['two'], ['three']]);
    const rolled = sync.begin();
    sync.inTransaction(rolled, 'DELETE FROM t', []);
    sync.rollback(rolled);
    assert.equal(sync.run('SELECT count(*) AS n FROM t', []).rows[0][0], 3);
    assert.throws(() => sync.commit(rolled), /is not open/);
    // A failed batch leaves nothing.
    assert.throws(() =>
      sync.batch([
        { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [4, 'four'] },
        { sql: 'INSERT INTO t (id, name) VALUES (?, ?)', params: [1, 'again'] },
      ]),
    );
    assert.equal(sync.run('SELECT count(*) AS n FROM t', []).rows[0][0], 3);
  }));

test('a busy database is tried again synchronously; a failure that stays is reported to the health check', () => {
  let attempts = 0;
  const busy = () => new SqlFailure('connection', 'database is locked', true);
  const backend = {
    dialect: 'sqlite',
    location: 'test',
    sync: {
      run() {
        attempts++;
        if (attempts < 3) throw busy();
        return { columns: [], rows: [], changes: 1 };
      },
      batch() {
        throw busy();
      },
      begin() {
        throw new Error('unused');
      },
    },
  } as unknown as SqlBackend;
  const warnings: string[] = [];
  const health = new StorageHealth();
  const service = createSqlService(backend, (message) => warnings.push(message), { attempts: 3, initialMs: 1, maxMs: 2 }, health);
  assert.equal(service.sync?.run('UPDATE t SET name = ?', ['x']).changes, 1);
  assert.equal(attempts, 3);
  assert.throws(() => service.sync?.batch([{ sql: 'INSERT INTO t VALUES (1)', params: [] }]), /database is locked/);
  assert.match(warnings.join('\n'), /failed after 3 attempts/);
  assert.ok(health.problem, 'the final failure is what readiness reports');
});

test('a query kept by handle answers the handle at once; its rows, or its failure, reach whoever takes them', async () => {
  const answers: Array<(value: { columns: string[]; rows: unknown[][]; changes: number }) => void> = [];
  const backend = {
    dialect: 'postgres',
    location: 'test',
    run(sql: string) {
      if (sql.startsWith('BROKEN')) return Promise.reject(new SqlFailure('syntax', 'syntax error at "BROKEN"', false));
      return new Promise((resolve) => answers.push(resolve));
    },
  } as unknown as SqlBackend;
  const service = createSqlService(backend, () => {});
  const keepQuery = service.keepQuery;
  assert.ok(keepQuery, 'a service on the kernel thread keeps queries running');
  const handle = keepQuery('SELECT id, name FROM t', []);
  const taken = service.take(handle);
  assert.ok(taken instanceof Promise, 'the rows are still on their way');
  answers[0]({
    columns: ['id', 'name'],
    rows: [
      [1, 'one'],
      [2, 'two'],
    ],
    changes: 0,
  });
  assert.deepEqual(await taken, [
    { id: 1, name: 'one' },
    { id: 2, name: 'two' },
  ]);
  assert.equal(service.take(handle), undefined, 'rows are handed over once');
  // A failure nobody has asked for yet is held for the taker, not thrown into the process.
  const broken = keepQuery('BROKEN', []);
  await new Promise((resolve) => setImmediate(resolve));
  await assert.rejects(Promise.resolve(service.take(broken)), (error: SqlFailure) => error.tag === 'syntax' && /BROKEN/.test(error.message));
});
