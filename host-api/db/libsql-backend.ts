// The embedded default: a libSQL file under $TITAN_HOME. WAL journal (readers never wait for the
// writer), a busy timeout instead of instant SQLITE_BUSY, and a corrupt file reported with its
// path and what to do - never overwritten.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createClient, type Client, type InArgs, type ResultSet as LibsqlResult } from '@libsql/client';
import { TitanError } from '../../common/errors.ts';
import type { ResultSet, SqlBackend, SqlParam, Statement, Transaction } from './backend.ts';
import { fromSqliteError } from './sql-errors.ts';

const BUSY_TIMEOUT_MS = 5000;

/** libSQL returns blobs as ArrayBuffer; everything above speaks Uint8Array. */
function cell(value: unknown): unknown {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : value;
}

function convert(result: LibsqlResult): ResultSet {
  return { columns: result.columns, rows: result.rows.map((row) => Array.from(row as ArrayLike<unknown>, cell)), changes: result.rowsAffected };
}

function args(params: SqlParam[]): InArgs {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p)) as InArgs;
}

export async function openLibsql(file: string): Promise<SqlBackend> {
  await mkdir(path.dirname(file), { recursive: true });
  let client: Client;
  try {
    client = createClient({ url: `file:${file}`, intMode: 'number', timeout: BUSY_TIMEOUT_MS } as Parameters<typeof createClient>[0]);
    await client.execute('PRAGMA journal_mode=WAL');
    // Reading the schema is what fails on a file that is not a database.
    await client.execute('SELECT count(*) FROM sqlite_master');
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/not a database|malformed|SQLITE_NOTADB|SQLITE_CORRUPT/i.test(message)) {
      throw new TitanError('TITAN_E_DB_CORRUPT', `${file} is not a readable database (${message.split('\n')[0]})`, {
        fix: `Titan left the file untouched: move it aside (e.g. mv ${file} ${file}.broken) to start empty, or restore it from a \`titan db export\``,
      });
    }
    throw new TitanError('TITAN_E_DB_UNAVAILABLE', `cannot open ${file}: ${message.split('\n')[0]}`);
  }

  return {
    dialect: 'sqlite',
    location: file,
    async run(sql, params) {
      try {
        return convert(await client.execute({ sql, args: args(params) }));
      } catch (error) {
        throw fromSqliteError(error);
      }
    },
    async batch(statements: Statement[]) {
      try {
        const results = await client.batch(statements.map((s) => ({ sql: s.sql, args: args(s.params) })), 'write');
        return results.map(convert);
      } catch (error) {
        throw fromSqliteError(error);
      }
    },
    async begin(): Promise<Transaction> {
      let tx: Awaited<ReturnType<Client['transaction']>>;
      try {
        tx = await client.transaction('write');
      } catch (error) {
        throw fromSqliteError(error);
      }
      return {
        async run(sql, params) {
          try {
            return convert(await tx.execute({ sql, args: args(params) }));
          } catch (error) {
            throw fromSqliteError(error);
          }
        },
        async commit() {
          try {
            await tx.commit();
          } catch (error) {
            throw fromSqliteError(error);
          } finally {
            tx.close();
          }
        },
        async rollback() {
          try {
            await tx.rollback();
          } finally {
            tx.close();
          }
        },
      };
    },
    async close() {
      client.close();
    },
  };
}
