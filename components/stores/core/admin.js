// The kernel's own records (component patches) and whole-table dump/load for `titan db export|import`.
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, one, rows, rowsText, isSqlite } from './db.js';
import { tablesUpTo } from './migrations.js';
import { currentVersion } from './schema.js';
/** @import { RowsText, StoreHandlers } from '../ops.js' */

// The key that orders each table's rows for paging (its autoincrement position or its primary key).
const ORDER = {
  messages: 'pos',
  turn_events: 'pos',
  patch_history: 'pos',
  memory_chunks: 'pos',
  settings: 'user_id, key',
  reflex_stats: 'pattern_id',
  channel_pairings: 'channel, sender_id',
  channel_events: 'channel, event_id',
  channel_cursors: 'channel',
  memory_mentions: 'entity_id, document_id',
  memory_relations: 'pos',
  memory_skipped: 'user_id, path',
  memory_meta: 'key',
  code_files: 'pos',
  code_symbols: 'file_pos, seq',
  code_refs: 'file_pos, seq',
  code_imports: 'file_pos, seq',
};
const GENERATED = { memory_chunks: ['tsv'] };

/** The table's writable columns, from the database's own catalogue (generated ones excluded). */
function columnsOf(table) {
  const names = isSqlite()
    ? rows('SELECT name FROM pragma_table_info(?)', [table]).map((c) => c.name)
    : rows("SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER'", [
        table,
      ]).map((c) => c.name);
  return names.filter((name) => !(GENERATED[table] ?? []).includes(name));
}

function knownTable(table) {
  if (!tablesUpTo(currentVersion()).includes(table)) throw fail('invalid', `"${table}" is not a table of this schema version`);
  return table;
}

/** What a patch carries beyond its row: the equivalences it declares, its verification and canary reports. */
function details(p) {
  const { equivalences, verification, override, canary } = p;
  const kept = { equivalences, verification, override, canary };
  return Object.values(kept).some((v) => v !== undefined) ? JSON.stringify(kept) : null;
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const admin = {
  'patches.save'(input) {
    const p = input.patch;
    if (!p?.id) throw fail('invalid', '"patch" with an id is required');
    const at = nowMs();
    const statements = [
      [
        `INSERT INTO component_patches (id, slot, kind, name, from_version, to_version, to_digest, state, error, details, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, error = excluded.error,
      details = excluded.details, updated_at = excluded.updated_at`,
        [p.id, p.slot, p.kind, p.name, p.fromVersion ?? null, p.toVersion, p.toDigest, p.state, p.error ?? null, details(p), at, at],
      ],
    ];
    const known = Number(one('SELECT COUNT(*) AS n FROM patch_history WHERE patch_id = ?', [p.id]).n);
    for (const step of p.history.slice(known)) {
      statements.push([
        'INSERT INTO patch_history (patch_id, state, actor, why, at) VALUES (?, ?, ?, ?, ?)',
        [p.id, step.state, step.by, step.why, Date.parse(step.at)],
      ]);
    }
    batch(statements);
    return { saved: p.id };
  },
  'patches.list'() {
    const patches = rows('SELECT * FROM component_patches ORDER BY created_at, id');
    const history = rows('SELECT patch_id, state, actor, why, at FROM patch_history ORDER BY pos');
    return patches.map((p) => ({
      id: p.id,
      slot: p.slot,
      kind: p.kind,
      name: p.name,
      fromVersion: p.from_version ?? undefined,
      toVersion: p.to_version,
      toDigest: p.to_digest,
      state: p.state,
      ...(p.error ? { error: p.error } : {}),
      ...(p.details ? JSON.parse(p.details) : {}),
      history: history.filter((h) => h.patch_id === p.id).map((h) => ({ state: h.state, by: h.actor, why: h.why, at: new Date(Number(h.at)).toISOString() })),
    }));
  },

  'tables.list'() {
    return tablesUpTo(currentVersion());
  },
  /** One page of a table's rows, in key order, for export. */
  'table.dump'(input) {
    const table = knownTable(input.table);
    const limit = Math.min(Math.max(Number(input.limit ?? 500), 1), 5000);
    const order = ORDER[table] ?? 'id';
    const skip = GENERATED[table] ?? [];
    const text = rowsText(`SELECT * FROM ${table} ORDER BY ${order} LIMIT ? OFFSET ?`, [limit, Number(input.offset ?? 0)]);
    if (!skip.length) return text;
    return /** @type {RowsText} */ (
      JSON.stringify(
        JSON.parse(text).map((row) => {
          for (const column of skip) delete row[column];
          return row;
        }),
      )
    );
  },
  /** Inserts exported rows as they are (keys included), all in one transaction. */
  'table.load'(input) {
    const table = knownTable(input.table);
    const list = input.rows ?? [];
    if (list.length === 0) return { loaded: 0 };
    // Column names come from a file: only the table's real columns may reach the statement.
    const allowed = new Set(columnsOf(table));
    const statements = list.map((row) => {
      const columns = Object.keys(row);
      const unknown = columns.find((c) => !allowed.has(c));
      if (unknown !== undefined) throw fail('invalid', `table ${table} has no column "${unknown}"`);
      return [`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, columns.map((c) => row[c])];
    });
    return { loaded: batch(statements).reduce((a, b) => a + b, 0) };
  },
  /** After a load with explicit keys, PostgreSQL's identity counters must move past them. */
  'table.reseed'(input) {
    const table = knownTable(input.table);
    if (isSqlite() || !ORDER[table] || ORDER[table] !== 'pos') return { reseeded: false };
    batch([[`SELECT setval(pg_get_serial_sequence('${table}', 'pos'), COALESCE((SELECT MAX(pos) FROM ${table}), 0) + 1, false)`, []]]);
    return { reseeded: true };
  },
  /** Empties one table: only used to undo a failed import into an empty database. */
  'table.clear'(input) {
    const table = knownTable(input.table);
    return { removed: batch([[`DELETE FROM ${table}`, []]])[0] };
  },
  'table.count'(input) {
    const table = knownTable(input.table);
    return Number(one(`SELECT COUNT(*) AS n FROM ${table}`).n);
  },
};
