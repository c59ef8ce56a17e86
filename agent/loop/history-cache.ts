// The recent messages of the threads that had turns lately, so a turn reads only what is new in its
// thread: the last few messages, matched against what is kept, rather than the whole history
// (200 messages by default) through the store on every model request. Messages are never edited
// and leave only with their whole thread, and `pos` never repeats: a short window overlapping the
// kept tail row for row proves the tail current; anything else (a deleted and re-created thread,
// more new messages than the window) reads the full history again.
import type { StoredMessage } from '../../components/stores/ops.ts';
import type { StoreClient } from '../../kernel/store-client.ts';

/** How many of the latest messages a turn reads when its thread's history is kept. */
export const WINDOW = 16;
/** A history at its limit drops its oldest messages this share of the limit at a time. */
const DROP_SHARE = 4;
/** Threads kept at most, and the characters of content over all of them (the least recent go first). */
const MAX_THREADS = 64;
const MAX_CHARS = 4_000_000;

/** `start`: the pos of the first message the thread's last model request began with. */
type Kept = { rows: StoredMessage[]; chars: number; start?: number };

/** A thread's latest messages read with the turn's start (turns.begin), `limit` of them asked for. */
export type Recent = { rows: StoredMessage[]; limit: number };

export class HistoryCache {
  readonly #store: StoreClient;
  /** By thread id, least recently read first (a Map keeps insertion order). */
  readonly #threads = new Map<string, Kept>();
  #chars = 0;

  constructor(store: StoreClient) {
    this.#store = store;
  }

  /** How many of the thread's latest messages a turn starting now should read with its start (`recent`). */
  wants(threadId: string, limit: number): number {
    return this.#threads.has(threadId) && limit > WINDOW ? WINDOW : limit;
  }

  /**
   * The thread's latest `limit` messages, oldest first (what `messages.list` answers). `recent`:
   * what the turn's start read; the store is asked only when they cannot tell the history.
   */
  async read(threadId: string, limit: number, recent?: Recent): Promise<StoredMessage[]> {
    // All the thread has, or as many as asked: they are the history.
    if (recent && (recent.rows.length < recent.limit || recent.limit >= limit)) return this.#keep(threadId, recent.rows.slice(-limit));
    const kept = this.#threads.get(threadId);
    if (kept && limit > WINDOW) {
      const latest = recent?.limit === WINDOW ? recent.rows : await this.#store.listMessages(threadId, WINDOW);
      const merged = extend(kept.rows, latest, limit);
      if (merged) return this.#keep(threadId, merged);
    }
    return this.#keep(threadId, await this.#store.listMessages(threadId, limit));
  }

  /**
   * The history a model request starts from: the thread's latest `limit` messages, from the same
   * first message as the last request for as long as they fit, then a quarter of the limit fewer
   * at once. A request then begins as the last one did (a provider's prompt cache and the provider
   * component's encoding of the history are reused); sliding one message a turn changed its start
   * on every turn. It never begins with a tool's result whose call was cut off.
   */
  async window(threadId: string, limit: number, recent?: Recent): Promise<StoredMessage[]> {
    const start = this.#threads.get(threadId)?.start;
    const rows = await this.read(threadId, limit, recent);
    let from = start === undefined ? -1 : rows.findIndex((row) => row.pos === start);
    if (from < 0) from = rows.length < limit ? 0 : Math.floor(limit / DROP_SHARE);
    while (from < rows.length && rows[from].role === 'tool') from++;
    const kept = this.#threads.get(threadId);
    if (kept) kept.start = rows[from]?.pos;
    return from === 0 ? rows : rows.slice(from);
  }

  #keep(threadId: string, rows: StoredMessage[]): StoredMessage[] {
    const start = this.#threads.get(threadId)?.start;
    this.#drop(threadId);
    const chars = rows.reduce((sum, row) => sum + row.content.length, 0);
    if (chars > MAX_CHARS) return rows;
    this.#threads.set(threadId, { rows, chars, start });
    this.#chars += chars;
    for (const [id] of this.#threads) {
      if (this.#threads.size <= MAX_THREADS && this.#chars <= MAX_CHARS) break;
      this.#drop(id);
    }
    // Callers get their own array: what they do to it never changes what is kept.
    return rows.slice();
  }

  #drop(threadId: string): void {
    const kept = this.#threads.get(threadId);
    if (!kept) return;
    this.#threads.delete(threadId);
    this.#chars -= kept.chars;
  }
}

/**
 * The kept rows followed by what `recent` adds, the last `limit` of them; undefined unless `recent`
 * starts inside the kept rows and agrees with them row for row up to their end.
 */
export function extend(kept: readonly StoredMessage[], recent: readonly StoredMessage[], limit: number): StoredMessage[] | undefined {
  if (recent.length === 0) return kept.length === 0 ? [] : undefined;
  const start = kept.findIndex((row) => row.pos === recent[0].pos);
  if (start < 0) return undefined;
  const overlap = kept.length - start;
  if (overlap > recent.length) return undefined;
  for (let i = 0; i < overlap; i++) if (kept[start + i].id !== recent[i].id) return undefined;
  return [...kept, ...recent.slice(overlap)].slice(-limit);
}
