// The memory rows search and the in-memory index read, straight from the database on the host side
// (as the code graph does): the resident chunks with their words and vectors at start, a document's
// chunk positions after it is written, the winning chunks with their documents, and the full-text
// candidates among the older turns the index no longer holds. Vectors arrive as bytes, never as
// JSON, and no row crosses into a component (DESIGN: bulk rows stay on the host side).
import type { SqlBackend, SqlParam } from '../../host-api/db/backend.ts';
import { rowsAsObjects } from '../../host-api/db/backend.ts';
import type { MemoryChunk, MemoryFilters, MemoryKind } from '../../kernel/store-client.ts';
import { queryTerms } from './terms.ts';

export type ResidentRow = { pos: number; text: string; embedding: unknown; documentId: string };
export type CandidateRow = { pos: number; text: string; embedding: unknown };
/** Turns older than the in-memory index holds: all updated at or before `until`, chunks at or below `maxPos`. */
export type OlderTurns = { count: number; until: number; maxPos: number };

const num = (v: unknown) => Number(v ?? 0);
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

function where(filters: MemoryFilters): { sql: string; params: SqlParam[] } {
  const clauses: string[] = [];
  const params: SqlParam[] = [];
  const users = filters.userIds?.length ? filters.userIds : ['*'];
  clauses.push(`d.user_id IN (${marks(users.length)})`);
  params.push(...users);
  if (filters.kinds?.length) {
    clauses.push(`d.kind IN (${marks(filters.kinds.length)})`);
    params.push(...filters.kinds);
  }
  if (filters.pathPrefix) {
    clauses.push("d.path LIKE ? ESCAPE '\\'");
    params.push(`${filters.pathPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (filters.since !== undefined) {
    clauses.push('d.updated_at >= ?');
    params.push(filters.since);
  }
  if (filters.until !== undefined) {
    clauses.push('d.updated_at < ?');
    params.push(filters.until);
  }
  return { sql: clauses.join(' AND '), params };
}

export class MemoryRows {
  readonly #db: SqlBackend;

  constructor(db: SqlBackend) {
    this.#db = db;
  }

  /** One page of the chunks the index holds: every non-turn document's, and turns updated at or after `turnsSince`. */
  async resident(afterPos: number, limit: number, turnsSince: number): Promise<ResidentRow[]> {
    const result = await this.#db.run(
      `SELECT c.pos, c.text, c.embedding, c.document_id FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id
      WHERE c.pos > ? AND (d.kind <> 'turn' OR d.updated_at >= ?) ORDER BY c.pos LIMIT ?`,
      [afterPos, turnsSince, limit],
    );
    return result.rows.map(([pos, text, embedding, documentId]) => ({ pos: num(pos), text: String(text), embedding, documentId: String(documentId) }));
  }

  /** Where the turns before the index's window stand: their newest chunk position. */
  async olderTurnsMaxPos(until: number): Promise<number> {
    const result = await this.#db.run(
      `SELECT MAX(c.pos) FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id WHERE d.kind = 'turn' AND d.updated_at <= ?`,
      [until],
    );
    return num(result.rows[0]?.[0]);
  }

  /** A document's chunk positions by sequence number, after it was written. */
  async positions(documentId: string): Promise<Map<number, number>> {
    const result = await this.#db.run('SELECT seq, pos FROM memory_chunks WHERE document_id = ?', [documentId]);
    return new Map(result.rows.map(([seq, pos]) => [num(seq), num(pos)]));
  }

  /** Chunks by position with the document each belongs to. */
  async chunks(positions: number[]): Promise<MemoryChunk[]> {
    if (positions.length === 0) return [];
    const rows = rowsAsObjects(
      await this.#db.run(
        `SELECT c.pos, c.id, c.seq, c.text, d.id AS document_id, d.path, d.kind, d.user_id, d.thread_id, d.turn_id, d.updated_at
        FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id WHERE c.pos IN (${marks(positions.length)})`,
        positions,
      ),
    );
    return rows.map((r) => ({
      pos: num(r.pos),
      id: String(r.id),
      seq: num(r.seq),
      text: String(r.text),
      document_id: String(r.document_id),
      path: String(r.path),
      kind: r.kind as MemoryKind,
      user_id: String(r.user_id),
      thread_id: (r.thread_id as string | null) ?? null,
      turn_id: (r.turn_id as string | null) ?? null,
      updated_at: num(r.updated_at),
    }));
  }

  /**
   * Full-text candidates among the older turns (the store's own index), with their text and vector.
   * Ranking every match costs as much as there are matches, so words `common` says nearly every
   * chunk has are left out; a query of common words only gets the newest matching turns instead.
   */
  async olderTurns(query: string, filters: MemoryFilters, older: OlderTurns, limit: number, common: (term: string) => boolean): Promise<CandidateRow[]> {
    const all = queryTerms(query);
    const rare = all.filter((t) => !common(t));
    const ranked = rare.length > 0;
    const terms = ranked ? rare : all;
    if (terms.length === 0) return [];
    const w = where({ ...filters, kinds: ['turn'] });
    const params: SqlParam[] = [];
    let sql: string;
    if (this.#db.dialect === 'sqlite') {
      // FTS5 ranks every match of its own table before the join filters: the rowid bound keeps that to
      // the older chunks, and it is asked for more rows than needed since some are not turns.
      const order = ranked ? 'rank' : 'rowid DESC';
      sql = `SELECT c.pos, c.text, c.embedding FROM (SELECT rowid, rank FROM memory_chunks_fts WHERE memory_chunks_fts MATCH ? AND rowid <= ?
        ORDER BY ${order} LIMIT ?) f JOIN memory_chunks c ON c.pos = f.rowid JOIN memory_documents d ON d.id = c.document_id
        WHERE ${w.sql} AND d.updated_at <= ? ORDER BY ${ranked ? 'f.rank, c.pos' : 'c.pos DESC'} LIMIT ?`;
      params.push(terms.map((t) => `"${t}"`).join(' OR '), older.maxPos, limit * 8, ...w.params, older.until, limit);
    } else {
      sql = `SELECT c.pos, c.text, c.embedding FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id, to_tsquery('simple', ?) q
        WHERE c.tsv @@ q AND c.pos <= ? AND ${w.sql} AND d.updated_at <= ? ORDER BY ${ranked ? 'ts_rank(c.tsv, q) DESC, c.pos' : 'c.pos DESC'} LIMIT ?`;
      params.push(terms.join(' | '), older.maxPos, ...w.params, older.until, limit);
    }
    const result = await this.#db.run(sql, params);
    return result.rows.map(([pos, text, embedding]) => ({ pos: num(pos), text: String(text), embedding }));
  }
}
