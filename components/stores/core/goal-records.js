// What happened while a plan ran, each record scoped to its user: execution attempts, policy
// decisions (asked, granted, refused), verifications with their evidence, and incidents.
import { nowMs } from 'titan:host/clock@0.1.0';
import { batch, fail, one, rowsPassedOn } from './db.js';
import { goalOf, planOf } from './goals.js';
/** @import { StoreHandlers } from '../ops.js' */

const FINISHED = ['succeeded', 'failed', 'cancelled'];
const VERDICTS = ['allowed', 'asked', 'granted', 'refused'];
const SEVERITIES = ['info', 'warning', 'error'];

function need(input, ...fields) {
  for (const field of fields) {
    if (input[field] === undefined || input[field] === null || input[field] === '') throw fail('invalid', `"${field}" is required`);
  }
}

function oneOf(value, allowed, what) {
  if (!allowed.includes(value)) throw fail('invalid', `${what} must be one of ${allowed.join(', ')}`);
}

function executionOf(userId, id) {
  const execution = one('SELECT * FROM executions WHERE id = ? AND user_id = ?', [id, userId]);
  if (!execution) throw fail('not-found', `execution ${id} not found`);
  return execution;
}

/** A plan's records of one table, oldest first, for the plan's owner only. */
function ofPlan(table, order, input) {
  need(input, 'userId', 'planId');
  planOf(input.userId, input.planId);
  return rowsPassedOn(`SELECT * FROM ${table} WHERE plan_id = ? ORDER BY ${order}, id`, [input.planId]);
}

/**
 * Handlers of the op table (../ops.ts): a name not in it, or a wrong input or result, is a type error.
 * @satisfies {Partial<StoreHandlers>}
 */
export const goalRecords = {
  'executions.start'(input) {
    need(input, 'userId', 'id', 'planId', 'kind', 'target');
    const plan = planOf(input.userId, input.planId);
    // Attempts count per step (per plan for work that belongs to no step).
    const prior = input.stepId
      ? one('SELECT COUNT(*) AS n FROM executions WHERE step_id = ?', [input.stepId])
      : one('SELECT COUNT(*) AS n FROM executions WHERE plan_id = ? AND step_id IS NULL', [input.planId]);
    batch([
      [
        `INSERT INTO executions (id, user_id, goal_id, plan_id, step_id, kind, target, attempt, status, input, turn_id, started_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
        [
          input.id,
          input.userId,
          plan.goal_id,
          input.planId,
          input.stepId ?? null,
          input.kind,
          input.target,
          Number(prior.n) + 1,
          input.input ?? null,
          input.turnId ?? null,
          nowMs(),
        ],
      ],
    ]);
    return executionOf(input.userId, input.id);
  },

  'executions.finish'(input) {
    need(input, 'userId', 'id', 'status');
    oneOf(input.status, FINISHED, 'status');
    executionOf(input.userId, input.id);
    const [changed] = batch([
      [
        "UPDATE executions SET status = ?, output = ?, error = ?, finished_at = ? WHERE id = ? AND user_id = ? AND status = 'running'",
        [input.status, input.output ?? null, input.error ?? null, nowMs(), input.id, input.userId],
      ],
    ]);
    if (changed === 0) throw fail('conflict', `execution ${input.id} has already finished`);
    return executionOf(input.userId, input.id);
  },

  'executions.list'(input) {
    return ofPlan('executions', 'started_at', input);
  },

  'policy.record'(input) {
    need(input, 'userId', 'id', 'planId', 'action', 'decision', 'by');
    oneOf(input.decision, VERDICTS, 'decision');
    const plan = planOf(input.userId, input.planId);
    batch([
      [
        `INSERT INTO policy_decisions (id, user_id, goal_id, plan_id, step_id, action, decision, decided_by, reason, approval_id, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          input.id,
          input.userId,
          plan.goal_id,
          input.planId,
          input.stepId ?? null,
          input.action,
          input.decision,
          input.by,
          input.reason ?? null,
          input.approvalId ?? null,
          nowMs(),
        ],
      ],
    ]);
    return one('SELECT * FROM policy_decisions WHERE id = ?', [input.id]);
  },

  'policy.list'(input) {
    return ofPlan('policy_decisions', 'at', input);
  },

  'verifications.record'(input) {
    need(input, 'userId', 'id', 'planId', 'method', 'summary');
    if (typeof input.evidence !== 'string') throw fail('invalid', '"evidence" must be text');
    const plan = planOf(input.userId, input.planId);
    batch([
      [
        'INSERT INTO verifications (id, user_id, goal_id, plan_id, passed, method, summary, evidence, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [input.id, input.userId, plan.goal_id, input.planId, input.passed ? 1 : 0, input.method, input.summary, input.evidence, nowMs()],
      ],
    ]);
    return one('SELECT * FROM verifications WHERE id = ?', [input.id]);
  },

  'verifications.list'(input) {
    return ofPlan('verifications', 'at', input);
  },

  'incidents.record'(input) {
    need(input, 'userId', 'id', 'goalId', 'severity', 'kind', 'message');
    oneOf(input.severity, SEVERITIES, 'severity');
    goalOf(input.userId, input.goalId);
    batch([
      [
        'INSERT INTO incidents (id, user_id, goal_id, plan_id, step_id, severity, kind, message, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [input.id, input.userId, input.goalId, input.planId ?? null, input.stepId ?? null, input.severity, input.kind, input.message, nowMs()],
      ],
    ]);
    return one('SELECT * FROM incidents WHERE id = ?', [input.id]);
  },

  'incidents.list'(input) {
    need(input, 'userId', 'goalId');
    goalOf(input.userId, input.goalId);
    return rowsPassedOn('SELECT * FROM incidents WHERE goal_id = ? ORDER BY at, id', [input.goalId]);
  },
};
