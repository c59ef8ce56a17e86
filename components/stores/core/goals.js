// The autonomy control plane's goals, plans and plan steps, each scoped to its user: another user's
// record is not found, exactly like one that does not exist. Which status may follow which is the
// agent's rule (agent/autonomy/states.ts); here a status moves only from the `from` it names.
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, isSqlite, one, rows, rowsPassedOn, transaction } from './db.js';
/** @import { StoreHandlers } from '../ops.js' */

const GOAL_STATUSES = ['active', 'paused', 'failed', 'completed', 'cancelled', 'abandoned', 'superseded'];
const PLAN_STATUSES = ['draft', 'running', 'succeeded', 'failed', 'superseded', 'cancelled'];
const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'];
// Sort keys to columns: only these reach the SQL text; `id` breaks ties so pages never overlap.
const SORTS = { created: 'created_at', updated: 'updated_at', priority: 'priority', title: 'title' };
/** Plans a new version supersedes: the ones not finished. */
const OPEN_PLANS = "('draft','running','failed')";

function need(input, ...fields) {
  for (const field of fields) {
    if (input[field] === undefined || input[field] === null || input[field] === '') throw fail('invalid', `"${field}" is required`);
  }
}

function oneOf(value, allowed, what) {
  if (value !== undefined && !allowed.includes(value)) throw fail('invalid', `${what} must be one of ${allowed.join(', ')}`);
}

export function goalOf(userId, id) {
  const goal = one('SELECT * FROM goals WHERE id = ? AND user_id = ?', [id, userId]);
  if (!goal) throw fail('not-found', `goal ${id} not found`);
  return goal;
}

export function planOf(userId, id) {
  const plan = one('SELECT * FROM plans WHERE id = ? AND user_id = ?', [id, userId]);
  if (!plan) throw fail('not-found', `plan ${id} not found`);
  return plan;
}

function stepOf(userId, id) {
  const step = one('SELECT * FROM plan_steps WHERE id = ? AND user_id = ?', [id, userId]);
  if (!step) throw fail('not-found', `step ${id} not found`);
  return step;
}

function checkSteps(steps) {
  if (!Array.isArray(steps)) throw fail('invalid', '"steps" must be a list');
  for (const step of steps) {
    if (!step?.id || !step.title || !step.kind || typeof step.spec !== 'string') throw fail('invalid', 'each step needs an id, a title, a kind and a spec');
  }
}

/** INSERT statements for steps at positions from `first` on, pending. */
function stepInserts(planId, userId, steps, first, at) {
  return steps.map((step, i) => [
    `INSERT INTO plan_steps (id, plan_id, user_id, position, title, kind, spec, status, attempts, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    [step.id, planId, userId, first + i, step.title, step.kind, step.spec, at, at],
  ]);
}

/** A guarded UPDATE ... RETURNING: the row as it now is, and whether this update moved it. */
function guarded(table, row, sets, params, from) {
  const where = from === undefined ? 'id = ? AND user_id = ?' : 'id = ? AND user_id = ? AND status = ?';
  const keys = from === undefined ? [row.id, row.user_id] : [row.id, row.user_id, from];
  const updated = rows(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${where} RETURNING *`, [...params, ...keys]);
  if (updated.length === 1) return { row: updated[0], applied: true };
  return { row: one(`SELECT * FROM ${table} WHERE id = ?`, [row.id]), applied: false };
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const goals = {
  'goals.create'(input) {
    need(input, 'id', 'userId', 'title');
    const at = nowMs();
    batch([
      [
        `INSERT INTO goals (id, user_id, title, description, status, priority, thread_id, replans, replan_budget, created_at, updated_at)
        VALUES (?, ?, ?, ?, 'active', ?, ?, 0, ?, ?, ?)`,
        [input.id, input.userId, input.title, input.description ?? null, input.priority ?? 0, input.threadId ?? null, input.replanBudget ?? 2, at, at],
      ],
    ]);
    return goalOf(input.userId, input.id);
  },

  'goals.list'(input) {
    need(input, 'userId');
    const statuses = input.status ?? [];
    for (const status of statuses) oneOf(status, GOAL_STATUSES, 'status');
    const sort = SORTS[input.sort ?? 'updated'];
    if (!sort) throw fail('invalid', `sort must be one of ${Object.keys(SORTS).join(', ')}`);
    const order = input.order === 'asc' ? 'ASC' : 'DESC';
    const limit = Math.min(Math.max(Number(input.limit ?? 50), 1), 500);
    const offset = Math.max(Number(input.offset ?? 0), 0);
    const where = statuses.length ? `user_id = ? AND status IN (${statuses.map(() => '?').join(', ')})` : 'user_id = ?';
    const params = [input.userId, ...statuses];
    const page = rows(`SELECT * FROM goals WHERE ${where} ORDER BY ${sort} ${order}, id ${order} LIMIT ? OFFSET ?`, [...params, limit, offset]);
    const total = Number(one(`SELECT COUNT(*) AS n FROM goals WHERE ${where}`, params).n);
    return { goals: page, total };
  },

  'goals.get'(input) {
    need(input, 'userId', 'id');
    return goalOf(input.userId, input.id);
  },

  'goals.update'(input) {
    need(input, 'userId', 'id');
    oneOf(input.status, GOAL_STATUSES, 'status');
    oneOf(input.from, GOAL_STATUSES, 'from');
    const goal = goalOf(input.userId, input.id);
    const sets = ['updated_at = ?'];
    const params = [nowMs()];
    const set = (column, value) => {
      if (value === undefined) return;
      sets.push(`${column} = ?`);
      params.push(value);
    };
    set('status', input.status);
    set('priority', input.priority);
    set('superseded_by', input.supersededBy);
    set('replan_budget', input.replanBudget);
    return guarded('goals', goal, sets, params, input.from);
  },

  'goals.turnOwner'(input) {
    need(input, 'turnId');
    const row = one('SELECT th.user_id AS "userId", th.id AS "threadId" FROM turns t JOIN threads th ON th.id = t.thread_id WHERE t.id = ?', [input.turnId]);
    return row ?? null;
  },

  'plans.create'(input) {
    need(input, 'userId', 'goalId', 'id');
    goalOf(input.userId, input.goalId);
    if (input.steps !== undefined) checkSteps(input.steps);
    if (input.copyFrom !== undefined && planOf(input.userId, input.copyFrom).goal_id !== input.goalId) {
      throw fail('invalid', `plan ${input.copyFrom} is not a plan of goal ${input.goalId}`);
    }
    const at = nowMs();
    return transaction((run) => {
      const [{ latest }] = run('SELECT COALESCE(MAX(version), 0) AS latest FROM plans WHERE goal_id = ?', [input.goalId]);
      const version = Number(latest) + 1;
      if (version > 1) {
        // A replan spends one of the goal's budget, checked and spent in the same statement.
        const spent = run('UPDATE goals SET replans = replans + 1, updated_at = ? WHERE id = ? AND replans < replan_budget RETURNING id', [at, input.goalId]);
        if (spent.length === 0) return { plan: null, steps: [], refused: 'budget' };
      }
      run(`UPDATE plans SET status = 'superseded', updated_at = ? WHERE goal_id = ? AND status IN ${OPEN_PLANS}`, [at, input.goalId]);
      // A replan that names no check of its own keeps the one of the plan before it.
      const verify = input.verify ?? run('SELECT verify FROM plans WHERE goal_id = ? AND version = ?', [input.goalId, version - 1])[0]?.verify ?? null;
      run(`INSERT INTO plans (id, goal_id, user_id, version, status, reason, verify, created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?)`, [
        input.id,
        input.goalId,
        input.userId,
        version,
        input.reason ?? null,
        verify,
        at,
        at,
      ]);
      let steps = input.steps ?? [];
      if (input.copyFrom !== undefined && input.steps === undefined) {
        // The steps that did not succeed, in order, under new ids derived from the new plan's.
        const left = run("SELECT * FROM plan_steps WHERE plan_id = ? AND status NOT IN ('succeeded','skipped') ORDER BY position", [input.copyFrom]);
        steps = left.map((s, i) => ({ id: `${input.id}-${i + 1}`, title: s.title, kind: s.kind, spec: s.spec }));
      }
      for (const [sql, params] of stepInserts(input.id, input.userId, steps, 1, at)) run(sql, params);
      const [plan] = run('SELECT * FROM plans WHERE id = ?', [input.id]);
      return { plan, steps: run('SELECT * FROM plan_steps WHERE plan_id = ? ORDER BY position', [input.id]) };
    });
  },

  'plans.list'(input) {
    need(input, 'userId', 'goalId');
    goalOf(input.userId, input.goalId);
    return rowsPassedOn('SELECT * FROM plans WHERE goal_id = ? AND user_id = ? ORDER BY version', [input.goalId, input.userId]);
  },

  'plans.get'(input) {
    need(input, 'userId', 'id');
    return planOf(input.userId, input.id);
  },

  'plans.update'(input) {
    need(input, 'userId', 'id', 'status');
    oneOf(input.status, PLAN_STATUSES, 'status');
    oneOf(input.from, PLAN_STATUSES, 'from');
    return guarded('plans', planOf(input.userId, input.id), ['status = ?', 'updated_at = ?'], [input.status, nowMs()], input.from);
  },

  'steps.list'(input) {
    need(input, 'userId', 'planId');
    planOf(input.userId, input.planId);
    return rowsPassedOn('SELECT * FROM plan_steps WHERE plan_id = ? ORDER BY position', [input.planId]);
  },

  'steps.add'(input) {
    need(input, 'userId', 'planId', 'step');
    planOf(input.userId, input.planId);
    checkSteps([input.step]);
    const last = Number(one('SELECT COALESCE(MAX(position), 0) AS last FROM plan_steps WHERE plan_id = ?', [input.planId]).last);
    batch(stepInserts(input.planId, input.userId, [input.step], last + 1, nowMs()));
    return stepOf(input.userId, input.step.id);
  },

  'steps.get'(input) {
    need(input, 'userId', 'id');
    return stepOf(input.userId, input.id);
  },

  'steps.update'(input) {
    need(input, 'userId', 'id', 'status');
    oneOf(input.status, STEP_STATUSES, 'status');
    oneOf(input.from, STEP_STATUSES, 'from');
    const sets = ['status = ?', 'updated_at = ?'];
    /** @type {Array<string | number | null>} */
    const params = [input.status, nowMs()];
    if (input.status === 'running') sets.push('attempts = attempts + 1');
    if (input.output !== undefined) {
      sets.push('output = ?');
      params.push(input.output);
    }
    if (input.error !== undefined || input.status === 'running') {
      sets.push('error = ?');
      params.push(input.error ?? null);
    }
    return guarded('plan_steps', stepOf(input.userId, input.id), sets, params, input.from);
  },

  'steps.replace'(input) {
    need(input, 'userId', 'planId');
    planOf(input.userId, input.planId);
    checkSteps(input.steps);
    const at = nowMs();
    return transaction((run) => {
      // Checked inside the transaction that deletes, the rows locked on PostgreSQL (SQLite has one
      // writer): a step cannot start running between the check and the delete.
      const current = run(`SELECT id, status FROM plan_steps WHERE plan_id = ?${isSqlite() ? '' : ' FOR UPDATE'}`, [input.planId]);
      const running = current.find((s) => s.status === 'running');
      if (running) return { steps: [], running: running.id };
      run('DELETE FROM plan_steps WHERE plan_id = ?', [input.planId]);
      for (const [sql, params] of stepInserts(input.planId, input.userId, input.steps, 1, at)) run(sql, params);
      run('UPDATE plans SET updated_at = ? WHERE id = ?', [at, input.planId]);
      return { steps: run('SELECT * FROM plan_steps WHERE plan_id = ? ORDER BY position', [input.planId]), running: null };
    });
  },
};
