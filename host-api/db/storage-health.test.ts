// Readiness as statements found it: a lost connection stands until anything succeeds, a full disk
// until a write succeeds or no write has failed for a while; other failures say nothing about it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromPostgresError, fromSqliteError, SqlFailure } from './sql-errors.ts';
import { StorageHealth } from './storage-health.ts';

test('a lost connection stands until any statement succeeds; a constraint failure is not a storage problem', () => {
  const health = new StorageHealth();
  const code = () => health.problem?.code;
  health.failed(new SqlFailure('constraint', 'UNIQUE failed', false));
  assert.equal(code(), undefined);
  health.failed(fromPostgresError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })));
  assert.equal(code(), 'TITAN_E_DB_UNAVAILABLE');
  health.succeeded(false);
  assert.equal(code(), undefined);
});

test('a full disk (SQLITE_FULL, PostgreSQL 53100) stands through reads, clears on a write, or after a quiet while', () => {
  let now = 1_000;
  const health = new StorageHealth(() => now);
  const code = () => health.problem?.code;
  health.failed(fromSqliteError(Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' })));
  assert.equal(code(), 'TITAN_E_DISK_FULL');
  health.succeeded(false);
  assert.equal(code(), 'TITAN_E_DISK_FULL', 'a read proves nothing about room to write');
  health.succeeded(true);
  assert.equal(code(), undefined);

  health.failed(fromPostgresError(Object.assign(new Error('could not extend file: No space left on device'), { code: '53100' })));
  assert.equal(code(), 'TITAN_E_DISK_FULL');
  now += 16_000;
  assert.equal(code(), undefined, 'no failed write for a while: assumed fixed (the next failure says it again)');
});
