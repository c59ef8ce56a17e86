// How a turn ends, in one transaction: its last messages (the answer, or what was said before a
// failure), its last events (the final one included) and its new state commit together, so no
// reader ever sees an answer whose turn still runs; and which turns a dead process left running.
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, one, rowsPassedOn } from './db.js';
/** @import { StoreHandlers } from '../ops.js' */

// The states a turn may end from, for each way it can end.
const END_FROM = {
  completed: ['streaming', 'awaiting_approval'],
  failed: ['pending', 'streaming', 'awaiting_approval'],
  interrupted: ['pending', 'streaming', 'awaiting_approval'],
};

function valid(input) {
  if (!input.threadId || !input.turnId) throw fail('invalid', '"threadId" and "turnId" are required');
  if (!END_FROM[input.to]) throw fail('invalid', `"to" must be one of ${Object.keys(END_FROM).join(', ')}`);
  const messages = input.messages ?? [];
  const events = input.events ?? [];
  if (!Array.isArray(messages) || !Array.isArray(events)) throw fail('invalid', '"messages" and "events" must be arrays');
  for (const m of messages) {
    if (!m?.id || !m.role || typeof m.content !== 'string') throw fail('invalid', 'each message needs id, role and content');
  }
  for (const e of events) {
    if (!e || !Number.isSafeInteger(e.seq) || typeof e.type !== 'string') throw fail('invalid', 'each event needs seq and type');
  }
  return { messages, events, from: END_FROM[input.to] };
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const turnEnd = {
  /**
   * Ends a turn: messages and events are written only while the turn is in a state it may end
   * from, then the turn moves; tool calls it left running are closed. One transaction.
   */
  'turns.end'(input) {
    const { messages, events, from } = valid(input);
    const at = nowMs();
    const marks = from.map(() => '?').join(', ');
    const live = `EXISTS (SELECT 1 FROM turns WHERE id = ? AND thread_id = ? AND state IN (${marks}))`;
    const liveParams = [input.turnId, input.threadId, ...from];
    const statements = [];
    for (const m of messages) {
      statements.push([
        `INSERT INTO messages (id, thread_id, turn_id, role, content, created_at, source)
        SELECT ?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS TEXT) WHERE ${live} ON CONFLICT (id) DO NOTHING`,
        [m.id, input.threadId, input.turnId, m.role, m.content, at, m.source ?? null, ...liveParams],
      ]);
    }
    for (const e of events) {
      statements.push([
        `INSERT INTO turn_events (turn_id, seq, type, data, created_at)
        SELECT ?, CAST(? AS BIGINT), ?, ?, CAST(? AS BIGINT) WHERE ${live} ON CONFLICT (turn_id, seq) DO NOTHING`,
        [input.turnId, e.seq, e.type, typeof e.data === 'string' ? e.data : JSON.stringify(e.data ?? {}), at, ...liveParams],
      ]);
    }
    statements.push([
      `UPDATE tool_calls SET status = ?, error = ?, finished_at = ? WHERE turn_id = ? AND status IN ('running', 'awaiting_approval')
      AND ${live}`,
      ['interrupted', 'the turn ended before this call finished', at, input.turnId, ...liveParams],
    ]);
    statements.push([
      `UPDATE turns SET state = ?, error = ?, updated_at = ? WHERE id = ? AND thread_id = ? AND state IN (${marks})`,
      [input.to, input.error ?? null, at, input.turnId, input.threadId, ...from],
    ]);
    statements.push(['UPDATE threads SET updated_at = ? WHERE id = ?', [at, input.threadId]]);
    const counts = batch(statements);
    if (counts[counts.length - 2] === 0) {
      const turn = one('SELECT state, thread_id FROM turns WHERE id = ?', [input.turnId]);
      if (!turn || turn.thread_id !== input.threadId) throw fail('not-found', `turn ${input.turnId} of thread ${input.threadId} not found`);
      throw fail('conflict', `turn ${input.turnId} is ${turn.state}; it cannot become ${input.to}`);
    }
    return { turnId: input.turnId, state: input.to, messages: counts.slice(0, messages.length).reduce((a, b) => a + b, 0) };
  },

  /** Turns left pending or streaming (after a restart: by the process that died), oldest first. */
  'turns.stale'(input) {
    const limit = Math.min(Math.max(Number(input.limit ?? 500), 1), 5000);
    return rowsPassedOn(
      `SELECT id, thread_id, state, created_at, updated_at FROM turns WHERE state IN ('pending', 'streaming')
      ORDER BY created_at, id LIMIT ?`,
      [limit],
    );
  },
};
