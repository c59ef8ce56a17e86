// A worker-isolated component is compiled once, in the kernel's thread, and its compiled modules
// handed to every thread that runs it: the threads make their instances without compiling it again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compiles, type CompileNotice } from '../../kernel/compile-cores.ts';
import { workerCalls, type WorkerCallTiming } from '../../kernel/worker-timings.ts';
import { kernelFor } from '../support/fixtures.ts';

/** What the kernel's and its threads' compiles and instance makings of one slot were, while `work` runs. */
async function watched(slot: string, work: (seen: { made: unknown[] }) => Promise<void>) {
  const compiled: string[] = [];
  const made: NonNullable<WorkerCallTiming['made']>[] = [];
  const onCompile = (message: unknown) => {
    const notice = message as CompileNotice;
    if (notice.who.startsWith(`${slot}@`)) compiled.push(notice.where);
  };
  const onCall = (message: unknown) => {
    const call = message as WorkerCallTiming;
    if (call.slot === slot && call.made) made.push(call.made);
  };
  compiles.subscribe(onCompile);
  workerCalls.subscribe(onCall);
  try {
    await work({ made });
  } finally {
    compiles.unsubscribe(onCompile);
    workerCalls.unsubscribe(onCall);
  }
  return { compiled, made };
}

test('a worker component warmed on two threads is compiled in the kernel only, and each thread instantiates it from the handed modules', async (t) => {
  const { compiled, made } = await watched('tool/spinner', async () => {
    const { kernel } = await kernelFor(t, ['spinner'], { config: { workerThreads: 2 } });
    await kernel.slot('tool', 'spinner').active?.warm(1);
    // Two calls at once: one on each thread, both find their instance.
    await Promise.all([kernel.invokeTool('spinner', {}), kernel.invokeTool('spinner', {})]);
  });
  assert.ok(made.length >= 2, 'an instance made in each thread');
  assert.deepEqual(
    made.filter((m) => m.compiledHere),
    [],
    'no thread compiled it',
  );
  // Once per deployment (the publish's smoke test, then the serving one), never once per thread.
  assert.ok(compiled.length >= 1 && compiled.every((where) => where === 'kernel'), compiled.join());
});

test('a thread replaced after a call passed its time limit is handed the modules again when the kernel warms it: it compiles nothing', async (t) => {
  const { kernel } = await kernelFor(t, ['spinner'], { config: { workerThreads: 2 } });
  await kernel.slot('tool', 'spinner').active?.warm(1);
  const { compiled, made } = await watched('tool/spinner', async (seen) => {
    await assert.rejects(kernel.invokeTool('spinner', { spin: true }), { code: 'TITAN_E_TIMEOUT' });
    // The lost thread's replacement is warmed in the background: its instance is made before any call needs it.
    for (let i = 0; i < 250 && seen.made.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  });
  assert.equal(made.length, 1, 'the new thread made its instance');
  assert.equal(made[0].compiledHere, false);
  assert.deepEqual(compiled, ['kernel']);
});
