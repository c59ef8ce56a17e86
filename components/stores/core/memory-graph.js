// The memory graph (migration 10): entities, the documents that mention them (their citations) and
// the relations a document states between two of them. A document's part of the graph is replaced
// whole; an entity no document mentions any more goes with it.
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, rowsPassedOn } from './db.js';
/** @import { StoreHandlers } from '../ops.js' */

const ORPHANS = 'DELETE FROM memory_entities WHERE NOT EXISTS (SELECT 1 FROM memory_mentions m WHERE m.entity_id = memory_entities.id)';

/** Removes the graph rows of the documents a subquery selects, then the entities left unmentioned. */
export function graphDeletion(documents, params) {
  return [
    [`DELETE FROM memory_relations WHERE document_id IN (${documents})`, params],
    [`DELETE FROM memory_mentions WHERE document_id IN (${documents})`, params],
    [ORPHANS, []],
  ];
}

const ROWS_PER_INSERT = 200;

/**
 * INSERT statements of at most ROWS_PER_INSERT rows each (well under both databases' parameter limits).
 * @param {string} into
 * @param {unknown[][]} rows
 * @param {string} [suffix]
 * @returns {Array<[string, unknown[]]>}
 */
export function insertRows(into, rows, suffix = '') {
  /** @type {Array<[string, unknown[]]>} */
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const part = rows.slice(i, i + ROWS_PER_INSERT);
    const one = `(${part[0].map(() => '?').join(', ')})`;
    statements.push([`INSERT INTO ${into} VALUES ${part.map(() => one).join(', ')}${suffix}`, part.flat()]);
  }
  return statements;
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const memoryGraph = {
  /** One document's entities (with how often it names each) and relations, replacing what it had. */
  'memory.graph.put'(input) {
    if (!input.documentId || !Array.isArray(input.entities) || !Array.isArray(input.relations))
      throw fail('invalid', '"documentId", "entities" and "relations" are required');
    const at = nowMs();
    const known = new Set(input.entities.map((e) => e.id));
    /** @type {Array<[string, unknown[]]>} */
    const statements = [
      ['DELETE FROM memory_relations WHERE document_id = ?', [input.documentId]],
      ['DELETE FROM memory_mentions WHERE document_id = ?', [input.documentId]],
    ];
    for (const e of input.entities) if (!e?.id || !e.name || !e.kind) throw fail('invalid', 'each entity needs id, name and kind');
    for (const r of input.relations)
      if (!known.has(r?.source) || !known.has(r?.target)) throw fail('invalid', 'a relation joins two entities of the same document');
    // Rows go in a few multi-row statements: on PostgreSQL each statement is a round trip.
    statements.push(
      ...insertRows(
        'memory_entities (id, name, kind, created_at)',
        input.entities.map((e) => [e.id, e.name, e.kind, at]),
        ' ON CONFLICT (id) DO NOTHING',
      ),
      ...insertRows(
        'memory_mentions (entity_id, document_id, count)',
        input.entities.map((e) => [e.id, input.documentId, Math.max(1, Number(e.count ?? 1))]),
      ),
      ...insertRows(
        'memory_relations (source, target, type, weight, document_id)',
        input.relations.map((r) => [r.source, r.target, String(r.type ?? 'related'), Number(r.weight ?? 1), input.documentId]),
      ),
    );
    statements.push([ORPHANS, []]);
    batch(statements);
    return { entities: input.entities.length, relations: input.relations.length };
  },
  /** The graph's parts, for the host's in-memory index (loaded once, then kept up to date by the host). */
  'memory.entities.list'() {
    return rowsPassedOn('SELECT id, name, kind FROM memory_entities ORDER BY id');
  },
  'memory.mentions.list'() {
    return rowsPassedOn('SELECT entity_id, document_id, count FROM memory_mentions ORDER BY entity_id, document_id');
  },
  'memory.relations.list'() {
    return rowsPassedOn('SELECT source, target, type, weight, document_id FROM memory_relations ORDER BY pos');
  },
  /** Forgets an entity: its mentions and relations go; the documents stay (they are the user's). */
  'memory.entity.delete'(input) {
    if (!input.id) throw fail('invalid', '"id" is required');
    const counts = batch([
      ['DELETE FROM memory_relations WHERE source = ? OR target = ?', [input.id, input.id]],
      ['DELETE FROM memory_mentions WHERE entity_id = ?', [input.id]],
      ['DELETE FROM memory_entities WHERE id = ?', [input.id]],
    ]);
    return { relations: counts[0], entities: counts[2] };
  },
};
