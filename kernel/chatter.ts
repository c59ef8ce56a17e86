// Rate limits on what a component says while it runs: log lines and events, one token bucket per
// component version and kind (bursts of twice the rate; every 4 KiB of text costs one token more).
// What exceeds the bucket is dropped and counted, and the first drop is reported once.
import type { ComponentIdentity } from '../host-api/index.ts';

export type ChatterKind = 'log' | 'event';
export type ChatterRates = Record<ChatterKind, number>;
export type ChatterDrops = Array<{ slot: string; version: string; kind: ChatterKind; dropped: number }>;

const BYTES_PER_TOKEN = 4096;

type Bucket = { tokens: number; at: number; dropped: number };

export class ChatterLimiter {
  readonly #rates: ChatterRates;
  readonly #onFirstDrop: (who: string, kind: ChatterKind) => void;
  readonly #buckets = new Map<string, Bucket>();

  constructor(rates: ChatterRates, onFirstDrop: (who: string, kind: ChatterKind) => void = () => {}) {
    this.#rates = rates;
    this.#onFirstDrop = onFirstDrop;
  }

  /** Takes the tokens a message of `bytes` costs; false: drop it (it was counted). */
  allow(component: ComponentIdentity, kind: ChatterKind, bytes: number): boolean {
    const bucket = this.#bucket(component, kind);
    const rate = this.#rates[kind];
    const now = performance.now();
    bucket.tokens = Math.min(2 * rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    const cost = 1 + Math.floor(bytes / BYTES_PER_TOKEN);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return true;
    }
    this.count(component, kind, 1);
    return false;
  }

  /** Adds drops counted elsewhere (a worker thread's own limiter). */
  count(component: ComponentIdentity, kind: ChatterKind, dropped: number): void {
    if (dropped <= 0) return;
    const bucket = this.#bucket(component, kind);
    if (bucket.dropped === 0) this.#onFirstDrop(`${component.kind}/${component.name}@${component.version}`, kind);
    bucket.dropped += dropped;
  }

  drops(): ChatterDrops {
    const out: ChatterDrops = [];
    for (const [key, bucket] of this.#buckets) {
      if (bucket.dropped === 0) continue;
      const [slot, version, kind] = key.split(' ');
      out.push({ slot, version, kind: kind as ChatterKind, dropped: bucket.dropped });
    }
    return out;
  }

  /** Drops counted since the last call, by component and kind (a worker reports these to the kernel). */
  takeDrops(): ChatterDrops {
    const out = this.drops();
    for (const bucket of this.#buckets.values()) bucket.dropped = 0;
    return out;
  }

  #bucket(component: ComponentIdentity, kind: ChatterKind): Bucket {
    const key = `${component.kind}/${component.name} ${component.version} ${kind}`;
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = { tokens: 2 * this.#rates[kind], at: performance.now(), dropped: 0 }));
    return bucket;
  }
}
