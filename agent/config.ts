// The agent's section of the configuration ({ "agent": { ... } }): how the turn loop runs tool
// calls and asks for approval.
import { defineSection, sameNames } from '../common/config-section.ts';

export type AgentConfig = {
  /** Start a streamed tool call as soon as its arguments are complete, before the model's message ends. */
  earlyExecution: boolean;
  /** How long a tool call waits for approval before it counts as rejected. */
  approvalTtlMs: number;
  /** Tools that run without asking, and tools that always ask, whatever they declare. */
  trustedTools: string[];
  guardedTools: string[];
  /** A person's first chat on a people channel starts with Titan's (skippable) onboarding questions; programs are never asked. */
  onboarding: boolean;
};

export const agentSection = defineSection<'agent', AgentConfig>({
  name: 'agent',
  defaults: {
    earlyExecution: true,
    approvalTtlMs: 10 * 60 * 1000,
    trustedTools: [],
    guardedTools: [],
    onboarding: true,
  },
  schema: {
    earlyExecution: { type: 'boolean' },
    approvalTtlMs: { type: 'integer' },
    trustedTools: { type: 'array', items: { type: 'string' } },
    guardedTools: { type: 'array', items: { type: 'string' } },
    onboarding: { type: 'boolean' },
  },
  clamps: { approvalTtlMs: [1000, 7 * 24 * 3600 * 1000] },
  env: { TITAN_EARLY_EXECUTION: 'earlyExecution', TITAN_APPROVAL_TTL_MS: 'approvalTtlMs', TITAN_ONBOARDING: 'onboarding' },
  flat: sameNames('earlyExecution', 'approvalTtlMs', 'trustedTools', 'guardedTools'),
});
