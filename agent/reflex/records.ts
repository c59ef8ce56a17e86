// Reflex records as the store keeps them (reflex_patterns + reflex_stats), and the completed
// turns the miner reads back from the store as observed turns.
import type { ReflexRecord } from '../../components/stores/ops.ts';
import type { StoreClient } from '../../kernel/store-client.ts';
import type { ObservedTurn } from './miner.ts';

export type { ReflexRecord, ReflexState } from '../../components/stores/ops.ts';

export const loadRecords = (store: StoreClient) => store.op('reflexes.list');
export const saveRecord = (store: StoreClient, record: ReflexRecord) => store.op('reflexes.save', { record });
export const deleteRecord = (store: StoreClient, id: string) => store.op('reflexes.delete', { id });

/** The model's recent completed turns: prompt, tool calls with arguments and results, final answer. */
export async function observedTurns(store: StoreClient, limit = 1000): Promise<ObservedTurn[]> {
  const turnIds = (await store.op('reflexes.recent', { limit })).map((t) => t.id);
  // By the same ids: a turn that completes meanwhile is in neither.
  return turnIds.length === 0 ? [] : turnsByIds(store, turnIds);
}

/**
 * The model's recent completed turns as each mining run reads them: a completed turn never changes,
 * so a run reads from the store only the turns the last one did not see (a busy server mines about
 * once a second, and read the messages and tool calls of its last 1,000 turns each time). Holds
 * the turns of the last run only; a deleted thread's turns leave the window with their ids.
 */
export class ObservedWindow {
  readonly #store: StoreClient;
  readonly #limit: number;
  /** Turn id -> the turn, or null for one the miner skips (failed, or without a prompt or answer). */
  #known = new Map<string, ObservedTurn | null>();
  /** How many turns the last read took from the store. */
  lastRead = 0;

  constructor(store: StoreClient, limit = 1000) {
    this.#store = store;
    this.#limit = limit;
  }

  /** The recent turns, oldest first. */
  async read(): Promise<ObservedTurn[]> {
    const ids = (await this.#store.op('reflexes.recent', { limit: this.#limit })).map((t) => t.id).reverse();
    const unseen = ids.filter((id) => !this.#known.has(id));
    const read = new Map((unseen.length === 0 ? [] : await turnsByIds(this.#store, unseen)).map((t) => [t.turnId, t]));
    const known = new Map<string, ObservedTurn | null>();
    for (const id of ids) known.set(id, this.#known.get(id) ?? read.get(id) ?? null);
    this.#known = known;
    this.lastRead = unseen.length;
    return [...known.values()].filter((t): t is ObservedTurn => t !== null);
  }
}

/** One completed turn the model answered, by its id (undefined: it failed, or has no prompt or answer). */
export async function observedTurn(store: StoreClient, turnId: string): Promise<ObservedTurn | undefined> {
  return (await turnsByIds(store, [turnId]))[0];
}

async function turnsByIds(store: StoreClient, turnIds: string[]): Promise<ObservedTurn[]> {
  const [messages, calls] = await Promise.all([store.op('reflexes.messages', { turnIds }), store.op('reflexes.calls', { turnIds })]);
  const byTurn = new Map<string, ObservedTurn & { failed: boolean }>();
  for (const m of messages) {
    let turn = byTurn.get(m.turn_id);
    if (!turn) byTurn.set(m.turn_id, (turn = { turnId: m.turn_id, prompt: '', calls: [], answer: '', failed: false }));
    if (m.role === 'user' && !turn.prompt) turn.prompt = m.content;
    // The final answer is the last assistant message; one that called tools is a JSON record.
    if (m.role === 'assistant') turn.answer = m.content.startsWith('{"titan":') ? '' : m.content;
  }
  for (const c of calls) {
    const turn = byTurn.get(c.turn_id);
    if (!turn) continue;
    if (c.status !== 'completed' || c.result === null) {
      turn.failed = true;
      continue;
    }
    try {
      turn.calls.push({ tool: c.tool, args: JSON.parse(c.arguments || '{}') as Record<string, unknown>, result: c.result });
    } catch {
      turn.failed = true;
    }
  }
  return [...byTurn.values()].filter((t) => !t.failed && t.prompt && t.answer).map(({ failed: _failed, ...turn }) => turn);
}
