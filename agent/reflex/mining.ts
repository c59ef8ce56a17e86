// The mining run of the reflex service: debounced after model turns, one run at a time; it reads
// the recent turns, mines their recurring patterns and compiles the ones that are new or learned
// new phrasings (two builds at once), each through the compile pipeline (pipeline.ts).
import type { Kernel } from '../../kernel/kernel.ts';
import type { ToolCatalog } from '../loop/tool-catalog.ts';
import type { ReflexesConfig } from './config.ts';
import { EmbedderSwitched, type Embedder } from './embedder.ts';
import { minePatterns, type MinedPattern } from './miner.ts';
import { compilePattern, TIMED_OUT, type PipelineDeps } from './pipeline.ts';
import { ObservedWindow, type ReflexRecord } from './records.ts';

/** The reason of a build a restart interrupted: mined again on the next run. */
export const INTERRUPTED = 'its build was interrupted by a restart';
/** Reflex builds run in a worker thread each: two at a time keep both cores of a small machine busy. */
const COMPILES_AT_ONCE = 2;
/**
 * Mining runs on the main thread: the next run waits this many times the last one's mining, so it
 * takes at most a tenth of it (at a fifth, mining took 10.2 s of the server's 118 s of CPU over 3,000 turns
 * of the HTTP soak, profiled).
 */
const QUIET_FACTOR = 9;

export type MiningDeps = {
  kernel: Kernel;
  config: ReflexesConfig;
  embedder: Embedder;
  tools?: ToolCatalog;
  pipeline: PipelineDeps;
  /** How long after a model turn a run starts (one run for a burst of turns). */
  delayMs: number;
  records(): Iterable<ReflexRecord>;
  /** A pattern became eligible, at this performance.now(). */
  eligible(key: string, at: number): void;
  log(level: 'info' | 'warn', message: string): void;
};

export class MiningRuns {
  readonly #deps: MiningDeps;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #window: ObservedWindow;
  /** How long the last run's mining (not its builds) took, in ms. */
  lastMiningMs = 0;

  constructor(deps: MiningDeps) {
    this.#deps = deps;
    this.#window = new ObservedWindow(deps.kernel.store);
  }

  /**
   * At most one run per delayMs however many turns complete (a busy kernel still mines), and never
   * sooner than QUIET_FACTOR times the last run's mining: over many turns a run takes longer, and
   * the turns being answered keep most of the main thread.
   */
  schedule(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.run().catch((error: unknown) => this.#deps.log('warn', `mining failed: ${(error as Error).message}`));
      },
      Math.max(this.#deps.delayMs, QUIET_FACTOR * this.lastMiningMs),
    );
    this.#timer.unref?.();
  }

  /** Mines the recent turns and compiles what became eligible. One run at a time; a request during a run runs again after it. */
  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#once();
      } while (this.#again && !this.#closed);
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #once(): Promise<void> {
    const deps = this.#deps;
    const started = performance.now();
    const turns = await this.#window.read();
    // One embedder per run; one that switched source mid-run (a mesh peer failed) runs again on its fallback.
    const embedder = deps.embedder.forRun?.() ?? deps.embedder;
    const schemas = Object.fromEntries(((await deps.tools?.list()) ?? []).map((t) => [t.name, t.schema]));
    const mine = () => minePatterns(turns, { embedder, minSupport: deps.config.minSupport, similarity: deps.config.similarity, schemas });
    const patterns = await mine().catch((error: unknown) => {
      if (error instanceof EmbedderSwitched) return mine();
      throw error;
    });
    this.lastMiningMs = performance.now() - started;
    const byId = new Map(turns.map((t) => [t.turnId, t]));
    const records = [...deps.records()];
    const work: Array<{ pattern: MinedPattern; existing: ReflexRecord | undefined }> = [];
    for (const pattern of patterns) {
      if (pattern.skipped) continue;
      const existing = records.find((r) => r.spec.provenance.key === pattern.key);
      if (existing && !shouldRecompile(existing, pattern)) continue;
      work.push({ pattern, existing });
    }
    // A pattern with no reflex yet saves more model calls than a serving one that learned a new
    // phrasing: new ones first, the most frequent first.
    work.sort((a, b) => Number(a.existing !== undefined) - Number(b.existing !== undefined) || b.pattern.support - a.pattern.support);
    const next = async (): Promise<void> => {
      for (let item = work.shift(); item && !this.#closed; item = work.shift()) {
        const eligibleAt = performance.now();
        deps.eligible(item.pattern.key, eligibleAt);
        const sources = item.pattern.spec.provenance.turns.map((id) => byId.get(id)!);
        // One pattern that fails (a store error, a kernel refusal) never stops the others.
        await compilePattern(deps.pipeline, item.pattern, sources, item.existing, eligibleAt).catch((error: unknown) =>
          deps.log('warn', `pattern ${item.pattern.key}: ${(error as Error).message}`),
        );
      }
    };
    await Promise.all(Array.from({ length: COMPILES_AT_ONCE }, next));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
  }
}

/** After a failed build a cluster waits this long before the next, doubled with each build of it (at most a day). */
export const RETRY_AFTER_MS = 5 * 60_000;
const RETRY_AT_MOST_MS = 24 * 60 * 60_000;

/**
 * Whether a pattern that already has a reflex is built again now. A serving one: when it learned
 * new phrasings. A discarded one: never sooner than its pause after the failed build (5 minutes after
 * the first build of its cluster, 10 after the second, ...), and then if the failure was a time
 * limit (a loaded machine: the same build may pass now), or its support doubled since (more turns
 * may make another template). Without the pause, a cluster whose build fails on every try (its smoke
 * test past 250 ms under load) was built again on every mining run as its turns kept coming.
 */
export function shouldRecompile(record: ReflexRecord, pattern: MinedPattern, now = Date.now()): boolean {
  if (record.state === 'discarded') {
    if (record.reason === INTERRUPTED) return true;
    if (now - record.updatedAt < retryPause(record.version)) return false;
    return (record.reason ?? '').endsWith(TIMED_OUT) || pattern.support >= 2 * record.provenance.length;
  }
  if (record.state !== 'serving') return false;
  const known = new Set(record.spec.templates.map((t) => t.join(' ')));
  return pattern.spec.templates.some((t) => !known.has(t.join(' ')));
}

/** The pause after a cluster's n-th build (its version's minor is n - 1: 1.0.0 is the first). */
function retryPause(version: string | null): number {
  const builds = Number(version?.split('.')[1] ?? 0) + 1;
  return Math.min(RETRY_AFTER_MS * 2 ** Math.min(builds - 1, 20), RETRY_AT_MOST_MS);
}
