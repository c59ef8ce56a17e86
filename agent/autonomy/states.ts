// Which status may follow which, for goals, plans and steps, and the lifecycle aliases (cancel,
// complete, abandon, supersede). One table each: the control plane refuses any other move.
import type { GoalStatus, PlanStatus, StepStatus } from '../../components/stores/ops.ts';

export type { GoalStatus, PlanStatus, StepStatus };

export const GOAL_STATUSES: readonly GoalStatus[] = ['active', 'paused', 'failed', 'completed', 'cancelled', 'abandoned', 'superseded'];
export const PLAN_STATUSES: readonly PlanStatus[] = ['draft', 'running', 'succeeded', 'failed', 'superseded', 'cancelled'];
export const STEP_STATUSES: readonly StepStatus[] = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'];

/** For each status, the statuses it may move to; ended goals move nowhere. */
export const GOAL_MOVES: Record<GoalStatus, readonly GoalStatus[]> = {
  active: ['paused', 'failed', 'completed', 'cancelled', 'abandoned', 'superseded'],
  paused: ['active', 'cancelled', 'abandoned', 'superseded'],
  failed: ['active', 'abandoned', 'superseded'],
  completed: [],
  cancelled: [],
  abandoned: [],
  superseded: [],
};

export const PLAN_MOVES: Record<PlanStatus, readonly PlanStatus[]> = {
  draft: ['running', 'cancelled', 'superseded'],
  running: ['succeeded', 'failed', 'cancelled'],
  failed: ['superseded', 'cancelled'],
  succeeded: [],
  superseded: [],
  cancelled: [],
};

export const STEP_MOVES: Record<StepStatus, readonly StepStatus[]> = {
  pending: ['running', 'skipped', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled'],
  // A failed step may be tried again within the same plan.
  failed: ['pending', 'skipped'],
  succeeded: [],
  skipped: [],
  cancelled: [],
};

/** The lifecycle verbs of the REST surface and the CLI, each a status a goal moves to. */
export const GOAL_ALIASES = { cancel: 'cancelled', complete: 'completed', abandon: 'abandoned', supersede: 'superseded' } as const;
export type GoalAlias = keyof typeof GOAL_ALIASES;

export const goalEnded = (status: GoalStatus) => GOAL_MOVES[status].length === 0;
export const planOpen = (status: PlanStatus) => status === 'draft' || status === 'running';
