// A neighbour for containment tests: echo called one event-loop turn apart while an attack runs, so a
// test sees whether the kernel kept answering others meanwhile.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kernel } from '../../kernel/kernel.ts';

/** Calls echo one event-loop turn apart until `until` settles; returns how many answered meanwhile. */
export async function neighbourCalls(kernel: Kernel, until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.then(
    () => (done = true),
    () => (done = true),
  );
  let answered = 0;
  while (!done) {
    assert.deepEqual(await kernel.invokeTool('echo', { text: `n${answered}` }), { text: `n${answered}` });
    answered++;
    await nextTurn();
  }
  return answered;
}
