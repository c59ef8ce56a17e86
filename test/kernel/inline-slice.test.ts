// The slice of the kernel's thread a component inline by grant gets (kernel.inlineSliceMs): a call
// the machine held back past it, rather than its own work, runs again instead of failing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KernelEvents } from '../../kernel/events.ts';
import { deployFixture, kernelFor } from '../support/fixtures.ts';

test('a granted inline call held past its slice without running (a busy machine) runs again on a fresh instance and answers', async (t) => {
  const { kernel } = await kernelFor(t, [], { config: { inlineGrants: ['tool/greeter'] } });
  await deployFixture(kernel, 'greeter-v2');
  const replaced: Array<KernelEvents['instance.replaced']> = [];
  kernel.bus.on('instance.replaced', (event) => replaced.push(event));
  // greeter reads the host's time zone mid-call: the first reading keeps the kernel's thread off the
  // CPU for 60 ms, past the default 25 ms slice, as a machine busy with other work would.
  const original = Date.prototype.getTimezoneOffset;
  let stalls = 1;
  Date.prototype.getTimezoneOffset = function (this: Date) {
    if (stalls-- > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60);
    return original.call(this);
  };
  t.after(() => {
    Date.prototype.getTimezoneOffset = original;
  });
  const answer = (await kernel.invokeTool('greeter', { name: 'Ada' })) as { greeting: string };
  assert.equal(answer.greeting, 'Hello, Ada!');
  assert.ok(stalls < 0, 'a later run read the zone without the stall');
  // Each stopped run's instance was dropped and the call ran again on a fresh one (more than once
  // only if this machine is busy enough to hold a run back too).
  assert.ok(replaced.length >= 1);
  assert.deepEqual(new Set(replaced.map((r) => `${r.slot}: ${r.reason}`)), new Set(['tool/greeter: call timed out']));
});
