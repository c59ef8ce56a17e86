// The loader keeps what it compiled for a binary until told the binary will not run again: then
// its compiled modules go, and loading it once more compiles it afresh.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEST_CACHE } from '../test/support/kernel.ts';
import { buildComponent } from '../toolchain/build.ts';
import { ComponentLoader } from './loader.ts';
import { draftManifest } from './publish.ts';

test('a forgotten binary keeps no compiled modules; another binary keeps its own', async () => {
  const loader = new ComponentLoader(TEST_CACHE);
  const manifestOf = async (name: string) => {
    const built = await buildComponent(fileURLToPath(new URL(`../components/tools/${name}`, import.meta.url)), { cacheDir: TEST_CACHE });
    const wasm = new Uint8Array(built.wasm);
    return { manifest: draftManifest(built, built.digest, await loader.inspect(built.digest, wasm)), wasm };
  };
  const echo = await manifestOf('echo');
  const clock = await manifestOf('clock');
  const first = await loader.load(echo.manifest, echo.wasm);
  const kept = await loader.load(clock.manifest, clock.wasm);
  assert.equal((await loader.load(echo.manifest, echo.wasm)).modules, first.modules, 'kept while it may run');
  loader.forget(echo.manifest.digest);
  const again = await loader.load(echo.manifest, echo.wasm);
  assert.notEqual(again.modules, first.modules, 'compiled afresh');
  assert.equal([...again.modules.keys()].join(), [...first.modules.keys()].join());
  assert.equal((await loader.load(clock.manifest, clock.wasm)).modules, kept.modules, 'the other binary is untouched');
});
