// PostgreSQL for scale: a connection pool (pg), `?` placeholders numbered to $n, int8 and numeric
// returned as numbers when they fit, and transactions that hold one pooled connection each.
import pg from 'pg';
import { TitanError } from '../../common/errors.ts';
import type { ResultSet, SqlBackend, SqlParam, Statement, Transaction } from './backend.ts';
import { fromPostgresError } from './sql-errors.ts';

const INT8 = 20;

/** Numbers the `?` placeholders outside quotes and comments: "a = ? AND b = '?'" -> "a = $1 AND b = '?'". */
export function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      if (c === quote) quote = null;
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '?') {
      out += `$${++n}`;
    } else {
      out += c;
    }
  }
  return out;
}

/** An int8 column as PostgreSQL sends it in text: a number when it is exact as one, else a bigint. */
export function parseInt8(value: string): number | bigint {
  // Up to 15 digits is always below 2^53: a number at once, without a BigInt in between.
  if (value.length < 16) return Number(value);
  const big = BigInt(value);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
}

const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8) return parseInt8;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function convert(result: pg.QueryResult): ResultSet {
  const columns = result.fields.map((f) => f.name);
  return { columns, rows: result.rows.map((row: unknown[]) => row), changes: result.rowCount ?? 0 };
}

function params(values: SqlParam[]): unknown[] {
  return values.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v));
}

async function runOn(client: pg.Pool | pg.PoolClient, sql: string, values: SqlParam[]): Promise<ResultSet> {
  try {
    return convert(await client.query({ text: numberPlaceholders(sql), values: params(values), rowMode: 'array', types }));
  } catch (error) {
    throw fromPostgresError(error);
  }
}

/** How long a new connection may take before the attempt fails (a server that hangs, not refuses). */
const CONNECT_TIMEOUT_MS = 5000;

type Checkout = { client: pg.PoolClient; release(error?: unknown): void };

/**
 * A pooled connection for a batch or a transaction. A connection that breaks while it is checked
 * out emits 'error' on its client (the pool listens only to idle ones): that is caught here, the
 * statement in flight fails with it, and the broken connection is destroyed instead of reused.
 */
async function checkout(pool: pg.Pool): Promise<Checkout> {
  const client = await pool.connect().catch((error: unknown) => {
    throw fromPostgresError(error);
  });
  let broken: Error | undefined;
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  let released = false;
  return {
    client,
    release(error?: unknown) {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      // A connection-class failure leaves the connection unusable: destroy it rather than pool it.
      const failed = broken ?? (error && fromPostgresError(error).tag === 'connection' ? (error as Error) : undefined);
      client.release(failed ?? undefined);
    },
  };
}

export async function openPostgres(url: string): Promise<SqlBackend> {
  const location = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
  // An idle connection that breaks (the server restarted) is dropped by the pool; the next
  // statement opens a new one. Handled here so it never becomes an uncaught 'error'.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new TitanError('TITAN_E_DB_UNAVAILABLE', `cannot reach PostgreSQL at ${location}: ${(error as Error).message}`, {
      fix: 'check TITAN_DB_URL and that the server is running',
    });
  }

  return {
    dialect: 'postgres',
    location,
    run: (sql, values) => runOn(pool, sql, values),
    async batch(statements: Statement[]) {
      // One statement is all or nothing on its own: without BEGIN and COMMIT, one round trip, not three.
      if (statements.length === 1) return [await runOn(pool, statements[0].sql, statements[0].params)];
      const { client, release } = await checkout(pool);
      let failure: unknown;
      try {
        await client.query('BEGIN');
        const results: ResultSet[] = [];
        for (const statement of statements) results.push(await runOn(client, statement.sql, statement.params));
        await client.query('COMMIT');
        return results;
      } catch (error) {
        failure = error;
        await client.query('ROLLBACK').catch(() => {});
        throw fromPostgresError(error);
      } finally {
        release(failure);
      }
    },
    async begin(): Promise<Transaction> {
      const { client, release } = await checkout(pool);
      try {
        await client.query('BEGIN');
      } catch (error) {
        release(error);
        throw fromPostgresError(error);
      }
      let failure: unknown;
      return {
        async run(sql, values) {
          try {
            return await runOn(client, sql, values);
          } catch (error) {
            failure = error;
            throw error;
          }
        },
        async commit() {
          try {
            await client.query('COMMIT');
          } catch (error) {
            failure = error;
            throw fromPostgresError(error);
          } finally {
            release(failure);
          }
        },
        async rollback() {
          try {
            await client.query('ROLLBACK');
          } catch (error) {
            failure = error;
            throw fromPostgresError(error);
          } finally {
            release(failure);
          }
        },
      };
    },
    close: () => pool.end(),
  };
}
