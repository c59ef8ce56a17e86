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

/** Rows as objects keyed by column, for the JSON calls. */
export function rowsAsObjects(result: ResultSet): Array<Record<string, unknown>> {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
}
