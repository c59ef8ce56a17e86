// The control plane wired to an agent: its tools, approvals and turns for the plan runner, and the
// pursue/replan tools lent to the model. What the gateway's goal routes and the CLI use.
import type { Kernel } from '../../kernel/kernel.ts';
import type { Goal } from '../../components/stores/ops.ts';
import type { Agent } from '../loop/agent.ts';
import { ControlPlane } from './control-plane.ts';
import { PlanRunner, type RunnerAgent } from './runner.ts';
import { AutonomyTools } from './tools.ts';

export type Autonomy = { plane: ControlPlane; runner: PlanRunner; tools: AutonomyTools };

/** The runner's view of the agent: the same tools, approvals and turns a conversation has. */
function runnerAgent(kernel: Kernel, agent: Agent, stepThreads: Set<string>): RunnerAgent {
  const threads = new Map<string, string>();
  return {
    listTools: () => agent.tools.list(),
    checkArguments: (tool, args) => agent.tools.checkArguments(tool, args),
    async invokeTool(name, input, callId) {
      const source = agent.tools.sourceOf(name);
      if (source) return source.invoke(name, input, callId);
      return (await kernel.call('tool', name, 'invoke', [input], { callId })) as string;
    },
    requestApproval: (request) => agent.approvals.request(request),
    tell(turnId, event) {
      agent
        .running()
        .find((run) => run.turnId === turnId)
        ?.log.emit(event);
    },
    async runTurn(userId: string, goal: Goal, prompt: string) {
      // One thread per goal for its step turns, so each step sees the ones before it.
      let threadId = threads.get(goal.id);
      if (!threadId) {
        threadId = (await agent.createThread(userId, `goal: ${goal.title}`.slice(0, 200))).id;
        threads.set(goal.id, threadId);
        stepThreads.add(threadId);
      }
      const sent = await agent.send(userId, threadId, prompt, { modelOnly: true });
      const outcome = await sent.run.done;
      return {
        turnId: sent.turnId,
        ok: outcome.state === 'completed',
        text: outcome.text,
        error: outcome.error
          ? `${outcome.error.code}: ${outcome.error.message}`
          : outcome.state === 'completed'
            ? undefined
            : `the turn ended ${outcome.state}`,
      };
    },
  };
}

const started = new WeakMap<Agent, Autonomy>();

/**
 * The control plane on the kernel's store and bus, its runner, and the pursue/replan tools lent to
 * the agent's model: once per agent (the gateway's routes and `titan start` share one).
 */
export function startAutonomy(kernel: Kernel, agent: Agent, options: { replanBudget?: number } = {}): Autonomy {
  const existing = started.get(agent);
  if (existing) return existing;
  const plane = new ControlPlane(kernel.store, kernel.bus, options);
  const stepThreads = new Set<string>();
  const runner = new PlanRunner(plane, runnerAgent(kernel, agent, stepThreads));
  const tools = new AutonomyTools(plane, runner, kernel.store, stepThreads);
  agent.tools.addSource(tools);
  const autonomy = { plane, runner, tools };
  started.set(agent, autonomy);
  return autonomy;
}
