// Task round trips as seen by the sender (send to result): the last samples for p50/p99 in
// `titan mesh status`, and listeners (the gateway's Prometheus histogram).
const KEEP = 4096;

export class RoundTrips {
  readonly #samples: number[] = [];
  #next = 0;
  #count = 0;
  readonly #listeners = new Set<(ms: number) => void>();

  record(ms: number): void {
    if (this.#samples.length < KEEP) this.#samples.push(ms);
    else this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % KEEP;
    this.#count++;
    for (const listener of this.#listeners) listener(ms);
  }

  onSample(listener: (ms: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  summary(): { count: number; p50Ms: number | null; p99Ms: number | null } {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3)) : null);
    return { count: this.#count, p50Ms: at(0.5), p99Ms: at(0.99) };
  }
}
