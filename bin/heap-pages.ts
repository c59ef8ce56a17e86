// Gives V8's freed heap pages back to the system on a busy server. V8 keeps the pages a collection
// freed (pooled, still resident) and the free space of the pages its old space keeps (a heap that
// grew at a peak stays that size, with holes) until a memory-reducing collection, which it starts on
// its own only when the isolate idles: a server answering turn after turn held the high-water mark of
// its JS heap for good (a 110 MB peak stayed resident after gc() and 15 s idle; the HTTP soak's RSS
// rose 29% over 10,000 turns while its live heap stayed flat). A last-resort collection compacts the
// heap and gives both back in about 10-50 ms of CPU; it is asked for only when the resident pages
// that hold no live object grew by SLACK_MB since the last one. They grow only in a major collection,
// so they are looked at right after one (at most every MIN_GAP_MS), not at a random moment later.
import { readFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

const MB = 2 ** 20;
/** V8's regular heap page. */
const PAGE = 256 * 1024;
/** Resident pages without live objects added since the last release that ask for the next. */
export const SLACK_MB = 16;
/** The shortest time between two looks (each reads /proc/self/smaps: 17 ms of CPU on a loaded server). */
const MIN_GAP_MS = 10_000;

/** Resident bytes of the process's anonymous read-write mappings of one V8 page each (every isolate's). */
export function residentPages(smaps: string): number {
  let kb = 0;
  for (const page of smaps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0 *\n(?:(?!Rss:).*\n)*?Rss:\s+(\d+) kB/gm))
    if (Number.parseInt(page[2] as string, 16) - Number.parseInt(page[1] as string, 16) === PAGE) kb += Number(page[3]);
  return kb * 1024;
}

/** Bytes of live (or not yet collected) objects in the heap's spaces on regular pages (code and large objects live in mappings of their own). */
function usedOnPages(): number {
  return v8
    .getHeapSpaceStatistics()
    .filter((s) => !s.space_name.includes('large_object') && !s.space_name.startsWith('code') && s.space_name !== 'read_only_space')
    .reduce((sum, s) => sum + s.space_used_size, 0);
}

/**
 * Resident heap pages no object of this isolate fills: pages pooled after a collection, the free
 * space of the pages its spaces keep, and other isolates' pages; undefined without /proc.
 */
export function slackBytes(): number | undefined {
  let smaps: string;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  return Math.max(0, residentPages(smaps) - usedOnPages());
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
 * Watches the slack: once it passed what was left after the last release by `thresholdMb`, the
 * check releases it. Other isolates' pages (worker threads) count in what is left, so they never
 * ask again on their own. check() answers whether it released.
 */
export class HeapPages {
  readonly #thresholdBytes: number;
  /** Slack bytes after the last release (or at start). */
  #left: number | undefined;
  releases = 0;

  constructor(thresholdMb = SLACK_MB) {
    this.#thresholdBytes = thresholdMb * MB;
    this.#left = slackBytes();
  }

  check(): boolean {
    const slack = slackBytes();
    if (slack === undefined || this.#left === undefined) return false;
    if (slack < this.#left + this.#thresholdBytes) {
      this.#left = Math.min(this.#left, slack);
      return false;
    }
    collectLastResort();
    this.#left = slackBytes() ?? 0;
    this.releases++;
    return true;
  }

  /**
   * Checks after each major collection of this isolate (when the slack grows, and what its spaces
   * hold is their live objects), at most every `gapMs`; never keeps the process alive. The answer stops it.
   */
  watch(gapMs = MIN_GAP_MS): () => void {
    let last = -Infinity;
    const observer = new PerformanceObserver((list) => {
      const major = list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
      if (!major || performance.now() - last < gapMs) return;
      last = performance.now();
      this.check();
    });
    observer.observe({ entryTypes: ['gc'] });
    return () => observer.disconnect();
  }
}
