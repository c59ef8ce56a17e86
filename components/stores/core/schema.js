// Migrating forward, and reading which version the database is at.
import { emit } from 'titan:host/events@0.1.0';
import { nowMs } from 'titan:host/clock@0.1.0';
import { log } from 'titan:host/log@0.1.0';
import { batch, one, rows, isSqlite, fail } from './db.js';
import { MIGRATIONS, SCHEMA_VERSION, tablesUpTo, types } from './migrations.js';

function tableExists(name) {
  const sql = isSqlite()
    ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"
    : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?';
  return one(sql, [name]) !== null;
}

export function currentVersion() {
  if (!tableExists('schema_migrations')) return 0;
  return Number(one('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations').version);
}

export function migrate() {
  if (!tableExists('schema_migrations')) {
    batch([
      [
        `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
      applied_at ${types().INT} NOT NULL, additive INTEGER NOT NULL DEFAULT 0)`,
        [],
      ],
    ]);
  }
  const from = currentVersion();
  if (from > SCHEMA_VERSION) {
    // A newer store migrated this database. Additive steps leave everything this store uses in
    // place; any other step could make this older code corrupt data.
    const breaking = rows('SELECT version, name FROM schema_migrations WHERE version > ? AND additive = 0 ORDER BY version', [SCHEMA_VERSION]);
    if (breaking.length > 0) {
      throw fail(
        'conflict',
        `the database is at schema version ${from}, newer than this store's ${SCHEMA_VERSION}, and migration ${breaking[0].version} (${breaking[0].name}) is not additive`,
      );
    }
    log(
      'warn',
      `the database is at schema version ${from}, newer than this store's ${SCHEMA_VERSION}; the newer migrations are additive, so this store serves it`,
    );
    return from;
  }
  const pending = MIGRATIONS.filter((m) => m.version > from);
  pending.forEach((m, i) => {
    emit('progress', JSON.stringify({ step: i + 1, of: pending.length, version: m.version, name: m.name }));
    // Each migration and its record commit together: a crash leaves it wholly applied or not at all.
    batch([
      ...m.up(types()).map((sql) => [sql, []]),
      ['INSERT INTO schema_migrations (version, name, applied_at, additive) VALUES (?, ?, ?, ?)', [m.version, m.name, nowMs(), m.additive ? 1 : 0]],
    ]);
    log('info', `schema migrated to version ${m.version} (${m.name})`);
  });
  // Every table this store's operations use must exist now: a table without a migration that
  // creates it fails here, at deploy, rather than on some later request.
  const missing = tablesUpTo(SCHEMA_VERSION).filter((table) => !tableExists(table));
  if (missing.length > 0) throw fail('conflict', `no migration creates table ${missing.join(', ')}`);
  return SCHEMA_VERSION;
}

export function status() {
  const version = currentVersion();
  const applied = version === 0 ? [] : rows('SELECT version, name, applied_at, additive FROM schema_migrations ORDER BY version');
  return {
    version,
    latest: SCHEMA_VERSION,
    applied,
    pending: MIGRATIONS.filter((m) => m.version > version).map((m) => ({ version: m.version, name: m.name })),
  };
}
