// Onboarding on a user's first chat, on any people channel (the web UI, the REPL, `titan chat`, a
// messaging platform): before the model answers their first message,
// Titan asks its five questions (interview.ts), one per message, keeping where each user is in the
// store (setting "onboarding"). A soft block: "skip" ends it at once. On "yes" after the review the
// answers are kept (setting "profile") and, for the owner, written into the managed sections of
// USER.md, SOUL.md and AGENTS.md. "/onboard profile" shows what is kept and offers to redo it.
// Messages a program wrote (the API, scripts, routines, a goal's steps) are never asked anything.
import type { StoreClient } from '../../kernel/store-client.ts';
import type { MessageOrigin } from '../loop/agent.ts';
import type { ProfileFiles } from '../profile/changes.ts';
import { readSection, type ProfileFile } from '../profile/sections.ts';
import type { FastResult } from '../reflex/router.ts';
import { START, advance, profileOf, type InterviewState } from './interview.ts';

const STATE = 'onboarding';
const PROFILE = 'profile';
const COMMAND = /^\s*\/onboard(\s+profile)?\s*$/i;

/** The section with the onboarding's lines replaced by `lines` (facts written otherwise stay). */
function replaceLabelled(body: string | null, lines: string): string {
  const labels = new Set(lines.split('\n').map((l) => l.slice(0, l.indexOf(':') + 1)));
  const kept = (body ?? '').split('\n').filter((l) => l && !labels.has(l.slice(0, l.indexOf(':') + 1)));
  return [...kept, ...lines.split('\n').filter(Boolean)].join('\n');
}

export class Onboarding {
  readonly #store: StoreClient;
  readonly #files: ProfileFiles;
  readonly #ownerId: string | undefined;

  /** `ownerId`: the user whose answers go into the workspace files (others' are kept per user only). */
  constructor(store: StoreClient, files: ProfileFiles, options: { ownerId?: string } = {}) {
    this.#store = store;
    this.#files = files;
    this.#ownerId = options.ownerId;
  }

  async #state(userId: string): Promise<InterviewState | undefined> {
    const row = await this.#store.op('settings.get', { userId, key: STATE });
    return row ? (JSON.parse(row.value) as InterviewState) : undefined;
  }

  #save(userId: string, state: InterviewState) {
    return this.#store.op('settings.set', { userId, key: STATE, value: JSON.stringify(state) });
  }

  /** Titan's own answer while a user is being onboarded; undefined: the turn goes on as usual. */
  async answer(input: { turnId: string; prompt: string; origin: MessageOrigin }): Promise<FastResult | undefined> {
    if (input.origin !== 'person') return undefined;
    const owner = await this.#store.op('goals.turnOwner', { turnId: input.turnId });
    if (!owner) return undefined;
    const { userId } = owner;
    const reply = (text: string): FastResult => ({ answer: { source: 'onboarding', text, marker: 'onboarding' }, notes: [] });
    if (COMMAND.test(input.prompt)) {
      const kept = await this.#store.op('settings.get', { userId, key: PROFILE });
      await this.#save(userId, { phase: 'offer-redo' });
      const shown = kept ? Object.entries(JSON.parse(kept.value) as Record<string, string>).filter(([, text]) => text) : [];
      const profile = shown.length
        ? shown.map(([file, text]) => `${file}:\n${text}`).join('\n\n')
        : 'Nothing yet: you have not answered the onboarding questions.';
      return reply(`${profile}\n\nReply "redo" to answer the questions again, or ask me anything.`);
    }
    const state = await this.#state(userId);
    if (!state) {
      await this.#save(userId, { phase: 'asking', step: 0, answers: {} });
      return reply(START);
    }
    if (state.phase === 'done' || state.phase === 'skipped') return undefined;
    const next = advance(state, input.prompt, Date.now());
    if (next.write) {
      const profile = profileOf(next.write);
      await this.#store.op('settings.set', { userId, key: PROFILE, value: JSON.stringify(profile) });
      if (userId === this.#ownerId) {
        for (const [file, lines] of Object.entries(profile) as Array<[ProfileFile, string]>) {
          if (!lines) continue;
          const seen = await this.#files.read(file);
          await this.#files.write(file, seen, replaceLabelled(readSection(seen), lines), 'onboarding');
        }
      }
    }
    await this.#save(userId, next.state);
    return next.reply ? reply(next.reply) : undefined;
  }
}
