// The glue rewrite must keep matching what jco generates: a jco upgrade that changes the glue
// would otherwise silently bring back a per-call environment lookup (about half a small call's cost).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { contentDigest } from '../common/digest.ts';
import { buildComponent } from '../toolchain/build.ts';
import { transpileCached } from '../toolchain/transpile.ts';
import { TEST_CACHE } from '../test/support/kernel.ts';
import { UNBOUNDED } from './bounded-strings.ts';
import { evaluateGlue, loadGlue, prepareGlue } from './module-loader.ts';

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

test("a glue's code cache is written again once the glue has run, holding the functions its calls compiled, and the next process takes it", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-glue-cache-'));
  after(() => rm(dir, { recursive: true, force: true }));
  // Glue as jco writes it: an exported instantiate whose helpers compile only when an instance is made.
  const helpers = Array.from({ length: 300 }, (_, i) => `  function lift${i}(v) { return typeof v === 'number' ? v + ${i} : String(v).length; }`);
  const js = `export async function instantiate(getCoreModule, imports) {\n${helpers.join('\n')}\n  let sum = 0;\n${helpers.map((_, i) => `  sum += lift${i}(${i});`).join('\n')}\n  return { sum };\n}\n`;
  await writeFile(path.join(dir, 'component.js'), js);
  const instantiate = (await loadGlue(dir, js, 200))(UNBOUNDED);
  assert.ok(((await instantiate(() => new WebAssembly.Module(new Uint8Array()), {})) as { sum: number }).sum > 0);
  const atLoad = (await stat(path.join(dir, `glue-${process.versions.v8}.v8cache`))).size;
  const usedFile = path.join(dir, `glue-${process.versions.v8}.used.v8cache`);
  for (let waited = 0; !(await stat(usedFile).catch(() => undefined)) && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  const used = await readFile(usedFile);
  assert.ok(used.length > atLoad * 2, `the cache written after use (${used.length} bytes) holds the helpers, the one at load (${atLoad}) does not`);
  // Another process (this one's own compilation cache would answer instead) compiles the glue from it.
  const script = [
    `import { loadGlue, compileGlue } from ${JSON.stringify(new URL('./module-loader.ts', import.meta.url).href)};`,
    'import { readFileSync } from "node:fs";',
    `const dir = ${JSON.stringify(dir)};`,
    'const js = readFileSync(dir + "/component.js", "utf8");',
    `console.log(compileGlue(js, dir + "/component.js", readFileSync(${JSON.stringify(usedFile)})).cacheRejected);`,
  ].join('\n');
  const rejected = execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
  assert.equal(rejected, 'false');
});

test("a glue's folder removed before its cache is written again (a test's home) is not made again for it", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-glue-gone-'));
  const js = 'export async function instantiate() {\n  return {};\n}\n';
  await writeFile(path.join(dir, 'component.js'), js);
  await loadGlue(dir, js, 50);
  await rm(dir, { recursive: true, force: true });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await stat(dir).catch(() => undefined), undefined);
});
