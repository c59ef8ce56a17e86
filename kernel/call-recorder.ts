// What each slot's real calls look like: every call's latency and outcome counted per version and
// per kind of call (a store's operation; the baseline a canary is judged against), and a bounded, sampled record of whole calls (input,
// output or error, latency, the host's answers) with secrets cut out: the corpus a new version
// is replayed against before it may serve. Kept in memory, bounded per slot by count, by age and
// by bytes (a slot whose calls grow, a provider's requests carrying a long thread, stays flat);
// kernel/recorded-calls-file.ts keeps them across a restart. A slot whose record is full takes a
// new call only as often as its retention spread over its count allows: the record then spans the
// whole retention (a day of traffic, not its last minute), and a busy slot's calls cost nothing to
// record almost all the time.
import type { HostAnswer } from './host-tape.ts';
import { stableJson } from './host-tape.ts';

export type RecordedCall = {
  id: number;
  at: number;
  version: string;
  fn: string;
  args: unknown[];
  ok: boolean;
  output?: unknown;
  error?: { code: string; message: string };
  ms: number;
  host: HostAnswer[];
};

export type RecorderConfig = {
  /** Share of calls recorded whole (0 switches recording off; latency is counted for every call). */
  sampleRate: number;
  /** Recorded calls kept per slot; the oldest go first. */
  perSlot: number;
  /** Recorded calls older than this are dropped. */
  maxAgeMinutes: number;
  /** A call heavier than this (input, output and host answers as JSON) is counted, not recorded. */
  maxCallBytes: number;
  /** Recorded calls of one slot together (as JSON) stay under this; the oldest go first. */
  maxSlotBytes: number;
};

type Recorded = { call: RecordedCall; bytes: number };

/** What a recorded call weighs against the bounds: its input, output, error and host answers as JSON. */
function recordedSize(call: Pick<RecordedCall, 'args' | 'output' | 'error' | 'host'>): number {
  return stableJson({ args: call.args, output: call.output, error: call.error, host: call.host }).length;
}

export type LatencyStats = { calls: number; errors: number; errorRate: number; p50: number; p99: number };

/** Lifecycle functions are the kernel's own questions, not the slot's traffic. */
const NOT_TRAFFIC = new Set(['describe', 'smoke', 'migrate']);
/** Latencies kept per version for its percentiles. */
const WINDOW = 1024;
/** Latencies kept per kind of call of a version, and the kinds counted per version (a store has about a hundred operations). */
const KIND_WINDOW = 256;
const KINDS_PER_VERSION = 256;

class VersionStats {
  calls = 0;
  errors = 0;
  readonly #window: Float64Array;
  /** Per kind of call, while there are at most KINDS_PER_VERSION kinds. */
  readonly kinds = new Map<string, VersionStats>();

  constructor(window = WINDOW) {
    this.#window = new Float64Array(window);
  }

  add(ms: number, ok: boolean): void {
    this.#window[this.calls % this.#window.length] = ms;
    this.calls++;
    if (!ok) this.errors++;
  }

  read(): LatencyStats {
    const n = Math.min(this.calls, this.#window.length);
    const sorted = this.#window.slice(0, n).sort();
    return { calls: this.calls, errors: this.errors, errorRate: this.calls ? this.errors / this.calls : 0, ...percentiles(sorted) };
  }
}

const NO_CALLS: LatencyStats = { calls: 0, errors: 0, errorRate: 0, p50: 0, p99: 0 };

/**
 * Calls of one kind cost alike, calls of two kinds may not (a store's count of rows against its
 * write of forty messages): a store call's kind is its operation, any other call's its function.
 */
export function callKind(slot: string, fn: string, args: unknown[]): string {
  return slot.startsWith('store/') && typeof args[0] === 'string' ? `${fn} ${args[0]}` : fn;
}

export function percentiles(sorted: ArrayLike<number>): { p50: number; p99: number } {
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
  return { p50: round(at(0.5)), p99: round(at(0.99)) };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** A copy of a value with every string passed through `redact` (bytes, bigints and numbers as they are). */
function redactStrings<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, redact)) as T;
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = redactStrings(v, redact);
  return out as T;
}

export class CallRecorder {
  readonly #config: () => RecorderConfig;
  readonly #redact: (text: string, slot: string) => string;
  readonly #stats = new Map<string, VersionStats>();
  readonly #calls = new Map<string, Recorded[]>();
  /** The JSON size of each slot's recorded calls together. */
  readonly #bytes = new Map<string, number>();
  /** Slots whose last record dropped an older call for room (by count or bytes). */
  readonly #full = new Set<string>();
  #next = 1;

  /** `redact` cuts secrets out of one string (every string of a recorded call goes through it). */
  constructor(config: () => RecorderConfig, redact: (text: string, slot: string) => string = (text) => text) {
    this.#config = config;
    this.#redact = redact;
  }

  /** A recorder reading the kernel's record* settings (as they stand at each call). */
  static configured(
    c: { recordSampleRate: number; recordPerSlot: number; recordMaxAgeMinutes: number; recordMaxCallBytes: number; recordMaxSlotBytes: number },
    redact: (text: string, slot: string) => string,
  ): CallRecorder {
    return new CallRecorder(
      () => ({
        sampleRate: c.recordSampleRate,
        perSlot: c.recordPerSlot,
        maxAgeMinutes: c.recordMaxAgeMinutes,
        maxCallBytes: c.recordMaxCallBytes,
        maxSlotBytes: c.recordMaxSlotBytes,
      }),
      redact,
    );
  }

  /**
   * Whether this call of the slot should be recorded whole (decided before it runs: the tape needs
   * it). A full slot waits `maxAgeMinutes / perSlot` after its newest recorded call.
   */
  sample(slot: string, fn: string): boolean {
    const config = this.#config();
    const rate = config.sampleRate;
    if (rate <= 0 || NOT_TRAFFIC.has(fn)) return false;
    if (this.#full.has(slot)) {
      const newest = this.#calls.get(slot)?.at(-1)?.call.at ?? 0;
      if (Date.now() - newest < (config.maxAgeMinutes * 60_000) / config.perSlot) return false;
    }
    return rate >= 1 || Math.random() < rate;
  }

  /** Counts one call of slot@version (every call, recorded or not), also under its kind (see callKind). */
  observe(slot: string, version: string, fn: string, ms: number, ok: boolean, kind = fn): void {
    if (NOT_TRAFFIC.has(fn)) return;
    const key = `${slot}@${version}`;
    let stats = this.#stats.get(key);
    if (!stats) this.#stats.set(key, (stats = new VersionStats()));
    stats.add(ms, ok);
    let byKind = stats.kinds.get(kind);
    if (!byKind && stats.kinds.size < KINDS_PER_VERSION) stats.kinds.set(kind, (byKind = new VersionStats(KIND_WINDOW)));
    byKind?.add(ms, ok);
  }

  record(slot: string, call: Omit<RecordedCall, 'id' | 'at'>): void {
    const config = this.#config();
    const clean = redactStrings({ args: call.args, output: call.output, error: call.error, host: call.host }, (text) => this.#redact(text, slot));
    const bytes = recordedSize(clean);
    if (bytes > config.maxCallBytes || bytes > config.maxSlotBytes) return;
    let list = this.#calls.get(slot);
    if (!list) this.#calls.set(slot, (list = []));
    list.push({ call: { ...call, ...clean, id: this.#next++, at: Date.now() }, bytes });
    this.#bytes.set(slot, (this.#bytes.get(slot) ?? 0) + bytes);
    this.#prune(slot, list, config);
  }

  /** Drops the oldest calls past the count, the age or the byte budget. */
  #prune(slot: string, list: Recorded[], config: RecorderConfig): void {
    const oldest = Date.now() - config.maxAgeMinutes * 60_000;
    let total = this.#bytes.get(slot) ?? 0;
    let drop = 0;
    let forRoom = false;
    while (drop < list.length && (list.length - drop > config.perSlot || list[drop].call.at < oldest || total > config.maxSlotBytes)) {
      forRoom ||= list[drop].call.at >= oldest;
      total -= list[drop].bytes;
      drop++;
    }
    if (forRoom) this.#full.add(slot);
    else if (drop > 0) this.#full.delete(slot);
    if (drop > 0) list.splice(0, drop);
    this.#bytes.set(slot, total);
    if (list.length === 0) {
      this.#calls.delete(slot);
      this.#bytes.delete(slot);
      this.#full.delete(slot);
    }
  }

  /** The JSON size of the slot's recorded calls together (within its maxSlotBytes). */
  recordedBytes(slot: string): number {
    return this.#bytes.get(slot) ?? 0;
  }

  /** The slot's recorded calls, oldest first, within the retention. */
  calls(slot: string): RecordedCall[] {
    const list = this.#calls.get(slot);
    if (!list) return [];
    this.#prune(slot, list, this.#config());
    return list.map((r) => r.call);
  }

  /** Every slot's recorded calls within the retention: what is kept across a restart. */
  snapshot(): Record<string, RecordedCall[]> {
    return Object.fromEntries([...this.#calls.keys()].map((slot) => [slot, this.calls(slot)]).filter(([, list]) => list.length > 0));
  }

  /** Takes back calls kept before a restart, under today's bounds (count and age); the counted figures start afresh. */
  restore(saved: Record<string, RecordedCall[]>): number {
    const config = this.#config();
    let restored = 0;
    for (const [slot, calls] of Object.entries(saved)) {
      if (!Array.isArray(calls)) continue;
      const taken = calls.map((call) => ({ call, bytes: recordedSize(call) })).filter((r) => r.bytes <= config.maxCallBytes);
      const list = [...taken, ...(this.#calls.get(slot) ?? [])].sort((a, b) => a.call.at - b.call.at);
      this.#calls.set(slot, list);
      this.#bytes.set(
        slot,
        list.reduce((sum, r) => sum + r.bytes, 0),
      );
      this.#prune(slot, list, config);
      restored += this.#calls.get(slot)?.length ?? 0;
      for (const { call } of list) this.#next = Math.max(this.#next, call.id + 1);
    }
    return restored;
  }

  stats(slot: string, version: string): LatencyStats {
    return this.#stats.get(`${slot}@${version}`)?.read() ?? NO_CALLS;
  }

  /** The figures of one kind of call of slot@version (none when it never served that kind). */
  kindStats(slot: string, version: string, kind: string): LatencyStats {
    return this.#stats.get(`${slot}@${version}`)?.kinds.get(kind)?.read() ?? NO_CALLS;
  }

  /** Per slot: calls recorded now, and the counted figures of each version seen. */
  summary(): Array<{ slot: string; recorded: number; versions: Array<{ version: string } & LatencyStats> }> {
    const slots = new Map<string, Array<{ version: string } & LatencyStats>>();
    for (const [key, stats] of this.#stats) {
      const at = key.lastIndexOf('@');
      const slot = key.slice(0, at);
      if (!slots.has(slot)) slots.set(slot, []);
      slots.get(slot)?.push({ version: key.slice(at + 1), ...stats.read() });
    }
    for (const slot of this.#calls.keys()) if (!slots.has(slot)) slots.set(slot, []);
    return [...slots.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([slot, versions]) => ({ slot, recorded: this.calls(slot).length, versions }));
  }
}
