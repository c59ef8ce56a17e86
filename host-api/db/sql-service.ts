// The kernel side of titan:host/sql: runs statements on the backend, retries what is worth
// retrying (a busy or briefly unreachable database) with backoff, and on final failure raises a
// visible warning event - a write is never dropped silently. Open transactions are tracked by id
// and rolled back if a component abandons one.
import type { SqlService } from '../index.ts';
import type { ResultSet, SqlBackend, SqlParam, Statement, Transaction } from './backend.ts';
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
  const transactions = new Map<number, { tx: Transaction; timer: NodeJS.Timeout }>();
  let nextTx = 1;
  const kept = new Map<number, { rows: Array<Record<string, unknown>>; at: number }>();
  let nextHandle = 1;

  /** Runs op and tells `health` how it went. */
  async function watched<T>(write: boolean, op: () => Promise<T>): Promise<T> {
    try {
      const result = await op();
      health.succeeded(write);
      return result;
    } catch (error) {
      const failure = asFailure(error);
      health.failed(failure);
      throw failure;
    }
  }

  async function withRetry<T>(what: string, write: boolean, op: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await op();
        health.succeeded(write);
        return result;
      } catch (error) {
        const failure = asFailure(error);
        if (!failure.transient) {
          health.failed(failure);
          if (failure.diskFull) warn(`database write failed (${what}): ${failure.message}`);
          throw failure;
        }
        if (attempt >= retry.attempts) {
          health.failed(failure);
          warn(`database statement failed after ${attempt} attempts (${what}): ${failure.message}`);
          throw failure;
        }
        await new Promise((r) => setTimeout(r, Math.min(retry.maxMs, retry.initialMs * 2 ** (attempt - 1))));
      }
    }
  }

  function take(id: number): Transaction {
    const entry = transactions.get(id);
    if (!entry) throw new SqlFailure('other', `transaction ${id} is not open (committed, rolled back, or abandoned)`, false);
    entry.timer.refresh();
    return entry.tx;
  }

  return {
    keep(rows) {
      const now = Date.now();
      for (const [handle, entry] of kept) {
        if (now - entry.at < UNCLAIMED_ROWS_MS) break; // insertion order: the rest are newer
        kept.delete(handle);
      }
      const handle = nextHandle++;
      kept.set(handle, { rows, at: now });
      return handle;
    },
    take(handle) {
      const entry = kept.get(handle);
      kept.delete(handle);
      return entry?.rows;
    },
    dialect: backend.dialect,
    run: (sql: string, params: SqlParam[]) => withRetry(sql.slice(0, 60), !READ_ONLY.test(sql), () => backend.run(sql, params)),
    batch: (statements: Statement[]) => withRetry(`batch of ${statements.length}`, true, () => backend.batch(statements)),
    async begin() {
      const tx = await withRetry('begin', false, () => backend.begin());
      const id = nextTx++;
      const timer = setTimeout(() => {
        transactions.delete(id);
        warn(`transaction ${id} was left open for ${ABANDONED_TX_MS} ms and was rolled back`);
        void tx.rollback().catch(() => {});
      }, ABANDONED_TX_MS);
      timer.unref();
      transactions.set(id, { tx, timer });
      return id;
    },
    inTransaction: (id: number, sql: string, params: SqlParam[]): Promise<ResultSet> => watched(false, () => take(id).run(sql, params)),
    async commit(id: number) {
      const tx = take(id);
      clearTimeout(transactions.get(id)!.timer);
      transactions.delete(id);
      await watched(true, () => tx.commit());
    },
    async rollback(id: number) {
      const tx = take(id);
      clearTimeout(transactions.get(id)!.timer);
      transactions.delete(id);
      await tx.rollback();
    },
  };
}
