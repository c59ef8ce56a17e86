// Which reflex (or the shadow cache) answered a turn, for "ask the model instead": remembered for
// the newest turns of this run, else read back from the stored answer's marker (reflex:<name>@<version>).
import type { StoreClient } from '../../kernel/store-client.ts';

export type AnsweredTurn = { source: 'reflex' | 'shadow'; name?: string; prompt: string; threadId: string };

/** Turns remembered: a reflex that answers every turn would otherwise add one entry per turn for as long as the process runs. */
export const REMEMBERED = 1000;

export class AnsweredTurns {
  readonly #store: StoreClient;
  readonly #known = new Map<string, AnsweredTurn>();

  constructor(store: StoreClient) {
    this.#store = store;
  }

  set(turnId: string, answered: AnsweredTurn): void {
    this.#known.delete(turnId);
    this.#known.set(turnId, answered);
    if (this.#known.size > REMEMBERED) this.#known.delete(this.#known.keys().next().value as string);
  }

  get size(): number {
    return this.#known.size;
  }

  /** In this run, among the newest turns only. */
  get(turnId: string): AnsweredTurn | undefined {
    return this.#known.get(turnId);
  }

  delete(turnId: string): void {
    this.#known.delete(turnId);
  }

  /** Remembered in this run, else read from the stored message. */
  async find(turnId: string): Promise<AnsweredTurn | undefined> {
    const known = this.#known.get(turnId);
    if (known) return known;
    let turn: { thread_id: string };
    try {
      turn = await this.#store.op('turns.get', { id: turnId });
    } catch {
      return undefined;
    }
    const rows = (await this.#store.listMessages(turn.thread_id, 1000)).filter((m) => m.turn_id === turnId);
    const answer = rows.find((m) => m.source);
    const prompt = rows.find((m) => m.role === 'user')?.content;
    if (!answer?.source || !prompt) return undefined;
    const reflex = /^reflex:([\w-]+)@/.exec(answer.source);
    return { source: reflex ? 'reflex' : 'shadow', name: reflex?.[1], prompt, threadId: turn.thread_id };
  }
}
