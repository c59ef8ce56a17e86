// The embedded default: a libSQL file under $TITAN_HOME. WAL journal (readers never wait for the
// writer), a busy timeout instead of instant SQLITE_BUSY, a corrupt file reported with its path and
// what to do - never overwritten - commits synced at checkpoints (synchronous=NORMAL) that run on a
// thread of their own (checkpointer.ts), and each connection's statements prepared once and reused:
// the driver never frees a prepared statement's native memory (libsql-js 0.5,
// tursodatabase/libsql-js#153), so preparing per call grew RSS by ~3.5 KB a query (~100 MB per
// 1,000 agent turns).
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'libsql';
import { TitanError } from '../../common/errors.ts';
import type { ResultSet, SqlBackend, SqlParam, Statement, SyncTransaction, Transaction } from './backend.ts';
import { type CheckpointOptions, Checkpointer, walKeptBytes } from './checkpointer.ts';
import { fromSqliteError } from './sql-errors.ts';

const BUSY_TIMEOUT_MS = 5000;
/** Distinct statements kept per connection; the store's own set is a few dozen. */
const STATEMENT_CACHE = 512;
/** Idle connections kept for transactions (each open transaction holds one of its own). */
const IDLE_TRANSACTION_CONNECTIONS = 2;

type Db = InstanceType<typeof Database>;
type Prepared = ReturnType<Db['prepare']> & { all(args: unknown[]): unknown[]; run(args: unknown[]): { changes: number } };

function toDriver(value: SqlParam): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

/** Integers come back as bigint (exact); a number when it fits, blobs as plain Uint8Array. */
function fromDriver(value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RangeError(`an integer in the result (${value}) cannot be represented exactly as a JavaScript number`);
    }
    return Number(value);
  }
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  return value;
}

/** One driver connection and its prepared statements, reused by SQL text. */
class Connection {
  readonly db: Db;
  readonly #statements = new Map<string, Prepared>();
  /** Told after each statement that may have written. */
  onWrite: (() => void) | undefined;

  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS, ...(options.readonly ? { readonly: true, fileMustExist: true } : {}) });
  }

  #prepare(sql: string): Prepared {
    const cached = this.#statements.get(sql);
    if (cached) return cached;
    const statement = this.db.prepare(sql) as Prepared;
    statement.safeIntegers(true);
    if (statement.reader) statement.raw(true);
    if (this.#statements.size >= STATEMENT_CACHE) this.#statements.delete(this.#statements.keys().next().value as string);
    this.#statements.set(sql, statement);
    return statement;
  }

  /** Synchronous: nothing else on this connection runs in between. */
  execute(sql: string, params: SqlParam[]): ResultSet {
    try {
      const statement = this.#prepare(sql);
      const args = params.map(toDriver);
      if (statement.reader) {
        const rows = statement.all(args) as unknown[][];
        return { columns: statement.columns().map((c) => c.name), rows: rows.map((row) => row.map(fromDriver)), changes: 0 };
      }
      const changes = statement.run(args).changes;
      this.onWrite?.();
      return { columns: [], rows: [], changes };
    } catch (error) {
      throw fromSqliteError(error);
    }
  }

  close(): void {
    this.#statements.clear();
    if (this.db.open) this.db.close();
  }
}

/**
 * In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a commit no longer waits
 * for an fsync (2.8-3.5 ms p50, 25-35 ms p99 on these machines, the event loop blocked meanwhile by
 * this synchronous driver; two commits a turn). A process that crashes loses nothing committed; a
 * power loss may roll back the last commits since the last checkpoint, never to an inconsistent
 * file (sqlite.org/pragma.html#pragma_synchronous). Per connection.
 */
const SYNC_AT_CHECKPOINTS = 'PRAGMA synchronous=NORMAL';

function openConnection(file: string): Connection {
  try {
    return new Connection(file);
  } catch (error) {
    throw new TitanError('TITAN_E_DB_UNAVAILABLE', `cannot open ${file}: ${String((error as Error).message ?? error).split('\n')[0]}`);
  }
}

/** `checkpoints`: how often the checkpointer thread runs and the WAL's limit (tests make them small). */
export async function openLibsql(file: string, checkpoints: CheckpointOptions = {}): Promise<SqlBackend> {
  await mkdir(path.dirname(file), { recursive: true });
  const created = !existsSync(file);
  const main = openConnection(file);
  // A new database is its owner's alone (its -wal and -shm files take the same mode).
  if (created) await chmod(file, 0o600).catch(() => {});
  try {
    main.execute('PRAGMA journal_mode=WAL', []);
    // Reading the schema is what fails on a file that is not a database.
    main.execute('SELECT count(*) FROM sqlite_master', []);
  } catch (error) {
    main.close();
    const message = (error as Error).message ?? String(error);
    if (/not a database|malformed|SQLITE_NOTADB|SQLITE_CORRUPT/i.test(message)) {
      throw new TitanError('TITAN_E_DB_CORRUPT', `${file} is not a readable database (${message.split('\n')[0]})`, {
        fix: `Titan left the file untouched: move it aside (e.g. mv ${file} ${file}.broken) to start empty, or restore it from a \`titan db export\``,
      });
    }
    throw new TitanError('TITAN_E_DB_UNAVAILABLE', `cannot open ${file}: ${message.split('\n')[0]}`);
  }

  const idle: Connection[] = [];
  const held = new Set<Connection>();
  let closed = false;
  // Pragmas every serving connection runs, those opened later too.
  const pragmas = new Map<string, string>([
    ['synchronous', SYNC_AT_CHECKPOINTS],
    ['journal_size_limit', `PRAGMA journal_size_limit=${walKeptBytes(checkpoints.walLimitBytes)}`],
  ]);
  const serving = (connection: Connection): Connection => {
    for (const pragma of pragmas.values()) connection.execute(pragma, []);
    connection.onWrite = () => checkpointer.wrote();
    return connection;
  };
  const checkpointer = new Checkpointer(
    file,
    {
      setServing(pragma) {
        pragmas.set(pragma.replace(/^PRAGMA (\w+).*$/, '$1'), pragma);
        for (const connection of [main, ...idle, ...held]) connection.execute(pragma, []);
      },
      empty() {
        if (held.size > 0 || closed || main.db.inTransaction) return false;
        try {
          // Its first column says whether it was kept from finishing (the thread checkpointing just then).
          return main.execute('PRAGMA wal_checkpoint(TRUNCATE)', []).rows[0]?.[0] === 0;
        } catch {
          return false; // busy: tried again after the next write
        }
      },
    },
    checkpoints,
  );
  serving(main);
  const checkOpen = () => {
    if (closed) throw fromSqliteError(Object.assign(new Error('the database is closed'), { code: 'SQLITE_MISUSE' }));
  };
  const release = (connection: Connection) => {
    held.delete(connection);
    if (connection.db.inTransaction) {
      try {
        connection.execute('ROLLBACK', []);
      } catch {
        connection.close(); // unusable: never handed out again
        return;
      }
    }
    if (closed || idle.length >= IDLE_TRANSACTION_CONNECTIONS) connection.close();
    else idle.push(connection);
  };

  const run = (sql: string, params: SqlParam[]): ResultSet => {
    checkOpen();
    return main.execute(sql, params);
  };
  const batch = (statements: Statement[]): ResultSet[] => {
    checkOpen();
    main.execute('BEGIN IMMEDIATE', []);
    try {
      const results = statements.map((s) => main.execute(s.sql, s.params));
      main.execute('COMMIT', []);
      return results;
    } finally {
      if (main.db.inTransaction) main.execute('ROLLBACK', []);
    }
  };
  const begin = (): SyncTransaction => {
    checkOpen();
    // A transaction may span awaits (the asynchronous calls): it gets a connection of its own, so
    // calls in between stay outside it.
    const connection = idle.pop() ?? serving(openConnection(file));
    held.add(connection);
    try {
      connection.execute('BEGIN IMMEDIATE', []);
    } catch (error) {
      release(connection);
      throw error;
    }
    let settled = false;
    const ended = () => fromSqliteError(Object.assign(new Error('the transaction has already ended'), { code: 'SQLITE_MISUSE' }));
    const settle = (sql: string) => {
      if (settled) throw ended();
      settled = true;
      try {
        connection.execute(sql, []);
      } finally {
        release(connection);
      }
    };
    return {
      run(sql, params) {
        if (settled) throw ended();
        return connection.execute(sql, params);
      },
      commit: () => settle('COMMIT'),
      rollback: () => settle('ROLLBACK'),
    };
  };

  return {
    dialect: 'sqlite',
    location: file,
    sync: { run, batch, begin },
    run: async (sql, params) => run(sql, params),
    batch: async (statements) => batch(statements),
    async begin(): Promise<Transaction> {
      const tx = begin();
      return { run: async (sql, params) => tx.run(sql, params), commit: async () => tx.commit(), rollback: async () => tx.rollback() };
    },
    async close() {
      closed = true;
      await checkpointer.stop();
      for (const connection of [...idle, ...held, main]) connection.close();
      idle.length = 0;
      held.clear();
    },
  };
}

/** One read-only connection on an existing file, synchronous (a CLI reading a stopped Titan's store: bin/store-file.ts). */
export type LibsqlReader = { readonly location: string; execute(sql: string, params: SqlParam[]): ResultSet; close(): void };

export function openLibsqlReader(file: string): LibsqlReader {
  let connection: Connection;
  try {
    connection = new Connection(file, { readonly: true });
  } catch (error) {
    throw new TitanError('TITAN_E_DB_UNAVAILABLE', `cannot open ${file} to read: ${String((error as Error).message ?? error).split('\n')[0]}`);
  }
  return { location: file, execute: (sql, params) => connection.execute(sql, params), close: () => connection.close() };
}
