// Background loops (flushers, reapers, later the miners and shadow workers) run under the
// supervisor: a loop that throws is restarted after a backoff that doubles up to a ceiling and
// resets once the loop has stayed up for a while. Stopping aborts every loop and waits for it.
import type { EventBus } from './events.ts';

export type LoopFn = (signal: AbortSignal) => Promise<void>;
export type BackoffOptions = { initialMs?: number; maxMs?: number; stableMs?: number };
export type LoopStatus = { name: string; restarts: number; running: boolean; lastError?: string };

export class Supervisor {
  readonly #bus: EventBus;
  readonly #controller = new AbortController();
  readonly #loops = new Map<string, { status: LoopStatus; done: Promise<void> }>();

  constructor(bus: EventBus) {
    this.#bus = bus;
  }

  run(name: string, loop: LoopFn, options: BackoffOptions = {}): void {
    const status: LoopStatus = { name, restarts: 0, running: true };
    const done = this.#keepAlive(name, loop, status, options);
    this.#loops.set(name, { status, done });
  }

  async #keepAlive(name: string, loop: LoopFn, status: LoopStatus, { initialMs = 100, maxMs = 30000, stableMs = 60000 }: BackoffOptions): Promise<void> {
    const signal = this.#controller.signal;
    let attempt = 0;
    while (!signal.aborted) {
      const started = Date.now();
      try {
        await loop(signal);
        if (signal.aborted) break;
        throw new Error('loop returned while the kernel was running');
      } catch (error) {
        if (signal.aborted) break;
        if (Date.now() - started > stableMs) attempt = 0;
        const delayMs = Math.min(maxMs, initialMs * 2 ** attempt);
        attempt++;
        status.restarts++;
        status.lastError = error instanceof Error ? error.message : String(error);
        this.#bus.emit('supervisor.restarted', { loop: name, attempt, delayMs, error: status.lastError });
        await sleep(delayMs, signal);
      }
    }
    status.running = false;
  }

  status(): LoopStatus[] {
    return [...this.#loops.values()].map((l) => ({ ...l.status }));
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    await Promise.all([...this.#loops.values()].map((l) => l.done));
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
