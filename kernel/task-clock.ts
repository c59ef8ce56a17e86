// The time limit of one worker call, kept without a message per call: the worker writes the
// moment its guest code began into a shared cell, and the kernel's timer reads it when it fires.
// A cold worker (thread start, compile, instantiate) is not charged to the component, nor is the
// time a call waits on a nested tool call (which has its own limit).

/** Wall-clock microseconds, comparable across threads (each thread has its own timeOrigin). */
export function wallMicros(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

const wallMs = () => performance.timeOrigin + performance.now();

export class TaskClock {
  /** 0 until the worker stores the wall-clock microsecond its guest code began. */
  readonly started = new BigInt64Array(new SharedArrayBuffer(8));
  readonly #coldUntil: number;
  readonly #expire: () => void;
  #left: number;
  #running = false;
  #since = 0;
  #paused = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(limitMs: number, coldLimitMs: number, expire: () => void) {
    this.#left = limitMs;
    this.#coldUntil = wallMs() + coldLimitMs;
    this.#expire = expire;
    this.#arm(Math.min(limitMs, coldLimitMs));
  }

  #startedAt(): number | undefined {
    const micros = Atomics.load(this.started, 0);
    return micros === 0n ? undefined : Number(micros) / 1000;
  }

  #arm(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#check(), Math.max(0, ms));
  }

  #check(): void {
    if (this.#paused > 0) return;
    const now = wallMs();
    if (!this.#running) {
      const at = this.#startedAt();
      if (at === undefined) {
        if (now >= this.#coldUntil) return this.#expire();
        return this.#arm(Math.min(this.#left, this.#coldUntil - now));
      }
      this.#running = true;
      this.#since = at;
    }
    const remaining = this.#left - (now - this.#since);
    if (remaining <= 0) return this.#expire();
    this.#arm(remaining);
  }

  pause(): void {
    if (this.#paused++ > 0) return;
    clearTimeout(this.#timer);
    const now = wallMs();
    if (!this.#running) {
      this.#running = true;
      this.#since = this.#startedAt() ?? now;
    }
    this.#left -= now - this.#since;
  }

  resume(): void {
    if (--this.#paused > 0) return;
    this.#since = wallMs();
    this.#arm(this.#left);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
