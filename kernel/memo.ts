// A memoising deployment: a pure tool's version whose manifest asks for it ("memo": {"entries": N})
// answers a repeated invoke input from memory instead of running the component again. Only a
// component declared pure is wrapped, only successful answers are kept, and the memory is bounded
// (least recently used goes first) and belongs to the version: a swap or a rollback drops it.
import type { CallOptions, Deployment } from './deployment.ts';
import { stableJson } from './host-tape.ts';
import type { PoolStats } from './pool.ts';

/** An answer larger than this is not kept: one huge output would crowd out the rest. */
const MAX_ENTRY_CHARS = 64 * 1024;

export class MemoDeployment implements Deployment {
  readonly #inner: Deployment;
  readonly #entries: number;
  readonly #answers = new Map<string, unknown>();
  hits = 0;
  misses = 0;

  constructor(inner: Deployment, entries: number) {
    this.#inner = inner;
    this.#entries = entries;
  }

  get manifest() {
    return this.#inner.manifest;
  }

  get isolation() {
    return this.#inner.isolation;
  }

  async call(fn: string, args: unknown[], options?: CallOptions): Promise<unknown> {
    if (fn !== 'invoke') return this.#inner.call(fn, args, options);
    const key = stableJson(args);
    if (this.#answers.has(key)) {
      const answer = this.#answers.get(key);
      // Re-inserted: the Map's order is the recency order the eviction reads.
      this.#answers.delete(key);
      this.#answers.set(key, answer);
      this.hits++;
      return answer;
    }
    this.misses++;
    const answer = await this.#inner.call(fn, args, options);
    if (typeof answer !== 'string' || answer.length <= MAX_ENTRY_CHARS) {
      this.#answers.set(key, answer);
      if (this.#answers.size > this.#entries) this.#answers.delete(this.#answers.keys().next().value as string);
    }
    return answer;
  }

  exports(fn: string): Promise<boolean> {
    return this.#inner.exports(fn);
  }

  warm(instances: number): Promise<void> {
    return this.#inner.warm(instances);
  }

  close(): Promise<void> {
    this.#answers.clear();
    return this.#inner.close();
  }

  stats(): PoolStats {
    return this.#inner.stats();
  }
}

/** The deployment as its manifest asks: memoised when it is a pure component with a memo size. */
export function withMemo(deployment: Deployment): Deployment {
  const { pure, memo } = deployment.manifest;
  return pure === true && memo ? new MemoDeployment(deployment, memo.entries) : deployment;
}
