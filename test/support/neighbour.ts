// A neighbour for containment tests: echo (and optionally kv) called one event-loop turn apart while an
// attack runs, so a test sees whether the kernel kept answering others meanwhile.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kernel } from '../../kernel/kernel.ts';

/**
 * Calls echo one event-loop turn apart until `until` settles; returns how many answered meanwhile.
 * With `alsoKv`, each round also lists kv, so the store's host path is shown serving too.
 */
export async function neighbourCalls(kernel: Kernel, until: Promise<unknown>, { alsoKv = false } = {}): Promise<number> {
  let done = false;
  void until.then(
    () => (done = true),
    () => (done = true),
  );
  let answered = 0;
  while (!done) {
    assert.deepEqual(await kernel.invokeTool('echo', { text: `n${answered}` }), { text: `n${answered}` });
    if (alsoKv) assert.deepEqual(await kernel.invokeTool('kv', { op: 'list', prefix: 'none/' }), { keys: [] });
    answered++;
    await nextTurn();
  }
  return answered;
}
