// A swarm step: fans out to its sub-agents under a concurrency limit and a shared token budget,
// each recorded as an execution of the step (kind "subagent"), and fans back in: one report with
// every sub-agent's outcome and a merged text. A sub-agent with no tools may run on a peer with a
// free slot (the mesh's port); one that fails there for the mesh's reasons runs here instead.
// Once the budget is spent, the sub-agents not yet started are recorded as not run, never dropped.
import { TitanError } from '../../../common/errors.ts';
import type { ToolInfo } from '../../loop/tool-catalog.ts';
import type { LlmStream } from '../../loop/turn.ts';
import type { SubAgentOffload } from '../../ports.ts';
import type { ControlPlane } from '../control-plane.ts';
import { grantedTools } from './check.ts';
import type { SwarmConfig } from './config.ts';
import { runSubAgent } from './sub-agent.ts';
import type { SubAgentAnswer, SubAgentBrief, SubAgentResult, SubAgentSpec, SubAgentStatus, SwarmReport, SwarmSpec } from './types.ts';
import { watch, type WatchDeps } from './watch.ts';

/** What a swarm needs of the agent: its tools (with streamed output and cancelling) and its model. */
export type SwarmAgent = {
  listTools(): Promise<ToolInfo[]>;
  checkArguments(tool: ToolInfo, args: unknown): void;
  invokeTool(name: string, input: string, callId: string): Promise<string>;
  cancelTool(callId: string): void;
  onToolOutput(callId: string, listener: (text: string) => void): () => void;
  llm: LlmStream;
  model: string;
};

export type SwarmContext = { userId: string; goalId: string; planId: string; stepId: string };

/** Text kept per sub-agent in the merged result and in its execution record. */
const ENTRY_TEXT = 600;
const RECORD_TEXT = 4000;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}...` : text);
const STATUSES: SubAgentStatus[] = ['succeeded', 'stopped_early', 'failed', 'timed_out', 'not_run'];

export class Swarm {
  readonly #plane: ControlPlane;
  readonly #agent: SwarmAgent;
  readonly #config: SwarmConfig;
  readonly #offload: () => SubAgentOffload | undefined;
  readonly #jobs: () => WatchDeps['jobs'];

  constructor(
    plane: ControlPlane,
    agent: SwarmAgent,
    config: SwarmConfig,
    offload: () => SubAgentOffload | undefined = () => undefined,
    jobs: () => WatchDeps['jobs'] = () => undefined,
  ) {
    this.#plane = plane;
    this.#agent = agent;
    this.#config = config;
    this.#offload = offload;
    this.#jobs = jobs;
  }

  /** Runs every sub-agent of the step; TITAN_E_SUBAGENT_GRANT before any starts when a grant is refused. */
  async run(ctx: SwarmContext, spec: SwarmSpec): Promise<SwarmReport> {
    const granted = grantedTools(spec, await this.#agent.listTools());
    const budget = spec.tokenBudget ?? this.#config.tokenBudget;
    const limit = Math.min(spec.concurrency ?? this.#config.concurrency, spec.agents.length);
    const state = { spent: 0, running: 0, localRunning: 0, peak: 0, onPeers: 0, fellBack: 0 };
    const charge = (tokens: number) => {
      state.spent += tokens;
      return state.spent < budget;
    };
    const results: SubAgentResult[] = new Array(spec.agents.length);
    let next = 0;
    const worker = async () => {
      while (next < spec.agents.length) {
        const index = next++;
        if (state.spent >= budget) {
          results[index] = await this.#notRun(ctx, index, spec.agents[index], budget, state.spent);
          continue;
        }
        state.running++;
        state.peak = Math.max(state.peak, state.running);
        try {
          results[index] = await this.#one(ctx, index, spec, granted, state, charge);
        } finally {
          state.running--;
        }
      }
    };
    await Promise.all(Array.from({ length: limit }, worker));
    const counts = Object.fromEntries(STATUSES.map((s) => [s, results.filter((r) => r.status === s).length])) as Record<SubAgentStatus, number>;
    if (counts.not_run > 0) {
      await this.#plane.recordIncident(ctx.userId, ctx.goalId, {
        planId: ctx.planId,
        stepId: ctx.stepId,
        severity: 'warning',
        kind: 'swarm.budget',
        message: `the token budget of ${budget} was spent (${state.spent} tokens): ${counts.not_run} of ${results.length} sub-agents were not run`,
      });
    }
    const done = counts.succeeded + counts.stopped_early;
    const ok = (spec.require ?? 'any') === 'all' ? done === results.length : done > 0;
    return {
      agents: results.length,
      counts,
      tokens: state.spent,
      tokenBudget: budget,
      peakConcurrency: state.peak,
      onPeers: state.onPeers,
      fellBack: state.fellBack,
      ok,
      merged: merge(results, counts, state.spent, budget),
      results,
    };
  }

  async #notRun(ctx: SwarmContext, index: number, agent: SubAgentSpec, budget: number, spent: number): Promise<SubAgentResult> {
    const result: SubAgentResult = {
      index,
      title: agent.title,
      status: 'not_run',
      node: 'none',
      tokens: 0,
      ms: 0,
      error: { code: 'TITAN_E_SUBAGENT_BUDGET', message: `not run: the token budget of ${budget} was spent (${spent} tokens) before it could start` },
    };
    const execution = await this.#start(ctx, index, agent, 'none');
    await this.#finish(ctx, execution.id, result);
    return result;
  }

  async #one(
    ctx: SwarmContext,
    index: number,
    spec: SwarmSpec,
    granted: Map<string, ToolInfo>,
    state: { localRunning: number; onPeers: number; fellBack: number },
    charge: (tokens: number) => boolean,
  ): Promise<SubAgentResult> {
    const agent = spec.agents[index];
    const started = performance.now();
    const offload = agent.watch || agent.tools?.length ? undefined : this.#offload();
    const node = offload?.place(state.localRunning) ?? 'local';
    // Dispatched before its record is written: the next placement already counts it where it went.
    const work = this.#work(ctx.userId, index, agent, node, spec.timeoutMs ?? this.#config.timeoutMs, granted, state, charge, offload);
    const execution = await this.#start(ctx, index, agent, node).catch(async (error: unknown) => {
      await work;
      throw error;
    });
    const result = await work;
    result.ms = Math.round(performance.now() - started);
    await this.#finish(ctx, execution.id, result);
    if (result.trigger) {
      await this.#plane.recordIncident(ctx.userId, ctx.goalId, {
        planId: ctx.planId,
        stepId: ctx.stepId,
        severity: 'info',
        kind: 'watch.stopped',
        message: `sub-agent ${index + 1} ("${agent.title}") stopped ${agent.watch?.job ? `job ${agent.watch.job}` : agent.watch?.tool} early (${result.trigger.by}) at: ${clip(result.trigger.line, 500)}`,
      });
    }
    return result;
  }

  /** Runs one sub-agent where it was placed (a peer's failure of the mesh's making: here); never rejects. */
  async #work(
    userId: string,
    index: number,
    agent: SubAgentSpec,
    placed: string,
    timeoutMs: number,
    granted: Map<string, ToolInfo>,
    state: { localRunning: number; onPeers: number; fellBack: number },
    charge: (tokens: number) => boolean,
    offload: SubAgentOffload | undefined,
  ): Promise<SubAgentResult> {
    let node = placed;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new TitanError('TITAN_E_SUBAGENT_TIMEOUT', `sub-agent ${index + 1} ("${agent.title}") did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const signal = controller.signal;
    const brief: SubAgentBrief = { title: agent.title, prompt: agent.prompt ?? '', context: agent.context, maxSteps: this.#config.maxSteps };
    const local = async (): Promise<SubAgentAnswer> => {
      state.localRunning++;
      try {
        return await runSubAgent(brief, this.#subAgentDeps(agent, granted, charge), signal);
      } finally {
        state.localRunning--;
      }
    };
    const base = { index, title: agent.title, ms: 0 };
    try {
      if (agent.watch) {
        const watched = await watch(agent.watch, { ...this.#watchDeps(), charge, userId, jobs: this.#jobs() }, signal);
        if (watched.trigger) {
          return {
            ...base,
            status: 'stopped_early',
            node,
            tokens: watched.tokens,
            trigger: watched.trigger,
            output: `stopped early at: ${watched.trigger.line}`,
          };
        }
        const tail = clip(watched.output.slice(-1000), 1000);
        return {
          ...base,
          status: 'succeeded',
          node,
          tokens: watched.tokens,
          output: `ran to its end (${watched.lines} lines) without what it watched for\n${tail}`,
        };
      }
      let answer: SubAgentAnswer;
      if (node !== 'local' && offload) {
        try {
          answer = await offload.run(node, brief, signal);
          charge(answer.tokens);
          state.onPeers++;
        } catch (error) {
          // The sub-agent's own failure (or our timeout) stands; the mesh's (a lost peer, a refusal) runs it here.
          if (signal.aborted || (error instanceof TitanError && error.code.startsWith('TITAN_E_SUBAGENT'))) throw error;
          state.fellBack++;
          node = 'local';
          answer = await local();
        }
      } else answer = await local();
      return { ...base, status: 'succeeded', node, tokens: answer.tokens, output: answer.text };
    } catch (error) {
      const reason = signal.aborted ? signal.reason : error;
      const coded = reason instanceof TitanError ? reason : new TitanError('TITAN_E_SUBAGENT_FAILED', String((reason as Error)?.message ?? reason));
      const tokens = Number((error as { tokens?: number }).tokens ?? 0);
      return {
        ...base,
        status: coded.code === 'TITAN_E_SUBAGENT_TIMEOUT' ? 'timed_out' : 'failed',
        node,
        tokens,
        error: { code: coded.code, message: coded.message },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  #subAgentDeps(agent: SubAgentSpec, granted: Map<string, ToolInfo>, charge: (tokens: number) => boolean) {
    const a = this.#agent;
    return {
      llm: a.llm,
      model: a.model,
      tools: (agent.tools ?? []).map((name) => granted.get(name)!),
      invoke: (name: string, input: string, callId: string) => a.invokeTool(name, input, callId),
      checkArguments: (tool: ToolInfo, args: unknown) => a.checkArguments(tool, args),
      cancel: (callId: string) => a.cancelTool(callId),
      charge,
    };
  }

  #watchDeps() {
    const a = this.#agent;
    return {
      invoke: (name: string, input: string, callId: string) => a.invokeTool(name, input, callId),
      cancel: (callId: string) => a.cancelTool(callId),
      onOutput: (callId: string, listener: (text: string) => void) => a.onToolOutput(callId, listener),
      llm: a.llm,
      model: a.model,
      judgeLines: this.#config.judgeLines,
    };
  }

  #start(ctx: SwarmContext, index: number, agent: SubAgentSpec, node: string) {
    const input = { index, title: agent.title, prompt: agent.prompt && clip(agent.prompt, ENTRY_TEXT), tools: agent.tools, watch: agent.watch };
    return this.#plane.startExecution(ctx.userId, ctx.goalId, {
      planId: ctx.planId,
      stepId: ctx.stepId,
      kind: 'subagent',
      target: node,
      input: JSON.stringify(input),
    });
  }

  #finish(ctx: SwarmContext, id: string, result: SubAgentResult) {
    const status = result.status === 'succeeded' || result.status === 'stopped_early' ? 'succeeded' : result.status === 'not_run' ? 'cancelled' : 'failed';
    const record = { ...result, ...(result.output ? { output: clip(result.output, RECORD_TEXT) } : {}) };
    return this.#plane.finishExecution(ctx.userId, ctx.goalId, id, {
      status,
      output: JSON.stringify(record),
      ...(result.error ? { error: `${result.error.code}: ${result.error.message}` } : {}),
    });
  }
}

/** One text for the step: the counts, then each sub-agent's outcome in order. */
function merge(results: SubAgentResult[], counts: Record<SubAgentStatus, number>, tokens: number, budget: number): string {
  const head = `${results.length} sub-agents: ${counts.succeeded} succeeded, ${counts.stopped_early} stopped early, ${counts.failed} failed, ${counts.timed_out} timed out, ${counts.not_run} not run; ${tokens} of ${budget} tokens`;
  const lines = results.map((r) => {
    const what = r.trigger ? `stopped at: ${r.trigger.line}` : r.error ? `${r.error.code}: ${r.error.message}` : (r.output ?? '');
    return `[${r.index + 1}] ${r.title} (${r.status.replace('_', ' ')}${r.node !== 'local' && r.node !== 'none' ? `, on ${r.node.slice(-8)}` : ''}): ${clip(what, ENTRY_TEXT)}`;
  });
  return [head, ...lines].join('\n');
}
