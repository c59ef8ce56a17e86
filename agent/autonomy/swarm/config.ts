// The swarm's section of the configuration ({ "swarm": { ... } }): how many sub-agents one step may
// fan out to, how many run at once, their shared token budget and each one's time limit.
import { defineSection } from '../../../common/config-section.ts';

export type SwarmConfig = {
  /** The most sub-agents one swarm step may name. */
  maxAgents: number;
  /** Sub-agents running at once when the step does not say (this node and peers together). */
  concurrency: number;
  /** Model tokens a step's sub-agents may spend together when the step does not say. */
  tokenBudget: number;
  /** Per sub-agent, when the step does not say. */
  timeoutMs: number;
  /** Model answers (each maybe with tool calls) one sub-agent may take. */
  maxSteps: number;
  /** A watcher asks the model about this many new lines at a time (when it watches for a described failure). */
  judgeLines: number;
};

export const swarmSection = defineSection<'swarm', SwarmConfig>({
  name: 'swarm',
  defaults: { maxAgents: 1000, concurrency: 16, tokenBudget: 200_000, timeoutMs: 120_000, maxSteps: 6, judgeLines: 20 },
  schema: {
    maxAgents: { type: 'integer' },
    concurrency: { type: 'integer' },
    tokenBudget: { type: 'integer' },
    timeoutMs: { type: 'integer' },
    maxSteps: { type: 'integer' },
    judgeLines: { type: 'integer' },
  },
  clamps: {
    maxAgents: [1, 100_000],
    concurrency: [1, 1024],
    tokenBudget: [1, 1_000_000_000],
    timeoutMs: [100, 24 * 3600 * 1000],
    maxSteps: [1, 64],
    judgeLines: [1, 10_000],
  },
  env: {
    TITAN_SWARM_MAX_AGENTS: 'maxAgents',
    TITAN_SWARM_CONCURRENCY: 'concurrency',
    TITAN_SWARM_TOKEN_BUDGET: 'tokenBudget',
    TITAN_SWARM_TIMEOUT_MS: 'timeoutMs',
  },
});
