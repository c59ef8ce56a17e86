// Both guest engines behind one kernel: a StarlingMonkey build of a built-in serves exactly like
// the QuickJS one, async (JSPI) host imports included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { publishComponent } from '../kernel/api.ts';
import { buildComponent } from '../toolchain/build.ts';
import { openTestKernel, TEST_CACHE } from './support/kernel.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

test('StarlingMonkey-built echo and kv serve like their QuickJS builds', async () => {
  const { kernel, cleanup } = await openTestKernel();
  try {
    for (const dir of ['components/tools/echo', 'components/tools/kv']) {
      const built = await buildComponent(ROOT + dir, { cacheDir: TEST_CACHE, backend: 'starlingmonkey' });
      const manifest = await publishComponent(kernel, built);
      assert.equal(manifest.backend, 'starlingmonkey');
      await kernel.deployManifest(manifest);
    }
    assert.deepEqual(await kernel.invokeTool('echo', { text: 'from StarlingMonkey' }), { text: 'from StarlingMonkey' });
    await kernel.invokeTool('kv', { op: 'set', key: 'engine', value: 'sm' });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'get', key: 'engine' }), { key: 'engine', value: 'sm' });
    assert.deepEqual(await kernel.invokeTool('kv', { op: 'get', key: 'missing' }), { key: 'missing', value: null });
    await assert.rejects(kernel.invokeTool('echo', {}), { code: 'TITAN_E_COMPONENT_ERROR', message: /invalid-input/ });
  } finally {
    await cleanup();
  }
});
