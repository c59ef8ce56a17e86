// The checkpointer thread (started by checkpointer.ts): on a connection of its own, copies the WAL's
// committed pages into the database file five times a second, so no commit on the serving thread
// runs a checkpoint (and its fsyncs) on a turn's path. PASSIVE: it never waits for, nor makes wait,
// a reader or a writer. Past the WAL's limit it stands aside while the serving side empties it.
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'libsql';

export type CheckpointSettings = { file: string; everyMs: number; idleMs: number; walLimitBytes: number };
/** Posted after each checkpoint that found something new: frames in the WAL, frames copied, the WAL file's size. */
export type CheckpointReport = { log: number; copied: number; walBytes: number };

const settings = workerData as CheckpointSettings;
const port = parentPort;
if (!port) throw new Error('checkpoint-worker.ts runs as a worker thread');

const db = new Database(settings.file, { timeout: 1000 });
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw(true);

function walBytes(): number {
  try {
    return statSync(`${settings.file}-wal`).size;
  } catch {
    return 0; // no WAL file (yet, or any more)
  }
}

let quietSince = Date.now();
let lastLog = -1;
function tick(): void {
  // Past the limit the serving side empties the WAL itself: a checkpoint here would only keep it from it.
  if (walBytes() > settings.walLimitBytes) return;
  const [[, log, copied]] = passive.all() as number[][];
  // Something new was written since the last tick (the log grew, or it was reset and refilled).
  if (log !== lastLog && log > 0) {
    quietSince = Date.now();
    port?.postMessage({ log, copied, walBytes: walBytes() } satisfies CheckpointReport);
  }
  lastLog = log;
}

const timer = setInterval(() => {
  try {
    tick();
  } catch (error) {
    port.postMessage({ error: String((error as Error).message ?? error) });
  }
  // Nothing written for a while: the thread ends (the next write starts another).
  if (Date.now() - quietSince >= settings.idleMs) stop();
}, settings.everyMs);

function stop(): void {
  clearInterval(timer);
  if (db.open) db.close();
  port?.close();
}

port.on('message', (message: unknown) => {
  if (message === 'stop') stop();
});
