// The autonomy control plane over REST: goals (list with filters, sort and paging; create, show,
// update, lifecycle verbs, replan, run), their plans and steps, and what ran per plan; and the
// caller's goal events as a stream. Another user's goal, plan or step answers 404, never 403.
import { Router } from '@koa/router';
import { autonomyOf, type Autonomy, type GoalEvent, type GoalQuery, type StepInput, type VerifySpec } from '../../agent/api.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { openSseAnswer } from '../sse-answer.ts';
import { body, ID, params } from '../validate.ts';
import type { GoalStatus, PlanStatus, StepStatus } from '../../components/stores/ops.ts';

const GOAL_STATUS = { enum: ['active', 'paused', 'failed', 'completed', 'cancelled', 'abandoned', 'superseded'] };
// A swarm's sub-agents are checked by the control plane (TITAN_E_SUBAGENT*: none, too many, a tool that may not be granted).
const SUB_AGENT = { type: 'object' };
const STEP = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'kind'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 500 },
    kind: { enum: ['tool', 'turn', 'swarm'] },
    tool: { type: 'string', minLength: 1, maxLength: 200 },
    arguments: { type: 'object' },
    prompt: { type: 'string', minLength: 1, maxLength: 20_000 },
    agents: { type: 'array', maxItems: 100_000, items: SUB_AGENT },
    concurrency: { type: 'integer' },
    tokenBudget: { type: 'integer' },
    timeoutMs: { type: 'integer' },
    require: { enum: ['all', 'any'] },
  },
};
const STEPS = { type: 'array', maxItems: 200, items: STEP };
const VERIFY = {
  type: 'object',
  additionalProperties: false,
  required: ['tool'],
  properties: { tool: { type: 'string', minLength: 1 }, arguments: { type: 'object' }, expect: { type: 'string' } },
};
const NEW_GOAL = {
  type: 'object',
  additionalProperties: false,
  required: ['title'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' },
    description: { type: 'string', maxLength: 20_000 },
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    replanBudget: { type: 'integer', minimum: 0, maximum: 100 },
    steps: { ...STEPS, minItems: 1 },
    verify: VERIFY,
  },
};
const GOAL_CHANGE = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    status: GOAL_STATUS,
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    replanBudget: { type: 'integer', minimum: 0, maximum: 100 },
  },
};
const SUPERSEDE = { type: 'object', additionalProperties: false, properties: { by: ID } };
const NEW_PLAN = {
  type: 'object',
  additionalProperties: false,
  properties: { steps: { ...STEPS, minItems: 1 }, reason: { type: 'string', maxLength: 2000 }, verify: VERIFY },
};
const PLAN_CHANGE = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { enum: ['draft', 'running', 'succeeded', 'failed', 'superseded', 'cancelled'] } },
};
const STEP_CHANGE = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { enum: ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] },
    output: { type: 'string', maxLength: 100_000 },
    error: { type: 'string', maxLength: 100_000 },
  },
};
const LIST = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', pattern: '^[a-z,]{1,200}$' },
    sort: { enum: ['created', 'updated', 'priority', 'title'] },
    order: { enum: ['asc', 'desc'] },
    offset: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
};
const RUN = { type: 'object', additionalProperties: false, properties: { wait: { type: 'boolean', default: false } } };
const WITH_ID = { type: 'object', required: ['id'], properties: { id: ID } } as const;
/** The goal events stream: a browser's EventSource sends its token as ?token= (app.ts allows that here only). */
export const GOAL_STREAM_PATH = /^\/api\/goals\/events$/;

export function goalRoutes({ kernel, agent, streams }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  // The same control plane (and runner) the agent's model uses; its code loads with the first goals
  // request (after ready), not with the gateway. Scoped to these routes' paths: a router-wide use
  // would run for every /api route mounted after this router, and lend the model the goal tools.
  let loaded: Autonomy | undefined;
  router.use(['/goals', '/plans', '/steps'], async (_ctx, next) => {
    loaded ??= await autonomyOf(kernel, agent);
    return next();
  });
  const autonomy = (): Autonomy => loaded as Autonomy;
  const plane = () => autonomy().plane;
  const idOf = (ctx: { params: Record<string, string> }) => params<{ id: string }>(ctx.params, WITH_ID, 'the path').id;

  // Before /goals/:id, which would take "events" for an id.
  router.get('/goals/events', async (ctx) => {
    const { userId } = ctx.state.user;
    let off = () => {};
    // A reader that cannot keep up is cut off; it reconnects and reads the goals again.
    const answer = openSseAnswer(ctx, streams, () => off());
    if (answer.closed) return;
    off = kernel.bus.on('goal.event', (event: GoalEvent) => {
      if (event.userId === userId) answer.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    answer.write('retry: 2000\n\n');
  });

  router.get('/goals', async (ctx) => {
    const query = params<Omit<GoalQuery, 'status'> & { status?: string }>(ctx.query, LIST);
    const status = query.status ? (query.status.split(',').filter(Boolean) as GoalStatus[]) : undefined;
    ctx.body = await plane().listGoals(ctx.state.user.userId, { ...query, status });
  });

  router.post('/goals', async (ctx) => {
    const input = body<{ title: string; description?: string; priority?: number; replanBudget?: number; steps?: StepInput[]; verify?: VerifySpec }>(
      ctx.request.body,
      NEW_GOAL,
    );
    ctx.status = 201;
    ctx.body = await plane().createGoal(ctx.state.user.userId, input);
  });

  router.get('/goals/:id', async (ctx) => {
    ctx.body = await plane().detail(ctx.state.user.userId, idOf(ctx));
  });

  router.patch('/goals/:id', async (ctx) => {
    const change = body<{ status?: GoalStatus; priority?: number; replanBudget?: number }>(ctx.request.body, GOAL_CHANGE);
    ctx.body = await plane().updateGoal(ctx.state.user.userId, idOf(ctx), change);
  });

  for (const verb of ['cancel', 'complete', 'abandon', 'supersede'] as const) {
    router.post(`/goals/:id/${verb}`, async (ctx) => {
      const { by } = body<{ by?: string }>(ctx.request.body ?? {}, SUPERSEDE);
      ctx.body = await plane().lifecycle(ctx.state.user.userId, idOf(ctx), verb, by);
    });
  }

  router.get('/goals/:id/plans', async (ctx) => {
    ctx.body = { plans: await plane().listPlans(ctx.state.user.userId, idOf(ctx)) };
  });

  // A first plan, or a new one: given steps, or (replan without steps) the ones left undone.
  for (const path of ['/goals/:id/plans', '/goals/:id/replan']) {
    router.post(path, async (ctx) => {
      const input = body<{ steps?: StepInput[]; reason?: string; verify?: VerifySpec }>(ctx.request.body ?? {}, NEW_PLAN);
      ctx.status = 201;
      ctx.body = await plane().replan(ctx.state.user.userId, idOf(ctx), input);
    });
  }

  /**
   * Runs the current plan: in the background (202), or to its end with ?wait=true (the report). No
   * conversation is there to approve, so tools that need approval are refused (and recorded).
   */
  router.post('/goals/:id/run', async (ctx) => {
    const { userId } = ctx.state.user;
    const id = idOf(ctx);
    const { wait } = params<{ wait: boolean }>(ctx.query, RUN);
    const { plan } = await autonomy().runner.runnable(userId, id);
    const run = autonomy().runner.run(userId, id);
    if (wait) {
      ctx.body = await run;
      return;
    }
    run.catch((error: unknown) => kernel.logger.warn({ err: error, goal: id }, 'a goal run failed'));
    ctx.status = 202;
    ctx.body = { goalId: id, planId: plan.id };
  });

  router.get('/goals/:id/incidents', async (ctx) => {
    ctx.body = { incidents: await plane().incidents(ctx.state.user.userId, idOf(ctx)) };
  });

  router.get('/plans/:id', async (ctx) => {
    ctx.body = await plane().getPlan(ctx.state.user.userId, idOf(ctx));
  });

  router.patch('/plans/:id', async (ctx) => {
    const { status } = body<{ status: PlanStatus }>(ctx.request.body, PLAN_CHANGE);
    ctx.body = await plane().movePlan(ctx.state.user.userId, idOf(ctx), status);
  });

  router.get('/plans/:id/steps', async (ctx) => {
    ctx.body = { steps: await plane().listSteps(ctx.state.user.userId, idOf(ctx)) };
  });

  router.post('/plans/:id/steps', async (ctx) => {
    const step = body<StepInput>(ctx.request.body, STEP);
    ctx.status = 201;
    ctx.body = await plane().addStep(ctx.state.user.userId, idOf(ctx), step);
  });

  /** The whole list at once (409 TITAN_E_PLAN_STEP_RUNNING while a step runs; nothing changes). */
  router.put('/plans/:id/steps', async (ctx) => {
    const { steps } = body<{ steps: StepInput[] }>(ctx.request.body, {
      type: 'object',
      additionalProperties: false,
      required: ['steps'],
      properties: { steps: STEPS },
    });
    ctx.body = { steps: await plane().replaceSteps(ctx.state.user.userId, idOf(ctx), steps) };
  });

  router.get('/plans/:id/executions', async (ctx) => {
    ctx.body = { executions: await plane().executions(ctx.state.user.userId, idOf(ctx)) };
  });

  router.get('/plans/:id/verifications', async (ctx) => {
    ctx.body = { verifications: await plane().verifications(ctx.state.user.userId, idOf(ctx)) };
  });

  router.get('/plans/:id/policy-decisions', async (ctx) => {
    ctx.body = { decisions: await plane().policyDecisions(ctx.state.user.userId, idOf(ctx)) };
  });

  router.get('/steps/:id', async (ctx) => {
    ctx.body = await plane().getStep(ctx.state.user.userId, idOf(ctx));
  });

  /** A swarm step's sub-agents: each one's execution record, its result (status, node, tokens, output or error) parsed. */
  router.get('/steps/:id/agents', async (ctx) => {
    ctx.body = { agents: await plane().subAgents(ctx.state.user.userId, idOf(ctx)) };
  });

  router.patch('/steps/:id', async (ctx) => {
    const { status, output, error } = body<{ status: StepStatus; output?: string; error?: string }>(ctx.request.body, STEP_CHANGE);
    ctx.body = await plane().moveStep(ctx.state.user.userId, idOf(ctx), status, { output, error });
  });

  return router;
}
