// The libSQL backend as the store sees it: values round trip, a transaction is its own connection
// (a call in between never sees or joins it), a failed batch leaves nothing, and a statement run
// many times (prepared once, reused) keeps answering with the current data.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openLibsql } from './libsql-backend.ts';
import { SqlFailure } from './sql-errors.ts';

async function withDb(fn: (db: Awaited<ReturnType<typeof openLibsql>>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-libsql-'));
  const db = await openLibsql(path.join(dir, 'titan.db'));
  try {
    await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, data BLOB, flag INTEGER)', []);
    await fn(db);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('values round trip: text, integers, booleans as 0/1, bytes as Uint8Array, null', () =>
  withDb(async (db) => {
    const inserted = await db.run('INSERT INTO t (id, name, data, flag) VALUES (?, ?, ?, ?)', [7, 'seven', new Uint8Array([1, 2, 3]), true]);
    assert.equal(inserted.changes, 1);
    await db.run('INSERT INTO t (id, name, data, flag) VALUES (?, ?, ?, ?)', [8, null, null, false]);
    const result = await db.run('SELECT id, name, data, flag FROM t ORDER BY id', []);
    assert.deepEqual(result.columns, ['id', 'name', 'data', 'flag']);
    assert.deepEqual(result.rows, [
      [7, 'seven', new Uint8Array([1, 2, 3]), 1],
      [8, null, null, 0],
    ]);
    assert.ok(result.rows[0][2] instanceof Uint8Array && !Buffer.isBuffer(result.rows[0][2]));
  }));

test('a statement run many times keeps answering with the current data', () =>
  withDb(async (db) => {
    for (let i = 1; i <= 300; i++) {
      await db.run('INSERT INTO t (name) VALUES (?)', [`n${i}`]);
      const count = await db.run('SELECT count(*) AS n FROM t', []);
      assert.equal(count.rows[0][0], i);
    }
  }));

test('an open transaction is invisible to calls in between, and commits or rolls back as a whole', () =>
  withDb(async (db) => {
    const tx = await db.begin();
    await tx.run('INSERT INTO t (name) VALUES (?)', ['inside']);
    assert.equal((await db.run('SELECT count(*) FROM t', [])).rows[0][0], 0);
    await tx.rollback();
    assert.equal((await db.run('SELECT count(*) FROM t', [])).rows[0][0], 0);
    const second = await db.begin();
    await second.run('INSERT INTO t (name) VALUES (?)', ['kept']);
    await second.commit();
    assert.deepEqual((await db.run('SELECT name FROM t', [])).rows, [['kept']]);
    await assert.rejects(second.run('SELECT 1', []), SqlFailure);
  }));

test('a batch that fails part-way leaves nothing, and says it was a constraint', () =>
  withDb(async (db) => {
    await db.run('INSERT INTO t (name) VALUES (?)', ['taken']);
    await assert.rejects(
      db.batch([
        { sql: 'INSERT INTO t (name) VALUES (?)', params: ['new'] },
        { sql: 'INSERT INTO t (name) VALUES (?)', params: ['taken'] },
      ]),
      (error: unknown) => error instanceof SqlFailure && error.tag === 'constraint',
    );
    assert.deepEqual((await db.run('SELECT name FROM t ORDER BY id', [])).rows, [['taken']]);
    const results = await db.batch([
      { sql: 'INSERT INTO t (name) VALUES (?)', params: ['a'] },
      { sql: 'SELECT count(*) FROM t', params: [] },
    ]);
    assert.equal(results[1].rows[0][0], 2);
  }));

test('commits are synced at checkpoints, not each one (WAL, synchronous NORMAL), on every connection', () =>
  withDb(async (db) => {
    assert.deepEqual((await db.run('PRAGMA journal_mode', [])).rows, [['wal']]);
    assert.deepEqual((await db.run('PRAGMA synchronous', [])).rows, [[1]]);
    const tx = await db.begin();
    assert.deepEqual((await tx.run('PRAGMA synchronous', [])).rows, [[1]]);
    await tx.rollback();
  }));
