// The store's records of the autonomy control plane (migration 11, agent/autonomy): goals, plans,
// steps, executions, policy decisions, verifications, incidents; the op table in ops.ts names them.
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
