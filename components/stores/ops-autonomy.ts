// The store's ops and records of the autonomy control plane (migration 11, agent/autonomy): goals,
// plans, steps, executions, policy decisions, verifications, incidents; ops.ts joins these ops into
// the whole table.
export type GoalStatus = 'active' | 'paused' | 'failed' | 'completed' | 'cancelled' | 'abandoned' | 'superseded';
export type PlanStatus = 'draft' | 'running' | 'succeeded' | 'failed' | 'superseded' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
/** allowed: ran without asking (the tool needs no approval); asked, then granted or refused by a person. */
export type PolicyVerdict = 'allowed' | 'asked' | 'granted' | 'refused';
export type Goal = {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  status: GoalStatus;
  priority: number;
  thread_id: string | null;
  superseded_by: string | null;
  replans: number;
  replan_budget: number;
  created_at: number;
  updated_at: number;
};
export type Plan = {
  id: string;
  goal_id: string;
  user_id: string;
  version: number;
  status: PlanStatus;
  reason: string | null;
  /** How the plan is checked once its steps ran (JSON: a tool, its arguments, the text to expect); null: the steps' own results. */
  verify: string | null;
  created_at: number;
  updated_at: number;
};
/** spec: the step's JSON (a tool and its arguments, or a prompt for a turn). */
export type PlanStep = {
  id: string;
  plan_id: string;
  user_id: string;
  position: number;
  title: string;
  kind: string;
  spec: string;
  status: StepStatus;
  attempts: number;
  output: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
};
export type NewStep = { id: string; title: string; kind: string; spec: string };
export type Execution = {
  id: string;
  user_id: string;
  goal_id: string;
  plan_id: string;
  step_id: string | null;
  kind: string;
  target: string;
  attempt: number;
  status: ExecutionStatus;
  input: string | null;
  output: string | null;
  error: string | null;
  turn_id: string | null;
  started_at: number;
  finished_at: number | null;
};
export type PolicyDecision = {
  id: string;
  user_id: string;
  goal_id: string;
  plan_id: string;
  step_id: string | null;
  action: string;
  decision: PolicyVerdict;
  decided_by: string;
  reason: string | null;
  approval_id: string | null;
  at: number;
};
export type Verification = {
  id: string;
  user_id: string;
  goal_id: string;
  plan_id: string;
  passed: number;
  method: string;
  summary: string;
  evidence: string;
  at: number;
};
export type Incident = {
  id: string;
  user_id: string;
  goal_id: string;
  plan_id: string | null;
  step_id: string | null;
  severity: 'info' | 'warning' | 'error';
  kind: string;
  message: string;
  at: number;
};
export type GoalSort = 'created' | 'updated' | 'priority' | 'title';
/** A guarded update: `applied` is false when the row was not in the `from` state (it is returned as it is). */
export type Guarded<T> = { row: T; applied: boolean };

/** Name -> input and result of each autonomy op (see StoreOps in ops.ts). */
export type AutonomyOps = {
  'goals.create': {
    input: { id: string; userId: string; title: string; description?: string; priority?: number; threadId?: string; replanBudget?: number };
    result: Goal;
  };
  /** One page of a user's goals (by status when given) and how many match in all. */
  'goals.list': {
    input: { userId: string; status?: GoalStatus[]; sort?: GoalSort; order?: 'asc' | 'desc'; offset?: number; limit?: number };
    result: { goals: Goal[]; total: number };
  };
  /** Another user's goal is not found, exactly like a goal that does not exist. */
  'goals.get': { input: { userId: string; id: string }; result: Goal };
  /** Moves only from `from` (when given): else applied is false and nothing changes. */
  'goals.update': {
    input: {
      userId: string;
      id: string;
      from?: GoalStatus;
      status?: GoalStatus;
      priority?: number;
      supersededBy?: string;
      replanBudget?: number;
    };
    result: Guarded<Goal>;
  };
  /** The goal a turn's thread pursues a plan for: the owner of a turn, for tools that run in it. */
  'goals.turnOwner': { input: { turnId: string }; result: { userId: string; threadId: string } | null };
  /**
   * A new plan version in one transaction: earlier open plans superseded, its steps given or copied
   * from the unfinished steps of `copyFrom`; a plan after the first spends one replan of the goal's
   * budget (`refused` when it is spent, and nothing is written).
   */
  'plans.create': {
    input: { userId: string; goalId: string; id: string; reason?: string; verify?: string; steps?: NewStep[]; copyFrom?: string };
    result: { plan: Plan | null; steps: PlanStep[]; refused?: 'budget' };
  };
  'plans.list': { input: { userId: string; goalId: string }; result: Plan[] };
  'plans.get': { input: { userId: string; id: string }; result: Plan };
  'plans.update': { input: { userId: string; id: string; from?: PlanStatus; status: PlanStatus }; result: Guarded<Plan> };
  'steps.list': { input: { userId: string; planId: string }; result: PlanStep[] };
  'steps.add': { input: { userId: string; planId: string; step: NewStep }; result: PlanStep };
  'steps.get': { input: { userId: string; id: string }; result: PlanStep };
  'steps.update': {
    input: { userId: string; id: string; from?: StepStatus; status: StepStatus; output?: string; error?: string };
    result: Guarded<PlanStep>;
  };
  /** The whole list in one transaction, refused (running: that step's id, nothing changed) while a step runs. */
  'steps.replace': { input: { userId: string; planId: string; steps: NewStep[] }; result: { steps: PlanStep[]; running: string | null } };
  'executions.start': {
    input: { userId: string; id: string; planId: string; stepId?: string; kind: string; target: string; input?: string; turnId?: string };
    result: Execution;
  };
  'executions.finish': {
    input: { userId: string; id: string; status: Exclude<ExecutionStatus, 'running'>; output?: string; error?: string };
    result: Execution;
  };
  'executions.list': { input: { userId: string; planId: string }; result: Execution[] };
  'policy.record': {
    input: {
      userId: string;
      id: string;
      planId: string;
      stepId?: string;
      action: string;
      decision: PolicyVerdict;
      by: string;
      reason?: string;
      approvalId?: string;
    };
    result: PolicyDecision;
  };
  'policy.list': { input: { userId: string; planId: string }; result: PolicyDecision[] };
  'verifications.record': {
    input: { userId: string; id: string; planId: string; passed: boolean; method: string; summary: string; evidence: string };
    result: Verification;
  };
  'verifications.list': { input: { userId: string; planId: string }; result: Verification[] };
  'incidents.record': {
    input: {
      userId: string;
      id: string;
      goalId: string;
      planId?: string;
      stepId?: string;
      severity: Incident['severity'];
      kind: string;
      message: string;
    };
    result: Incident;
  };
  'incidents.list': { input: { userId: string; goalId: string }; result: Incident[] };
};
