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

function parseInt8(value: string): number | bigint {
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

export async function openPostgres(url: string): Promise<SqlBackend> {
  const location = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {}); // an idle client's error is reported on its next use
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
      const client = await pool.connect().catch((error: unknown) => {
        throw fromPostgresError(error);
      });
      try {
        await client.query('BEGIN');
        const results: ResultSet[] = [];
        for (const statement of statements) results.push(await runOn(client, statement.sql, statement.params));
        await client.query('COMMIT');
        return results;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw fromPostgresError(error);
      } finally {
        client.release();
      }
    },
    async begin(): Promise<Transaction> {
      const client = await pool.connect().catch((error: unknown) => {
        throw fromPostgresError(error);
      });
      await client.query('BEGIN');
      let released = false;
      const release = () => {
        if (!released) client.release();
        released = true;
      };
      return {
        run: (sql, values) => runOn(client, sql, values),
        async commit() {
          try {
            await client.query('COMMIT');
          } catch (error) {
            throw fromPostgresError(error);
          } finally {
            release();
          }
        },
        async rollback() {
          try {
            await client.query('ROLLBACK');
          } finally {
            release();
          }
        },
      };
    },
    close: () => pool.end(),
  };
}
