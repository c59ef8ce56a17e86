// A restart serves every recorded version at once but loads each on its first call: what no call
// needs is never read, compiled or given an instance; a binary altered on disk meanwhile fails
// its own first call with the digest error while the other slots serve.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { builtin, kernelFor, rejectsWithCode, reopenKernel, serving } from '../support/fixtures.ts';

test('restored versions serve at once and load on their first call; an altered binary fails only its own calls', async (t) => {
  const { kernel, home } = await kernelFor(t, [builtin('echo'), builtin('clock')]);
  const clock = kernel.components().find((c) => c.slot === 'tool/clock');
  await kernel.close();

  const restarted = await reopenKernel(home);
  try {
    assert.deepEqual(await restarted.restoreDeployments(), []);
    assert.deepEqual(serving(restarted), { 'tool/clock': '1.0.0', 'tool/echo': '1.0.0' });
    const instances = () => Object.fromEntries(restarted.components().map((c) => [c.slot, c.instances?.live]));
    assert.deepEqual(instances(), { 'tool/clock': 0, 'tool/echo': 0 }, 'nothing loaded before a call');
    assert.equal(restarted.components().find((c) => c.slot === 'tool/echo')?.isolation, 'inline');

    assert.deepEqual(await restarted.invokeTool('echo', { text: 'first' }), { text: 'first' });
    assert.deepEqual(instances(), { 'tool/clock': 0, 'tool/echo': 1 }, 'only the called one loaded');

    // The clock's binary is altered (same size) while it has never loaded: its first call reads it.
    const blob = `${home}/registry/blobs/sha256/${clock?.digest?.slice('sha256:'.length)}`;
    const bytes = await readFile(blob);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(blob, bytes);
    await rejectsWithCode(restarted.invokeTool('clock', {}), 'TITAN_E_DIGEST_MISMATCH');
    assert.deepEqual(await restarted.invokeTool('echo', { text: 'still' }), { text: 'still' });
  } finally {
    await restarted.close();
  }
});

test('warming after a restart gives instances to the slots asked for only', async (t) => {
  const { kernel, home } = await kernelFor(t, [builtin('echo'), builtin('clock')]);
  await kernel.close();
  const restarted = await reopenKernel(home);
  try {
    await restarted.restoreDeployments();
    await restarted.warmRestored((slot) => slot === 'tool/clock');
    assert.deepEqual(Object.fromEntries(restarted.components().map((c) => [c.slot, c.instances?.live])), { 'tool/clock': 1, 'tool/echo': 0 });
  } finally {
    await restarted.close();
  }
});
