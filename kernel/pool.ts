// A pool of instances of one component version. An instance serves one call at a time (jco
// holds a per-instance lock, and a JSPI call suspends mid-way), so concurrent calls spread over
// up to `max` instances and wait in FIFO order beyond that. An instance that fails in a way that
// may have corrupted it is dropped, never reused; the next call gets a fresh one.

export type PoolStats = { live: number; idle: number; busy: number; waiting: number; created: number; discarded: number; max: number };

export class InstancePool<T> {
  readonly #create: () => Promise<T>;
  readonly #max: number;
  readonly #idle: T[] = [];
  readonly #waiting: Array<{ resolve: (instance: T) => void; reject: (error: unknown) => void }> = [];
  #busy = 0;
  /** Instances that exist or are being created: never more than max. */
  #live = 0;
  #creating = 0;
  #created = 0;
  #discarded = 0;
  #drained: (() => void) | undefined;

  constructor(create: () => Promise<T>, max: number) {
    this.#create = create;
    this.#max = Math.max(1, max);
  }

  /**
   * Runs fn on an instance. `shouldDiscard(error)` decides whether a failure poisoned it.
   * The first call on a pool with an idle instance takes no extra turn of the event loop.
   */
  async use<R>(fn: (instance: T) => R | Promise<R>, shouldDiscard: (error: unknown) => boolean): Promise<R> {
    const instance = this.#idle.pop() ?? (await this.#acquireSlow());
    this.#busy++;
    let keep = true;
    try {
      return await fn(instance);
    } catch (error) {
      keep = !shouldDiscard(error);
      throw error;
    } finally {
      this.#busy--;
      if (keep) this.#release(instance);
      else this.#discard();
    }
  }

  async #acquireSlow(): Promise<T> {
    if (this.#live < this.#max) return this.#spawn();
    return new Promise<T>((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  async #spawn(): Promise<T> {
    this.#live++;
    this.#creating++;
    try {
      const instance = await this.#create();
      this.#created++;
      return instance;
    } catch (error) {
      this.#live--;
      throw error;
    } finally {
      this.#creating--;
    }
  }

  #release(instance: T): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter.resolve(instance);
    else this.#idle.push(instance);
    this.#checkDrained();
  }

  #discard(): void {
    this.#live--;
    this.#discarded++;
    const waiter = this.#waiting.shift();
    // A waiter loses nothing when an instance dies: it gets a fresh one.
    if (waiter) this.#spawn().then(waiter.resolve, waiter.reject);
    this.#checkDrained();
  }

  /** Creates instances up to n ahead of demand (swap pre-warms before switching). */
  async warm(n: number): Promise<void> {
    const wanted = Math.min(n, this.#max) - this.#live;
    const fresh = await Promise.all(Array.from({ length: Math.max(0, wanted) }, () => this.#spawn()));
    for (const instance of fresh) this.#release(instance);
  }

  /** Resolves when no call is running any more; then the idle instances are dropped. */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      this.#drained = () => {
        this.#live -= this.#idle.length;
        this.#idle.length = 0;
        resolve();
      };
      this.#checkDrained();
    });
  }

  #checkDrained(): void {
    if (this.#drained && this.#busy === 0 && this.#creating === 0 && this.#waiting.length === 0) {
      const done = this.#drained;
      this.#drained = undefined;
      done();
    }
  }

  stats(): PoolStats {
    return { live: this.#live, idle: this.#idle.length, busy: this.#busy, waiting: this.#waiting.length, created: this.#created, discarded: this.#discarded, max: this.#max };
  }
}
