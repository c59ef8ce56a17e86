// The database as JSON lines (`titan db export|import`, through routes/db.ts), read and written
// through the store component (so the same file moves data from libSQL to PostgreSQL and back). Import goes into an
// empty database only, checks the whole file before writing, and on a failure part-way removes
// what it wrote: bad input changes nothing.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { TitanError } from '../common/errors.ts';
import type { ProgressReporter } from '../toolchain/progress.ts';
import { silentProgress } from '../toolchain/progress.ts';
import type { StoreClient } from '../kernel/store-client.ts';

const PAGE = 500;
const FORMAT = 'titan-db-export';

type Header = { format: typeof FORMAT; version: 1; schemaVersion: number; dialect: string; tables: Record<string, number> };
type Line = { table: string; row: Record<string, unknown> };
/** The last line: the sha256 of every line before it, so an edited or cut file is refused. */
type Trailer = { end: typeof FORMAT; sha256: string };

export async function exportDatabase(store: StoreClient, file: string, progress: ProgressReporter = silentProgress): Promise<Header> {
  const status = await store.status();
  const tables = await store.op('tables.list');
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = await store.op('table.count', { table });
  const header: Header = { format: FORMAT, version: 1, schemaVersion: status.version, dialect: status.dialect, tables: counts };
  const out = createWriteStream(file, { mode: 0o600 });
  const hash = createHash('sha256');
  const write = async (line: string) => {
    hash.update(line + '\n');
    if (!out.write(line + '\n')) await once(out, 'drain');
  };
  progress.start(tables.length, 'exporting tables');
  await write(JSON.stringify(header));
  for (const table of tables) {
    for (let offset = 0; offset < counts[table]; offset += PAGE) {
      const rows = await store.op('table.dump', { table, offset, limit: PAGE });
      for (const row of rows) await write(JSON.stringify({ table, row } satisfies Line));
    }
    progress.step(table, `${counts[table]} rows`);
  }
  out.write(JSON.stringify({ end: FORMAT, sha256: hash.digest('hex') } satisfies Trailer) + '\n');
  out.end();
  await once(out, 'close');
  progress.done(`${Object.values(counts).reduce((a, b) => a + b, 0)} rows in ${tables.length} tables written to ${file}`);
  return header;
}

async function readExport(file: string, knownTables: string[]): Promise<{ header: Header; rows: Map<string, Array<Record<string, unknown>>> }> {
  // node:readline loads with the first import, not with every start.
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header: Header | undefined;
  let trailer: Trailer | undefined;
  const hash = createHash('sha256');
  const rows = new Map<string, Array<Record<string, unknown>>>();
  let number = 0;
  for await (const text of lines) {
    number++;
    if (trailer) throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file} has lines after its end (line ${number})`);
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file} line ${number} is not JSON`, { fix: 'import a file written by `titan db export`' });
    }
    if ((value as Trailer)?.end === FORMAT) {
      trailer = value as Trailer;
      continue;
    }
    hash.update(text + '\n');
    if (!header) {
      if ((value as Header)?.format !== FORMAT)
        throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file} is not a Titan database export`, { fix: 'import a file written by `titan db export`' });
      header = value as Header;
      continue;
    }
    const line = value as Line;
    if (!knownTables.includes(line?.table) || typeof line.row !== 'object' || line.row === null) {
      throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file} line ${number}: unknown table "${line?.table}" or missing row`);
    }
    let list = rows.get(line.table);
    if (!list) rows.set(line.table, (list = []));
    list.push(line.row);
  }
  if (!header) throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file} is empty`);
  if (!trailer) throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file} is cut short: its end line is missing`);
  if (trailer.sha256 !== hash.digest('hex')) throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file} was altered after export: its checksum does not match`);
  for (const [table, expected] of Object.entries(header.tables)) {
    if ((rows.get(table)?.length ?? 0) !== expected) {
      throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file} is incomplete: ${table} has ${rows.get(table)?.length ?? 0} of ${expected} rows`);
    }
  }
  return { header, rows };
}

export async function importDatabase(store: StoreClient, file: string, progress: ProgressReporter = silentProgress): Promise<{ rows: number; tables: number }> {
  const status = await store.status();
  const tables = await store.op('tables.list');
  const { header, rows } = await readExport(file, tables);
  if (header.schemaVersion > status.version) {
    throw new TitanError('TITAN_E_ARCHIVE_INVALID', `the export is at schema version ${header.schemaVersion}, newer than this database's ${status.version}`, {
      fix: 'deploy the store version that wrote it, then import',
    });
  }
  for (const table of tables) {
    if ((await store.op('table.count', { table })) > 0) {
      throw new TitanError('TITAN_E_USAGE', `the database already has data (table ${table}); import goes into an empty database only`, {
        fix: 'point TITAN_DB_URL at a new database, or export and clear this one first',
      });
    }
  }
  const loaded = tables.filter((t) => rows.has(t));
  progress.start(loaded.length, 'importing tables');
  let total = 0;
  try {
    for (const table of loaded) {
      const list = rows.get(table)!;
      for (let i = 0; i < list.length; i += PAGE) await store.op('table.load', { table, rows: list.slice(i, i + PAGE) });
      await store.op('table.reseed', { table });
      total += list.length;
      progress.step(table, `${list.length} rows`);
    }
  } catch (error) {
    // Children before parents, the reverse of the load order.
    for (const table of [...loaded].reverse()) await store.op('table.clear', { table }).catch(() => {});
    // Rows the database refuses (unknown columns, broken references) are the file's fault.
    if (error instanceof TitanError && ['TITAN_E_USAGE', 'TITAN_E_SQL_CONSTRAINT', 'TITAN_E_SQL'].includes(error.code)) {
      throw new TitanError('TITAN_E_ARCHIVE_INVALID', `${file}: ${error.message}; nothing was imported`);
    }
    throw error;
  }
  progress.done(`${total} rows in ${loaded.length} tables imported from ${file}`);
  return { rows: total, tables: loaded.length };
}
