// A new version's first calls after a patch deploys: it takes a share of the slot's calls while
// the old version (the slot's warm standby) takes the rest; once it has served enough calls
// within bounds it takes them all, and after a further watch it is kept. An error rate, a p50 or
// a p99 beyond the thresholds against the old version's recorded figures sends every call back to the
// old version at once (the routing flips before the swap back even starts) and rolls back.
// Latency is judged call by call against the old version's figures for the same kind of call: a
// store whose first calls after an upgrade are cheap reads is not compared with an old median made
// of heavy writes, which on a busy machine rolled back healthy upgrades.
import type { CanaryReport } from '../components/stores/ops.ts';
import type { LatencyStats } from './call-recorder.ts';
import { percentiles } from './call-recorder.ts';

export type { CanaryReport };

export type CanaryConfig = {
  /** Share of calls the new version takes first (0 deploys it for every call at once). */
  canaryShare: number;
  /** Calls the new version serves at its share before it takes all of them. */
  canaryMinCalls: number;
  /** Calls it serves in all before it is kept (it is judged all the while). */
  canaryWatchCalls: number;
  /** Rise of the error rate over the old version's that rolls back (0.05: five points). */
  canaryMaxErrorRise: number;
  /** p50 (from canaryMinCalls calls) or p99 (from 100) over the old version's times this for the same calls, plus 5 ms of noise, rolls back. */
  canaryMaxP99Ratio: number;
  /**
   * Calls in the first milliseconds after the deploy are judged on errors only: a fresh instance's
   * code is still being optimised in the background, which on a busy machine made its first calls
   * several times slower than the warm old version's.
   */
  canaryWarmUpMs: number;
};

/** Errors are judged from this many calls on: a version that fails every call goes after a handful. */
const EARLY_CALLS = 4;
/** Under this many calls a p99 is the slowest call (a cold instance, a busy moment): not judged. */
const P99_CALLS = 100;
/** Latencies of a few milliseconds are noise against each other: the latency bounds allow this much more. */
const SLACK_MS = 5;
/** A kind of call the old version served fewer times than this has no figures to be compared with. */
const KIND_CALLS = 5;
/** Share of judged calls over the old version's p99 bound that rolls back (a p99 allows one in a hundred). */
const OVER_P99_SHARE = 0.01;

export class Canary {
  readonly patchId: string;
  readonly version: string;
  readonly #config: CanaryConfig;
  readonly #baseline: () => LatencyStats;
  readonly #baselineOf: (kind: string) => LatencyStats;
  readonly #onRollback: (reason: string) => void;
  readonly #onKept: () => void;
  readonly #latencies: number[] = [];
  /** Of the calls with the old version's figures for their kind: each one's time over the old p50. */
  readonly #ratios: number[] = [];
  #overP50 = 0;
  /** Calls whose kind the old version served often enough for a p99, and how many were over it. */
  #withP99 = 0;
  #overP99 = 0;
  readonly #started = performance.now();
  #stage: CanaryReport['stage'] = 'canary';
  #calls = 0;
  /** Calls after the warm-up: it is kept only once it has served canaryMinCalls of them. */
  #warmCalls = 0;
  #errors = 0;
  #reason: string | undefined;
  #decidedMs: number | undefined;

  constructor(init: {
    patchId: string;
    version: string;
    config: CanaryConfig;
    baseline: () => LatencyStats;
    /** The old version's figures for one kind of call (kernel/call-recorder.ts callKind). */
    baselineOf: (kind: string) => LatencyStats;
    onRollback: (reason: string) => void;
    onKept: () => void;
  }) {
    this.patchId = init.patchId;
    this.version = init.version;
    this.#config = init.config;
    this.#baseline = init.baseline;
    this.#baselineOf = init.baselineOf;
    this.#onRollback = init.onRollback;
    this.#onKept = init.onKept;
  }

  /** Whether this call goes to the new version. */
  takesCall(): boolean {
    if (this.#stage === 'rolled_back') return false;
    if (this.#stage !== 'canary') return true;
    return Math.random() < this.#config.canaryShare;
  }

  get live(): boolean {
    return this.#stage === 'canary' || this.#stage === 'all';
  }

  /** One call the new version served, of the given kind. */
  observe(ms: number, ok: boolean, kind: string): void {
    if (!this.live) return;
    this.#calls++;
    if (!ok) this.#errors++;
    this.#latencies.push(ms);
    if (this.#warm()) {
      this.#warmCalls++;
      if (ok) this.#judge(ms, this.#baselineOf(kind));
    }
    const reason = this.#verdict();
    if (reason) return this.#rollBack(reason);
    if (this.#stage === 'canary' && this.#calls >= this.#config.canaryMinCalls) this.#stage = 'all';
    if (this.#stage === 'all' && this.#calls >= this.#config.canaryWatchCalls && this.#warmCalls >= this.#config.canaryMinCalls) {
      this.#stage = 'kept';
      this.#decidedMs = performance.now() - this.#started;
      this.#onKept();
    }
  }

  #warm(): boolean {
    return performance.now() - this.#started >= this.#config.canaryWarmUpMs;
  }

  #judge(ms: number, old: LatencyStats): void {
    if (old.calls < KIND_CALLS) return;
    const ratio = this.#config.canaryMaxP99Ratio;
    this.#ratios.push(ms / Math.max(old.p50, 0.001));
    if (ms > old.p50 * ratio + SLACK_MS) this.#overP50++;
    if (old.calls < P99_CALLS) return;
    this.#withP99++;
    if (ms > old.p99 * ratio + SLACK_MS) this.#overP99++;
  }

  #verdict(): string | undefined {
    const old = this.#baseline();
    const errorRate = this.#errors / this.#calls;
    const allowed = old.errorRate + this.#config.canaryMaxErrorRise;
    if (this.#calls >= EARLY_CALLS && errorRate > allowed) {
      return `error rate ${pct(errorRate)} over ${this.#calls} calls against ${pct(old.errorRate)} for the old version (allowed ${pct(allowed)})`;
    }
    return this.#latencyVerdict();
  }

  /**
   * The new version is slower when more than half its judged calls are over the old version's p50
   * for the same kind (times the ratio, plus the slack), or more than one in a hundred over its p99.
   */
  #latencyVerdict(): string | undefined {
    const judged = this.#ratios.length;
    const ratio = this.#config.canaryMaxP99Ratio;
    if (judged < this.#config.canaryMinCalls) return undefined;
    if (this.#overP50 * 2 > judged) {
      return `p50 ${round(median(this.#ratios))}x the old version's for the same calls over ${judged} calls (allowed ${ratio}x + ${SLACK_MS} ms; ${this.#overP50} calls over)`;
    }
    if (this.#withP99 < P99_CALLS || this.#overP99 <= this.#withP99 * OVER_P99_SHARE) return undefined;
    return `p99: ${this.#overP99} of ${this.#withP99} calls over ${ratio}x the old version's p99 for the same calls + ${SLACK_MS} ms (allowed ${Math.floor(this.#withP99 * OVER_P99_SHARE)})`;
  }

  #rollBack(reason: string): void {
    this.#stage = 'rolled_back'; // every later call goes to the old version from here on
    this.#reason = reason;
    this.#decidedMs = performance.now() - this.#started;
    this.#onRollback(reason);
  }

  report(): CanaryReport {
    const { p50, p99 } = percentiles([...this.#latencies].sort((a, b) => a - b));
    return {
      share: this.#config.canaryShare,
      stage: this.#stage,
      calls: this.#calls,
      errors: this.#errors,
      p50,
      p99,
      baseline: this.#baseline(),
      ...(this.#reason ? { reason: this.#reason } : {}),
      ...(this.#decidedMs !== undefined ? { decidedMs: Math.round(this.#decidedMs) } : {}),
    };
  }
}

const pct = (rate: number) => `${Math.round(rate * 1000) / 10}%`;
const round = (n: number) => Math.round(n * 10) / 10;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
