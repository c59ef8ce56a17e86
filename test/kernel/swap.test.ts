// The atomic swap as a user relies on it: under load no call fails and every answer comes from
// exactly one version; calls in flight finish on the version they started on; a rollback is one
// call; a restart brings back what was serving.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import type { KernelEvents } from '../../kernel/events.ts';
import { publishComponent } from '../../kernel/publish.ts';
import { buildBuiltin, builtin, deferred, kernelFor, publishFixture, rejectsWithCode, reopenKernel, serving } from '../support/fixtures.ts';

test("2,000 calls while echo is swapped 20 times between two versions: none fails, each answer is one version's", async (t) => {
  const {
    kernel,
    manifests: [v1],
  } = await kernelFor(t, [builtin('echo')]);
  const v2 = await publishFixture(kernel, 'echo-v2');
  const CALLS = 2000;
  const IN_FLIGHT = 16;
  const SWAPS = 20;

  const answers = new Map<number, unknown>();
  const failures: string[] = [];
  let started = 0;
  let swapping = true;
  // Callers keep going until both the swaps are over and 2,000 calls have run, so calls surround every swap.
  const caller = async () => {
    while (swapping || started < CALLS) {
      const i = started++;
      try {
        answers.set(i, await kernel.invokeTool('echo', { text: `call ${i}` }));
      } catch (error) {
        failures.push(`call ${i}: ${(error as Error).message}`);
      }
      await nextTurn(); // let the swap's file reads and compiles run between calls
    }
  };
  const swapper = async () => {
    const versions: string[] = [];
    try {
      for (let i = 0; i < SWAPS; i++) {
        const result = await kernel.deployManifest(i % 2 === 0 ? v2 : v1);
        versions.push(result.version);
      }
    } finally {
      swapping = false;
    }
    return versions;
  };

  const [versions] = await Promise.all([swapper(), ...Array.from({ length: IN_FLIGHT }, caller)]);
  assert.deepEqual(failures, []);
  assert.equal(versions.length, SWAPS);
  assert.ok(answers.size >= CALLS);

  const seen = { '1.0.0': 0, '1.1.0': 0 };
  for (const [i, answer] of answers) {
    const text = `call ${i}`;
    if ((answer as { version?: string }).version === '1.1.0') {
      assert.deepEqual(answer, { text, version: '1.1.0' });
      seen['1.1.0']++;
    } else {
      assert.deepEqual(answer, { text }, `call ${i} got an answer from neither version`);
      seen['1.0.0']++;
    }
  }
  assert.ok(seen['1.0.0'] > 0 && seen['1.1.0'] > 0, `both versions answered: ${JSON.stringify(seen)}`);

  const echo = kernel.components().find((c) => c.slot === 'tool/echo');
  assert.equal(echo?.version, '1.0.0', 'an even number of swaps ends where it began');
  assert.equal(echo?.swaps, SWAPS + 1);
  assert.equal(echo?.previous.length, 16, 'the rollback history keeps the last 16 versions');
  assert.ok((echo?.instances?.live ?? 0) <= 8, 'the serving version stays within its instance limit');
});

test('a call in flight when the swap happens finishes on the old version; new calls go to the new one', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('kv')]);
  const v2 = await publishFixture(kernel, 'kv-v2');
  await kernel.invokeTool('kv', { op: 'set', key: 'held', value: 'written by 1.0.0' });

  // Hold the host's kv reads of "held": every such call stays suspended (JSPI) until released.
  const release = deferred();
  const reached = deferred();
  let waiting = 0;
  const store = kernel.kv;
  const realGet = store.get.bind(store);
  store.get = async (namespace, key) => {
    if (key === 'held') {
      if (++waiting === 16) reached.resolve();
      await release.promise;
    }
    return realGet(namespace, key);
  };

  // 20 calls: more than kv 1.0.0's 16 instances, so some are still queued for an instance at the swap.
  const inFlight = Array.from({ length: 20 }, () => kernel.invokeTool('kv', { op: 'get', key: 'held' }));
  let settled = false;
  void Promise.allSettled(inFlight).then(() => (settled = true));
  await reached.promise;
  const pool = kernel.components().find((c) => c.slot === 'tool/kv')?.instances;
  assert.deepEqual({ busy: pool?.busy, waiting: pool?.waiting }, { busy: 16, waiting: 4 }, '16 calls suspended in the host, 4 queued for an instance');

  const swap = await kernel.deployManifest(v2);
  assert.deepEqual({ version: swap.version, previous: swap.previous }, { version: '1.1.0', previous: '1.0.0' });
  assert.equal(settled, false, 'the swap did not wait for, or cut off, the calls in flight');
  assert.deepEqual(await kernel.invokeTool('kv', { op: 'list' }), { keys: ['held'], version: '1.1.0' }, 'a new call goes to the new version');

  release.resolve();
  for (const answer of await Promise.all(inFlight)) {
    assert.deepEqual(answer, { key: 'held', value: 'written by 1.0.0' }, 'answered by 1.0.0 (1.1.0 adds a version field)');
  }
  assert.deepEqual(
    await kernel.invokeTool('kv', { op: 'get', key: 'held' }),
    { key: 'held', value: 'written by 1.0.0', version: '1.1.0' },
    'the data written by the old version is there for the new one',
  );
});

test('rollback is one call: it puts the previous version back, and again the one before', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const v2 = await publishFixture(kernel, 'echo-v2');
  const echo = await buildBuiltin('echo');
  const v101 = await publishComponent(kernel, { ...echo, manifest: { ...echo.manifest, version: '1.0.1' } });
  await kernel.deployManifest(v2);
  await kernel.deployManifest(v101);
  assert.deepEqual(kernel.components().find((c) => c.slot === 'tool/echo')?.previous, ['1.0.0', '1.1.0']);

  const rolledBack: Array<KernelEvents['component.rolled_back']> = [];
  kernel.bus.on('component.rolled_back', (event) => rolledBack.push(event));
  const first = await kernel.rollback('tool', 'echo');
  assert.deepEqual({ version: first.version, previous: first.previous }, { version: '1.1.0', previous: '1.0.1' });
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'a' }), { text: 'a', version: '1.1.0' });

  const second = await kernel.rollback('tool', 'echo');
  assert.deepEqual({ version: second.version, previous: second.previous }, { version: '1.0.0', previous: '1.1.0' });
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'b' }), { text: 'b' });
  assert.deepEqual(rolledBack, [
    { slot: 'tool/echo', from: '1.0.1', to: '1.1.0' },
    { slot: 'tool/echo', from: '1.1.0', to: '1.0.0' },
  ]);

  await rejectsWithCode(kernel.rollback('tool', 'echo'), 'TITAN_E_NOTHING_TO_ROLL_BACK');
  assert.equal(serving(kernel)['tool/echo'], '1.0.0');
});

test('rollback of a version that never had a predecessor gets TITAN_E_NOTHING_TO_ROLL_BACK and changes nothing', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const error = await rejectsWithCode(kernel.rollback('tool', 'echo'), 'TITAN_E_NOTHING_TO_ROLL_BACK');
  assert.match(error.message, /tool\/echo has no earlier version/);
  assert.equal(serving(kernel)['tool/echo'], '1.0.0');
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'ok' }), { text: 'ok' });
});

test('a restart brings back the version that was serving, with its rollback history', async (t) => {
  const { kernel, home } = await kernelFor(t, [builtin('echo'), builtin('clock')]);
  await publishFixture(kernel, 'echo-v2');
  await kernel.deploy({ kind: 'tool', name: 'echo', range: '^1.1.0' });
  await kernel.close();

  const restarted = await reopenKernel(home);
  try {
    assert.deepEqual(serving(restarted), {}, 'nothing serves before the deployments are restored');
    assert.deepEqual(await restarted.restoreDeployments(), []);
    assert.deepEqual(serving(restarted), { 'tool/clock': '1.0.0', 'tool/echo': '1.1.0' });
    assert.deepEqual(await restarted.invokeTool('echo', { text: 'back' }), { text: 'back', version: '1.1.0' });
    assert.deepEqual(restarted.components().find((c) => c.slot === 'tool/echo')?.previous, ['1.0.0']);

    const rollback = await restarted.rollback('tool', 'echo');
    assert.equal(rollback.version, '1.0.0');
  } finally {
    await restarted.close();
  }

  // The rollback itself is what the next start restores.
  const again = await reopenKernel(home);
  try {
    await again.restoreDeployments();
    assert.equal(serving(again)['tool/echo'], '1.0.0');
    assert.deepEqual(again.components().find((c) => c.slot === 'tool/echo')?.previous, []);
  } finally {
    await again.close();
  }
});

test('a deployment that can no longer be restored is reported, and the other slots still come back', async (t) => {
  const { kernel, home } = await kernelFor(t, [builtin('echo'), builtin('clock')]);
  const clock = kernel.components().find((c) => c.slot === 'tool/clock');
  await kernel.close();
  // The clock's binary disappears from the registry while the kernel is down.
  const { rm } = await import('node:fs/promises');
  await rm(`${home}/registry/blobs/sha256/${clock?.digest?.slice('sha256:'.length)}`);

  const restarted = await reopenKernel(home);
  try {
    const failures = await restarted.restoreDeployments();
    assert.deepEqual(
      failures.map((f) => [f.slot, f.error.code]),
      [['tool/clock', 'TITAN_E_NOT_FOUND']],
    );
    assert.equal(serving(restarted)['tool/echo'], '1.0.0');
    assert.deepEqual(await restarted.invokeTool('echo', { text: 'x' }), { text: 'x' });
  } finally {
    await restarted.close();
  }
});

test('restoring the deployments again on a running kernel changes nothing', {}, async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await publishFixture(kernel, 'echo-v2');
  await kernel.deploy({ kind: 'tool', name: 'echo', range: '1.1.0' });
  await kernel.restoreDeployments();
  assert.deepEqual(kernel.components().find((c) => c.slot === 'tool/echo')?.previous, ['1.0.0']);
  const rollback = await kernel.rollback('tool', 'echo');
  assert.equal(rollback.version, '1.0.0');
});

test('once the kernel is closed, calls and deploys are refused with TITAN_E_SHUTTING_DOWN', {}, async (t) => {
  const {
    kernel,
    manifests: [echo],
  } = await kernelFor(t, [builtin('echo')]);
  await kernel.close();
  await rejectsWithCode(kernel.deployManifest(echo), 'TITAN_E_SHUTTING_DOWN');
  await rejectsWithCode(kernel.invokeTool('echo', { text: 'too late' }), 'TITAN_E_SHUTTING_DOWN');
});
