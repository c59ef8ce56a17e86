// Turn events for the streams (SSE and WebSocket): one bus subscription fans out to the clients of
// each thread, and a short history of recent events makes a resumed stream exact. The store keeps
// every event too, but merges text deltas into one event per flush and lags by its flush interval;
// so a resume point the history still holds is replayed from memory, event for event, and older
// ones are replayed from the store (where a run of text resumes at the next stored event).
import { TitanError } from '../common/errors.ts';
import type { Kernel } from '../kernel/api.ts';
import type { TurnEvent } from '../agent/api.ts';

export type EventCursor = { turnId: string; seq: number };
type Listener = (event: TurnEvent) => void;
type TurnHistory = { threadId: string; firstSeq: number; events: TurnEvent[]; bytes: number; endedAt: number | undefined };
type StoredEvent = { seq: number | string; type: string; data: string; created_at: number | string };

const TERMINAL = new Set(['turn.completed', 'turn.failed', 'turn.interrupted']);
/** Thread messages read back when looking for the turns after a resume point. */
const MAX_SCAN = 5000;

export const cursorOf = (event: { turnId: string; seq: number }) => `${event.turnId}:${event.seq}`;

/** "<turnId>:<seq>" as sent in SSE `id:` lines; anything else is refused. */
export function parseCursor(text: string): EventCursor {
  const at = text.lastIndexOf(':');
  const turnId = text.slice(0, at);
  const seq = Number(text.slice(at + 1));
  if (at <= 0 || !/^[A-Za-z0-9_.-]{1,128}$/.test(turnId) || !Number.isSafeInteger(seq) || seq < 0) {
    // A long value is not echoed: whatever a client sends in a header stays out of the answer.
    const shown = text.length <= 64 ? `"${text}"` : `a value of ${text.length} characters`;
    throw new TitanError('TITAN_E_INVALID_REQUEST', `${shown} is not an event id (<turnId>:<seq>)`);
  }
  return { turnId, seq };
}

/** The history's budget: bytes of its events as sent (their JSON), and how long an ended turn stays. */
export type FeedLimits = { maxBytes: number; endedTtlMs: number };

export class EventFeed {
  readonly #kernel: Kernel;
  readonly #limits: FeedLimits;
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Recent turns in the order they were first seen. */
  readonly #history = new Map<string, TurnHistory>();
  /** Turns too long to keep: their replay comes from the store. */
  readonly #skipped = new Set<string>();
  #buffered = 0;
  #bytes = 0;
  readonly #off: () => void;

  constructor(kernel: Kernel, limits: Partial<FeedLimits> = {}) {
    this.#kernel = kernel;
    // A reconnect after a dropped connection comes within seconds; older resume points are replayed
    // from the store. 1 MB (about 3,000 short turns, or one long answer) and 2 minutes: held longer,
    // the events were long-lived objects among the turns' garbage, and the process's RSS grew 28 MB
    // over 6,000 turns holding 20,000 of them.
    this.#limits = { maxBytes: 1 << 20, endedTtlMs: 2 * 60_000, ...limits };
    this.#off = kernel.bus.on('turn.event', (event) => this.#onEvent(event));
  }

  #onEvent(event: TurnEvent): void {
    this.#remember(event);
    const listeners = this.#listeners.get(event.threadId);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#kernel.logger.warn({ err: error }, 'a gateway event stream failed');
      }
    }
  }

  #remember(event: TurnEvent): void {
    if (this.#skipped.has(event.turnId)) return;
    let turn = this.#history.get(event.turnId);
    if (!turn) this.#history.set(event.turnId, (turn = { threadId: event.threadId, firstSeq: event.seq, events: [], bytes: 0, endedAt: undefined }));
    const bytes = JSON.stringify(event).length;
    turn.events.push(event);
    turn.bytes += bytes;
    this.#buffered += 1;
    this.#bytes += bytes;
    if (TERMINAL.has(event.type)) turn.endedAt = Date.now();
    this.#evict();
  }

  /** Oldest turns go first: ended ones past their time, then any while over the byte budget. */
  #evict(): void {
    const now = Date.now();
    for (const [turnId, turn] of this.#history) {
      const expired = turn.endedAt !== undefined && now - turn.endedAt > this.#limits.endedTtlMs;
      if (!expired && this.#bytes <= this.#limits.maxBytes) break;
      this.#history.delete(turnId);
      this.#buffered -= turn.events.length;
      this.#bytes -= turn.bytes;
      if (turn.endedAt === undefined) this.#skipped.add(turnId);
    }
    if (this.#skipped.size > 10_000) this.#skipped.clear();
  }

  subscribe(threadId: string, listener: Listener): () => void {
    let set = this.#listeners.get(threadId);
    if (!set) this.#listeners.set(threadId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(threadId) === set) this.#listeners.delete(threadId);
    };
  }

  /** Events held for resumes. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Their size as sent (at most maxBytes once the oldest turns are let go). */
  get bytes(): number {
    return this.#bytes;
  }

  get clients(): number {
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }

  /** Every event of `threadId` after `after`: the rest of that turn, then the turns that followed it. */
  async replay(threadId: string, after: EventCursor): Promise<TurnEvent[]> {
    const turn = await this.#kernel.store.op('turns.get', { id: after.turnId }).catch((error: unknown) => {
      if (error instanceof TitanError && error.code === 'TITAN_E_NOT_FOUND') return undefined;
      throw error;
    });
    if (turn?.thread_id !== threadId) {
      throw new TitanError('TITAN_E_INVALID_REQUEST', `the event id names no turn of thread ${threadId}`, { fix: 'reconnect without Last-Event-ID' });
    }
    const replayed: TurnEvent[] = [];
    for (const turnId of await this.#turnsFrom(threadId, after.turnId)) {
      const from = turnId === after.turnId ? after.seq : 0;
      const held = this.#history.get(turnId);
      if (held && from >= held.firstSeq - 1) {
        replayed.push(...held.events.filter((e) => e.seq > from));
        continue;
      }
      const rows = await this.#kernel.store.op('events.list', { turnId, afterSeq: from });
      const stored = rows.map((row) => storedEvent(row, threadId, turnId)).filter((e) => !held || e.seq < held.firstSeq);
      replayed.push(...stored, ...(held?.events ?? []));
    }
    return replayed;
  }

  /** `first` and the turns after it, oldest first. Turns of a thread run one at a time, so their
   * messages do not interleave: reading back from the newest, the turns met before `first` follow it. */
  async #turnsFrom(threadId: string, first: string): Promise<string[]> {
    const later: string[] = [];
    let before: number | undefined;
    let seenFirst = false;
    for (let scanned = 0; scanned < MAX_SCAN; ) {
      const page = await this.#kernel.store.listMessages(threadId, 200, before);
      if (page.length === 0) break;
      scanned += page.length;
      for (let i = page.length - 1; i >= 0; i--) {
        const turnId = page[i].turn_id;
        if (!turnId) continue;
        if (turnId === first) seenFirst = true;
        else if (seenFirst) return [first, ...later.reverse()];
        else if (later.at(-1) !== turnId) later.push(turnId);
      }
      before = Number(page[0].pos);
    }
    return [first, ...later.reverse()];
  }

  close(): void {
    this.#off();
    this.#listeners.clear();
    this.#history.clear();
    this.#buffered = 0;
    this.#bytes = 0;
  }
}

function storedEvent(row: StoredEvent, threadId: string, turnId: string): TurnEvent {
  const data = JSON.parse(row.data) as Record<string, unknown>;
  return { ...data, type: row.type, threadId, turnId, seq: Number(row.seq), at: Number(row.created_at) } as TurnEvent;
}

/**
 * One client's view of a thread: live events, after (when resuming) the events it missed - each
 * event once, in order. Subscribes before reading what it missed, so nothing falls in between.
 */
export async function openStream(feed: EventFeed, threadId: string, after: EventCursor | undefined, send: Listener): Promise<() => void> {
  const sent = new Map<string, number>();
  const deliver = (event: TurnEvent) => {
    if ((sent.get(event.turnId) ?? 0) >= event.seq) return;
    sent.set(event.turnId, event.seq);
    send(event);
  };
  let waiting: TurnEvent[] | undefined = after ? [] : undefined;
  const off = feed.subscribe(threadId, (event) => (waiting ? waiting.push(event) : deliver(event)));
  if (!after) return off;
  sent.set(after.turnId, after.seq);
  try {
    for (const event of await feed.replay(threadId, after)) deliver(event);
  } catch (error) {
    off();
    throw error;
  }
  const live = waiting ?? [];
  waiting = undefined;
  for (const event of live) deliver(event);
  return off;
}
