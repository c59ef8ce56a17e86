// After a crash or a kill: the turns the dead process left pending or streaming end as
// interrupted. What the model had said (its streamed text, as far as the event log holds it) stays
// in the thread marked cut off, tool calls it left without a result get one saying so (so the next
// turn does not run them), and a final turn.interrupted event is stored for clients that resume
// their stream. Each turn ends in one store write; the thread takes a new message at once.
import type { EventBus } from '../../kernel/events.ts';
import type { NewMessage, StaleTurn, StoreClient, StoredEvent, StoredMessage } from '../../kernel/store-client.ts';
import { toChatMessages, toolContent, unansweredToolCalls } from './history.ts';
import { CUT_OFF_MARK, cutOff } from './turn.ts';
import type { TurnEvent } from './turn-events.ts';

/** The dead process numbered events it never stored (they flush every 50 ms, and a slow store lets
 * more wait); a client may hold any of those numbers as its resume point. The final event is put
 * this far past the last stored one so every such client still receives it. */
export const RESUME_GAP = 1_000_000;
/** Messages read back per thread to find the turn's own (a thread runs one turn at a time, so the
 * stale turn is among its newest). */
const THREAD_TAIL = 1000;

/** Text of a stored assistant message: plain, or the text part of a tool-calling record. */
function spoken(message: StoredMessage): string {
  const [chat] = toChatMessages([message]);
  return chat?.role === 'assistant' ? String(chat.content ?? '') : '';
}

/** What the turn streamed that no stored message holds: the answer it was writing when it died. */
export function unsavedText(events: StoredEvent[], messages: StoredMessage[]): string {
  const streamed = events
    .filter((e) => e.type === 'text')
    .map((e) => String((JSON.parse(e.data) as { text?: string }).text ?? ''))
    .join('');
  const stored = messages
    .filter((m) => m.role === 'assistant')
    .map(spoken)
    .join('');
  if (!streamed.startsWith(stored)) return '';
  return streamed.slice(stored.length);
}

async function closingMessages(store: StoreClient, turn: StaleTurn, events: StoredEvent[]): Promise<NewMessage[]> {
  const tail = await store.listMessages(turn.thread_id, THREAD_TAIL);
  const mine = tail.filter((m) => m.turn_id === turn.id);
  const messages: NewMessage[] = [];
  const partial = unsavedText(events, mine);
  if (partial.trim() && !mine.some((m) => m.id === `${turn.id}:partial`)) {
    messages.push({ id: `${turn.id}:partial`, role: 'assistant', content: cutOff(partial) });
  }
  for (const call of unansweredToolCalls(toChatMessages(mine))) {
    const error = { code: 'TITAN_E_INTERRUPTED', message: 'Titan stopped before this call finished; it may or may not have run' };
    messages.push({ id: `${turn.id}:${call.id}:result`, role: 'tool', content: toolContent(call.id, call.name, JSON.stringify({ error })) });
  }
  return messages;
}

/** Ends every turn a previous process left running; returns how many. */
export async function recoverTurns(store: StoreClient, bus: EventBus, oneWrite: boolean): Promise<{ interrupted: number }> {
  if (!oneWrite) {
    // A store older than schema 7 has no turns.stale: nothing to find the turns by without a scan.
    return { interrupted: 0 };
  }
  let interrupted = 0;
  const seen = new Set<string>();
  for (;;) {
    const stale = (await store.op('turns.stale', { limit: 200 })).filter((t) => !seen.has(t.id));
    if (stale.length === 0) return { interrupted };
    for (const turn of stale) {
      seen.add(turn.id);
      const events = await store.op('events.list', { turnId: turn.id });
      const messages = await closingMessages(store, turn, events);
      const seq = Math.max(0, ...events.map((e) => Number(e.seq))) + RESUME_GAP;
      const body = { type: 'turn.interrupted', by: 'restart' } as const;
      await store.op('turns.end', {
        threadId: turn.thread_id,
        turnId: turn.id,
        to: 'interrupted',
        error: `TITAN_E_INTERRUPTED: Titan stopped while this turn ran; what it had said is kept, marked ${CUT_OFF_MARK}`,
        messages: messages.map((m) => ({ ...m, turnId: turn.id })),
        events: [{ seq, type: body.type, data: body }],
      });
      bus.emit('turn.event', { ...body, threadId: turn.thread_id, turnId: turn.id, seq, at: Date.now() } satisfies TurnEvent);
      interrupted += 1;
    }
  }
}
