// After a patch deploys, the new version first takes a share of the calls: one that fails beyond
// the threshold against the old version's recorded figures is rolled back on its own, before it
// ever takes the whole load, with the reason on the patch; a good one takes all and is kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelFor, publishFixture, serving } from '../support/fixtures.ts';

const FIB = { kind: 'tool' as const, name: 'fib' };
const CANARY = { recordSampleRate: 0, canaryShare: 0.2, canaryMinCalls: 20, canaryWatchCalls: 60, canaryWarmUpMs: 0 };

test('a version that fails live calls is rolled back by its canary before it takes all the calls, with the reason recorded', async (t) => {
  const { kernel } = await kernelFor(t, ['fib-slow'], { config: CANARY });
  for (let i = 0; i < 30; i++) await kernel.invokeTool('fib', { n: 2 * (i % 5) + 2 }); // the old version's baseline: no errors
  await publishFixture(kernel, 'fib-flaky');
  const patch = await kernel.proposePatch({ ...FIB, range: '1.3.0' });
  await kernel.approvePatch(patch.id, { by: 'bob' }, patch.verification?.passed ? undefined : 'trying it on live traffic');
  const rolledBack = kernel.bus.once('patch.changed', (e) => e.id === patch.id && e.state === 'rolled_back');
  await kernel.deployPatch(patch.id, { by: 'carol' });
  assert.equal(serving(kernel)['tool/fib'], '1.3.0');

  let failed = 0;
  let calls = 0;
  let judged = false;
  // The verdict is synchronous: the call after it already goes to the old version.
  void kernel.bus.once('component.canary_failed', (e) => e.patch === patch.id).then(() => (judged = true));
  while (!judged && calls < 500) {
    calls++;
    await kernel.invokeTool('fib', { n: 2 * (calls % 5) + 2 }).catch(() => failed++);
  }
  assert.ok(judged, `judged within ${calls} calls`);
  for (let i = 0; i < 20; i++) assert.ok(await kernel.invokeTool('fib', { n: 4 }), 'while the swap back runs, calls go to the old version');
  await rolledBack;
  const after = kernel.patches.get(patch.id);
  assert.equal(after.state, 'rolled_back');
  assert.equal(after.history.at(-1)?.by, 'canary');
  assert.match(after.history.at(-1)?.why ?? '', /^automatic rollback: error rate \d+(\.\d)?% over \d+ calls against 0% for the old version/);
  assert.equal(after.canary?.stage, 'rolled_back');
  assert.ok((after.canary?.calls ?? 0) < CANARY.canaryMinCalls, 'it never took the whole load');
  assert.ok(failed <= 5 && failed === after.canary?.errors, `users saw ${failed} failed calls`);
  assert.equal(serving(kernel)['tool/fib'], '1.0.0');
  assert.deepEqual(await kernel.invokeTool('fib', { n: 4 }), { n: 4, value: 3 }, 'the old version serves again');
});

test('a good version takes its share, then every call, and is kept', async (t) => {
  const { kernel } = await kernelFor(t, ['fib-slow'], { config: CANARY });
  for (let i = 0; i < 30; i++) await kernel.invokeTool('fib', { n: 10 + (i % 5) });
  await publishFixture(kernel, 'fib-fast');
  const patch = await kernel.proposePatch({ ...FIB, range: '1.1.0' });
  await kernel.approvePatch(patch.id);
  await kernel.deployPatch(patch.id);
  const versions = new Map<string, number>();
  for (let i = 0; i < 400 && kernel.patches.get(patch.id).canary?.stage !== 'kept'; i++) {
    await kernel.invokeTool('fib', { n: 10 + (i % 5) });
    const figures = kernel.recorder.summary().find((s) => s.slot === 'tool/fib')?.versions ?? [];
    for (const v of figures) versions.set(v.version, v.calls);
  }
  const kept = kernel.patches.get(patch.id);
  assert.equal(kept.canary?.stage, 'kept');
  assert.equal(kept.state, 'deployed');
  assert.equal(kept.canary?.calls, CANARY.canaryWatchCalls);
  assert.ok((versions.get('1.0.0') ?? 0) > 30, 'the old version took calls while the new one was on trial');
  const oldCalls = versions.get('1.0.0');
  for (let i = 0; i < 10; i++) await kernel.invokeTool('fib', { n: 3 });
  const figures = kernel.recorder.summary().find((s) => s.slot === 'tool/fib')?.versions ?? [];
  assert.equal(figures.find((v) => v.version === '1.0.0')?.calls, oldCalls, 'once kept, every call goes to the new version');
});
