// The control plane wired to an agent: its tools, approvals and turns for the plan runner, its
// model and tools for swarm steps' sub-agents, and the pursue/replan tools lent to the model.
// What the gateway's goal routes and the CLI use.
import { cancelCall } from '../../host-api/exec.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { Goal } from '../../components/stores/ops.ts';
import type { Agent } from '../loop/agent.ts';
import { ControlPlane } from './control-plane.ts';
import { PlanRunner, type RunnerAgent } from './runner.ts';
import { AutonomyTools } from './tools.ts';
import type { AgentPorts, SubAgentOffload } from '../ports.ts';
import type { JobService } from '../jobs/service.ts';
import { grantedTools } from './swarm/check.ts';
import { swarmSection, type SwarmConfig } from './swarm/config.ts';
import { runSubAgent } from './swarm/sub-agent.ts';
import { Swarm, type SwarmAgent } from './swarm/swarm.ts';

export type Autonomy = {
  plane: ControlPlane;
  runner: PlanRunner;
  tools: AutonomyTools;
  swarm: Swarm;
  /** Sub-agents without tools go to peers' free slots from now on, and peers' run here (the mesh's port). */
  useMesh(ports: AgentPorts): void;
  /** Watcher sub-agents may follow (and stop) this node's jobs from now on. */
  useJobs(jobs: JobService): void;
};

/** The agent's tools as the runner and the sub-agents call them: a source's tool through its source, a component's through the kernel. */
function agentTools(kernel: Kernel, agent: Agent): Pick<RunnerAgent & SwarmAgent, 'listTools' | 'checkArguments' | 'invokeTool'> {
  return {
    listTools: () => agent.tools.list(),
    checkArguments: (tool, args) => agent.tools.checkArguments(tool, args),
    async invokeTool(name, input, callId) {
      const source = agent.tools.sourceOf(name);
      if (source) return source.invoke(name, input, callId);
      const output = await kernel.call('tool', name, 'invoke', [input], { callId });
      return typeof output === 'string' ? output : JSON.stringify(output);
    },
  };
}

/** What a swarm's sub-agents use of the agent: its model, its tools, their streamed output and cancelling. */
function swarmAgent(kernel: Kernel, agent: Agent): SwarmAgent {
  return {
    ...agentTools(kernel, agent),
    cancelTool(callId) {
      cancelCall(callId, 'stopped by its sub-agent');
      for (const source of agent.tools.sources) source.cancel(callId);
    },
    onToolOutput(callId, listener) {
      return kernel.bus.on('component.event', (event) => {
        if (event.callId === callId && (event.kind === 'stdout' || event.kind === 'stderr')) listener(event.data);
      });
    },
    get llm() {
      return agent.model.llm;
    },
    get model() {
      return agent.model.name;
    },
  };
}

/** The runner's view of the agent: the same tools, approvals and turns a conversation has. */
function runnerAgent(kernel: Kernel, agent: Agent, stepThreads: Set<string>): RunnerAgent {
  const threads = new Map<string, string>();
  return {
    ...agentTools(kernel, agent),
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
      const sent = await agent.send(userId, threadId, prompt, { modelOnly: true, origin: 'model' });
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
export function startAutonomy(kernel: Kernel, agent: Agent, options: { replanBudget?: number; swarm?: Partial<SwarmConfig> } = {}): Autonomy {
  const existing = started.get(agent);
  if (existing) return existing;
  const config: SwarmConfig = { ...swarmSection.defaults, ...options.swarm };
  const plane = new ControlPlane(kernel.store, kernel.bus, {
    replanBudget: options.replanBudget,
    swarm: { maxAgents: config.maxAgents, checkGrants: async (spec) => void grantedTools(spec, await agent.tools.list()) },
  });
  const stepThreads = new Set<string>();
  let offload: SubAgentOffload | undefined;
  let jobs: JobService | undefined;
  const swarm = new Swarm(
    plane,
    swarmAgent(kernel, agent),
    config,
    () => offload,
    () => jobs,
  );
  const runner = new PlanRunner(plane, runnerAgent(kernel, agent, stepThreads), swarm);
  const tools = new AutonomyTools(plane, runner, kernel.store, stepThreads);
  agent.tools.addSource(tools);
  const useMesh = (ports: AgentPorts) => {
    offload = ports.subAgents;
    // A peer's brief runs with this node's model and no tools: nothing of this node is reachable from it.
    offload?.serveWith((brief, signal) =>
      runSubAgent(
        { ...brief, maxSteps: Math.min(brief.maxSteps, config.maxSteps) },
        {
          llm: agent.model.llm,
          model: agent.model.name,
          tools: [],
          invoke: () => Promise.reject(new Error('no tools')),
          checkArguments: () => {},
          cancel: () => {},
          charge: () => true,
        },
        signal,
      ),
    );
  };
  const useJobs = (service: JobService) => {
    jobs = service;
  };
  const autonomy = { plane, runner, tools, swarm, useMesh, useJobs };
  started.set(agent, autonomy);
  return autonomy;
}
