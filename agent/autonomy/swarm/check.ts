// Checks a swarm step before anything is written or run: its shape (1 to swarm.maxAgents
// sub-agents, each with something to do, sane limits, a pattern that compiles) and, against the
// tool catalog, every tool a sub-agent is granted or watches (it exists and runs without approval;
// goal tools are never granted, so a sub-agent cannot start goals or swarms of its own).
import { TitanError } from '../../../common/errors.ts';
import type { ToolInfo } from '../../loop/tool-catalog.ts';
import type { SwarmConfig } from './config.ts';
import type { SubAgentSpec, SwarmSpec, WatchSpec } from './types.ts';

const MAX_TEXT = 20_000;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (message: string) => new TitanError('TITAN_E_SUBAGENTS_INVALID', message);

function text(value: unknown, what: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || !value.trim()) throw invalid(`${what} must be a non-empty text`);
  if (value.length > MAX_TEXT) throw invalid(`${what} is ${value.length} characters; at most ${MAX_TEXT}`);
  return value;
}

function positive(value: unknown, what: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) throw invalid(`${what} must be a whole number from 1 to ${max}`);
  return value as number;
}

function watchSpec(value: unknown, where: string): WatchSpec {
  if (!isObject(value)) throw invalid(`${where}.watch must be an object naming a tool or a job`);
  if ((value.tool === undefined) === (value.job === undefined)) throw invalid(`${where}.watch names a tool to run or a job to follow, one of them`);
  const tool = text(value.tool, `${where}.watch.tool`, false);
  const job = text(value.job, `${where}.watch.job`, false);
  const args = value.arguments ?? {};
  if (!isObject(args)) throw invalid(`${where}.watch.arguments must be an object`);
  const pattern = text(value.pattern, `${where}.watch.pattern`, false);
  const failure = text(value.failure, `${where}.watch.failure`, false);
  if (!pattern && !failure) throw invalid(`${where}.watch needs a pattern to stop at, or a failure for the model to look for`);
  if (pattern) {
    try {
      new RegExp(pattern);
    } catch (error) {
      throw invalid(`${where}.watch.pattern is not a regular expression: ${(error as Error).message}`);
    }
  }
  return { ...(tool ? { tool, arguments: args } : { job }), ...(pattern ? { pattern } : {}), ...(failure ? { failure } : {}) };
}

function agentSpec(value: unknown, i: number): SubAgentSpec {
  const where = `agents[${i}]`;
  if (!isObject(value)) throw invalid(`${where} must be an object with a title and a prompt`);
  const title = text(value.title, `${where}.title`, true)!.trim();
  const watch = value.watch === undefined ? undefined : watchSpec(value.watch, where);
  const prompt = text(value.prompt, `${where}.prompt`, !watch);
  const context = text(value.context, `${where}.context`, false);
  const tools = value.tools ?? [];
  if (!Array.isArray(tools) || !tools.every((t) => typeof t === 'string' && t.length > 0)) throw invalid(`${where}.tools must be a list of tool names`);
  return { title, ...(prompt ? { prompt } : {}), ...(context ? { context } : {}), tools: [...new Set(tools as string[])], ...(watch ? { watch } : {}) };
}

/** The step's swarm as given by a person or the model, normalised; TITAN_E_SUBAGENTS_INVALID / _TOO_LARGE otherwise. */
export function swarmSpec(value: unknown, limits: Pick<SwarmConfig, 'maxAgents'>): SwarmSpec {
  if (!isObject(value)) throw invalid('a swarm step needs its sub-agents (agents: a list)');
  const agents = value.agents;
  if (!Array.isArray(agents) || agents.length === 0) throw invalid('a swarm step needs at least one sub-agent (agents is empty)');
  if (agents.length > limits.maxAgents) {
    throw new TitanError('TITAN_E_SUBAGENTS_TOO_MANY', `a swarm step names ${agents.length} sub-agents; at most ${limits.maxAgents} (swarm.maxAgents)`);
  }
  const require = value.require ?? 'any';
  if (require !== 'all' && require !== 'any') throw invalid('require must be "all" or "any"');
  const concurrency = positive(value.concurrency, 'concurrency', 1024);
  const tokenBudget = positive(value.tokenBudget, 'tokenBudget', 1_000_000_000);
  const timeoutMs = positive(value.timeoutMs, 'timeoutMs', 24 * 3600 * 1000);
  return {
    agents: agents.map(agentSpec),
    require,
    ...(concurrency ? { concurrency } : {}),
    ...(tokenBudget ? { tokenBudget } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  };
}

/** Every tool the swarm grants or watches, by name; TITAN_E_SUBAGENT_GRANT names the first that may not be granted. */
export function grantedTools(spec: SwarmSpec, catalog: ToolInfo[]): Map<string, ToolInfo> {
  const byName = new Map(catalog.map((t) => [t.name, t]));
  const granted = new Map<string, ToolInfo>();
  spec.agents.forEach((agent, i) => {
    for (const name of [...(agent.tools ?? []), ...(agent.watch?.tool ? [agent.watch.tool] : [])]) {
      const tool = byName.get(name);
      const where = `sub-agent ${i + 1} ("${agent.title}")`;
      if (!tool) throw new TitanError('TITAN_E_SUBAGENT_GRANT', `${where} is granted "${name}", and there is no tool of that name`);
      if (name.startsWith('autonomy__'))
        throw new TitanError('TITAN_E_SUBAGENT_GRANT', `${where} is granted "${name}": goal tools are never granted to sub-agents`);
      if (tool.needsApproval) {
        throw new TitanError('TITAN_E_SUBAGENT_GRANT', `${where} is granted "${name}", which needs approval: a sub-agent has nobody to ask`);
      }
      granted.set(name, tool);
    }
  });
  return granted;
}
