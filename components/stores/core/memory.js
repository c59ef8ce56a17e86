// Memory documents and their chunks (migrations 4 and 10): a document replaced with its chunks in one
// transaction, listed, read and deleted with everything derived from it; the skipped files and the
// memory's own settings (which embedder wrote the vectors).
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, isSqlite, one, rows, rowsPassedOn } from './db.js';
import { graphDeletion, insertRows } from './memory-graph.js';
/** @import { StoreHandlers } from '../ops.js' */

const KINDS = ['identity', 'note', 'daily', 'summary', 'turn', 'code'];

function placeholders(list) {
  return list.map(() => '?').join(', ');
}

/** What deleting these documents (an IN-list subquery over memory_documents) removes, children first. */
export function documentDeletion(where, params) {
  const documents = `SELECT id FROM memory_documents WHERE ${where}`;
  return [
    ...graphDeletion(documents, params),
    [`DELETE FROM memory_chunks WHERE document_id IN (${documents})`, params],
    [`DELETE FROM memory_documents WHERE ${where}`, params],
  ];
}

function pgvectorColumn() {
  if (isSqlite()) return false;
  return Boolean(one("SELECT 1 AS present FROM information_schema.columns WHERE table_name = 'memory_chunks' AND column_name = 'embedding_vec'"));
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const memory = {
  /** The document (by id) with its chunks replaced, in one transaction. */
  'memory.document.put'(input) {
    const d = input.document;
    if (!d?.id || !d.userId || !d.path || typeof d.content !== 'string') throw fail('invalid', '"document" with id, userId, path and content is required');
    if (!KINDS.includes(d.kind)) throw fail('invalid', `"kind" must be one of ${KINDS.join(', ')}`);
    const chunks = Array.isArray(input.chunks) ? input.chunks : [];
    const at = nowMs();
    const vectors = pgvectorColumn();
    const statements = [
      ...graphDeletion('SELECT id FROM memory_documents WHERE id = ?', [d.id]),
      ['DELETE FROM memory_chunks WHERE document_id = ?', [d.id]],
      [
        `INSERT INTO memory_documents (id, user_id, path, content, created_at, updated_at, kind, hash, thread_id, turn_id, summary, keywords)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at,
        kind = excluded.kind, hash = excluded.hash, thread_id = excluded.thread_id, turn_id = excluded.turn_id, summary = excluded.summary,
        keywords = excluded.keywords`,
        [
          d.id,
          d.userId,
          d.path,
          d.content,
          d.createdAt ?? at,
          d.updatedAt ?? at,
          d.kind,
          d.hash ?? null,
          d.threadId ?? null,
          d.turnId ?? null,
          d.summary ?? null,
          d.keywords ? JSON.stringify(d.keywords) : null,
        ],
      ],
    ];
    const plain = [];
    for (const c of chunks) {
      if (!c?.id || typeof c.text !== 'string') throw fail('invalid', 'each chunk needs id and text');
      const embedding = c.embedding ? { $blob: c.embedding } : null;
      if (vectors && c.vector)
        statements.push([
          'INSERT INTO memory_chunks (id, document_id, seq, text, embedding, embedding_vec) VALUES (?, ?, ?, ?, ?, ?::vector)',
          [c.id, d.id, c.seq, c.text, embedding, c.vector],
        ]);
      else plain.push([c.id, d.id, c.seq, c.text, embedding]);
    }
    // In sequence order, a few rows a statement (a round trip each on PostgreSQL).
    statements.push(...insertRows('memory_chunks (id, document_id, seq, text, embedding)', plain));
    batch(statements);
    return { id: d.id, chunks: chunks.length };
  },
  /** Background tagging: a document's summary and keywords, written without touching its chunks. */
  'memory.document.tag'(input) {
    if (!input.id || typeof input.summary !== 'string' || !Array.isArray(input.keywords)) throw fail('invalid', '"id", "summary" and "keywords" are required');
    const [changed] = batch([
      ['UPDATE memory_documents SET summary = ?, keywords = ? WHERE id = ?', [input.summary, JSON.stringify(input.keywords), input.id]],
    ]);
    return { tagged: changed > 0 };
  },
  'memory.document.get'(input) {
    if (!input.userId || !input.path) throw fail('invalid', '"userId" and "path" are required');
    return one('SELECT * FROM memory_documents WHERE user_id = ? AND path = ?', [input.userId, input.path]);
  },
  /** Documents without their content, newest first, by owner, kind and path prefix. */
  'memory.documents.list'(input) {
    const where = [];
    const params = [];
    if (input.userIds?.length) {
      where.push(`user_id IN (${placeholders(input.userIds)})`);
      params.push(...input.userIds);
    }
    if (input.kind) {
      where.push('kind = ?');
      params.push(input.kind);
    }
    if (input.pathPrefix) {
      where.push("path LIKE ? ESCAPE '\\'");
      params.push(`${input.pathPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const limit = Math.min(Math.max(Number(input.limit ?? 1000), 1), 100000);
    return rowsPassedOn(
      `SELECT id, user_id, path, kind, hash, thread_id, turn_id, summary, keywords, created_at, updated_at FROM memory_documents
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC, id LIMIT ?`,
      [...params, limit],
    );
  },
  /** Documents and everything derived from them (chunks, mentions, relations, entities left unsupported). */
  'memory.documents.delete'(input) {
    if (!Array.isArray(input.ids) || input.ids.length === 0) return { documents: 0, chunks: 0 };
    const statements = documentDeletion(`id IN (${placeholders(input.ids)})`, input.ids);
    const counts = batch(statements);
    return { documents: counts[counts.length - 1], chunks: counts[counts.length - 2] };
  },
  /** A turn's messages with its thread and the thread's owner (what memory keeps of a conversation). */
  'memory.turn.source'(input) {
    if (!input.turnId) throw fail('invalid', '"turnId" is required');
    return rowsPassedOn(
      `SELECT t.user_id, m.thread_id, m.role, m.content, m.created_at FROM messages m JOIN threads t ON t.id = m.thread_id
      WHERE m.turn_id = ? ORDER BY m.pos`,
      [input.turnId],
    );
  },
  'memory.thread.owner'(input) {
    if (!input.threadId) throw fail('invalid', '"threadId" is required');
    return { userId: one('SELECT user_id FROM threads WHERE id = ?', [input.threadId])?.user_id ?? null };
  },
  /** Chunks by position with the document they belong to. */
  'memory.chunks.get'(input) {
    const positions = (input.positions ?? []).filter((p) => Number.isSafeInteger(p));
    if (positions.length === 0) return [];
    return rowsPassedOn(
      `SELECT c.pos, c.id, c.seq, c.text, d.id AS document_id, d.path, d.kind, d.user_id, d.thread_id, d.turn_id, d.updated_at
      FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id WHERE c.pos IN (${placeholders(positions)})`,
      positions,
    );
  },
  /** One page of stored vectors (for a host that scores them itself), in position order. */
  'memory.vectors.page'(input) {
    const limit = Math.min(Math.max(Number(input.limit ?? 2000), 1), 10000);
    return rowsPassedOn(
      `SELECT c.pos, c.embedding, d.id AS document_id, d.path, d.kind, d.user_id, d.updated_at FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id
      WHERE c.pos > ? AND c.embedding IS NOT NULL ORDER BY c.pos LIMIT ?`,
      [Number(input.afterPos ?? 0), limit],
    );
  },
  /** Replaces the skipped files of one indexing pass: the paths it looked at lose their old reason. */
  'memory.skipped.set'(input) {
    if (!input.userId || !Array.isArray(input.items)) throw fail('invalid', '"userId" and "items" are required');
    const at = nowMs();
    const statements = [];
    for (const path of input.clear ?? []) statements.push(['DELETE FROM memory_skipped WHERE user_id = ? AND path = ?', [input.userId, path]]);
    for (const s of input.items) {
      statements.push([
        `INSERT INTO memory_skipped (user_id, path, reason, bytes, at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (user_id, path) DO UPDATE SET reason = excluded.reason, bytes = excluded.bytes, at = excluded.at`,
        [input.userId, s.path, s.reason, s.bytes ?? 0, at],
      ]);
    }
    batch(statements);
    return { skipped: input.items.length };
  },
  'memory.skipped.list'(input) {
    return rowsPassedOn('SELECT path, reason, bytes, at FROM memory_skipped WHERE user_id = ? ORDER BY path LIMIT 1000', [input.userId ?? '*']);
  },
  'memory.meta.get'(input) {
    if (!input.key) throw fail('invalid', '"key" is required');
    return { value: one('SELECT value FROM memory_meta WHERE key = ?', [input.key])?.value ?? null };
  },
  'memory.meta.set'(input) {
    if (!input.key || typeof input.value !== 'string') throw fail('invalid', '"key" and "value" are required');
    batch([
      [
        'INSERT INTO memory_meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        [input.key, input.value, nowMs()],
      ],
    ]);
    return { key: input.key, value: input.value };
  },
  /** Counts for `titan memory status`. */
  'memory.status'() {
    const kinds = rows('SELECT kind, COUNT(*) AS n FROM memory_documents GROUP BY kind ORDER BY kind');
    const count = (table) => Number(one(`SELECT COUNT(*) AS n FROM ${table}`)?.n ?? 0);
    return {
      documents: Object.fromEntries(kinds.map((k) => [k.kind, Number(k.n)])),
      chunks: count('memory_chunks'),
      entities: count('memory_entities'),
      relations: count('memory_relations'),
      skipped: count('memory_skipped'),
      vectorSearch: isSqlite() ? 'libsql' : pgvectorColumn() ? 'pgvector' : 'host',
    };
  },
  /**
   * On PostgreSQL with pgvector installable: the extension, a vector column and its HNSW index.
   * On libSQL: its vector index, made when `index` is asked for and dropped when not (updating it
   * is most of the cost of a write). Answers where vector search runs: 'libsql', 'pgvector' or
   * 'host' (no pgvector here).
   */
  'memory.vectors.prepare'(input) {
    if (isSqlite()) {
      batch([
        input.index === false
          ? ['DROP INDEX IF EXISTS memory_chunks_vector', []]
          : ['CREATE INDEX IF NOT EXISTS memory_chunks_vector ON memory_chunks (libsql_vector_idx(embedding))', []],
      ]);
      return { vectorSearch: 'libsql' };
    }
    if (input.index === false) return { vectorSearch: pgvectorColumn() ? 'pgvector' : 'host' };
    if (pgvectorColumn()) return { vectorSearch: 'pgvector' };
    if (!one("SELECT 1 AS present FROM pg_available_extensions WHERE name = 'vector'")) return { vectorSearch: 'host' };
    const dimensions = Number(input.dimensions ?? 256);
    batch([
      ['CREATE EXTENSION IF NOT EXISTS vector', []],
      [`ALTER TABLE memory_chunks ADD COLUMN IF NOT EXISTS embedding_vec vector(${dimensions})`, []],
      ['CREATE INDEX IF NOT EXISTS memory_chunks_hnsw ON memory_chunks USING hnsw (embedding_vec vector_cosine_ops)', []],
    ]);
    return { vectorSearch: 'pgvector' };
  },
};
