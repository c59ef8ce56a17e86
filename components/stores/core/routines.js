// Routines (what starts them, what they do, their policies and next run) and the history of their
// runs. Tables from migrations 3 and 8; policies and the trigger are kept as JSON in `spec`.
import { batch, fail, rows } from './db.js';
/** @import { StoreHandlers } from '../ops.js' */

const OUTCOMES = ['queued', 'running', 'succeeded', 'failed', 'skipped'];
const num = (value) => (value === null || value === undefined ? null : Number(value));

function toRoutine(r) {
  const spec = JSON.parse(r.spec ?? '{}');
  return {
    id: r.id,
    name: r.name ?? r.id,
    userId: r.user_id,
    enabled: Number(r.enabled) === 1,
    trigger: spec.trigger ?? (r.cron ? { kind: 'cron', cron: r.cron } : { kind: 'manual' }),
    action: JSON.parse(r.action),
    timezone: spec.timezone ?? 'UTC',
    missed: spec.missed ?? 'skip',
    concurrency: spec.concurrency ?? 'skip',
    quietHours: spec.quietHours ?? null,
    deliverTo: spec.deliverTo ?? null,
    threadId: spec.threadId ?? null,
    nextRunAt: num(r.next_run_at),
    lastRunAt: num(r.last_run_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at ?? r.created_at),
  };
}

function toRun(r) {
  return {
    id: r.id,
    routineId: r.routine_id,
    trigger: r.trigger,
    scheduledAt: Number(r.scheduled_at),
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    outcome: r.outcome,
    output: r.output,
    error: r.error,
  };
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const routines = {
  'routines.list'() {
    return rows('SELECT * FROM routines ORDER BY created_at, id').map(toRoutine);
  },

  /** Inserts or updates one routine (the agent checks its fields; a second routine of one name is a conflict). */
  'routines.save'(input) {
    const r = input.routine;
    if (!r?.id || !r.name || !r.userId || !r.trigger || !r.action) throw fail('invalid', '"routine" with id, name, userId, trigger and action is required');
    const spec = JSON.stringify({
      trigger: r.trigger,
      timezone: r.timezone,
      missed: r.missed,
      concurrency: r.concurrency,
      quietHours: r.quietHours,
      deliverTo: r.deliverTo,
      threadId: r.threadId,
    });
    batch([
      [
        `INSERT INTO routines (id, user_id, cron, action, enabled, last_run_at, created_at, name, spec, next_run_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, cron = excluded.cron,
        action = excluded.action, enabled = excluded.enabled, last_run_at = excluded.last_run_at, name = excluded.name,
        spec = excluded.spec, next_run_at = excluded.next_run_at, updated_at = excluded.updated_at`,
        [
          r.id,
          r.userId,
          r.trigger.kind === 'cron' ? r.trigger.cron : '',
          JSON.stringify(r.action),
          r.enabled ? 1 : 0,
          r.lastRunAt ?? null,
          r.createdAt,
          r.name,
          spec,
          r.nextRunAt ?? null,
          r.updatedAt,
        ],
      ],
    ]);
    return { saved: r.id };
  },

  'routines.delete'(input) {
    if (!input.id) throw fail('invalid', '"id" is required');
    const [runs, deleted] = batch([
      ['DELETE FROM routine_runs WHERE routine_id = ?', [input.id]],
      ['DELETE FROM routines WHERE id = ?', [input.id]],
    ]);
    if (deleted === 0) throw fail('not-found', `no routine ${input.id}`);
    return { deleted: input.id, runs };
  },

  'routineRuns.save'(input) {
    const r = input.run;
    if (!r?.id || !r.routineId || !r.trigger || !OUTCOMES.includes(r.outcome))
      throw fail('invalid', '"run" with id, routineId, trigger and a known outcome is required');
    batch([
      [
        `INSERT INTO routine_runs (id, routine_id, trigger, scheduled_at, started_at, finished_at, outcome, output, error)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at,
        finished_at = excluded.finished_at, outcome = excluded.outcome, output = excluded.output, error = excluded.error`,
        [r.id, r.routineId, r.trigger, r.scheduledAt, r.startedAt ?? null, r.finishedAt ?? null, r.outcome, r.output ?? null, r.error ?? null],
      ],
    ]);
    return { saved: r.id };
  },

  'routineRuns.list'(input) {
    const limit = Math.min(Math.max(Number(input.limit ?? 50), 1), 1000);
    const where = [];
    const params = [];
    if (input.routineId) {
      where.push('routine_id = ?');
      params.push(input.routineId);
    }
    if (input.open) where.push("outcome IN ('queued', 'running')");
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return rows(`SELECT * FROM routine_runs ${clause} ORDER BY scheduled_at DESC, id DESC LIMIT ${limit}`, params).map(toRun);
  },
};
