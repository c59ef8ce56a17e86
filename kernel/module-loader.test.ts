// The glue rewrite must keep matching what jco generates: a jco upgrade that changes the glue
// would otherwise silently bring back a per-call environment lookup (about half a small call's cost).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { contentDigest } from '../common/digest.ts';
import { buildComponent } from '../toolchain/build.ts';
import { transpileCached } from '../toolchain/transpile.ts';
import { TEST_CACHE } from '../test/support/kernel.ts';
import { evaluateGlue, prepareGlue } from './module-loader.ts';

test('the per-call JCO_DEBUG lookup is found and hoisted in glue jco generates today', async () => {
  const built = await buildComponent(fileURLToPath(new URL('../components/tools/echo', import.meta.url)), { cacheDir: TEST_CACHE });
  const transpiled = await transpileCached(built.wasm, contentDigest(built.wasm), { asyncImports: [], asyncExports: [] }, TEST_CACHE);
  const { body, debugCheckHoisted, stringsBounded } = prepareGlue(transpiled.js);
  assert.equal(debugCheckHoisted, true);
  assert.equal(stringsBounded, true, 'both string decoders are replaced by bounded ones');
  assert.doesNotMatch(body, /new TextDecoder\(/);
  assert.doesNotMatch(body, /process\?\.env\?\.JCO_DEBUG\) \{ return; \}/);
  assert.doesNotMatch(body, /^export /m);
  assert.equal(typeof evaluateGlue(transpiled.js, 'echo.js'), 'function');
});
