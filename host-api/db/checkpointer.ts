// Keeps a libSQL file's WAL checkpointed off the serving thread: the serving connections have
// automatic checkpoints off (one ran inside whichever commit crossed 1,000 pages, a spike of the
// fsync's 3-35 ms on that turn, the event loop blocked meanwhile), and a thread of its own
// (checkpoint-worker.js) checkpoints instead. The thread costs about 14 MB of RSS while it runs, so
// it starts only once the WAL has filled to about where SQLite would first checkpoint (a start's or
// an idle Titan's few writes never start it), and it ends after a quiet spell, emptying the WAL.
// The WAL stays bounded whatever happens: writes that never pause leave the thread no moment at
// which the whole WAL is copied (then the next writer would start it again from the top), so past
// the limit the serving side empties it once itself (TRUNCATE; the thread's checkpoint in progress,
// which holds the checkpoint lock through its fsync, is waited for first), and if the thread cannot
// run the serving connections take automatic checkpoints back, as SQLite does by default.
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** SQLite's own default, for the fallback. */
const AUTOCHECKPOINT_PAGES = 1000;
/** The serving side looks at the WAL's size on the first write and every this many after (a stat, a few µs). */
const WATCH_EVERY_WRITES = 16;
/**
 * Past the WAL's limit, the serving side waits this long at most for the thread's checkpoint in
 * progress to end (it copies at most the limit's worth of pages, then fsyncs: 3-35 ms quiet, a few
 * hundred ms under load). Blocking a write meanwhile is what SQLite's own automatic checkpoint does
 * inside a commit, and it happens only at the limit.
 */
const WAIT_FOR_THREAD_MS = 2000;

/**
 * What the thread runs with (its workerData). `busy[0]` is 1 while the thread checkpoints (it
 * notifies when it ends), so the serving side can wait for it instead of being refused the lock.
 */
export type CheckpointSettings = { file: string; everyMs: number; idleMs: number; walLimitBytes: number; busy: Int32Array };
/** Posted after each checkpoint that found something new: frames in the WAL, frames copied, the WAL file's size. */
export type CheckpointReport = { log: number; copied: number; walBytes: number };

export const DEFAULT_CHECKPOINTS: Omit<CheckpointSettings, 'file' | 'busy'> & { startBytes: number } = {
  everyMs: 200,
  idleMs: 5_000,
  // About SQLite's own first automatic checkpoint (1,000 pages of 4 KB).
  startBytes: 4 * 1024 * 1024,
  // Past this the serving side empties the WAL itself (it normally stays well under).
  walLimitBytes: 64 * 1024 * 1024,
};

/** A WAL file emptied by a writer's reset is cut back to a quarter of the limit (PRAGMA journal_size_limit). */
export function walKeptBytes(walLimitBytes = DEFAULT_CHECKPOINTS.walLimitBytes): number {
  return Math.floor(walLimitBytes / 4);
}

export type CheckpointOptions = Partial<typeof DEFAULT_CHECKPOINTS> & {
  /** Told of each checkpoint that copied something (tests and benchmarks watch the WAL with it). */
  onReport?: (report: CheckpointReport) => void;
};

/**
 * What the checkpointer needs from the backend: `setServing(pragma)` runs a pragma on every serving
 * connection (open now and opened later), `empty()` runs a TRUNCATE checkpoint on one when no
 * transaction is open (one waiting on the writer would wait for the blocked thread itself) and says
 * whether it could.
 */
export type ServingSide = { setServing(pragma: string): void; empty(): boolean };

export class Checkpointer {
  readonly #settings: typeof DEFAULT_CHECKPOINTS & { file: string };
  readonly #onReport: ((report: CheckpointReport) => void) | undefined;
  readonly #serving: ServingSide;
  #worker: Worker | undefined;
  #stopping: Promise<void> | undefined;
  #failed = false;
  #writes = 0;
  /** The WAL is past its limit: tried after each write until the serving side could empty it. */
  #due = false;
  /** The last wait for the thread's checkpoint timed out. */
  #stuck = false;
  readonly #busy = new Int32Array(new SharedArrayBuffer(4));

  constructor(file: string, serving: ServingSide, options: CheckpointOptions = {}) {
    const { onReport, ...settings } = options;
    this.#settings = { file, ...DEFAULT_CHECKPOINTS, ...settings };
    this.#onReport = onReport;
    this.#serving = serving;
    serving.setServing('PRAGMA wal_autocheckpoint=0');
  }

  /** Called after each write: watches the WAL's size (which starts the thread, or has the serving side empty it). */
  wrote(): void {
    if (this.#writes++ % WATCH_EVERY_WRITES === 0) this.#watch();
    if (this.#due) this.#due = !this.#empty();
  }

  /**
   * The serving side empties the WAL. Refused while the thread checkpoints (SQLite gives the
   * checkpoint lock to one connection, and never waits for it): under writes that never pause the
   * WAL kept growing by MBs while the thread's fsync lasted (load), so its checkpoint is waited for.
   */
  #empty(): boolean {
    if (this.#serving.empty()) return true;
    // A wait that timed out (a thread stuck in its fsync) is not repeated on every write while it lasts.
    if (this.#stuck && Atomics.load(this.#busy, 0) === 1) return false;
    const waited = Atomics.wait(this.#busy, 0, 1, WAIT_FOR_THREAD_MS);
    this.#stuck = waited === 'timed-out';
    // 'not-equal': the thread was not checkpointing (a transaction held the WAL): tried after the next write.
    return waited === 'ok' && this.#serving.empty();
  }

  #start(): void {
    if (this.#worker || this.#failed || this.#stopping) return;
    const { startBytes: _, ...settings } = this.#settings;
    const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
      name: 'titan-checkpoints', // the thread's name in top -H and /proc
      workerData: { ...settings, busy: this.#busy } satisfies CheckpointSettings,
      // It checkpoints; it holds no data of its own, so a small heap is plenty.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 1 },
      stdout: false,
      stderr: false,
    });
    worker.unref(); // never keeps the process alive
    worker.on('message', (message: CheckpointReport | { error: string }) => {
      if ('error' in message) this.#fallBack();
      else this.#onReport?.(message);
    });
    worker.on('error', () => this.#fallBack());
    worker.on('exit', () => {
      // A thread terminated inside a checkpoint never cleared its mark.
      Atomics.store(this.#busy, 0, 0);
      if (this.#worker === worker) this.#worker = undefined;
    });
    this.#worker = worker;
  }

  /** Whether the thread runs now (it ends after a quiet spell). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Ends the thread (its connection closed) before the serving connections close. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const worker = this.#worker;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      // A thread stuck in a checkpoint is not waited for past this.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)));
      await Promise.race([exited, timeout]);
      clearTimeout(timer);
      await worker.terminate();
    })();
    return this.#stopping;
  }

  /**
   * Starts the thread once the WAL has filled to startBytes; past the limit the serving side empties
   * it (watched here: a loaded machine may keep the thread waiting).
   */
  #watch(): void {
    let walBytes = 0;
    try {
      walBytes = statSync(`${this.#settings.file}-wal`).size;
    } catch {
      // no WAL file: nothing to bound
    }
    if (walBytes >= this.#settings.startBytes) this.#start();
    if (walBytes > this.#settings.walLimitBytes) this.#due = true;
  }

  /** The thread failed: checkpoints go back to the serving connections, as SQLite does by default. */
  #fallBack(): void {
    if (this.#failed) return;
    this.#failed = true;
    void this.#worker?.terminate();
    this.#worker = undefined;
    this.#serving.setServing(`PRAGMA wal_autocheckpoint=${AUTOCHECKPOINT_PAGES}`);
  }
}
