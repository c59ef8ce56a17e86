// Recorded calls outlive a restart: a patch proposed after one is still replayed against the calls
// served before it; the file is the owner's alone, today's bounds apply to what is read back, and
// with recordPersist off nothing is kept.
import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { kernelFor, publishFixture, reopenKernel } from '../support/fixtures.ts';

const FILE = 'recorded-calls.bin';

test('after a restart the recorded calls are back, and a patch is verified against them', async (t) => {
  const { kernel, home } = await kernelFor(t, ['fib-slow'], { config: { recordSampleRate: 1 } });
  for (let i = 0; i < 30; i++) await kernel.invokeTool('fib', { n: 10 + (i % 6) });
  await kernel.close();
  assert.equal((await stat(path.join(home, FILE))).mode & 0o777, 0o600, 'owner-only');

  const again = await reopenKernel(home, { config: { recordSampleRate: 1 } });
  t.after(() => again.close());
  assert.deepEqual(await again.restoreDeployments(), []);
  const calls = again.recorder.calls('tool/fib');
  assert.equal(calls.length, 30);
  assert.deepEqual(JSON.parse(calls[0].args[0] as string), { n: 10 });
  await publishFixture(again, 'fib-fast');
  const patch = await again.proposePatch({ kind: 'tool', name: 'fib', range: '1.1.0' });
  assert.equal(patch.verification?.replayed, 30, JSON.stringify(patch.verification));
  assert.equal(patch.verification?.passed, true);
});

test("what is read back keeps today's bounds; with recordPersist off nothing is kept; a damaged file is an empty record", async (t) => {
  const { kernel, home } = await kernelFor(t, ['fib-slow'], { config: { recordSampleRate: 1 } });
  for (let i = 0; i < 30; i++) await kernel.invokeTool('fib', { n: i % 8 });
  await kernel.close();

  const bounded = await reopenKernel(home, { config: { recordPerSlot: 5 } });
  const kept = bounded.recorder.calls('tool/fib');
  assert.deepEqual(
    kept.map((c) => JSON.parse(c.args[0] as string).n),
    [1, 2, 3, 4, 5],
    'the newest five',
  );
  await bounded.close();

  const off = await reopenKernel(home, { config: { recordPersist: false } });
  assert.equal(off.recorder.calls('tool/fib').length, 0);
  await off.close();

  await writeFile(path.join(home, FILE), 'not a record');
  const damaged = await reopenKernel(home);
  t.after(() => damaged.close());
  assert.equal(damaged.recorder.calls('tool/fib').length, 0);
});
