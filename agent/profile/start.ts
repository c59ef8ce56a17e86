// The profile wired to a running agent: its workspace's files and change log, and (with a model)
// synthesis after every turn the model answered. Once per agent: `titan start` and the gateway's
// profile routes share it.
import type { Kernel } from '../../kernel/kernel.ts';
import type { Agent } from '../loop/agent.ts';
import { ProfileFiles } from './changes.ts';
import { ProfileSynthesis, type ProfileModel } from './synthesis.ts';

const TERMINAL = new Set(['turn.completed', 'turn.failed', 'turn.interrupted']);

export type Profile = { files: ProfileFiles; synthesis: ProfileSynthesis | undefined; close(): void };

const started = new WeakMap<Agent, Profile>();

/** `ownerId`: whose conversations are read (the profile is theirs; other users' words never enter it). */
export function startProfile(kernel: Kernel, agent: Agent, model?: ProfileModel, options: { ownerId?: string; debounceMs?: number } = {}): Profile {
  const existing = started.get(agent);
  if (existing) return existing;
  const files = new ProfileFiles(kernel.workspace, kernel.paths.home);
  let synthesis: ProfileSynthesis | undefined;
  let off = () => {};
  if (model) {
    const running = new ProfileSynthesis({
      files,
      model,
      debounceMs: options.debounceMs,
      warn: (message) => kernel.bus.emit('kernel.warning', { message }),
      async userMessages(threadId, turnIds) {
        const thread = await kernel.store.op('threads.get', { userId: options.ownerId ?? '', threadId }).catch(() => null);
        if (!thread) return [];
        const wanted = new Set(turnIds);
        const rows = await kernel.store.listMessages(threadId, 200);
        return rows.filter((m) => m.role === 'user' && m.turn_id !== null && wanted.has(m.turn_id)).map((m) => m.content);
      },
    });
    synthesis = running;
    // Only what the user wrote (a person, or their own API client): a routine's prompt says nothing
    // new each time, and a goal step's "user" message was written by the model.
    const theirs = new Set<string>();
    const offMessages = agent.onMessage((message) => {
      if (message.origin === 'person' || message.origin === 'program') theirs.add(message.turnId);
    });
    // Only turns the model answered: a reflex's or the cache's answer says nothing new.
    const offTurns = kernel.bus.on('turn.event', (event) => {
      if (!TERMINAL.has(event.type) || !theirs.delete(event.turnId)) return;
      if (event.type === 'turn.completed' && event.from === 'model') running.noteTurn(event.threadId, event.turnId);
    });
    off = () => {
      offMessages();
      offTurns();
    };
  }
  const profile: Profile = {
    files,
    synthesis,
    close() {
      off();
      synthesis?.close();
    },
  };
  started.set(agent, profile);
  return profile;
}
