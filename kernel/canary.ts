// A new version's first calls after a patch deploys: it takes a share of the slot's calls while
// the old version (the slot's warm standby) takes the rest; once it has served enough calls
// within bounds it takes them all, and after a further watch it is kept. An error rate, a p50 or
// a p99 beyond the thresholds against the old version's recorded figures sends every call back to the
// old version at once (the routing flips before the swap back even starts) and rolls back.
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
  /** p50 (from canaryMinCalls calls) or p99 (from 100) over the old version's times this, plus 5 ms of noise, rolls back. */
  canaryMaxP99Ratio: number;
};

/** Errors are judged from this many calls on: a version that fails every call goes after a handful. */
const EARLY_CALLS = 4;
/** Under this many calls a p99 is the slowest call (a cold instance, a busy moment): not judged. */
const P99_CALLS = 100;
/** Latencies of a few milliseconds are noise against each other: the latency bounds allow this much more. */
const SLACK_MS = 5;

export class Canary {
  readonly patchId: string;
  readonly version: string;
  readonly #config: CanaryConfig;
  readonly #baseline: () => LatencyStats;
  readonly #onRollback: (reason: string) => void;
  readonly #onKept: () => void;
  readonly #latencies: number[] = [];
  readonly #started = performance.now();
  #stage: CanaryReport['stage'] = 'canary';
  #calls = 0;
  #errors = 0;
  #reason: string | undefined;
  #decidedMs: number | undefined;

  constructor(init: {
    patchId: string;
    version: string;
    config: CanaryConfig;
    baseline: () => LatencyStats;
    onRollback: (reason: string) => void;
    onKept: () => void;
  }) {
    this.patchId = init.patchId;
    this.version = init.version;
    this.#config = init.config;
    this.#baseline = init.baseline;
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

  /** One call the new version served. */
  observe(ms: number, ok: boolean): void {
    if (!this.live) return;
    this.#calls++;
    if (!ok) this.#errors++;
    this.#latencies.push(ms);
    const reason = this.#verdict();
    if (reason) return this.#rollBack(reason);
    if (this.#stage === 'canary' && this.#calls >= this.#config.canaryMinCalls) this.#stage = 'all';
    if (this.#stage === 'all' && this.#calls >= this.#config.canaryWatchCalls) {
      this.#stage = 'kept';
      this.#decidedMs = performance.now() - this.#started;
      this.#onKept();
    }
  }

  #verdict(): string | undefined {
    const old = this.#baseline();
    const errorRate = this.#errors / this.#calls;
    const allowed = old.errorRate + this.#config.canaryMaxErrorRise;
    if (this.#calls >= EARLY_CALLS && errorRate > allowed) {
      return `error rate ${pct(errorRate)} over ${this.#calls} calls against ${pct(old.errorRate)} for the old version (allowed ${pct(allowed)})`;
    }
    if (this.#calls < this.#config.canaryMinCalls || old.calls < this.#config.canaryMinCalls) return undefined;
    const { p50, p99 } = percentiles([...this.#latencies].sort((a, b) => a - b));
    const middle = old.p50 * this.#config.canaryMaxP99Ratio + SLACK_MS;
    if (p50 > middle) return `p50 ${p50} ms over ${this.#calls} calls against ${old.p50} ms for the old version (allowed ${Math.round(middle)} ms)`;
    if (this.#calls >= P99_CALLS && old.calls >= P99_CALLS) {
      const bound = old.p99 * this.#config.canaryMaxP99Ratio + SLACK_MS;
      if (p99 > bound) return `p99 ${p99} ms over ${this.#calls} calls against ${old.p99} ms for the old version (allowed ${Math.round(bound)} ms)`;
    }
    return undefined;
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
