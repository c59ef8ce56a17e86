// A bounded map whose entries expire: the receiver's memory of task ids it has seen. Bounded in
// both size (oldest entries go first) and age, so a flood of ids cannot grow it without limit.
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expires: number }>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;

  constructor(maxEntries: number, ttlMs: number) {
    this.#maxEntries = maxEntries;
    this.#ttlMs = ttlMs;
  }

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, now = Date.now()): void {
    this.#entries.delete(key); // re-inserted last: Map order is the eviction order
    this.#entries.set(key, { value, expires: now + this.#ttlMs });
    this.#evict(now);
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && entry.expires > now) break;
      this.#entries.delete(key);
    }
  }
}
