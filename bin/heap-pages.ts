// Gives V8's freed heap pages back to the system on a busy server. V8 keeps the pages a collection
// freed (pooled, still resident) until a memory-reducing collection, which it starts on its own only
// when the isolate idles: a server answering turn after turn held the high-water mark of its JS heap
// for good (a 110 MB peak stayed resident after gc() and 15 s idle; the HTTP soak's RSS rose 29% over
// 10,000 turns while its live heap stayed flat). A last-resort collection gives them back in about
// 10-50 ms of CPU; it is asked for only when the pooled pages grew by POOLED_MB since the last one.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';

const MB = 2 ** 20;
/** V8's regular heap page. */
const PAGE = 256 * 1024;
/** Pooled pages added since the last release that ask for the next. */
export const POOLED_MB = 16;
const EVERY_MS = 60_000;

/** Resident bytes of the process's anonymous read-write mappings of one V8 page each (every isolate's). */
export function residentPages(smaps: string): number {
  let kb = 0;
  for (const page of smaps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0 *\n(?:(?!Rss:).*\n)*?Rss:\s+(\d+) kB/gm))
    if (Number.parseInt(page[2] as string, 16) - Number.parseInt(page[1] as string, 16) === PAGE) kb += Number(page[3]);
  return kb * 1024;
}

/** Bytes the heap's spaces on regular pages hold (code and large objects live in mappings of their own). */
function spacesOnPages(): number {
  return v8
    .getHeapSpaceStatistics()
    .filter((s) => !s.space_name.includes('large_object') && !s.space_name.startsWith('code') && s.space_name !== 'read_only_space')
    .reduce((sum, s) => sum + s.physical_space_size, 0);
}

/** Resident heap pages no space of this isolate holds (pooled, and other isolates' pages); undefined without /proc. */
export function pooledBytes(): number | undefined {
  let smaps: string;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  return Math.max(0, residentPages(smaps) - spacesOnPages());
}

let collect: ((options: object) => void) | undefined;

/** A memory-reducing collection (V8's last-resort one), which releases the pooled pages. */
function collectLastResort(): void {
  if (!collect) {
    // The collector is exposed to a context made after the flag is set, never to the main one.
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as (options: object) => void;
  }
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * Watches the pooled pages: once they passed what was left after the last release by `thresholdMb`,
 * the next check releases them. Other isolates' pages (worker threads) count in what is left, so
 * they never ask again on their own. check() answers whether it released.
 */
export class HeapPages {
  readonly #thresholdBytes: number;
  /** Pooled bytes after the last release (or at start). */
  #left: number | undefined;
  releases = 0;

  constructor(thresholdMb = POOLED_MB) {
    this.#thresholdBytes = thresholdMb * MB;
    this.#left = pooledBytes();
  }

  check(): boolean {
    const pooled = pooledBytes();
    if (pooled === undefined || this.#left === undefined) return false;
    if (pooled < this.#left + this.#thresholdBytes) {
      this.#left = Math.min(this.#left, pooled);
      return false;
    }
    collectLastResort();
    this.#left = pooledBytes() ?? 0;
    this.releases++;
    return true;
  }

  /** Checks every `everyMs` (never keeping the process alive); the answer stops it. */
  watch(everyMs = EVERY_MS): () => void {
    const timer = setInterval(() => this.check(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
