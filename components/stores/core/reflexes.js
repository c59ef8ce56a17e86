// Reflex records (state, counters, provenance, the component that serves them) and the completed
// turns the miner reads. Tables from migrations 3 and 6.
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, rows, rowsPassedOn } from './db.js';
/** @import { StoreHandlers } from '../ops.js' */

const MAX_TURNS = 5000;

/** The turn ids an op was given: strings, at most MAX_TURNS. */
function turnIds(input) {
  const ids = input.turnIds;
  if (!Array.isArray(ids) || ids.length > MAX_TURNS || !ids.every((id) => typeof id === 'string')) {
    throw fail('invalid', `"turnIds" must be a list of at most ${MAX_TURNS} turn ids`);
  }
  return ids;
}

/**
 * The ids as an IN list whose length is rounded up to a power of two (at least 16), padded with an id
 * no turn has. The database prepares each distinct statement text once and libSQL's driver never
 * frees one (host-api/db/libsql-backend.ts): a list of every length from 1 to 1,000, read by the
 * miner as a new home fills, left about 50 MB of statements behind; ten lengths leave a few.
 */
function idList(ids) {
  let size = 16;
  while (size < ids.length) size *= 2;
  return { sql: Array.from({ length: size }, () => '?').join(', '), params: [...ids, ...Array.from({ length: size - ids.length }, () => '')] };
}

function toRecord(r) {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    state: r.state,
    description: r.intent,
    example: r.example,
    slots: JSON.parse(r.slots),
    spec: JSON.parse(r.plan),
    component: r.component,
    provenance: JSON.parse(r.provenance),
    reason: r.reason,
    tools: r.tools ? JSON.parse(r.tools) : {},
    centroid: r.centroid ? JSON.parse(r.centroid) : [],
    hits: Number(r.hits ?? 0),
    misses: Number(r.misses ?? 0),
    rejections: Number(r.rejections ?? 0),
    suspensions: Number(r.suspensions ?? 0),
    modelCallsAvoided: Number(r.model_calls_avoided ?? 0),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at ?? r.created_at),
  };
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const reflexes = {
  'reflexes.list'() {
    return rows(`SELECT p.*, s.hits, s.misses, s.rejections, s.suspensions, s.model_calls_avoided FROM reflex_patterns p
      LEFT JOIN reflex_stats s ON s.pattern_id = p.id WHERE p.name IS NOT NULL ORDER BY p.created_at, p.id`).map(toRecord);
  },
  /** Inserts or updates one record with its counters (the kernel keeps them and writes them back). */
  'reflexes.save'(input) {
    const r = input.record;
    if (!r?.id || !r.name || !r.state) throw fail('invalid', '"record" with id, name and state is required');
    const at = nowMs();
    batch([
      [
        `INSERT INTO reflex_patterns (id, intent, example, slots, plan, component, state, provenance, created_at, name, version, reason, tools, centroid, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET intent = excluded.intent, example = excluded.example,
        slots = excluded.slots, plan = excluded.plan, component = excluded.component, state = excluded.state, provenance = excluded.provenance,
        version = excluded.version, reason = excluded.reason, tools = excluded.tools, centroid = excluded.centroid, updated_at = excluded.updated_at`,
        [
          r.id,
          r.description ?? '',
          r.example ?? '',
          JSON.stringify(r.slots ?? []),
          JSON.stringify(r.spec ?? {}),
          r.component ?? null,
          r.state,
          JSON.stringify(r.provenance ?? []),
          r.createdAt ?? at,
          r.name,
          r.version ?? null,
          r.reason ?? null,
          JSON.stringify(r.tools ?? {}),
          JSON.stringify(r.centroid ?? []),
          at,
        ],
      ],
      [
        `INSERT INTO reflex_stats (pattern_id, hits, misses, rejections, suspensions, model_calls_avoided, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (pattern_id) DO UPDATE SET hits = excluded.hits, misses = excluded.misses, rejections = excluded.rejections,
        suspensions = excluded.suspensions, model_calls_avoided = excluded.model_calls_avoided, updated_at = excluded.updated_at`,
        [r.id, r.hits ?? 0, r.misses ?? 0, r.rejections ?? 0, r.suspensions ?? 0, r.modelCallsAvoided ?? 0, at],
      ],
    ]);
    return { saved: r.id };
  },
  /**
   * A fast answer (a reflex's or the shadow cache's) in one transaction: the assistant message with
   * its source, and the turn moved from streaming to completed. Nothing is written unless the turn
   * is streaming.
   */
  'reflexes.answer'(input) {
    const m = input.message;
    if (!input.threadId || !input.turnId || !m?.id || typeof m.content !== 'string' || !m.source) {
      throw fail('invalid', '"threadId", "turnId" and "message" {id, content, source} are required');
    }
    const at = nowMs();
    const [inserted, changed] = batch([
      [
        `INSERT INTO messages (id, thread_id, turn_id, role, content, created_at, source)
        SELECT ?, ?, ?, 'assistant', ?, CAST(? AS BIGINT), ? WHERE EXISTS (SELECT 1 FROM turns WHERE id = ? AND thread_id = ? AND state = 'streaming')`,
        [m.id, input.threadId, input.turnId, m.content, at, m.source, input.turnId, input.threadId],
      ],
      ["UPDATE turns SET state = 'completed', updated_at = ? WHERE id = ? AND state = 'streaming'", [at, input.turnId]],
    ]);
    if (changed === 0 || inserted === 0) throw fail('conflict', `turn ${input.turnId} is not streaming; its answer was not stored`);
    return { completed: input.turnId };
  },
  'reflexes.delete'(input) {
    if (!input.id) throw fail('invalid', '"id" is required');
    const [, deleted] = batch([
      ['DELETE FROM reflex_stats WHERE pattern_id = ?', [input.id]],
      ['DELETE FROM reflex_patterns WHERE id = ?', [input.id]],
    ]);
    if (deleted === 0) throw fail('not-found', `reflex ${input.id} not found`);
    return { deleted: input.id };
  },
  /**
   * The miner's reads, each answered as rows left on the host (never copied into this component:
   * 1,000 turns with their tool results would grow every store instance's memory to hold them, and
   * a long history could pass its memory limit). First the most recent completed turns the model
   * answered (not a reflex or the shadow cache), newest first, `limit` ids; then their messages and
   * their tool calls, by those ids (so both describe the same turns).
   */
  'reflexes.recent'(input) {
    const limit = Math.min(Math.max(Number(input.limit ?? 1000), 1), MAX_TURNS);
    return rowsPassedOn(
      `SELECT id FROM turns WHERE state = 'completed' AND NOT EXISTS
      (SELECT 1 FROM messages m WHERE m.turn_id = turns.id AND m.source IS NOT NULL) ORDER BY updated_at DESC LIMIT ?`,
      [limit],
    );
  },
  'reflexes.messages'(input) {
    const ids = idList(turnIds(input));
    return rowsPassedOn(`SELECT turn_id, role, content FROM messages WHERE turn_id IN (${ids.sql}) ORDER BY pos`, ids.params);
  },
  'reflexes.calls'(input) {
    const ids = idList(turnIds(input));
    return rowsPassedOn(
      `SELECT id, turn_id, tool, arguments, status, result FROM tool_calls WHERE turn_id IN (${ids.sql}) ORDER BY started_at, id`,
      ids.params,
    );
  },
};
