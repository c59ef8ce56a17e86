// The autonomy control plane: goals, their plans and steps, and what ran, for one user at a time.
// Every move is checked against the state tables (states.ts) and applied only from the state it was
// checked in, so two writers never both win; every change is told on the bus ('goal.event').
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { TitanError } from '../../common/errors.ts';
import type { StoreClient } from '../../kernel/store-client.ts';
import type { Goal, GoalSort, NewStep, Plan, PlanStep } from '../../components/stores/ops.ts';
import { GOAL_ALIASES, GOAL_MOVES, PLAN_MOVES, STEP_MOVES, type GoalAlias, type GoalStatus, type PlanStatus, type StepStatus } from './states.ts';
import type { GoalEvent } from './events.ts';
import { swarmSpec } from './swarm/check.ts';
import type { SwarmSpec } from './swarm/types.ts';

/** A step as people and the model write it: a tool with its arguments, a prompt run as a turn, or a swarm of sub-agents. */
export type StepInput =
  | { title: string; kind: 'tool'; tool: string; arguments?: Record<string, unknown> }
  | { title: string; kind: 'turn'; prompt: string }
  | ({ title: string; kind: 'swarm' } & SwarmSpec);
export type StepSpec = { tool: string; arguments: Record<string, unknown> } | { prompt: string } | { swarm: SwarmSpec };
export type StepView = Omit<PlanStep, 'spec'> & { spec: StepSpec };
/** How a plan is checked once its steps ran: a tool's output must contain `expect` (or the tool must succeed). */
export type VerifySpec = { tool: string; arguments?: Record<string, unknown>; expect?: string };
export type PlanView = Omit<Plan, 'verify'> & { verify: VerifySpec | null; steps: StepView[] };
export type GoalInput = {
  title: string;
  description?: string;
  priority?: number;
  replanBudget?: number;
  threadId?: string;
  steps?: StepInput[];
  verify?: VerifySpec;
};
/** How swarm steps are checked: the most sub-agents a step may name, and (async) the tools they are granted. */
export type SwarmLimits = { maxAgents: number; checkGrants?: (spec: SwarmSpec) => Promise<void> };
export type GoalQuery = { status?: GoalStatus[]; sort?: GoalSort; order?: 'asc' | 'desc'; offset?: number; limit?: number };

type Bus = { emit(type: 'goal.event', event: GoalEvent): void };

export function stepView(step: PlanStep): StepView {
  return { ...step, spec: JSON.parse(step.spec) as StepSpec };
}

function newStep(input: StepInput, id: string, limits: SwarmLimits): NewStep {
  const title = typeof input?.title === 'string' ? input.title.trim() : '';
  if (!title) throw new TitanError('TITAN_E_USAGE', 'every step needs a title');
  if (input.kind === 'tool') {
    if (typeof input.tool !== 'string' || !input.tool) throw new TitanError('TITAN_E_USAGE', `step "${title}" runs a tool but names none`);
    const args = input.arguments ?? {};
    if (typeof args !== 'object' || Array.isArray(args)) throw new TitanError('TITAN_E_USAGE', `the arguments of step "${title}" must be an object`);
    return { id, title, kind: 'tool', spec: JSON.stringify({ tool: input.tool, arguments: args }) };
  }
  if (input.kind === 'turn') {
    if (typeof input.prompt !== 'string' || !input.prompt.trim()) throw new TitanError('TITAN_E_USAGE', `step "${title}" is a turn but has no prompt`);
    return { id, title, kind: 'turn', spec: JSON.stringify({ prompt: input.prompt }) };
  }
  if (input.kind === 'swarm') return { id, title, kind: 'swarm', spec: JSON.stringify({ swarm: swarmSpec(input, limits) }) };
  throw new TitanError('TITAN_E_USAGE', `step "${title}" has kind "${String((input as { kind?: unknown }).kind)}"; a step is a "tool", a "turn" or a "swarm"`);
}

/** The steps as stored, checked whole (swarm grants too) before anything is written. */
async function newSteps(steps: StepInput[], limits: SwarmLimits): Promise<NewStep[]> {
  if (!Array.isArray(steps)) throw new TitanError('TITAN_E_USAGE', 'steps must be a list');
  const made = steps.map((s) => newStep(s, randomUUID(), limits));
  for (const step of made) if (step.kind === 'swarm') await limits.checkGrants?.((JSON.parse(step.spec) as { swarm: SwarmSpec }).swarm);
  return made;
}

function verifyText(verify: VerifySpec | undefined): string | undefined {
  if (verify === undefined) return undefined;
  if (typeof verify?.tool !== 'string' || !verify.tool) throw new TitanError('TITAN_E_USAGE', "a plan's check names the tool that runs it");
  return JSON.stringify({ tool: verify.tool, arguments: verify.arguments ?? {}, expect: verify.expect });
}

export function planView(plan: Plan, steps: PlanStep[]): PlanView {
  return { ...plan, verify: plan.verify ? (JSON.parse(plan.verify) as VerifySpec) : null, steps: steps.map(stepView) };
}

function refuseMove(what: string, id: string, from: string, to: string, code: 'TITAN_E_GOAL_STATE' | 'TITAN_E_PLAN_STATE'): never {
  throw new TitanError(code, `${what} ${id} is ${from}; it cannot become ${to}`);
}

export class ControlPlane {
  readonly #store: StoreClient;
  readonly #bus: Bus;
  readonly #defaultBudget: number;
  readonly #swarm: SwarmLimits;

  constructor(store: StoreClient, bus: Bus, options: { replanBudget?: number; swarm?: SwarmLimits } = {}) {
    this.#store = store;
    this.#bus = bus;
    this.#defaultBudget = options.replanBudget ?? 2;
    this.#swarm = options.swarm ?? { maxAgents: 1000 };
  }

  #tell(userId: string, goalId: string, type: GoalEvent['type'], data: unknown): void {
    this.#bus.emit('goal.event', { userId, goalId, type, data, at: Date.now() });
  }

  async createGoal(userId: string, input: GoalInput): Promise<{ goal: Goal; plan?: PlanView }> {
    const title = typeof input.title === 'string' ? input.title.trim() : '';
    if (!title) throw new TitanError('TITAN_E_USAGE', 'a goal needs a title');
    // Checked before anything is written: a bad step list leaves no goal behind.
    const steps = input.steps ? await newSteps(input.steps, this.#swarm) : undefined;
    const verify = verifyText(input.verify);
    const goal = await this.#store.op('goals.create', {
      // Time-ordered, so goals created in the same millisecond still list in the order they were made.
      id: uuidv7(),
      userId,
      title,
      description: input.description,
      priority: input.priority,
      threadId: input.threadId,
      replanBudget: input.replanBudget ?? this.#defaultBudget,
    });
    this.#tell(userId, goal.id, 'goal.created', goal);
    if (!steps) return { goal };
    const plan = await this.#createPlan(userId, goal.id, { steps, verify });
    return { goal: await this.getGoal(userId, goal.id), plan };
  }

  listGoals(userId: string, query: GoalQuery = {}) {
    return this.#store.op('goals.list', { userId, ...query });
  }

  getGoal(userId: string, id: string): Promise<Goal> {
    return this.#store.op('goals.get', { userId, id });
  }

  /** Moves a goal (and its priority or budget with it); refused with TITAN_E_GOAL_STATE when the table forbids it. */
  async updateGoal(
    userId: string,
    id: string,
    change: { status?: GoalStatus; priority?: number; replanBudget?: number; supersededBy?: string },
  ): Promise<Goal> {
    const goal = await this.getGoal(userId, id);
    const to = change.status;
    if (to !== undefined && to !== goal.status && !GOAL_MOVES[goal.status].includes(to)) refuseMove('goal', id, goal.status, to, 'TITAN_E_GOAL_STATE');
    if (to === undefined && (change.priority !== undefined || change.replanBudget !== undefined) && GOAL_MOVES[goal.status].length === 0) {
      refuseMove('goal', id, goal.status, `re-prioritised`, 'TITAN_E_GOAL_STATE');
    }
    const { row, applied } = await this.#store.op('goals.update', { userId, id, from: goal.status, ...change });
    if (!applied) refuseMove('goal', id, row.status, to ?? 'changed', 'TITAN_E_GOAL_STATE');
    if (to !== undefined && to !== goal.status && GOAL_MOVES[to].length === 0) await this.#closePlans(userId, id);
    this.#tell(userId, id, 'goal.updated', row);
    return row;
  }

  /** cancel, complete, abandon, supersede (with the goal that replaces it). */
  async lifecycle(userId: string, id: string, alias: GoalAlias, supersededBy?: string): Promise<Goal> {
    if (alias === 'supersede' && supersededBy !== undefined) await this.getGoal(userId, supersededBy);
    return this.updateGoal(userId, id, { status: GOAL_ALIASES[alias], supersededBy });
  }

  /** An ended goal's open plan is cancelled with it. */
  async #closePlans(userId: string, goalId: string): Promise<void> {
    for (const plan of await this.#store.op('plans.list', { userId, goalId })) {
      if (plan.status === 'draft' || plan.status === 'running') await this.movePlan(userId, plan.id, 'cancelled').catch(() => {});
    }
  }

  listPlans(userId: string, goalId: string): Promise<Plan[]> {
    return this.#store.op('plans.list', { userId, goalId });
  }

  async getPlan(userId: string, id: string): Promise<PlanView> {
    const plan = await this.#store.op('plans.get', { userId, id });
    return planView(plan, await this.#store.op('steps.list', { userId, planId: id }));
  }

  /** The plan now pursued: the newest one. */
  async currentPlan(userId: string, goalId: string): Promise<Plan | undefined> {
    return (await this.listPlans(userId, goalId)).at(-1);
  }

  /** A first plan, or a replan: new steps, or (none given) the steps of the current plan that did not succeed. */
  async replan(userId: string, goalId: string, input: { steps?: StepInput[]; reason?: string; verify?: VerifySpec } = {}): Promise<PlanView> {
    const steps = input.steps ? await newSteps(input.steps, this.#swarm) : undefined;
    const verify = verifyText(input.verify);
    const goal = await this.getGoal(userId, goalId);
    if (GOAL_MOVES[goal.status].length === 0) refuseMove('goal', goalId, goal.status, 'replanned', 'TITAN_E_GOAL_STATE');
    const current = await this.currentPlan(userId, goalId);
    if (current?.status === 'running') refuseMove('plan', current.id, 'running', 'replaced while it runs', 'TITAN_E_PLAN_STATE');
    if (current && goal.replans >= goal.replan_budget) {
      throw new TitanError('TITAN_E_REPLAN_BUDGET', `goal ${goalId} has used its ${goal.replan_budget} replan(s)`);
    }
    return this.#createPlan(userId, goalId, { steps, verify, reason: input.reason, copyFrom: steps ? undefined : current?.id });
  }

  async #createPlan(userId: string, goalId: string, input: { steps?: NewStep[]; verify?: string; reason?: string; copyFrom?: string }): Promise<PlanView> {
    const created = await this.#store.op('plans.create', { userId, goalId, id: randomUUID(), ...input });
    if (!created.plan) throw new TitanError('TITAN_E_REPLAN_BUDGET', `goal ${goalId} has used its replan budget`);
    const plan = planView(created.plan, created.steps);
    this.#tell(userId, goalId, 'plan.created', plan);
    return plan;
  }

  async movePlan(userId: string, id: string, to: PlanStatus): Promise<Plan> {
    const plan = await this.#store.op('plans.get', { userId, id });
    if (to !== plan.status && !PLAN_MOVES[plan.status].includes(to)) refuseMove('plan', id, plan.status, to, 'TITAN_E_PLAN_STATE');
    const { row, applied } = await this.#store.op('plans.update', { userId, id, from: plan.status, status: to });
    if (!applied) refuseMove('plan', id, row.status, to, 'TITAN_E_PLAN_STATE');
    this.#tell(userId, row.goal_id, 'plan.updated', row);
    return row;
  }

  async listSteps(userId: string, planId: string): Promise<StepView[]> {
    return (await this.#store.op('steps.list', { userId, planId })).map(stepView);
  }

  async getStep(userId: string, id: string): Promise<StepView> {
    return stepView(await this.#store.op('steps.get', { userId, id }));
  }

  async addStep(userId: string, planId: string, input: StepInput): Promise<StepView> {
    const plan = await this.#store.op('plans.get', { userId, id: planId });
    if (plan.status !== 'draft' && plan.status !== 'running') refuseMove('plan', planId, plan.status, 'given a new step', 'TITAN_E_PLAN_STATE');
    const [made] = await newSteps([input], this.#swarm);
    const step = stepView(await this.#store.op('steps.add', { userId, planId, step: made }));
    this.#tell(userId, plan.goal_id, 'step.updated', step);
    return step;
  }

  async moveStep(userId: string, id: string, to: StepStatus, result: { output?: string; error?: string } = {}): Promise<StepView> {
    const step = await this.#store.op('steps.get', { userId, id });
    if (to !== step.status && !STEP_MOVES[step.status].includes(to)) refuseMove('step', id, step.status, to, 'TITAN_E_PLAN_STATE');
    const { row, applied } = await this.#store.op('steps.update', { userId, id, from: step.status, status: to, ...result });
    if (!applied) refuseMove('step', id, row.status, to, 'TITAN_E_PLAN_STATE');
    const plan = await this.#store.op('plans.get', { userId, id: row.plan_id });
    const view = stepView(row);
    this.#tell(userId, plan.goal_id, 'step.updated', view);
    return view;
  }

  /** The whole list at once, or nothing (TITAN_E_PLAN_STEP_RUNNING) while one of its steps runs. */
  async replaceSteps(userId: string, planId: string, steps: StepInput[]): Promise<StepView[]> {
    const plan = await this.#store.op('plans.get', { userId, id: planId });
    if (plan.status !== 'draft' && plan.status !== 'running') refuseMove('plan', planId, plan.status, 'given new steps', 'TITAN_E_PLAN_STATE');
    const replaced = await this.#store.op('steps.replace', { userId, planId, steps: await newSteps(steps, this.#swarm) });
    if (replaced.running) {
      throw new TitanError('TITAN_E_PLAN_STEP_RUNNING', `step ${replaced.running} of plan ${planId} is running; the step list was left as it was`);
    }
    const views = replaced.steps.map(stepView);
    this.#tell(userId, plan.goal_id, 'plan.updated', { ...plan, steps: views });
    return views;
  }

  executions = (userId: string, planId: string) => this.#store.op('executions.list', { userId, planId });
  policyDecisions = (userId: string, planId: string) => this.#store.op('policy.list', { userId, planId });
  verifications = (userId: string, planId: string) => this.#store.op('verifications.list', { userId, planId });
  incidents = (userId: string, goalId: string) => this.#store.op('incidents.list', { userId, goalId });

  /** A swarm step's sub-agents in order: their execution records with the result each one's output holds. */
  async subAgents(userId: string, stepId: string) {
    const step = await this.getStep(userId, stepId);
    const runs = (await this.executions(userId, step.plan_id)).filter((e) => e.kind === 'subagent' && e.step_id === stepId);
    return runs
      .map((e) => {
        const input = JSON.parse(e.input ?? '{}') as { index?: number; title?: string };
        const result = e.output ? (JSON.parse(e.output) as Record<string, unknown>) : undefined;
        return {
          executionId: e.id,
          index: input.index ?? 0,
          title: input.title ?? '',
          state: e.status === 'running' ? 'running' : (result?.status ?? e.status),
          node: e.target,
          result,
        };
      })
      .sort((a, b) => a.index - b.index);
  }

  /** Everything the Goals page shows of one goal: its plans, the current one's steps and records. */
  async detail(userId: string, goalId: string) {
    const goal = await this.getGoal(userId, goalId);
    const plans = await this.listPlans(userId, goalId);
    const current = plans.at(-1);
    return {
      goal,
      plans,
      plan: current ? await this.getPlan(userId, current.id) : null,
      executions: current ? await this.executions(userId, current.id) : [],
      policy: current ? await this.policyDecisions(userId, current.id) : [],
      verifications: current ? await this.verifications(userId, current.id) : [],
      incidents: await this.incidents(userId, goalId),
    };
  }

  // ---- records written while a plan runs (the runner's) -------------------------------------

  async startExecution(
    userId: string,
    goalId: string,
    input: { planId: string; stepId?: string; kind: string; target: string; input?: string; turnId?: string },
  ) {
    // Time-ordered ids (uuid v7, monotonic within a millisecond): a plan's records are listed by
    // (time, id), so two written in the same millisecond keep the order they were written in.
    const execution = await this.#store.op('executions.start', { userId, id: uuidv7(), ...input });
    this.#tell(userId, goalId, 'execution', execution);
    return execution;
  }

  async finishExecution(userId: string, goalId: string, id: string, result: { status: 'succeeded' | 'failed' | 'cancelled'; output?: string; error?: string }) {
    const execution = await this.#store.op('executions.finish', { userId, id, ...result });
    this.#tell(userId, goalId, 'execution', execution);
    return execution;
  }

  async recordPolicy(userId: string, goalId: string, input: PolicyInput) {
    const decision = await this.#store.op('policy.record', { userId, id: uuidv7(), ...input });
    this.#tell(userId, goalId, 'policy', decision);
    return decision;
  }

  async recordVerification(userId: string, goalId: string, input: { planId: string; passed: boolean; method: string; summary: string; evidence: string }) {
    const verification = await this.#store.op('verifications.record', { userId, id: uuidv7(), ...input });
    this.#tell(userId, goalId, 'verification', verification);
    return verification;
  }

  async recordIncident(
    userId: string,
    goalId: string,
    input: { planId?: string; stepId?: string; severity: 'info' | 'warning' | 'error'; kind: string; message: string },
  ) {
    const incident = await this.#store.op('incidents.record', { userId, id: uuidv7(), goalId, ...input });
    this.#tell(userId, goalId, 'incident', incident);
    return incident;
  }
}

type PolicyInput = {
  planId: string;
  stepId?: string;
  action: string;
  decision: 'allowed' | 'asked' | 'granted' | 'refused';
  by: string;
  reason?: string;
  approvalId?: string;
};
