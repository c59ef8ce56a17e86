// titan:host/sql: a store component's only way to its database. Typed values cross as WIT
// variants; the -json calls carry many rows as one string (cheap at the boundary). Errors come
// back as the sql-error variant, never as a trap.
import { rowsAsObjects } from './db/backend.ts';
import type { HostInterface, SqlParam, SqlResult, SqlService, SyncSqlService } from './types.ts';

type Value = { tag: 'null' } | { tag: 'integer'; val: bigint } | { tag: 'real'; val: number } | { tag: 'text'; val: string } | { tag: 'blob'; val: Uint8Array };
type Failure = Error & { tag?: string };

function fromValue(value: Value): SqlParam {
  switch (value.tag) {
    case 'null':
      return null;
    case 'integer':
      return value.val >= BigInt(Number.MIN_SAFE_INTEGER) && value.val <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value.val) : value.val;
    default:
      return value.val;
  }
}

function toValue(value: unknown): Value {
  if (value === null || value === undefined) return { tag: 'null' };
  if (typeof value === 'bigint') return { tag: 'integer', val: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { tag: 'integer', val: BigInt(value) } : { tag: 'real', val: value };
  if (typeof value === 'boolean') return { tag: 'integer', val: value ? 1n : 0n };
  if (value instanceof Uint8Array) return { tag: 'blob', val: value };
  if (value instanceof Date) return { tag: 'text', val: value.toISOString() };
  return { tag: 'text', val: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** JSON has no bytes: blobs travel as {"$blob": base64} in both directions. */
export function jsonParam(value: unknown): SqlParam {
  if (value && typeof value === 'object' && '$blob' in value) return Buffer.from(String((value as { $blob: string }).$blob), 'base64');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value as SqlParam;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return { $blob: Buffer.from(value).toString('base64') };
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return { $blob: Buffer.from((value as { data: number[] }).data).toString('base64') };
  }
  return value;
}

/** Whether every value is a string, number, boolean or null: JSON then needs no replacer. */
function plainValues(rows: unknown[][]): boolean {
  for (const row of rows) for (const value of row) if (typeof value === 'bigint' || (typeof value === 'object' && value !== null)) return false;
  return true;
}

export function rowsJson(result: SqlResult): string {
  // The replacer is a call per key and value: asked for only where a bigint or bytes may be.
  return JSON.stringify(rowsAsObjects(result), plainValues(result.rows) ? undefined : jsonReplacer);
}

function parseJsonArray(text: string, what: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw Object.assign(new Error(`${what} is not JSON`), { tag: 'other' });
  }
  if (!Array.isArray(parsed)) throw Object.assign(new Error(`${what} must be a JSON array`), { tag: 'other' });
  return parsed;
}

/** The sql-error variant jco lowers from `payload`, for any failure. */
function lowered(error: unknown): { payload: { tag: string; val: string } } {
  const failure = error as Failure;
  return { payload: { tag: failure.tag ?? 'other', val: failure.message ?? String(error) } };
}

/** Runs a host call and turns any failure into the sql-error variant. */
async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (error) {
    throw lowered(error);
  }
}

function guardedSync<T>(op: () => T): T {
  try {
    return op();
  } catch (error) {
    throw lowered(error);
  }
}

/** The calls on a synchronous driver: each answers at once (the component was linked without JSPI
 * for sql: see syncHosts in kernel/link-plan.ts). */
function bindSync(db: SqlService, sync: SyncSqlService) {
  const rows = (statement: string, paramsJson: string) => sync.run(statement, parseJsonArray(paramsJson, 'params-json').map(jsonParam));
  return {
    dialect: () => db.dialect,
    execute: (statement: string, params: Value[]) => guardedSync(() => BigInt(sync.run(statement, params.map(fromValue)).changes)),
    query: (statement: string, params: Value[]) =>
      guardedSync(() => {
        const result = sync.run(statement, params.map(fromValue));
        return { columns: result.columns, values: result.rows.map((row) => row.map(toValue)) };
      }),
    batch: (statements: Array<[string, Value[]]>) =>
      guardedSync(() => sync.batch(statements.map(([s, p]) => ({ sql: s, params: p.map(fromValue) }))).map((r) => BigInt(r.changes))),
    queryJson: (statement: string, paramsJson: string) => guardedSync(() => rowsJson(rows(statement, paramsJson))),
    queryHandle: (statement: string, paramsJson: string) => guardedSync(() => BigInt(sync.keep(rowsAsObjects(rows(statement, paramsJson))))),
    batchJson: (statementsJson: string) => guardedSync(() => JSON.stringify(sync.batch(jsonStatements(statementsJson)).map((r) => r.changes))),
    begin: () => guardedSync(() => BigInt(sync.begin())),
    inTransaction: (tx: bigint, statement: string, paramsJson: string) =>
      guardedSync(() => rowsJson(sync.inTransaction(Number(tx), statement, parseJsonArray(paramsJson, 'params-json').map(jsonParam)))),
    commit: (tx: bigint) => guardedSync(() => sync.commit(Number(tx))),
    rollback: (tx: bigint) => guardedSync(() => sync.rollback(Number(tx))),
  };
}

function jsonStatements(statementsJson: string): Array<{ sql: string; params: SqlParam[] }> {
  return parseJsonArray(statementsJson, 'statements-json').map((entry) => {
    const [text, params] = entry as [string, unknown[]];
    return { sql: String(text), params: (params ?? []).map(jsonParam) };
  });
}

function service(services: { sql?: SqlService }): SqlService {
  if (!services.sql) throw new Error('no database is open in this kernel (titan:host/sql is unavailable here)');
  return services.sql;
}

export const sql: HostInterface = {
  name: 'sql',
  versions: ['0.1.0', '0.2.0'],
  asyncFunctions: ['execute', 'query', 'batch', 'query-json', 'query-handle', 'batch-json', 'begin', 'in-transaction', 'commit', 'rollback'],
  grantSchema: { type: 'object', additionalProperties: false, properties: {} },
  bind(context) {
    const db = service(context.services);
    if (context.sync) {
      if (!db.sync) throw new Error('titan:host/sql was linked for a synchronous database, and this one answers asynchronously');
      return bindSync(db, db.sync);
    }
    return {
      dialect: () => db.dialect,
      execute: (statement: string, params: Value[]) => guarded(async () => BigInt((await db.run(statement, params.map(fromValue))).changes)),
      query: (statement: string, params: Value[]) =>
        guarded(async () => {
          const result = await db.run(statement, params.map(fromValue));
          return { columns: result.columns, values: result.rows.map((row) => row.map(toValue)) };
        }),
      batch: (statements: Array<[string, Value[]]>) =>
        guarded(async () => (await db.batch(statements.map(([s, p]) => ({ sql: s, params: p.map(fromValue) })))).map((r) => BigInt(r.changes))),
      queryJson: (statement: string, paramsJson: string) =>
        guarded(async () => rowsJson(await db.run(statement, parseJsonArray(paramsJson, 'params-json').map(jsonParam)))),
      // Where the service can keep a query still running, the handle answers at once (see
      // deferredImports): a failure then reaches the kernel where it takes the rows.
      queryHandle: (statement: string, paramsJson: string) => {
        if (db.keepQuery) return guardedSync(() => BigInt(db.keepQuery!(statement, parseJsonArray(paramsJson, 'params-json').map(jsonParam))));
        return guarded(async () => BigInt(await db.keep(rowsAsObjects(await db.run(statement, parseJsonArray(paramsJson, 'params-json').map(jsonParam))))));
      },
      batchJson: (statementsJson: string) => guarded(async () => JSON.stringify((await db.batch(jsonStatements(statementsJson))).map((r) => r.changes))),
      begin: () => guarded(async () => BigInt(await db.begin())),
      inTransaction: (tx: bigint, statement: string, paramsJson: string) =>
        guarded(async () => rowsJson(await db.inTransaction(Number(tx), statement, parseJsonArray(paramsJson, 'params-json').map(jsonParam)))),
      commit: (tx: bigint) => guarded(() => db.commit(Number(tx))),
      rollback: (tx: bigint) => guarded(() => db.rollback(Number(tx))),
    };
  },
};
