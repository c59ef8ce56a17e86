// Database errors in Titan's terms: the sql-error variant a component sees, and which failures
// are worth retrying (a busy or unreachable database) versus final (a constraint, a typo).

export type SqlErrorTag = 'constraint' | 'syntax' | 'connection' | 'other';

export class SqlFailure extends Error {
  readonly tag: SqlErrorTag;
  readonly transient: boolean;
  constructor(tag: SqlErrorTag, message: string, transient: boolean, cause?: unknown) {
    super(message, { cause });
    this.tag = tag;
    this.transient = transient;
  }

  /** The disk holding the database is full: no write succeeds until space is freed. */
  get diskFull(): boolean {
    return this.message.startsWith(DISK_FULL);
  }
}

/** How a full disk is named in a failure's message; the store client maps it to TITAN_E_DISK_FULL. */
export const DISK_FULL = 'disk full:';

function diskFull(message: string, cause: unknown): SqlFailure {
  // Not transient: retrying at once cannot help; the caller's own retry (a turn's end) waits longer.
  return new SqlFailure('other', `${DISK_FULL} ${message}`, false, cause);
}

type DriverError = Error & { code?: string; rawCode?: number };

/** libSQL / SQLite errors carry codes like SQLITE_CONSTRAINT_UNIQUE, SQLITE_BUSY. */
export function fromSqliteError(error: unknown): SqlFailure {
  if (error instanceof SqlFailure) return error;
  const e = error as DriverError;
  const code = String(e.code ?? '');
  const message = e.message ?? String(error);
  if (code.startsWith('SQLITE_CONSTRAINT')) return new SqlFailure('constraint', message, false, error);
  if (code === 'SQLITE_FULL' || /database or disk is full|SQLITE_FULL/i.test(message)) return diskFull(message, error);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY')) return new SqlFailure('connection', message, true, error);
  if (code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') return new SqlFailure('connection', message, true, error);
  if (/syntax error|no such (table|column)|has no column/i.test(message)) return new SqlFailure('syntax', message, false, error);
  return new SqlFailure('other', message, false, error);
}

/** PostgreSQL SQLSTATE classes: 23 integrity, 42 syntax/undefined, 08 connection, 57P/53 resources, 40 serialization. */
export function fromPostgresError(error: unknown): SqlFailure {
  if (error instanceof SqlFailure) return error;
  const e = error as DriverError;
  const code = String(e.code ?? '');
  const message = e.message ?? String(error);
  if (code.startsWith('23')) return new SqlFailure('constraint', message, false, error);
  if (code === '53100' || /No space left on device/i.test(message)) return diskFull(message, error);
  if (code.startsWith('42')) return new SqlFailure('syntax', message, false, error);
  if (code.startsWith('08') || code.startsWith('57P') || code.startsWith('53') || code.startsWith('40'))
    return new SqlFailure('connection', message, true, error);
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code) || /Connection terminated|connect ECONNREFUSED/i.test(message)) {
    return new SqlFailure('connection', message, true, error);
  }
  return new SqlFailure('other', message, false, error);
}
