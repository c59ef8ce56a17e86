// What the sql host interface needs from a database: the same small shape for libSQL and
// PostgreSQL, so nothing above it knows which one is in use.

export type Dialect = 'sqlite' | 'postgres';
export type SqlParam = null | number | bigint | string | Uint8Array | boolean;
export type ResultSet = { columns: string[]; rows: unknown[][]; changes: number };
export type Statement = { sql: string; params: SqlParam[] };

export type Transaction = {
  run(sql: string, params: SqlParam[]): Promise<ResultSet>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
};

export type SqlBackend = {
  readonly dialect: Dialect;
  /** Where the data lives, for messages (a file path, or a URL without its password). */
  readonly location: string;
  run(sql: string, params: SqlParam[]): Promise<ResultSet>;
  /** All statements in one transaction. */
  batch(statements: Statement[]): Promise<ResultSet[]>;
  begin(): Promise<Transaction>;
  close(): Promise<void>;
  /** The same calls answering at once, for a backend whose driver is synchronous (libSQL): a
   * component's sql imports are then plain calls, with no suspension at each one. */
  readonly sync?: SyncSqlBackend;
};

export type SyncTransaction = {
  run(sql: string, params: SqlParam[]): ResultSet;
  commit(): void;
  rollback(): void;
};

export type SyncSqlBackend = {
  run(sql: string, params: SqlParam[]): ResultSet;
  batch(statements: Statement[]): ResultSet[];
  begin(): SyncTransaction;
};

/** Rows as objects keyed by column, for the JSON calls. Built by assignment in column order, so
 * every row shares one hidden class (a quarter of the time of Object.fromEntries over pairs). */
export function rowsAsObjects(result: ResultSet): Array<Record<string, unknown>> {
  const { columns, rows } = result;
  // Assigning "__proto__" would set the prototype: such a column is defined as an own property.
  if (columns.includes('__proto__')) return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
  const objects = new Array<Record<string, unknown>>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const object: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) object[columns[c]] = row[c];
    objects[r] = object;
  }
  return objects;
}
