// Reflex records as the store keeps them (reflex_patterns + reflex_stats), and the completed
// turns the miner reads back from the store as observed turns.
import type { ReflexSpec } from '../../components/reflexes/runtime.js';
import type { StoreClient } from '../../kernel/store-client.ts';
import type { ObservedTurn } from './miner.ts';

/**
 * building: compiled and guarded in the background; awaiting_approval: its patch waits for a human;
 * serving: the router asks it; suspended: kept, not asked (rejections, a tool's new version, a
 * disagreement with the model, or by hand); discarded: failed to build, its smoke test or its guard.
 */
export type ReflexState = 'building' | 'awaiting_approval' | 'serving' | 'suspended' | 'discarded';

export type ReflexRecord = {
  id: string;
  name: string;
  version: string | null;
  state: ReflexState;
  description: string;
  example: string;
  slots: string[];
  spec: ReflexSpec;
  /** "reflex/<name>@<version>" once published. */
  component: string | null;
  /** The turn ids it was compiled from. */
  provenance: string[];
  /** Why it is suspended or discarded. */
  reason: string | null;
  /** Digest of each tool it calls, when it was compiled: another digest serving suspends it. */
  tools: Record<string, string>;
  centroid: number[];
  hits: number;
  misses: number;
  rejections: number;
  suspensions: number;
  modelCallsAvoided: number;
  createdAt: number;
  updatedAt: number;
};

export const loadRecords = (store: StoreClient) => store.request<ReflexRecord[]>('reflexes.list');
export const saveRecord = (store: StoreClient, record: ReflexRecord) => store.request<{ saved: string }>('reflexes.save', { record });
export const deleteRecord = (store: StoreClient, id: string) => store.request<{ deleted: string }>('reflexes.delete', { id });

type TurnRows = {
  messages: Array<{ turn_id: string; role: string; content: string }>;
  calls: Array<{ id: string; turn_id: string; tool: string; arguments: string; status: string; result: string | null }>;
};

/** The model's recent completed turns: prompt, tool calls with arguments and results, final answer. */
export async function observedTurns(store: StoreClient, limit = 1000): Promise<ObservedTurn[]> {
  const rows = await store.request<TurnRows>('reflexes.turns', { limit });
  const byTurn = new Map<string, ObservedTurn & { failed: boolean }>();
  for (const m of rows.messages) {
    let turn = byTurn.get(m.turn_id);
    if (!turn) byTurn.set(m.turn_id, (turn = { turnId: m.turn_id, prompt: '', calls: [], answer: '', failed: false }));
    if (m.role === 'user' && !turn.prompt) turn.prompt = m.content;
    // The final answer is the last assistant message; one that called tools is a JSON record.
    if (m.role === 'assistant') turn.answer = m.content.startsWith('{"titan":') ? '' : m.content;
  }
  for (const c of rows.calls) {
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
