// The kernel side of titan:host/sql: runs statements on the backend, retries what is worth
// retrying (a busy or briefly unreachable database) with backoff, and on final failure raises a
// visible warning event - a write is never dropped silently. Open transactions are tracked by id
// and rolled back if a component abandons one. On a synchronous driver (libSQL) every call also
// answers at once (`sync`): an inline component's sql imports are then linked without JSPI, which
// saved about 0.05 ms of CPU per store call (kernel/link-plan.ts).
import type { KeptRows, SqlService, SyncSqlService } from '../index.ts';
import { rowsAsObjects, type ResultSet, type SqlBackend, type SqlParam, type Statement, type SyncTransaction, type Transaction } from './backend.ts';
import { SqlFailure } from './sql-errors.ts';
import { StorageHealth } from './storage-health.ts';

export type RetryPolicy = { attempts: number; initialMs: number; maxMs: number };
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialMs: 20, maxMs: 1000 };
const ABANDONED_TX_MS = 30000;
/** Rows kept for a handle that nobody takes are dropped after this long. */
const UNCLAIMED_ROWS_MS = 30000;

const READ_ONLY = /^\s*(select|with|pragma|explain)\b/i;

const asFailure = (error: unknown) => (error instanceof SqlFailure ? error : new SqlFailure('other', String((error as Error)?.message ?? error), false, error));

/** `health`: told of every final failure and success, so readiness can say what is wrong. */
export function createSqlService(
  backend: SqlBackend,
  warn: (message: string) => void,
  retry: RetryPolicy = DEFAULT_RETRY,
  health = new StorageHealth(),
): SqlService {
  /** Open transactions of either kind, by id (sync ones only while a call runs, but kept alike). */
  const transactions = new Map<number, { tx: Transaction | SyncTransaction; timer: NodeJS.Timeout }>();
  let nextTx = 1;
  const kept = new Map<number, { rows: KeptRows | Promise<KeptRows>; at: number }>();
  let nextHandle = 1;

  /** Tells `health` how `op` went: succeeded, or its failure (returned, to be thrown). */
  const succeeded = (write: boolean) => health.succeeded(write);
  const failedWith = (error: unknown): SqlFailure => {
    const failure = asFailure(error);
    health.failed(failure);
    return failure;
  };

  /** Whether a failed attempt is tried again (after `delayMs`); the final failure is reported. */
  function retrying(what: string, error: unknown, attempt: number): { failure: SqlFailure; delayMs?: number } {
    const failure = asFailure(error);
    if (!failure.transient) {
      health.failed(failure);
      if (failure.diskFull) warn(`database write failed (${what}): ${failure.message}`);
      return { failure };
    }
    if (attempt >= retry.attempts) {
      health.failed(failure);
      warn(`database statement failed after ${attempt} attempts (${what}): ${failure.message}`);
      return { failure };
    }
    return { failure, delayMs: Math.min(retry.maxMs, retry.initialMs * 2 ** (attempt - 1)) };
  }

  async function withRetry<T>(what: string, write: boolean, op: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await op();
        succeeded(write);
        return result;
      } catch (error) {
        const { failure, delayMs } = retrying(what, error, attempt);
        if (delayMs === undefined) throw failure;
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  }

  /** The same with a synchronous driver: the wait between attempts blocks, as its busy wait already does. */
  function withRetrySync<T>(what: string, write: boolean, op: () => T): T {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = op();
        succeeded(write);
        return result;
      } catch (error) {
        const { failure, delayMs } = retrying(what, error, attempt);
        if (delayMs === undefined) throw failure;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
      }
    }
  }

  function take(id: number): Transaction | SyncTransaction {
    const entry = transactions.get(id);
    if (!entry) throw new SqlFailure('other', `transaction ${id} is not open (committed, rolled back, or abandoned)`, false);
    entry.timer.refresh();
    return entry.tx;
  }

  /** Tracks an open transaction; one a component leaves open is rolled back. */
  function opened(tx: Transaction | SyncTransaction): number {
    const id = nextTx++;
    const timer = setTimeout(() => {
      transactions.delete(id);
      warn(`transaction ${id} was left open for ${ABANDONED_TX_MS} ms and was rolled back`);
      void Promise.resolve()
        .then(() => tx.rollback())
        .catch(() => {});
    }, ABANDONED_TX_MS);
    timer.unref();
    transactions.set(id, { tx, timer });
    return id;
  }

  /** Takes a transaction off the open ones (committed or rolled back now). */
  function closing(id: number): Transaction | SyncTransaction {
    const tx = take(id);
    clearTimeout(transactions.get(id)!.timer);
    transactions.delete(id);
    return tx;
  }

  function keep(rows: KeptRows | Promise<KeptRows>): number {
    const now = Date.now();
    for (const [handle, entry] of kept) {
      if (now - entry.at < UNCLAIMED_ROWS_MS) break; // insertion order: the rest are newer
      kept.delete(handle);
    }
    const handle = nextHandle++;
    kept.set(handle, { rows, at: now });
    return handle;
  }

  const direct = backend.sync;
  const sync: SyncSqlService | undefined = direct && {
    run: (sql, params) => withRetrySync(sql.slice(0, 60), !READ_ONLY.test(sql), () => direct.run(sql, params)),
    batch: (statements) => withRetrySync(`batch of ${statements.length}`, true, () => direct.batch(statements)),
    begin: () => opened(withRetrySync('begin', false, () => direct.begin())),
    inTransaction(id, sql, params) {
      try {
        const result = (take(id) as SyncTransaction).run(sql, params);
        succeeded(false);
        return result;
      } catch (error) {
        throw failedWith(error);
      }
    },
    commit(id) {
      const tx = closing(id) as SyncTransaction;
      try {
        tx.commit();
        succeeded(true);
      } catch (error) {
        throw failedWith(error);
      }
    },
    rollback: (id) => (closing(id) as SyncTransaction).rollback(),
    keep,
  };

  const run = (sql: string, params: SqlParam[]) => withRetry(sql.slice(0, 60), !READ_ONLY.test(sql), () => backend.run(sql, params));

  return {
    keep,
    keepQuery(sql, params) {
      const rows = run(sql, params).then(rowsAsObjects);
      rows.catch(() => {}); // its failure goes to whoever takes the rows; rows nobody takes expire with it
      return keep(rows);
    },
    take(handle) {
      const entry = kept.get(handle);
      kept.delete(handle);
      return entry?.rows;
    },
    dialect: backend.dialect,
    sync,
    run,
    batch: (statements: Statement[]) => withRetry(`batch of ${statements.length}`, true, () => backend.batch(statements)),
    begin: async () => opened(await withRetry('begin', false, () => backend.begin())),
    async inTransaction(id: number, sql: string, params: SqlParam[]): Promise<ResultSet> {
      try {
        const result = await (take(id) as Transaction).run(sql, params);
        succeeded(false);
        return result;
      } catch (error) {
        throw failedWith(error);
      }
    },
    async commit(id: number) {
      const tx = closing(id) as Transaction;
      try {
        await tx.commit();
        succeeded(true);
      } catch (error) {
        throw failedWith(error);
      }
    },
    async rollback(id: number) {
      await (closing(id) as Transaction).rollback();
    },
  };
}
