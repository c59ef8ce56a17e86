// Users, threads, turns, messages, tool calls, turn events, approvals and settings.
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, one, rows, rowsPassedOn, rowsText, transaction } from './db.js';
import { documentDeletion } from './memory.js';
/** @import { AnswerText, StoreHandlers } from '../ops.js' */

const ROWS_PER_INSERT = 200;
const TURN_STATES = ['pending', 'streaming', 'awaiting_approval', 'completed', 'failed', 'interrupted'];
// Which states a turn may come from, for each state it may go to.
const TURN_FROM = {
  streaming: ['pending', 'awaiting_approval'],
  awaiting_approval: ['streaming'],
  completed: ['streaming', 'awaiting_approval'],
  failed: ['pending', 'streaming', 'awaiting_approval'],
  interrupted: ['pending', 'streaming', 'awaiting_approval'],
};

/** A thread's latest messages before a position, oldest first (messages.list, and turns.begin's `recent`). */
const LATEST_MESSAGES =
  'SELECT * FROM (SELECT pos, id, turn_id, role, content, created_at, source FROM messages WHERE thread_id = ? AND pos < ? ORDER BY pos DESC LIMIT ?) recent ORDER BY pos';

function messageLimit(value, fallback) {
  return Math.min(Math.max(Number(value ?? fallback), 1), 1000);
}

function need(input, ...fields) {
  for (const field of fields) {
    if (input[field] === undefined || input[field] === null || input[field] === '') throw fail('invalid', `"${field}" is required`);
  }
}

function threadOf(userId, threadId) {
  const thread = one('SELECT * FROM threads WHERE id = ? AND user_id = ?', [threadId, userId]);
  if (!thread) throw fail('not-found', `thread ${threadId} not found`);
  return thread;
}

// Children first: one statement list shared by "delete a thread" and "clear all chats".
function threadDeletion(where, params) {
  const turns = `SELECT id FROM turns WHERE thread_id IN (SELECT id FROM threads WHERE ${where})`;
  return [
    // What memory derived from these conversations goes with them (the counts below index from the end).
    ...documentDeletion(`thread_id IN (SELECT id FROM threads WHERE ${where})`, params),
    [`DELETE FROM approvals WHERE turn_id IN (${turns})`, params],
    [`DELETE FROM turn_events WHERE turn_id IN (${turns})`, params],
    [`DELETE FROM tool_calls WHERE turn_id IN (${turns})`, params],
    [`DELETE FROM messages WHERE thread_id IN (SELECT id FROM threads WHERE ${where})`, params],
    [`DELETE FROM turns WHERE thread_id IN (SELECT id FROM threads WHERE ${where})`, params],
    [`DELETE FROM threads WHERE ${where}`, params],
  ];
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const conversations = {
  'users.ensure'(input) {
    need(input, 'id');
    batch([['INSERT INTO users (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING', [input.id, input.name ?? null, nowMs()]]]);
    return one('SELECT * FROM users WHERE id = ?', [input.id]);
  },

  'threads.create'(input) {
    need(input, 'id', 'userId');
    const at = nowMs();
    batch([
      ['INSERT INTO users (id, name, created_at) VALUES (?, NULL, ?) ON CONFLICT (id) DO NOTHING', [input.userId, at]],
      [
        'INSERT INTO threads (id, user_id, title, channel, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [input.id, input.userId, input.title ?? null, input.channel ?? null, input.externalId ?? null, at, at],
      ],
    ]);
    return threadOf(input.userId, input.id);
  },
  'threads.get'(input) {
    need(input, 'userId', 'threadId');
    return threadOf(input.userId, input.threadId);
  },
  'threads.list'(input) {
    need(input, 'userId');
    const limit = Math.min(Math.max(Number(input.limit ?? 50), 1), 500);
    if (input.beforeUpdatedAt !== undefined) {
      return rowsPassedOn('SELECT * FROM threads WHERE user_id = ? AND updated_at < ? ORDER BY updated_at DESC, id LIMIT ?', [
        input.userId,
        input.beforeUpdatedAt,
        limit,
      ]);
    }
    return rowsPassedOn('SELECT * FROM threads WHERE user_id = ? ORDER BY updated_at DESC, id LIMIT ?', [input.userId, limit]);
  },
  'threads.byExternal'(input) {
    need(input, 'channel', 'externalId');
    return one('SELECT * FROM threads WHERE channel = ? AND external_id = ?', [input.channel, input.externalId]);
  },
  /** Removes the thread and everything in it, in one transaction. */
  'threads.delete'(input) {
    need(input, 'userId', 'threadId');
    threadOf(input.userId, input.threadId);
    const counts = batch(threadDeletion('id = ? AND user_id = ?', [input.threadId, input.userId])).slice(-3);
    return { messages: counts[0], turns: counts[1], threads: counts[2] };
  },
  /** "Clear all chats": every thread of this user, and nothing of anyone else. */
  'threads.clear'(input) {
    need(input, 'userId');
    const counts = batch(threadDeletion('user_id = ?', [input.userId])).slice(-3);
    return { messages: counts[0], turns: counts[1], threads: counts[2] };
  },

  'turns.create'(input) {
    need(input, 'id', 'threadId');
    const at = nowMs();
    batch([['INSERT INTO turns (id, thread_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [input.id, input.threadId, 'pending', at, at]]]);
    return one('SELECT * FROM turns WHERE id = ?', [input.id]);
  },
  /** A user's message opens a turn: thread checked (it must be this user's), turn created
   * streaming (the runner starts at once), message stored - one transaction, committed when this
   * returns. Written in its starting state at once: a pending row updated in the same transaction
   * wrote the turn and both its state indexes twice. */
  'turns.begin'(input) {
    need(input, 'userId', 'threadId', 'turnId', 'message');
    const m = input.message;
    if (!m.id || !m.role || typeof m.content !== 'string') throw fail('invalid', 'the message needs id, role and content');
    const at = nowMs();
    const counts = batch([
      [
        `INSERT INTO turns (id, thread_id, state, created_at, updated_at)
        SELECT ?, id, 'streaming', ?, ? FROM threads WHERE id = ? AND user_id = ?`,
        [input.turnId, at, at, input.threadId, input.userId],
      ],
      [
        `INSERT INTO messages (id, thread_id, turn_id, role, content, created_at)
        SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM turns WHERE id = ?) ON CONFLICT (id) DO NOTHING`,
        [m.id, input.threadId, input.turnId, m.role, m.content, at, input.turnId],
      ],
      ['UPDATE threads SET updated_at = ? WHERE id = ? AND user_id = ?', [at, input.threadId, input.userId]],
    ]);
    if (counts[0] === 0) throw fail('not-found', `thread ${input.threadId} not found`);
    const begun = { turnId: input.turnId, messageId: m.id, state: /** @type {const} */ ('streaming') };
    if (!input.recent) return begun;
    // The thread's latest messages, the new one last: the turn's history without a second request.
    // Spliced in as the host wrote them (the guest never parses the rows).
    const recent = rowsText(LATEST_MESSAGES, [input.threadId, Number.MAX_SAFE_INTEGER, messageLimit(input.recent, 50)]);
    return /** @type {AnswerText} */ (`${JSON.stringify(begun).slice(0, -1)},"recent":${recent}}`);
  },
  'turns.get'(input) {
    need(input, 'id');
    const turn = one('SELECT * FROM turns WHERE id = ?', [input.id]);
    if (!turn) throw fail('not-found', `turn ${input.id} not found`);
    return turn;
  },
  /** Guarded: the update only matches a turn in a state the target may follow. */
  'turns.transition'(input) {
    need(input, 'id', 'to');
    const from = TURN_FROM[input.to];
    if (!from) throw fail('invalid', `"${input.to}" is not a state a turn can move to (${TURN_STATES.join(', ')})`);
    const marks = from.map(() => '?').join(', ');
    const [changed] = batch([
      [
        `UPDATE turns SET state = ?, error = ?, updated_at = ? WHERE id = ? AND state IN (${marks})`,
        [input.to, input.error ?? null, nowMs(), input.id, ...from],
      ],
    ]);
    const turn = one('SELECT * FROM turns WHERE id = ?', [input.id]);
    if (!turn) throw fail('not-found', `turn ${input.id} not found`);
    if (changed === 0) throw fail('conflict', `turn ${input.id} is ${turn.state}; it cannot become ${input.to}`);
    return turn;
  },

  /** Appends messages once each (ids are the idempotency keys); returns when they are committed. */
  'messages.append'(input) {
    need(input, 'threadId');
    if (!Array.isArray(input.messages) || input.messages.length === 0) throw fail('invalid', '"messages" must be a non-empty array');
    const at = nowMs();
    const statements = [];
    for (let i = 0; i < input.messages.length; i += ROWS_PER_INSERT) {
      const chunk = input.messages.slice(i, i + ROWS_PER_INSERT);
      const params = [];
      for (const m of chunk) {
        if (!m?.id || !m.role || typeof m.content !== 'string') throw fail('invalid', 'each message needs id, role and content');
        params.push(m.id, input.threadId, m.turnId ?? input.turnId ?? null, m.role, m.content, m.createdAt ?? at, m.source ?? null);
      }
      // One multi-row statement per chunk (one round trip); WHERE EXISTS: nothing is written for a
      // missing thread. VALUES columns are column1..7 in both SQLite and PostgreSQL.
      const rows = chunk.map(() => '(?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS TEXT))').join(', ');
      statements.push([
        `INSERT INTO messages (id, thread_id, turn_id, role, content, created_at, source)
        SELECT column1, column2, column3, column4, column5, column6, column7 FROM (VALUES ${rows}) AS incoming
        WHERE EXISTS (SELECT 1 FROM threads WHERE id = ?) ON CONFLICT (id) DO NOTHING`,
        [...params, input.threadId],
      ]);
    }
    statements.push(['UPDATE threads SET updated_at = ? WHERE id = ?', [at, input.threadId]]);
    const counts = batch(statements);
    if (counts[counts.length - 1] === 0) throw fail('not-found', `thread ${input.threadId} not found`);
    const appended = counts.slice(0, -1).reduce((a, b) => a + b, 0);
    return { appended, duplicates: input.messages.length - appended };
  },
  /** The newest `limit` messages (before `beforePos` when paging back), oldest first. */
  'messages.list'(input) {
    need(input, 'threadId');
    const before = input.beforePos ?? Number.MAX_SAFE_INTEGER;
    return rowsPassedOn(LATEST_MESSAGES, [input.threadId, before, messageLimit(input.limit, 50)]);
  },

  'toolCalls.upsert'(input) {
    need(input, 'id', 'turnId', 'tool', 'status');
    batch([
      [
        `INSERT INTO tool_calls (id, turn_id, tool, arguments, status, result, error, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET status = excluded.status, result = excluded.result, error = excluded.error, finished_at = excluded.finished_at`,
        [
          input.id,
          input.turnId,
          input.tool,
          input.arguments ?? '{}',
          input.status,
          input.result ?? null,
          input.error ?? null,
          input.startedAt ?? nowMs(),
          input.finishedAt ?? null,
        ],
      ],
    ]);
    return one('SELECT * FROM tool_calls WHERE id = ?', [input.id]);
  },
  'toolCalls.list'(input) {
    need(input, 'turnId');
    return rowsPassedOn('SELECT * FROM tool_calls WHERE turn_id = ? ORDER BY started_at, id', [input.turnId]);
  },

  /** Events of a turn, each with its sequence number (a retried append is not duplicated). */
  'events.append'(input) {
    need(input, 'turnId');
    const at = nowMs();
    const counts = batch(
      (input.events ?? []).map((e) => [
        'INSERT INTO turn_events (turn_id, seq, type, data, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (turn_id, seq) DO NOTHING',
        [input.turnId, e.seq, e.type, typeof e.data === 'string' ? e.data : JSON.stringify(e.data), at],
      ]),
    );
    return { appended: counts.reduce((a, b) => a + b, 0) };
  },
  'events.list'(input) {
    need(input, 'turnId');
    return rowsPassedOn('SELECT seq, type, data, created_at FROM turn_events WHERE turn_id = ? AND seq > ? ORDER BY seq', [input.turnId, input.afterSeq ?? -1]);
  },

  'approvals.create'(input) {
    need(input, 'id', 'turnId', 'summary', 'expiresAt');
    batch([
      [
        'INSERT INTO approvals (id, turn_id, tool_call_id, summary, status, requested_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [input.id, input.turnId, input.toolCallId ?? null, input.summary, 'pending', nowMs(), input.expiresAt],
      ],
    ]);
    return one('SELECT * FROM approvals WHERE id = ?', [input.id]);
  },
  /** Only a pending, unexpired approval can be decided; an expired one is marked so (and stays marked). */
  'approvals.decide'(input) {
    need(input, 'id', 'decision', 'by');
    if (input.decision !== 'approved' && input.decision !== 'rejected') throw fail('invalid', 'decision must be approved or rejected');
    const at = nowMs();
    const outcome = transaction((run) => {
      const [approval] = run('SELECT * FROM approvals WHERE id = ?', [input.id]);
      if (!approval) throw fail('not-found', `approval ${input.id} not found`);
      if (approval.status !== 'pending') throw fail('conflict', `approval ${input.id} is already ${approval.status}`);
      if (Number(approval.expires_at) <= at) {
        // Committed before the refusal is thrown: the expiry is recorded, not rolled back.
        run("UPDATE approvals SET status = 'expired', decided_at = ?, reason = ? WHERE id = ?", [at, 'expired before a decision', input.id]);
        return { expired: true };
      }
      run('UPDATE approvals SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE id = ?', [
        input.decision,
        at,
        input.by,
        input.reason ?? null,
        input.id,
      ]);
      return { approval: run('SELECT * FROM approvals WHERE id = ?', [input.id])[0] };
    });
    if (outcome.expired) throw fail('conflict', `approval ${input.id} expired before a decision`);
    return outcome.approval;
  },
  'approvals.pending'() {
    return rowsPassedOn("SELECT * FROM approvals WHERE status = 'pending' ORDER BY requested_at");
  },
  /** Marks every pending approval past its expiry as expired; returns them (their turns must be told). */
  'approvals.expire'(input) {
    const now = input.now ?? nowMs();
    const due = rows("SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ?", [now]);
    if (due.length)
      batch(
        due.map((a) => [
          "UPDATE approvals SET status = 'expired', decided_at = ?, reason = ? WHERE id = ? AND status = 'pending'",
          [now, 'expired before a decision', a.id],
        ]),
      );
    return due;
  },

  'settings.get'(input) {
    need(input, 'userId', 'key');
    return one('SELECT key, value, updated_at FROM settings WHERE user_id = ? AND key = ?', [input.userId, input.key]);
  },
  'settings.set'(input) {
    need(input, 'userId', 'key');
    if (typeof input.value !== 'string') throw fail('invalid', '"value" must be a string');
    batch([
      ['INSERT INTO users (id, name, created_at) VALUES (?, NULL, ?) ON CONFLICT (id) DO NOTHING', [input.userId, nowMs()]],
      [
        'INSERT INTO settings (user_id, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        [input.userId, input.key, input.value, nowMs()],
      ],
    ]);
    return { key: input.key, value: input.value };
  },
  'settings.list'(input) {
    need(input, 'userId');
    return rowsPassedOn('SELECT key, value, updated_at FROM settings WHERE user_id = ? ORDER BY key', [input.userId]);
  },
};
