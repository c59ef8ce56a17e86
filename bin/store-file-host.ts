// The titan:host imports of the store component's JavaScript when bin/store-file.ts runs it in
// this process: sql on one read-only libSQL connection (rows as the kernel's titan:host/sql hands
// them over, blobs as {"$blob": base64}), clock, and log and events (a read emits nothing worth
// keeping). Every titan:host/... specifier resolves to this one module; each store file picks its names.
import { rowsAsObjects } from '../host-api/db/backend.ts';
import { jsonParam, rowsJson } from '../host-api/sql.ts';
import type { LibsqlReader } from '../host-api/db/libsql-backend.ts';

let reader: LibsqlReader | undefined;
const rowsKept = new Map<number, Array<Record<string, unknown>>>();
let nextHandle = 1;

/** The connection the store's queries run on, until unbound. */
export function bindReader(next: LibsqlReader | undefined): void {
  reader = next;
  rowsKept.clear();
}

/** Rows a query-handle left here (the StoreClient takes them by handle, as from the kernel). */
export function takeRows(handle: number): Array<Record<string, unknown>> | undefined {
  const rows = rowsKept.get(handle);
  rowsKept.delete(handle);
  return rows;
}

/** A failure as the store component sees titan:host/sql's sql-error variant. */
function sqlError(tag: string, message: string): never {
  throw { payload: { tag, val: message } };
}

function run(sql: string, paramsJson: string) {
  if (!reader) return sqlError('other', 'no database is open for this command');
  try {
    return reader.execute(sql, (JSON.parse(paramsJson) as unknown[]).map(jsonParam));
  } catch (error) {
    return sqlError('other', error instanceof Error ? error.message : String(error));
  }
}

const readOnly = (): never => sqlError('other', 'this command reads the store file only: a write needs `titan start` or a kernel');

// titan:host/sql
export const dialect = () => 'sqlite';
export const queryJson = (sql: string, paramsJson: string) => rowsJson(run(sql, paramsJson));
export function queryHandle(sql: string, paramsJson: string): bigint {
  const handle = nextHandle++;
  rowsKept.set(handle, rowsAsObjects(run(sql, paramsJson)));
  return BigInt(handle);
}
export const batchJson = readOnly;
export const begin = readOnly;
export const inTransaction = readOnly;
export const commit = readOnly;
export const rollback = readOnly;
// titan:host/clock
export const nowMs = () => BigInt(Date.now());
export const monotonicNs = () => process.hrtime.bigint();
// titan:host/log and titan:host/events
export const log = () => {};
export const emit = () => {};
