// The control plane as tools the model calls: asked for something that takes several steps, it
// pursues a goal (a plan of steps, run at once, verified) and, when that fails, replans within the
// goal's budget. The caller's turn names the user; a step's own turn cannot start another goal.
import { TitanError } from '../../common/errors.ts';
import type { StoreClient } from '../../kernel/store-client.ts';
import type { ToolInfo, ToolSource } from '../loop/tool-catalog.ts';
import type { ControlPlane, StepInput, VerifySpec } from './control-plane.ts';
import type { PlanRunner, RunReport } from './runner.ts';

export const PURSUE = 'autonomy__pursue';
export const REPLAN = 'autonomy__replan';

const SUB_AGENT = {
  type: 'object',
  required: ['title'],
  properties: {
    title: { type: 'string' },
    prompt: { type: 'string', description: 'the one narrow thing this sub-agent does' },
    context: { type: 'string', description: 'what it needs to know (it sees nothing else)' },
    tools: { type: 'array', items: { type: 'string' }, description: 'the only tools it may call (none: it only thinks)' },
    watch: {
      type: 'object',
      description:
        "instead: run this streaming tool (a long command), or follow this running job's log, and stop it early at the first line matching pattern, or showing failure",
      properties: {
        tool: { type: 'string' },
        arguments: { type: 'object' },
        job: { type: 'string' },
        pattern: { type: 'string' },
        failure: { type: 'string' },
      },
    },
  },
};
const STEP = {
  type: 'object',
  required: ['title', 'kind'],
  properties: {
    title: { type: 'string', description: 'what this step does, in a few words' },
    kind: {
      enum: ['tool', 'turn', 'swarm'],
      description:
        '"tool": call one tool; "turn": ask yourself a question in a turn of its own; "swarm": fan out to sub-agents in parallel and merge their results',
    },
    tool: { type: 'string', description: 'kind "tool": the tool to call' },
    arguments: { type: 'object', description: 'kind "tool": its arguments' },
    prompt: { type: 'string', description: 'kind "turn": what to do in that turn' },
    agents: { type: 'array', minItems: 1, items: SUB_AGENT, description: 'kind "swarm": the sub-agents, each with its own narrow task and tools' },
    concurrency: { type: 'integer', minimum: 1, description: 'kind "swarm": how many run at once' },
    tokenBudget: { type: 'integer', minimum: 1, description: 'kind "swarm": tokens all of them may spend' },
    timeoutMs: { type: 'integer', minimum: 1, description: 'kind "swarm": per sub-agent' },
    require: { enum: ['all', 'any'], description: 'kind "swarm": the step succeeds when all (or any) succeed; default any' },
  },
};
const VERIFY = {
  type: 'object',
  required: ['tool'],
  description: 'how to check the result once the steps ran: a tool to call and the text its output must contain',
  properties: { tool: { type: 'string' }, arguments: { type: 'object' }, expect: { type: 'string' } },
};

const TOOLS: ToolInfo[] = [
  {
    name: PURSUE,
    description:
      'Work toward a goal that takes several steps: records the goal and its plan, runs the steps in order (tools ask for approval as usual), checks the result, and reports each step. Use it for multi-step tasks.',
    schema: {
      type: 'object',
      required: ['title', 'steps'],
      properties: { title: { type: 'string' }, description: { type: 'string' }, steps: { type: 'array', minItems: 1, items: STEP }, verify: VERIFY },
    },
    needsApproval: false,
    digest: 'host:autonomy/pursue@1',
    sideEffects: true,
  },
  {
    name: REPLAN,
    description:
      'After a goal failed: a new plan for it (new steps, or without steps the ones that did not succeed), run and checked the same way. Each goal has a small replan budget.',
    schema: {
      type: 'object',
      required: ['reason'],
      properties: {
        goalId: { type: 'string', description: 'default: the goal last pursued in this conversation' },
        reason: { type: 'string' },
        steps: { type: 'array', minItems: 1, items: STEP },
        verify: VERIFY,
      },
    },
    needsApproval: false,
    digest: 'host:autonomy/replan@1',
    sideEffects: true,
  },
];

type PursueInput = { title: string; description?: string; steps: StepInput[]; verify?: VerifySpec };
type ReplanInput = { goalId?: string; reason: string; steps?: StepInput[]; verify?: VerifySpec };

/** What the model reads back: the run's report, and what it may do next. */
function answer(report: RunReport): string {
  const next =
    report.status === 'succeeded'
      ? 'The goal is complete.'
      : report.goalStatus === 'failed'
        ? 'The goal failed and its replan budget is spent: tell the user what failed.'
        : `Call ${REPLAN} with goalId "${report.goalId}" and steps that avoid the failure (${report.replansLeft} replan(s) left).`;
  return JSON.stringify({ ...report, next });
}

export class AutonomyTools implements ToolSource {
  readonly #plane: ControlPlane;
  readonly #runner: PlanRunner;
  readonly #store: StoreClient;
  /** Threads whose turns run a goal's steps: their turns may not start goals of their own. */
  readonly #stepThreads: ReadonlySet<string>;

  constructor(plane: ControlPlane, runner: PlanRunner, store: StoreClient, stepThreads: ReadonlySet<string>) {
    this.#plane = plane;
    this.#runner = runner;
    this.#store = store;
    this.#stepThreads = stepThreads;
  }

  tools(): ToolInfo[] {
    return TOOLS;
  }

  owns(name: string): boolean {
    return name === PURSUE || name === REPLAN;
  }

  cancel(): void {
    // A plan stops between steps only; its running step's own tool call is cancelled by the turn.
  }

  async invoke(name: string, input: string, callId: string): Promise<string> {
    // The kernel-level call id is "<turnId>/<model's call id>": the turn names who asked.
    const turnId = callId.slice(0, callId.indexOf('/'));
    const owner = turnId ? await this.#store.op('goals.turnOwner', { turnId }) : null;
    if (!owner) throw new TitanError('TITAN_E_USAGE', `${name} runs only inside a conversation`);
    if (this.#stepThreads.has(owner.threadId)) throw new TitanError('TITAN_E_USAGE', 'a step of a goal cannot start or replan goals of its own');
    const { userId, threadId } = owner;
    if (name === PURSUE) {
      const args = JSON.parse(input) as PursueInput;
      const { goal } = await this.#plane.createGoal(userId, {
        title: args.title,
        description: args.description,
        steps: args.steps,
        verify: args.verify,
        threadId,
      });
      return answer(await this.#runner.run(userId, goal.id, turnId));
    }
    const args = JSON.parse(input) as ReplanInput;
    const goalId = args.goalId ?? (await this.#lastGoal(userId, threadId));
    await this.#plane.replan(userId, goalId, { steps: args.steps, reason: args.reason, verify: args.verify });
    return answer(await this.#runner.run(userId, goalId, turnId));
  }

  /** The goal this conversation pursued last and has not finished. */
  async #lastGoal(userId: string, threadId: string): Promise<string> {
    const { goals } = await this.#plane.listGoals(userId, { status: ['active'], sort: 'updated', order: 'desc', limit: 50 });
    const goal = goals.find((g) => g.thread_id === threadId);
    if (!goal)
      throw new TitanError('TITAN_E_NOT_FOUND', 'no unfinished goal in this conversation to replan', { fix: `pass goalId, or start one with ${PURSUE}` });
    return goal.id;
  }
}
