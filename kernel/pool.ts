// A pool of instances of one component version. An instance serves one call at a time (jco
// holds a per-instance lock, and a JSPI call suspends mid-way), so concurrent calls spread over
// up to `max` instances and wait in FIFO order beyond that. An instance that fails in a way that
// may have corrupted it is dropped, never reused; the next call gets a fresh one.
import { TitanError } from '../common/errors.ts';

export type PoolStats = { live: number; idle: number; busy: number; waiting: number; created: number; discarded: number; max: number };

type Waiter<T> = { resolve: (instance: T) => void; reject: (error: unknown) => void };

export class InstancePool<T> {
  readonly #create: () => Promise<T>;
  readonly #max: number;
  readonly #idle: T[] = [];
  readonly #waiting: Array<Waiter<T>> = [];
  /** Calls accepted and not finished, waiting ones included: drain waits for this to reach 0. */
  #busy = 0;
  /** Instances that exist or are being created: never more than max. */
  #live = 0;
  #created = 0;
  #discarded = 0;
  #drained: (() => void) | undefined;
  #closed = false;

  constructor(create: () => Promise<T>, max: number) {
    this.#create = create;
    this.#max = Math.max(1, max);
  }

  /** Runs fn on an instance. `shouldDiscard(error, instance)` decides whether a failure poisoned it. */
  async use<R>(fn: (instance: T) => R | Promise<R>, shouldDiscard: (error: unknown, instance: T) => boolean): Promise<R> {
    if (this.#closed) throw new TitanError('TITAN_E_SHUTTING_DOWN', 'this component version was drained and no longer takes calls');
    this.#busy++;
    let instance: T;
    try {
      instance = this.#idle.pop() ?? (await this.#acquireSlow());
    } catch (error) {
      this.#busy--;
      this.#checkDrained();
      throw error;
    }
    let keep = true;
    try {
      return await fn(instance);
    } catch (error) {
      keep = !shouldDiscard(error, instance);
      throw error;
    } finally {
      this.#busy--;
      if (keep) this.#release(instance);
      else this.#discard();
    }
  }

  #acquireSlow(): Promise<T> {
    if (this.#live < this.#max) return this.#spawn();
    return new Promise<T>((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  async #spawn(): Promise<T> {
    this.#live++;
    try {
      const instance = await this.#create();
      this.#created++;
      return instance;
    } catch (error) {
      this.#live--;
      throw error;
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
    this.#serveWaiters();
    this.#checkDrained();
  }

  /** Waiters lose nothing when an instance dies: each gets a fresh one, or the error that stops it. */
  #serveWaiters(): void {
    while (this.#waiting.length > 0 && this.#live < this.#max) {
      const waiter = this.#waiting.shift()!;
      this.#spawn().then(waiter.resolve, (error: unknown) => {
        waiter.reject(error);
        this.#serveWaiters();
      });
    }
  }

  /** Creates instances up to n ahead of demand (swap pre-warms before switching). */
  async warm(n: number): Promise<void> {
    const wanted = Math.min(n, this.#max) - this.#live;
    const fresh = await Promise.all(Array.from({ length: Math.max(0, wanted) }, () => this.#spawn()));
    for (const instance of fresh) this.#release(instance);
  }

  /** Stops taking calls; resolves when none is running or waiting any more, then drops the instances. */
  drain(): Promise<void> {
    this.#closed = true;
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
    if (this.#drained && this.#busy === 0 && this.#waiting.length === 0) {
      const done = this.#drained;
      this.#drained = undefined;
      done();
    }
  }

  stats(): PoolStats {
    // #busy counts waiting calls too; the stats report running and waiting apart.
    return {
      live: this.#live,
      idle: this.#idle.length,
      busy: this.#busy - this.#waiting.length,
      waiting: this.#waiting.length,
      created: this.#created,
      discarded: this.#discarded,
      max: this.#max,
    };
  }
}
