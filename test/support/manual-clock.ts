// A clock for routines that moves only when a test moves it: timers fire at their own times on the
// way, so a test of a schedule never sleeps and never flakes.
import type { Clock } from '../../agent/api.ts';

export class ManualClock implements Clock {
  #timers: Array<{ at: number; fn: () => void }> = [];
  t: number;

  constructor(t: number) {
    this.t = t;
  }

  now = (): number => this.t;

  setTimer = (fn: () => void, ms: number): (() => void) => {
    const timer = { at: this.t + ms, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((x) => x !== timer);
    };
  };

  /** Moves to `to`, firing each timer due on the way at its own time. */
  async advance(to: number): Promise<void> {
    for (;;) {
      const due = this.#timers.filter((x) => x.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.t = to;
  }
}
