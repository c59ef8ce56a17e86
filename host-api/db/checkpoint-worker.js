// @ts-check
// The checkpointer thread (started by checkpointer.ts): on a connection of its own, copies the WAL's
// committed pages into the database file five times a second, so no commit on the serving thread
// runs a checkpoint (and its fsyncs) on a turn's path. PASSIVE: it never waits for, nor makes wait,
// a reader or a writer. Past the WAL's limit it stands aside while the serving side empties it.
// Plain JavaScript: a worker that loads TypeScript loads Node's type stripper into its own isolate
// too (about 9 MB of the thread's RSS).
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'libsql';

/** @type {import('./checkpointer.ts').CheckpointSettings} */
const settings = workerData;
const port = parentPort;
if (!port) throw new Error('checkpoint-worker.js runs as a worker thread');

const db = new Database(settings.file, { timeout: 1000 });
/** 1 while this thread checkpoints: the serving side, refused the checkpoint lock past the WAL's limit, waits on it. */
const busy = settings.busy;

/**
 * @template T
 * @param {() => T} checkpoint
 * @returns {T}
 */
function checkpointing(checkpoint) {
  Atomics.store(busy, 0, 1);
  try {
    return checkpoint();
  } finally {
    Atomics.store(busy, 0, 0);
    Atomics.notify(busy, 0);
  }
}
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw(true);

function walBytes() {
  try {
    return statSync(`${settings.file}-wal`).size;
  } catch {
    return 0; // no WAL file (yet, or any more)
  }
}

let quietSince = Date.now();
let lastLog = -1;
function tick() {
  // Past the limit the serving side empties the WAL itself: a checkpoint here would only keep it from it.
  if (walBytes() > settings.walLimitBytes) return;
  const [[, log, copied]] = /** @type {number[][]} */ (checkpointing(() => passive.all()));
  // Something new was written since the last tick (the log grew, or it was reset and refilled).
  if (log !== lastLog && log > 0) {
    quietSince = Date.now();
    /** @type {import('./checkpointer.ts').CheckpointReport} */
    const report = { log, copied, walBytes: walBytes() };
    port?.postMessage(report);
  }
  lastLog = log;
}

const timer = setInterval(() => {
  try {
    tick();
  } catch (error) {
    port.postMessage({ error: String(error instanceof Error ? error.message : error) });
  }
  // Nothing written for a while: the thread ends (the serving side starts another once the WAL has filled again).
  if (Date.now() - quietSince >= settings.idleMs) stop(true);
}, settings.everyMs);

/** @param {boolean} quiet ending after a quiet spell: the WAL file is emptied first, so it starts the next thread only once refilled */
function stop(quiet) {
  clearInterval(timer);
  if (quiet && db.open) {
    try {
      // Never waits: a writer or reader busy just then leaves the WAL as it is (the next thread empties it).
      db.exec('PRAGMA busy_timeout=0');
      checkpointing(() => db.exec('PRAGMA wal_checkpoint(TRUNCATE)'));
    } catch {
      // busy: left as it is
    }
  }
  if (db.open) db.close();
  port?.close();
}

port.on('message', (message) => {
  if (message === 'stop') stop(false);
});
