// Migrating forward, and reading which version the database is at.
import { emit } from 'titan:host/events@0.1.0';
import { nowMs } from 'titan:host/clock@0.1.0';
import { log } from 'titan:host/log@0.1.0';
import { batch, one, rows, isSqlite, fail } from './db.js';
import { MIGRATIONS, SCHEMA_VERSION, types } from './migrations.js';

function tableExists(name) {
  const sql = isSqlite()
    ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"
    : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?";
  return one(sql, [name]) !== null;
}

export function currentVersion() {
  if (!tableExists('schema_migrations')) return 0;
  return Number(one('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations').version);
}

export function migrate() {
  if (!tableExists('schema_migrations')) {
    batch([[`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${types().INT} NOT NULL)`, []]]);
  }
  const from = currentVersion();
  if (from > SCHEMA_VERSION) {
    // A newer store wrote this database: running older code on it could corrupt data.
    throw fail('conflict', `the database is at schema version ${from}, newer than this store's ${SCHEMA_VERSION}`);
  }
  const pending = MIGRATIONS.filter((m) => m.version > from);
  pending.forEach((m, i) => {
    emit('progress', JSON.stringify({ step: i + 1, of: pending.length, version: m.version, name: m.name }));
    // Each migration and its record commit together: a crash leaves it wholly applied or not at all.
    batch([...m.up(types()).map((sql) => [sql, []]), ['INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, nowMs()]]]);
    log('info', `schema migrated to version ${m.version} (${m.name})`);
  });
  return SCHEMA_VERSION;
}

export function status() {
  const version = currentVersion();
  const applied = version === 0 ? [] : rows('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
  return {
    version,
    latest: SCHEMA_VERSION,
    applied,
    pending: MIGRATIONS.filter((m) => m.version > version).map((m) => ({ version: m.version, name: m.name })),
  };
}
