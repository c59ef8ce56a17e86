// The OpenClaw benchmark counts the memory of a server's helper processes and stops the ones it
// leaves behind: both rest on finding every descendant, even one in a session of its own.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { descendants, rssMb, startedAt, treeRssMb } from '../../benchmarks/process-tree.ts';

test('a grandchild in its own session is found, counted, and told from a later process', async (t) => {
  // sh starts a sleep in a new session (as OpenClaw's spawn broker leaves its parent's group), then waits.
  const child = spawn('sh', ['-c', 'setsid sleep 30 & echo started; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => {
    for (const pid of descendants(child.pid as number)) process.kill(pid, 'SIGKILL');
    child.kill('SIGKILL');
  });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const pid = child.pid as number;
  let found: number[] = [];
  for (let i = 0; i < 100 && found.length === 0; i++) {
    found = descendants(pid);
    if (found.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(found.length, 1);
  assert.ok(treeRssMb(pid) > rssMb(pid), 'the grandchild adds its memory');
  const started = startedAt(found[0]);
  assert.ok(started !== undefined);
  process.kill(found[0], 'SIGKILL');
  for (let i = 0; i < 100 && startedAt(found[0]) !== undefined; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(startedAt(found[0]), undefined, 'once gone, its id no longer names it');
});
