// TITAN_DB_URL picks the database: file:PATH (libSQL, the default: $TITAN_HOME/titan.db) or
// postgres://... (PostgreSQL). Nothing above the sql host interface knows which one it got.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TitanError } from '../../common/errors.ts';
import type { SqlBackend } from './backend.ts';
import { openLibsql } from './libsql-backend.ts';

export function defaultDbUrl(home: string): string {
  return `file:${path.join(home, 'titan.db')}`;
}

export async function openDatabase(url: string): Promise<SqlBackend> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { openPostgres } = await import('./postgres-backend.ts'); // pg loads only when it is used
    return openPostgres(url);
  }
  if (url.startsWith('file:')) {
    const file = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
    if (!file) throw new TitanError('TITAN_E_DB_URL_INVALID', `"${url}" names no file`);
    return openLibsql(path.resolve(file));
  }
  throw new TitanError('TITAN_E_DB_URL_INVALID', `"${url.replace(/:[^:@/]*@/, ':***@')}" is neither file:... nor postgres://...`);
}
