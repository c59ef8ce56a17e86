// Persists a turn's events through the store while it streams, without slowing the stream: events
// are emitted on the bus at once and written in small batches. Consecutive text deltas become one
// text event (drafts keep only their latest state, output deltas merge per call); everything else
// is written as it was. A write that fails after the store's retries becomes a visible warning.
import type { EventBus } from '../../kernel/events.ts';
import type { StoreClient } from '../../kernel/store-client.ts';
import type { TurnEvent, TurnEventBody } from './turn-events.ts';

const FLUSH_MS = 50;

export type StoredTurnEvent = { seq: number; type: string; data: unknown };
type Stored = StoredTurnEvent;

export class TurnEventLog {
  readonly #store: StoreClient;
  readonly #bus: EventBus;
  readonly #threadId: string;
  readonly #turnId: string;
  #seq = 0;
  #pending: Stored[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  get threadId(): string {
    return this.#threadId;
  }

  get turnId(): string {
    return this.#turnId;
  }

  constructor(store: StoreClient, bus: EventBus, threadId: string, turnId: string, startSeq = 0) {
    this.#store = store;
    this.#bus = bus;
    this.#threadId = threadId;
    this.#turnId = turnId;
    this.#seq = startSeq;
  }

  /** Emits the event on the bus now, and queues it for the store. */
  emit(body: TurnEventBody): TurnEvent {
    const event = this.prepare(body);
    this.#bus.emit('turn.event', event);
    this.#queue(event);
    return event;
  }

  /** Numbers an event without sending or queueing it: a turn's final events are written with its
   * end (one transaction) and published only once that committed. */
  prepare(body: TurnEventBody): TurnEvent {
    return { ...body, threadId: this.#threadId, turnId: this.#turnId, seq: ++this.#seq, at: Date.now() } as TurnEvent;
  }

  /** Sends a prepared event on the bus (its row was written by the caller). */
  publish(event: TurnEvent): void {
    this.#bus.emit('turn.event', event);
  }

  /** Queues a prepared event for the store without sending it (the turn's end could not write it). */
  keep(event: TurnEvent): void {
    this.#queue(event);
  }

  /** What is queued and not yet written, to go with the turn's end; `written` drops it once committed. */
  unwritten(): StoredTurnEvent[] {
    return this.#pending.map((e) => ({ ...e, data: structuredClone(e.data) }));
  }

  /** Drops queued events up to `seq`: the turn's end wrote them. */
  written(seq: number): void {
    this.#pending = this.#pending.filter((e) => e.seq > seq);
  }

  /** The row a prepared event is stored as. */
  static row(event: TurnEvent): StoredTurnEvent {
    const { threadId: _t, turnId: _u, seq, at: _a, ...body } = event;
    return { seq, type: body.type, data: { ...body } };
  }

  #queue(event: TurnEvent): void {
    const { threadId: _t, turnId: _u, seq, at: _a, ...body } = event;
    const last = this.#pending.at(-1);
    if (last && body.type === 'text' && last.type === 'text') {
      (last.data as { text: string }).text += body.text;
    } else if (last && body.type === 'tool.draft' && last.type === 'tool.draft' && (last.data as { index: number }).index === body.index) {
      last.data = body;
    } else if (
      last &&
      body.type === 'tool.output' &&
      last.type === 'tool.output' &&
      (last.data as { callId: string; stream: string }).callId === body.callId &&
      (last.data as { stream: string }).stream === body.stream
    ) {
      (last.data as { text: string }).text += body.text;
    } else {
      this.#pending.push({ seq, type: body.type, data: { ...body } });
    }
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is queued; resolves when it is committed (or the failure was reported). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return this.#writing;
    this.#writing = this.#writing.then(async () => {
      try {
        await this.#store.op('events.append', { turnId: this.#turnId, events: batch });
      } catch (error) {
        this.#bus.emit('kernel.warning', { message: `events of turn ${this.#turnId} were not saved: ${(error as Error).message}` });
      }
    });
    return this.#writing;
  }
}
