// Hybrid search's two ranked lists, in one request: full-text (FTS5's bm25 on libSQL, ts_rank over
// the tsvector column on PostgreSQL) and nearest vectors (libSQL's vector index, pgvector when it
// is installed). Without pgvector the vector list is left to the host (`vector: null`). Filters by
// owner, kind, path prefix and time apply to both lists. The host fuses them (reciprocal rank).
import { fail, isSqlite, one, rows } from './db.js';
/** @import { StoreHandlers } from '../ops.js' */

const MAX_LIMIT = 200;
const MAX_TERMS = 16;
// Words nearly every chunk has: they would rank everything, slowly, and tell nothing apart.
const STOP = new Set(
  'a an and are as at be but by can could did do does for from had has have how i if in is it its me my no not of on or our so that the their them then there these they this to was we were what when where which who why will with would you your'.split(
    ' ',
  ),
);

/** The query's words, lowercased, as both dialects tokenise them (letters and digits). */
function terms(text) {
  const words = String(text ?? '')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  return [...new Set(words ?? [])].filter((w) => !STOP.has(w)).slice(0, MAX_TERMS);
}

function filters(input) {
  const where = [];
  const params = [];
  const userIds = input.userIds?.length ? input.userIds : ['*'];
  where.push(`d.user_id IN (${userIds.map(() => '?').join(', ')})`);
  params.push(...userIds);
  if (input.kinds?.length) {
    where.push(`d.kind IN (${input.kinds.map(() => '?').join(', ')})`);
    params.push(...input.kinds);
  }
  if (input.pathPrefix) {
    where.push("d.path LIKE ? ESCAPE '\\'");
    params.push(`${String(input.pathPrefix).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (input.since !== undefined) {
    where.push('d.updated_at >= ?');
    params.push(Number(input.since));
  }
  if (input.until !== undefined) {
    where.push('d.updated_at < ?');
    params.push(Number(input.until));
  }
  return { sql: where.join(' AND '), params, filtered: where.length > 1 };
}

function textList(words, where, limit) {
  if (words.length === 0) return [];
  if (isSqlite()) {
    const match = words.map((w) => `"${w}"`).join(' OR ');
    // FTS5 answers "ORDER BY rank LIMIT n" on its own table without sorting every match; filters
    // apply after, so it is asked for more when there are some.
    return rows(
      `SELECT c.pos, f.rank AS score FROM (SELECT rowid, rank FROM memory_chunks_fts WHERE memory_chunks_fts MATCH ? ORDER BY rank LIMIT ?) f
      JOIN memory_chunks c ON c.pos = f.rowid JOIN memory_documents d ON d.id = c.document_id WHERE ${where.sql} ORDER BY f.rank, c.pos LIMIT ?`,
      [match, where.filtered ? limit * 8 : limit, ...where.params, limit],
    );
  }
  return rows(
    `SELECT c.pos, ts_rank(c.tsv, q) AS score FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id,
    to_tsquery('simple', ?) q WHERE c.tsv @@ q AND ${where.sql} ORDER BY score DESC, c.pos LIMIT ?`,
    [words.join(' | '), ...where.params, limit],
  );
}

function vectorList(input, where, limit) {
  if (isSqlite()) {
    if (!input.embedding) return [];
    const embedding = { $blob: input.embedding };
    // The index answers the k nearest of all chunks; filters apply after, so ask for more.
    const k = where.filtered ? limit * 8 : limit;
    return rows(
      `SELECT c.pos, vector_distance_cos(c.embedding, ?) AS distance FROM vector_top_k('memory_chunks_vector', ?, ?) v
      JOIN memory_chunks c ON c.pos = v.id JOIN memory_documents d ON d.id = c.document_id WHERE ${where.sql}
      ORDER BY distance, c.pos LIMIT ?`,
      [embedding, embedding, k, ...where.params, limit],
    );
  }
  if (!input.vector || !one("SELECT 1 AS present FROM information_schema.columns WHERE table_name = 'memory_chunks' AND column_name = 'embedding_vec'"))
    return null;
  return rows(
    `SELECT c.pos, c.embedding_vec <=> ?::vector AS distance FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id
    WHERE ${where.sql} AND c.embedding_vec IS NOT NULL ORDER BY distance, c.pos LIMIT ?`,
    [input.vector, ...where.params, limit],
  );
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const memorySearch = {
  'memory.search'(input) {
    const limit = Number(input.limit ?? 20);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw fail('invalid', `"limit" must be 1 to ${MAX_LIMIT}`);
    const where = filters(input);
    const text = textList(terms(input.text), where, limit).map((r) => ({ pos: Number(r.pos), score: Number(r.score) }));
    const vector = vectorList(input, where, limit);
    return { text, vector: vector?.map((r) => ({ pos: Number(r.pos), distance: Number(r.distance) })) ?? null };
  },
};
