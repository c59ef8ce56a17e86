// A misbehaving component hurts only itself: an endless loop is stopped at its time limit, a
// memory hog at its cap, a trap costs one instance; each gets a coded error, its instance is
// replaced, its next call works, and every other component keeps serving meanwhile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KernelEvents } from '../../kernel/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { publishComponent } from '../../kernel/publish.ts';
import { buildFixture, builtin, deferred, forcePublish, kernelFor, rejectsWithCode } from '../support/fixtures.ts';
import { neighbourCalls } from '../support/neighbour.ts';

function replacements(kernel: Kernel): Array<KernelEvents['instance.replaced']> {
  const seen: Array<KernelEvents['instance.replaced']> = [];
  kernel.bus.on('instance.replaced', (event) => seen.push(event));
  return seen;
}

test('an endless loop in a worker component is stopped with TITAN_E_TIMEOUT; its next call works, and others served meanwhile', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo'), builtin('kv'), 'spinner']);
  const replaced = replacements(kernel);
  assert.equal(kernel.components().find((c) => c.slot === 'tool/spinner')?.isolation, 'worker');
  assert.deepEqual(await kernel.invokeTool('spinner', {}), { count: 1 });

  const spin = kernel.invokeTool('spinner', { spin: true });
  const meanwhile = await neighbourCalls(kernel, spin, { alsoKv: true });
  const error = await rejectsWithCode(spin, 'TITAN_E_TIMEOUT');
  assert.match(error.message, /tool\/spinner@1\.0\.0 did not answer within 300 ms/);
  assert.ok(meanwhile > 0, 'echo and kv answered while the spinner spun');
  assert.deepEqual(
    replaced.map((r) => r.slot),
    ['tool/spinner'],
  );
  assert.match(replaced[0].reason, /exceeded 300 ms/);

  assert.deepEqual(await kernel.invokeTool('spinner', {}), { count: 2 }, 'the next call works, and kv kept its count');
});

test("a worker component reaches kv through the kernel: its count persists in the kernel's store", async (t) => {
  const { kernel } = await kernelFor(t, ['spinner']);
  for (let expected = 1; expected <= 3; expected++) assert.deepEqual(await kernel.invokeTool('spinner', {}), { count: expected });
  assert.equal(await kernel.kv.get('tool.spinner', 'count'), '3');
});

test('a spinning call stops only itself: calls to the same worker component made meanwhile still answer', async (t) => {
  const { kernel } = await kernelFor(t, ['spinner'], { config: { workerThreads: 2 } });
  await kernel.invokeTool('spinner', {});
  const spun = rejectsWithCode(kernel.invokeTool('spinner', { spin: true }), 'TITAN_E_TIMEOUT');
  const others = [];
  for (let i = 0; i < 5; i++) others.push(await kernel.invokeTool('spinner', {}));
  await spun;
  assert.equal(others.length, 5);
  assert.ok(others.every((o) => typeof (o as { count: number }).count === 'number'));
});

test('a memory hog over its cap gets TITAN_E_OUT_OF_MEMORY; its instance is replaced and the next call works', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo'), 'hog']);
  const replaced = replacements(kernel);
  assert.deepEqual(await kernel.invokeTool('hog', { mb: 4 }), { allocated: 4 });

  const error = await rejectsWithCode(kernel.invokeTool('hog', { mb: 64 }), 'TITAN_E_OUT_OF_MEMORY');
  assert.match(error.message, /tool\/hog@1\.0\.0 hit its memory cap of 24 MiB/);
  assert.deepEqual(replaced, [{ slot: 'tool/hog', version: '1.0.0', reason: 'out of memory' }]);
  assert.equal(kernel.components().find((c) => c.slot === 'tool/hog')?.instances?.discarded, 1);

  assert.deepEqual(await kernel.invokeTool('hog', { mb: 4 }), { allocated: 4 });
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'fine' }), { text: 'fine' });
});

test('a trap costs one instance: TITAN_E_COMPONENT_TRAP, the instance is replaced, and other components keep serving', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo'), 'trapper']);
  const replaced = replacements(kernel);
  assert.deepEqual(await kernel.invokeTool('trapper', {}), { ok: true, callsOnThisInstance: 1 });

  const error = await rejectsWithCode(kernel.invokeTool('trapper', { trap: true }), 'TITAN_E_COMPONENT_TRAP');
  assert.match(error.message, /tool\/trapper@1\.0\.0 trapped/);
  assert.equal(replaced.length, 1);
  assert.equal(replaced[0].slot, 'tool/trapper');
  assert.deepEqual(await kernel.invokeTool('trapper', {}), { ok: true, callsOnThisInstance: 1 }, 'the next call runs on a fresh instance');

  // Traps and good calls at once: each good call answers, each trap is reported, echo is untouched.
  const mixed = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => kernel.invokeTool('trapper', { trap: i % 3 === 0 })));
  mixed.forEach((outcome, i) => {
    if (i % 3 === 0) assert.equal(outcome.status === 'rejected' && (outcome.reason as { code: string }).code, 'TITAN_E_COMPONENT_TRAP');
    else assert.equal(outcome.status === 'fulfilled' && (outcome.value as { ok: boolean }).ok, true);
  });
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'untouched' }), { text: 'untouched' });
  const stats = kernel.components().find((c) => c.slot === 'tool/trapper')?.instances;
  assert.equal(stats?.discarded, 5);
  assert.ok((stats?.live ?? 0) <= 2, 'never more than its 2 instances');
});

test('an inline call suspended in the host past its timeoutMs gets TITAN_E_TIMEOUT, and its instance is not reused', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')], { config: { inlineGrants: ['tool/kv'] } });
  // kv-v2 (granted inline) with a time limit: an inline (JSPI) call that waits on the host can be given up on.
  const kv = await buildFixture('kv-v2');
  const manifest = await publishComponent(kernel, { ...kv, manifest: { ...kv.manifest, limits: { ...kv.manifest.limits, timeoutMs: 200, maxInstances: 1 } } });
  await kernel.deployManifest(manifest);
  const replaced = replacements(kernel);

  const never = deferred<string | undefined>();
  const store = kernel.kv;
  const realGet = store.get.bind(store);
  store.get = (namespace, key) => (key === 'stuck' ? never.promise : realGet(namespace, key));

  const error = await rejectsWithCode(kernel.invokeTool('kv', { op: 'get', key: 'stuck' }), 'TITAN_E_TIMEOUT');
  assert.match(error.message, /did not answer within 200 ms/);
  assert.deepEqual(
    replaced.map((r) => [r.slot, r.reason]),
    [['tool/kv', 'call timed out']],
  );
  // With one instance allowed, this works only if the stuck instance was dropped and replaced.
  assert.deepEqual(await kernel.invokeTool('kv', { op: 'list' }), { keys: [], version: '1.1.0' });
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'ok' }), { text: 'ok' });
});

// slow-worker counts to N in a worker with a 300 ms limit: 50 million steps take seconds in QuickJS,
// so they finish only where the limit is not applied.
const LONG = { loops: 50_000_000 };

test("a worker component's smoke case that runs past its time limit fails the deploy, and a long call times out", async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const slow = await buildFixture('slow-worker');
  await forcePublish(kernel, slow, (input) => ({ ...input, smoke: [{ input: JSON.stringify(LONG) }] }));
  const error = await rejectsWithCode(kernel.deploy({ kind: 'tool', name: 'slow', range: '1.0.0' }), 'TITAN_E_SMOKE_FAILED');
  assert.match(error.message, /did not answer within 300 ms/);

  const quick = await publishComponent(kernel, { ...slow, manifest: { ...slow.manifest, version: '1.0.1' } });
  await kernel.deployManifest(quick);
  await rejectsWithCode(kernel.invokeTool('slow', LONG), 'TITAN_E_TIMEOUT');
  assert.deepEqual(await kernel.invokeTool('slow', { loops: 7 }), { loops: 7, total: 21 });
});

test('publishing a worker-isolated component runs its smoke test under its time limit, never inline', {}, async (t) => {
  const { kernel } = await kernelFor(t);
  const slow = await buildFixture('slow-worker');
  const before = await kernel.registry.list();
  const error = await rejectsWithCode(
    publishComponent(kernel, { ...slow, manifest: { ...slow.manifest, smoke: [{ input: JSON.stringify(LONG) }] } }),
    'TITAN_E_SMOKE_FAILED',
  );
  assert.match(error.message, /did not answer within 300 ms/);
  assert.deepEqual(await kernel.registry.list(), before);
});
