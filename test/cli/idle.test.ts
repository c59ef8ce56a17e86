// An idle Titan's memory: a restart writes a little to the libSQL store, and that never starts the
// store's checkpointer thread (about 14 MB of RSS while it runs).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startTitan, stopTitan } from '../support/cli.ts';
import { stoppedHome } from '../support/kernel.ts';

/** The names of a process's threads (as top -H shows them). */
const threadNames = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).flatMap((task) => {
    try {
      return [readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim()];
    } catch {
      return []; // the thread ended meanwhile
    }
  });

test('a restarted Titan runs no checkpointer thread once it is ready', { skip: !existsSync('/proc/self/task') && 'threads are read from /proc' }, async (t) => {
  const { home, cleanup } = await stoppedHome('titan-idle-');
  t.after(cleanup);
  const { child } = await startTitan(home, 'Ctrl-C stops.');
  try {
    // After the start's own writes, and past the moment the after-ready work has begun.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(
      threadNames(child.pid ?? 0).filter((name) => name.startsWith('titan-')),
      [],
    );
  } finally {
    await stopTitan(child);
  }
});
