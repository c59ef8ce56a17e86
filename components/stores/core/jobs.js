// Sandbox jobs: each job's state, owner, reason, exit code, container and deadline (tables from
// migrations 3 and 8). A state only moves forward (queued -> running -> an ending), so a late or
// repeated update never revives a finished job, and no job row is ever deleted here.
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, one, rows } from './db.js';
/** @import { StoreHandlers } from '../ops.js' */

const STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'];
const ENDINGS = ['succeeded', 'failed', 'cancelled', 'timed_out'];
/** The states each state may follow (running may follow itself: a container or deadline recorded). */
const FROM = {
  running: ['queued', 'running'],
  succeeded: ['running'],
  failed: ['queued', 'running'],
  cancelled: ['queued', 'running'],
  timed_out: ['running'],
};
const MAX_LIST = 500;

function need(input, ...fields) {
  for (const field of fields) {
    if (input[field] === undefined || input[field] === null || input[field] === '') throw fail('invalid', `"${field}" is required`);
  }
}

function get(id) {
  return one('SELECT * FROM jobs WHERE id = ?', [id]);
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const jobs = {
  'jobs.create'(input) {
    need(input, 'id', 'kind', 'userId', 'payload');
    const at = input.createdAt ?? nowMs();
    const [inserted] = batch([
      [
        `INSERT INTO jobs (id, kind, state, payload, user_id, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING`,
        [input.id, input.kind, input.payload, input.userId, at, at],
      ],
    ]);
    if (inserted === 0) throw fail('conflict', `job ${input.id} exists already`);
    return get(input.id);
  },

  'jobs.get'(input) {
    need(input, 'id');
    return get(input.id);
  },

  /** Newest first; by owner and states when given. */
  'jobs.list'(input) {
    const where = [];
    const params = [];
    if (input.userId) {
      where.push('user_id = ?');
      params.push(input.userId);
    }
    if (input.states !== undefined) {
      if (!Array.isArray(input.states) || input.states.some((s) => !STATES.includes(s))) throw fail('invalid', `"states" may hold ${STATES.join(', ')}`);
      if (input.states.length === 0) return [];
      where.push(`state IN (${input.states.map(() => '?').join(', ')})`);
      params.push(...input.states);
    }
    const limit = Math.min(Math.max(1, Number(input.limit ?? 100)), MAX_LIST);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return rows(`SELECT * FROM jobs ${clause} ORDER BY created_at DESC, id DESC LIMIT ${limit}`, params);
  },

  /** Moves a job to `to` if it may follow the job's state (else a conflict), recording what is given. */
  'jobs.update'(input) {
    need(input, 'id', 'to');
    const from = FROM[input.to];
    if (!from) throw fail('invalid', `"${input.to}" is not a state a job can move to (${Object.keys(FROM).join(', ')})`);
    const at = nowMs();
    const ending = ENDINGS.includes(input.to);
    const marks = from.map(() => '?').join(', ');
    const [changed] = batch([
      [
        `UPDATE jobs SET state = ?, updated_at = ?,
          started_at = CASE WHEN ? = 'running' THEN COALESCE(started_at, ?) ELSE started_at END,
          finished_at = CASE WHEN ? = 1 THEN ? ELSE finished_at END,
          reason = COALESCE(?, reason), exit_code = COALESCE(?, exit_code), container = COALESCE(?, container),
          deadline_at = COALESCE(?, deadline_at), result = COALESCE(?, result)
        WHERE id = ? AND state IN (${marks})`,
        [
          input.to,
          at,
          input.to,
          at,
          ending ? 1 : 0,
          at,
          input.reason ?? null,
          input.exitCode ?? null,
          input.container ?? null,
          input.deadlineAt ?? null,
          input.result ?? null,
          input.id,
          ...from,
        ],
      ],
    ]);
    const job = get(input.id);
    if (!job) throw fail('not-found', `job ${input.id} not found`);
    if (changed === 0) throw fail('conflict', `job ${input.id} is ${job.state}; it cannot become ${input.to}`);
    return job;
  },
};
