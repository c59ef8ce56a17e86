// Onboarding in front of the agent's fast path: a user being onboarded gets Titan's questions, every
// other message goes on to the reflexes and the model as before. Wire it after the reflexes start
// (they set the fast path it wraps).
import type { Kernel } from '../../kernel/kernel.ts';
import type { Agent } from '../loop/agent.ts';
import { startProfile } from '../profile/start.ts';
import { Onboarding } from './service.ts';

export function startOnboarding(kernel: Kernel, agent: Agent, options: { ownerId?: string } = {}): Onboarding {
  const onboarding = new Onboarding(kernel.store, startProfile(kernel, agent).files, options);
  const inner = agent.fastPath;
  agent.fastPath = async (input) => (await onboarding.answer(input)) ?? (inner ? inner(input) : { notes: [] });
  return onboarding;
}
