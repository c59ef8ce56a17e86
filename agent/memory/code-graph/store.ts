// The code graph's rows on libSQL or PostgreSQL (migration 13). Written by the host in bulk: a file's
// rows are replaced in one transaction, so a reader sees its old facts or its new ones, never a mix.
// Bulk rows stay on the host side (DESIGN: megabyte payloads never cross into a component).
import type { SqlBackend, SqlParam, Transaction } from '../../../host-api/db/backend.ts';
import { rowsAsObjects } from '../../../host-api/db/backend.ts';
import type { FileFacts, ImportFact, Language, RefFact, SymbolFact } from './facts.ts';

export type FileStatus = 'indexed' | 'partial' | 'skipped';
export type FileRecord = {
  path: string;
  language: Language | null;
  digest: string;
  bytes: number;
  lines: number;
  status: FileStatus;
  reason: string | null;
  indexedAt: number;
};

/** Rows per INSERT: well under both databases' limits on bound parameters. */
const ROWS_PER_INSERT = 400;

async function insertRows(tx: Transaction, table: string, columns: string[], rows: SqlParam[][]): Promise<void> {
  const one = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    await tx.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => one).join(', ')}`, chunk.flat());
  }
}

const num = (v: unknown) => Number(v ?? 0);

export class CodeGraphStore {
  readonly #db: SqlBackend;
  readonly root: string;

  constructor(db: SqlBackend, root: string) {
    this.#db = db;
    this.root = root;
  }

  async files(): Promise<Map<string, FileRecord>> {
    const rows = rowsAsObjects(
      await this.#db.run('SELECT path, language, digest, bytes, lines, status, reason, indexed_at FROM code_files WHERE root = ?', [this.root]),
    );
    return new Map(
      rows.map((r) => [
        String(r.path),
        {
          path: String(r.path),
          language: (r.language as Language | null) ?? null,
          digest: String(r.digest),
          bytes: num(r.bytes),
          lines: num(r.lines),
          status: r.status as FileStatus,
          reason: (r.reason as string | null) ?? null,
          indexedAt: num(r.indexed_at),
        },
      ]),
    );
  }

  /** Replaces the rows of each file given (facts null: a skipped file, its reason recorded), and drops `removed`. */
  async write(changes: Array<{ record: FileRecord; facts: FileFacts | null }>, removed: string[] = []): Promise<void> {
    const tx = await this.#db.begin();
    try {
      for (const path of removed) {
        const pos = await this.#pos(tx, path);
        if (pos === null) continue;
        await this.#clear(tx, pos);
        await tx.run('DELETE FROM code_files WHERE pos = ?', [pos]);
      }
      for (const { record, facts } of changes) await this.#writeFile(tx, record, facts);
      await tx.commit();
    } catch (error) {
      await tx.rollback().catch(() => {});
      throw error;
    }
  }

  async #pos(tx: Transaction, path: string): Promise<number | null> {
    const found = await tx.run('SELECT pos FROM code_files WHERE root = ? AND path = ?', [this.root, path]);
    return found.rows.length > 0 ? num(found.rows[0][0]) : null;
  }

  async #clear(tx: Transaction, pos: number): Promise<void> {
    for (const table of ['code_refs', 'code_imports', 'code_symbols']) await tx.run(`DELETE FROM ${table} WHERE file_pos = ?`, [pos]);
  }

  async #writeFile(tx: Transaction, r: FileRecord, facts: FileFacts | null): Promise<void> {
    const values: SqlParam[] = [r.language, r.digest, r.bytes, r.lines, r.status, r.reason, r.indexedAt];
    let pos = await this.#pos(tx, r.path);
    if (pos === null) {
      const added = await tx.run(
        'INSERT INTO code_files (root, path, language, digest, bytes, lines, status, reason, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pos',
        [this.root, r.path, ...values],
      );
      pos = num(added.rows[0][0]);
    } else {
      await this.#clear(tx, pos);
      await tx.run('UPDATE code_files SET language = ?, digest = ?, bytes = ?, lines = ?, status = ?, reason = ?, indexed_at = ? WHERE pos = ?', [
        ...values,
        pos,
      ]);
    }
    if (!facts) return;
    const at = pos;
    await insertRows(
      tx,
      'code_symbols',
      ['file_pos', 'seq', 'name', 'qualified', 'kind', 'parent', 'line', 'col', 'end_line', 'exported'],
      facts.symbols.map((s) => [at, s.seq, s.name, s.qualified, s.kind, s.parent, s.line, s.column, s.endLine, s.exported ? 1 : 0]),
    );
    await insertRows(
      tx,
      'code_refs',
      ['file_pos', 'seq', 'from_seq', 'name', 'kind', 'receiver', 'receiver_type', 'line', 'col'],
      facts.refs.map((f, i) => [at, i, f.from, f.name, f.kind, f.receiver, f.receiverType, f.line, f.column]),
    );
    await insertRows(
      tx,
      'code_imports',
      ['file_pos', 'seq', 'local', 'imported', 'source', 'line', 'reexport'],
      facts.imports.map((m, i) => [at, i, m.local, m.imported, m.source, m.line, m.reexport ? 1 : 0]),
    );
  }

  /** Every indexed file's facts, as they were stored (the in-memory graph is rebuilt from these). */
  async load(): Promise<FileFacts[]> {
    const files = rowsAsObjects(await this.#db.run("SELECT pos, path, language, status FROM code_files WHERE root = ? AND status <> 'skipped'", [this.root]));
    const byPos = new Map<number, FileFacts>();
    for (const f of files) {
      byPos.set(num(f.pos), { path: String(f.path), language: f.language as Language, symbols: [], refs: [], imports: [], errors: 0 });
    }
    const scoped = 'file_pos IN (SELECT pos FROM code_files WHERE root = ?)';
    const symbols = await this.#db.run(
      `SELECT file_pos, seq, name, qualified, kind, parent, line, col, end_line, exported FROM code_symbols WHERE ${scoped} ORDER BY file_pos, seq`,
      [this.root],
    );
    for (const [p, seq, name, qualified, kind, parent, line, col, end, exported] of symbols.rows) {
      const symbol: SymbolFact = {
        seq: num(seq),
        name: String(name),
        qualified: String(qualified),
        kind: kind as SymbolFact['kind'],
        parent: parent === null ? null : num(parent),
        line: num(line),
        column: num(col),
        endLine: num(end),
        exported: num(exported) === 1,
      };
      byPos.get(num(p))?.symbols.push(symbol);
    }
    const refs = await this.#db.run(
      `SELECT file_pos, from_seq, name, kind, receiver, receiver_type, line, col FROM code_refs WHERE ${scoped} ORDER BY file_pos, seq`,
      [this.root],
    );
    for (const [p, from, name, kind, receiver, receiverType, line, col] of refs.rows) {
      const ref: RefFact = {
        from: num(from),
        name: String(name),
        kind: kind as RefFact['kind'],
        receiver: receiver === null ? null : String(receiver),
        receiverType: receiverType === null ? null : String(receiverType),
        line: num(line),
        column: num(col),
      };
      byPos.get(num(p))?.refs.push(ref);
    }
    const imports = await this.#db.run(`SELECT file_pos, local, imported, source, line, reexport FROM code_imports WHERE ${scoped} ORDER BY file_pos, seq`, [
      this.root,
    ]);
    for (const [p, local, imported, source, line, reexport] of imports.rows) {
      const fact: ImportFact = { local: String(local), imported: String(imported), source: String(source), line: num(line), reexport: num(reexport) === 1 };
      byPos.get(num(p))?.imports.push(fact);
    }
    return [...byPos.values()];
  }

  /** Row counts of this root's code graph, per table. */
  async counts(): Promise<Record<string, number>> {
    const scoped = 'file_pos IN (SELECT pos FROM code_files WHERE root = ?)';
    const out: Record<string, number> = {};
    out.code_files = num((await this.#db.run('SELECT COUNT(*) FROM code_files WHERE root = ?', [this.root])).rows[0][0]);
    for (const table of ['code_symbols', 'code_refs', 'code_imports']) {
      out[table] = num((await this.#db.run(`SELECT COUNT(*) FROM ${table} WHERE ${scoped}`, [this.root])).rows[0][0]);
    }
    return out;
  }
}
