// Rate limits on what a component says while it runs: log lines and events, one token bucket per
// component version and kind (bursts of twice the rate; every 4 KiB of text costs one token more).
// The buckets live in shared memory the kernel owns: a component's calls inline and in every
// worker thread draw from the same one, so N threads do not give it N times the rate. What
// exceeds the bucket is dropped and counted, and the first drop is reported once.
import type { ComponentIdentity } from '../host-api/index.ts';

export type ChatterKind = 'log' | 'event';
export type ChatterRates = Record<ChatterKind, number>;
export type ChatterDrops = Array<{ slot: string; version: string; kind: ChatterKind; dropped: number }>;

const BYTES_PER_TOKEN = 4096;
/** A full bucket holds this many seconds of the rate. */
const BURST_SECONDS = 2;
const CELL: Record<ChatterKind, number> = { log: 0, event: 1 };

/**
 * A component's buckets: one cell per kind holding the bucket as GCRA keeps it, the wall-clock
 * microsecond at which it would be full again. One compare-and-swap takes tokens: no lock, so a
 * thread terminated mid-call (a time limit) can never leave a bucket held.
 */
export type ChatterCells = BigInt64Array;

export function newChatterCells(): ChatterCells {
  return new BigInt64Array(new SharedArrayBuffer(8 * Object.keys(CELL).length));
}

/** Wall-clock microseconds, comparable across threads (each thread has its own timeOrigin). */
const wallMicros = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));

/** Takes the tokens a message of `bytes` costs from the shared bucket; false: there are not enough. */
export function takeTokens(cells: ChatterCells, kind: ChatterKind, rate: number, bytes: number): boolean {
  if (rate <= 0) return false;
  const perToken = BigInt(Math.max(1, Math.round(1e6 / rate)));
  const cost = BigInt(1 + Math.floor(bytes / BYTES_PER_TOKEN)) * perToken;
  const room = BigInt(Math.round(BURST_SECONDS * rate)) * perToken;
  const index = CELL[kind];
  for (;;) {
    const now = wallMicros();
    const full = Atomics.load(cells, index);
    // BigInts: Math.max takes none. The bucket refills while `full` lies in the past.
    let next = now + cost;
    if (full > now) next = full + cost;
    if (next - now > room) return false;
    if (Atomics.compareExchange(cells, index, full, next) === full) return true;
  }
}

export class ChatterLimiter {
  readonly #rates: ChatterRates;
  readonly #onFirstDrop: (who: string, kind: ChatterKind) => void;
  readonly #cells = new Map<string, ChatterCells>();
  readonly #dropped = new Map<string, number>();

  constructor(rates: ChatterRates, onFirstDrop: (who: string, kind: ChatterKind) => void = () => {}) {
    this.#rates = rates;
    this.#onFirstDrop = onFirstDrop;
  }

  /** The component's shared buckets (a worker task carries them to the thread that runs it). */
  cells(component: ComponentIdentity): ChatterCells {
    const key = identity(component);
    let cells = this.#cells.get(key);
    if (!cells) this.#cells.set(key, (cells = newChatterCells()));
    return cells;
  }

  /** In a worker thread: draws on the kernel's buckets for this component from now on. */
  adopt(component: ComponentIdentity, cells: ChatterCells): void {
    this.#cells.set(identity(component), cells);
  }

  /** Takes the tokens a message of `bytes` costs; false: drop it (it was counted). */
  allow(component: ComponentIdentity, kind: ChatterKind, bytes: number): boolean {
    if (takeTokens(this.cells(component), kind, this.#rates[kind], bytes)) return true;
    this.count(component, kind, 1);
    return false;
  }

  /** Adds drops counted elsewhere (a worker thread's own count). */
  count(component: ComponentIdentity, kind: ChatterKind, dropped: number): void {
    if (dropped <= 0) return;
    const key = `${identity(component)} ${kind}`;
    const before = this.#dropped.get(key) ?? 0;
    if (before === 0) this.#onFirstDrop(`${component.kind}/${component.name}@${component.version}`, kind);
    this.#dropped.set(key, before + dropped);
  }

  drops(): ChatterDrops {
    const out: ChatterDrops = [];
    for (const [key, dropped] of this.#dropped) {
      if (dropped === 0) continue;
      const [slot, version, kind] = key.split(' ');
      out.push({ slot, version, kind: kind as ChatterKind, dropped });
    }
    return out;
  }

  /** Drops counted since the last call, by component and kind (a worker reports these to the kernel). */
  takeDrops(): ChatterDrops {
    const out = this.drops();
    this.#dropped.clear();
    return out;
  }
}

function identity(component: ComponentIdentity): string {
  return `${component.kind}/${component.name} ${component.version}`;
}
