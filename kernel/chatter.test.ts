// The chatter buckets: a component's rate holds across every thread that runs it, and what is
// over it is dropped and counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ChatterLimiter, type ChatterCells } from './chatter.ts';

const echo = { kind: 'tool', name: 'echo', version: '1.0.0', digest: 'sha256:0' };

test('a full bucket lets a burst of twice the rate through, then drops and counts the rest; it refills with time', async () => {
  const warned: string[] = [];
  const limiter = new ChatterLimiter({ log: 50, event: 10 }, (who, kind) => warned.push(`${who} ${kind}`));
  let passed = 0;
  for (let i = 0; i < 300; i++) if (limiter.allow(echo, 'log', 100)) passed++;
  assert.ok(passed >= 100 && passed <= 102, `${passed} lines passed a burst of 100`);
  assert.deepEqual(limiter.drops(), [{ slot: 'tool/echo', version: '1.0.0', kind: 'log', dropped: 300 - passed }]);
  assert.deepEqual(warned, ['tool/echo@1.0.0 log'], 'the first drop is reported once');
  // Events have a bucket of their own; a large one costs a token per 4 KiB more.
  assert.equal(limiter.allow(echo, 'event', 5 * 4096), true);
  let events = 1;
  while (limiter.allow(echo, 'event', 10)) events++;
  assert.equal(events, 20 - 5);
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(limiter.allow(echo, 'log', 10), true, 'refilled at 50 a second');
});

test('threads drawing on one bucket get the rate between them, not the rate each', async () => {
  const limiter = new ChatterLimiter({ log: 200, event: 200 });
  const cells = limiter.cells(echo);
  const FLOOD_MS = 500;
  // Three threads flood the same cells for half a second, as three worker threads running one component would.
  const source = `
    const { parentPort } = require('node:worker_threads');
    parentPort.once('message', async ({ cells, ms }) => {
      const { takeTokens } = await import(${JSON.stringify(new URL('./chatter.ts', import.meta.url).href)});
      let passed = 0;
      const until = Date.now() + ms;
      while (Date.now() < until) if (takeTokens(cells, 'log', 200, 10)) passed++;
      parentPort.postMessage(passed);
    });`;
  const flood = (shared: ChatterCells) =>
    new Promise<number>((resolve, reject) => {
      const worker = new Worker(source, { eval: true });
      worker.once('message', (n: number) => void worker.terminate().then(() => resolve(n)));
      worker.once('error', reject);
      worker.postMessage({ cells: shared, ms: FLOOD_MS });
    });
  const started = Date.now();
  const counts = await Promise.all([flood(cells), flood(cells), flood(cells)]);
  const seconds = (Date.now() - started) / 1000;
  const total = counts.reduce((a, b) => a + b, 0);
  // A burst of 400, then 200 a second for however long the threads ran (thread start-up included).
  assert.ok(total <= 400 + Math.ceil(200 * seconds) + 3, `${total} passed in ${seconds} s across 3 threads: ${counts.join(', ')}`);
  assert.ok(counts.every((n) => n > 0) || total >= 400, `every thread got some: ${counts.join(', ')}`);
});
