// Runs a goal's current plan: each step a tool call or a turn, each attempt recorded as an
// execution, each tool's approval policy recorded as a decision (allowed, or asked then granted or
// refused), then the plan is verified with evidence. A failure leaves the remaining steps pending
// for a replan, and fails the goal once its replan budget is spent.
import { TitanError } from '../../common/errors.ts';
import type { Goal, Plan } from '../../components/stores/ops.ts';
import type { Decision } from '../loop/approvals.ts';
import type { ToolInfo } from '../loop/tool-catalog.ts';
import type { TurnEventBody } from '../loop/turn-events.ts';
import type { ControlPlane, PlanView, StepView, VerifySpec } from './control-plane.ts';
import type { Swarm } from './swarm/swarm.ts';
import type { SwarmSpec } from './swarm/types.ts';

/** What the runner needs of the agent: its tools, its approvals, and turns in a thread of their own. */
export type RunnerAgent = {
  listTools(): Promise<ToolInfo[]>;
  checkArguments(tool: ToolInfo, args: unknown): void;
  invokeTool(name: string, input: string, callId: string): Promise<string>;
  /** Asks a person about a tool call made on behalf of `turnId`; resolves with their decision. */
  requestApproval(request: {
    turnId: string;
    callId: string;
    name: string;
    arguments: unknown;
  }): Promise<{ id: string; expiresAt: number; decision: Promise<Decision> }>;
  /** Tells the turn that started the goal (its chat shows approvals and progress). */
  tell(turnId: string, event: TurnEventBody): void;
  /** Runs `prompt` as a turn in the goal's own step thread; resolves with what the model answered. */
  runTurn(userId: string, goal: Goal, prompt: string): Promise<{ turnId: string; ok: boolean; text: string; error?: string }>;
};

export type StepReport = { title: string; status: string; output?: string; error?: string };
export type RunReport = {
  goalId: string;
  planId: string;
  planVersion: number;
  status: 'succeeded' | 'failed';
  goalStatus: string;
  steps: StepReport[];
  verification?: { passed: boolean; summary: string };
  replansLeft: number;
};

/** Text kept per step output and per piece of evidence: the records stay readable. */
const MAX_TEXT = 4000;
const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}... (${text.length - MAX_TEXT} more characters)` : text);

type Outcome = { ok: true; output: string } | { ok: false; error: string };

export class PlanRunner {
  readonly #plane: ControlPlane;
  readonly #agent: RunnerAgent;
  readonly #swarm: Swarm | undefined;

  constructor(plane: ControlPlane, agent: RunnerAgent, swarm?: Swarm) {
    this.#plane = plane;
    this.#agent = agent;
    this.#swarm = swarm;
  }

  /** The goal and the plan a run would start on; refused with a coded error when it cannot start. */
  async runnable(userId: string, goalId: string): Promise<{ goal: Goal; plan: Plan }> {
    const goal = await this.#plane.getGoal(userId, goalId);
    if (goal.status !== 'active') throw new TitanError('TITAN_E_GOAL_STATE', `goal ${goalId} is ${goal.status}; only an active goal runs`);
    const plan = await this.#plane.currentPlan(userId, goalId);
    if (!plan) throw new TitanError('TITAN_E_PLAN_STATE', `goal ${goalId} has no plan yet`, { fix: 'give it one: titan plan create GOAL_ID --steps FILE' });
    if (plan.status !== 'draft') throw new TitanError('TITAN_E_PLAN_STATE', `plan ${plan.id} is ${plan.status}; only a draft plan runs (replan to run again)`);
    return { goal, plan };
  }

  /** Runs the goal's current plan to its end; `turnId`: the turn that asked (approvals are asked there). */
  async run(userId: string, goalId: string, turnId?: string): Promise<RunReport> {
    const { goal, plan: current } = await this.runnable(userId, goalId);
    await this.#plane.movePlan(userId, current.id, 'running');
    const plan = await this.#plane.getPlan(userId, current.id);
    const ctx = { userId, goal, plan, turnId };
    let failed: { step: StepView; error: string } | undefined;
    for (const step of plan.steps) {
      if (step.status !== 'pending') continue;
      const outcome = await this.#runStep(ctx, step);
      if (!outcome.ok) {
        failed = { step, error: outcome.error };
        break;
      }
    }
    let verification: RunReport['verification'];
    if (!failed) verification = await this.#verify(ctx);
    const ok = !failed && verification?.passed === true;
    await this.#plane.movePlan(userId, plan.id, ok ? 'succeeded' : 'failed');
    if (!ok) {
      const why = failed ? `step "${failed.step.title}" failed: ${failed.error}` : `the check failed: ${verification?.summary}`;
      await this.#plane.recordIncident(userId, goalId, {
        planId: plan.id,
        stepId: failed?.step.id,
        severity: 'error',
        kind: failed ? 'step.failed' : 'verification.failed',
        message: why,
      });
    }
    const now = await this.#plane.getGoal(userId, goalId);
    let goalStatus = now.status;
    if (ok && now.status === 'active') goalStatus = (await this.#plane.updateGoal(userId, goalId, { status: 'completed' })).status;
    if (!ok && now.status === 'active' && now.replans >= now.replan_budget) {
      goalStatus = (await this.#plane.updateGoal(userId, goalId, { status: 'failed' })).status;
      await this.#plane.recordIncident(userId, goalId, {
        planId: plan.id,
        severity: 'error',
        kind: 'budget.spent',
        message: `no replan left of ${now.replan_budget}`,
      });
    }
    const steps = (await this.#plane.listSteps(userId, plan.id)).map((s) => ({
      title: s.title,
      status: s.status,
      ...(s.output ? { output: s.output } : {}),
      ...(s.error ? { error: s.error } : {}),
    }));
    return {
      goalId,
      planId: plan.id,
      planVersion: plan.version,
      status: ok ? 'succeeded' : 'failed',
      goalStatus,
      steps,
      verification,
      replansLeft: Math.max(0, now.replan_budget - now.replans),
    };
  }

  async #runStep(ctx: RunContext, step: StepView): Promise<Outcome> {
    const { userId, goal, plan } = ctx;
    await this.#plane.moveStep(userId, step.id, 'running');
    if (ctx.turnId) this.#agent.tell(ctx.turnId, { type: 'status', message: `goal "${goal.title}": ${step.title}` });
    const spec = step.spec;
    let outcome: Outcome;
    if ('tool' in spec) {
      outcome = await this.#tool(ctx, spec.tool, spec.arguments, step.id);
    } else if ('swarm' in spec) {
      outcome = await this.#fanOut(ctx, step, spec.swarm);
    } else {
      const execution = await this.#plane.startExecution(userId, goal.id, {
        planId: plan.id,
        stepId: step.id,
        kind: 'turn',
        target: 'model',
        input: spec.prompt,
      });
      const turn = await this.#agent
        .runTurn(userId, goal, spec.prompt)
        .catch((error: unknown) => ({ turnId: '', ok: false, text: '', error: String((error as Error)?.message ?? error) }));
      outcome = turn.ok ? { ok: true, output: turn.text } : { ok: false, error: turn.error ?? 'the turn did not complete' };
      await this.#plane.finishExecution(
        userId,
        goal.id,
        execution.id,
        outcome.ok ? { status: 'succeeded', output: clip(outcome.output) } : { status: 'failed', error: outcome.error },
      );
    }
    await this.#plane.moveStep(
      userId,
      step.id,
      outcome.ok ? 'succeeded' : 'failed',
      outcome.ok ? { output: clip(outcome.output) } : { error: clip(outcome.error) },
    );
    return outcome;
  }

  /** A swarm step: its sub-agents fanned out and back in; the step holds the merged result. */
  async #fanOut(ctx: RunContext, step: StepView, spec: SwarmSpec): Promise<Outcome> {
    if (!this.#swarm) return { ok: false, error: 'TITAN_E_SUBAGENTS_INVALID: this agent runs no swarms' };
    try {
      const report = await this.#swarm.run({ userId: ctx.userId, goalId: ctx.goal.id, planId: ctx.plan.id, stepId: step.id }, spec);
      return report.ok ? { ok: true, output: report.merged } : { ok: false, error: report.merged };
    } catch (error) {
      const titan = error instanceof TitanError ? error : new TitanError('TITAN_E_SUBAGENT_FAILED', String((error as Error)?.message ?? error));
      return { ok: false, error: `${titan.code}: ${titan.message}` };
    }
  }

  /** One tool call under the tool's approval policy, recorded as an execution either way. */
  async #tool(ctx: RunContext, name: string, args: Record<string, unknown>, stepId?: string): Promise<Outcome> {
    const { userId, goal, plan } = ctx;
    const execution = await this.#plane.startExecution(userId, goal.id, { planId: plan.id, stepId, kind: 'tool', target: name, input: JSON.stringify(args) });
    const finish = async (outcome: Outcome) => {
      await this.#plane.finishExecution(
        userId,
        goal.id,
        execution.id,
        outcome.ok ? { status: 'succeeded', output: clip(outcome.output) } : { status: 'failed', error: outcome.error },
      );
      return outcome;
    };
    const tool = (await this.#agent.listTools()).find((t) => t.name === name);
    if (!tool) return finish({ ok: false, error: `TITAN_E_TOOL_UNKNOWN: there is no tool named "${name}"` });
    try {
      this.#agent.checkArguments(tool, args);
    } catch (error) {
      const titan = error as TitanError;
      return finish({ ok: false, error: `${titan.code}: ${titan.message}` });
    }
    const verdict = await this.#policy(ctx, tool, args, execution.id, stepId);
    if (verdict) return finish({ ok: false, error: `TITAN_E_APPROVAL_REJECTED: ${verdict}` });
    try {
      return finish({ ok: true, output: await this.#agent.invokeTool(name, JSON.stringify(args), `goal:${goal.id}/${execution.id}`) });
    } catch (error) {
      const titan = error instanceof TitanError ? error : new TitanError('TITAN_E_COMPONENT_TRAP', String((error as Error)?.message ?? error));
      return finish({ ok: false, error: `${titan.code}: ${titan.message}` });
    }
  }

  /** Records what the policy said; answers why the call may not run, or undefined when it may. */
  async #policy(ctx: RunContext, tool: ToolInfo, args: unknown, callId: string, stepId?: string): Promise<string | undefined> {
    const { userId, goal, plan, turnId } = ctx;
    const base = { planId: plan.id, stepId, action: tool.name };
    if (!tool.needsApproval) {
      await this.#plane.recordPolicy(userId, goal.id, { ...base, decision: 'allowed', by: 'policy', reason: 'the tool runs without approval' });
      return undefined;
    }
    if (!turnId) {
      // Nobody is in a conversation to be asked: a tool that needs approval does not run unattended.
      const reason = 'the tool needs approval and the plan runs with no conversation to ask in';
      await this.#plane.recordPolicy(userId, goal.id, { ...base, decision: 'refused', by: 'policy', reason });
      return reason;
    }
    const request = await this.#agent.requestApproval({ turnId, callId, name: tool.name, arguments: args });
    await this.#plane.recordPolicy(userId, goal.id, { ...base, decision: 'asked', by: 'policy', approvalId: request.id });
    this.#agent.tell(turnId, { type: 'approval.needed', approvalId: request.id, callId, name: tool.name, arguments: args, expiresAt: request.expiresAt });
    const decision = await request.decision;
    this.#agent.tell(turnId, { type: 'approval.decided', approvalId: request.id, decision: decision.decision, by: decision.by, reason: decision.reason });
    const granted = decision.decision === 'approved';
    await this.#plane.recordPolicy(userId, goal.id, {
      ...base,
      decision: granted ? 'granted' : 'refused',
      by: decision.by,
      reason: decision.reason ?? (decision.decision === 'expired' ? 'no decision in time' : undefined),
      approvalId: request.id,
    });
    return granted
      ? undefined
      : `${tool.name} was ${decision.decision === 'expired' ? 'not approved in time' : 'refused'}${decision.reason ? `: ${decision.reason}` : ''}`;
  }

  /** The plan's check (a tool whose output must hold the expected text), or the steps' own results. */
  async #verify(ctx: RunContext): Promise<{ passed: boolean; summary: string }> {
    const { userId, goal, plan } = ctx;
    const check: VerifySpec | null = plan.verify;
    let passed: boolean;
    let summary: string;
    let evidence: string;
    let method: string;
    if (check) {
      method = `tool:${check.tool}`;
      const outcome = await this.#tool(ctx, check.tool, check.arguments ?? {});
      evidence = outcome.ok ? outcome.output : outcome.error;
      passed = outcome.ok && (check.expect === undefined || outcome.output.includes(check.expect));
      summary = !outcome.ok
        ? `${check.tool} failed`
        : check.expect === undefined
          ? `${check.tool} succeeded`
          : passed
            ? `${check.tool} answered with "${check.expect}"`
            : `${check.tool} did not answer with "${check.expect}"`;
    } else {
      method = 'steps';
      const steps = await this.#plane.listSteps(userId, plan.id);
      passed = steps.every((s) => s.status === 'succeeded' || s.status === 'skipped');
      summary = passed ? `all ${steps.length} steps succeeded` : 'not every step succeeded';
      evidence = JSON.stringify(steps.map((s) => ({ step: s.title, status: s.status, output: s.output })));
    }
    await this.#plane.recordVerification(userId, goal.id, { planId: plan.id, passed, method, summary, evidence: clip(evidence) });
    return { passed, summary };
  }
}

type RunContext = { userId: string; goal: Goal; plan: PlanView; turnId?: string };
