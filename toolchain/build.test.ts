// The toolchain as `titan build` uses it: real componentize runs, cached by the sha256 of inputs.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { contentDigest } from '../common/digest.ts';
import { buildComponent, buildComponents, findComponentDirs } from './build.ts';
import { inspectComponent } from './inspect.ts';
import type { ProgressReporter } from './progress.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
let work: string;
let cacheDir: string;

before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'titan-toolchain-'));
  cacheDir = path.join(work, 'cache');
});
after(() => rm(work, { recursive: true, force: true }));

async function copyFixture(from: string, name: string): Promise<string> {
  const dir = path.join(work, name);
  await cp(path.join(ROOT, from), dir, { recursive: true });
  return dir;
}

test('a component imports exactly the capabilities its manifest declares', async () => {
  const kv = await buildComponent(path.join(ROOT, 'components/tools/kv'), { cacheDir });
  assert.deepEqual((await inspectComponent(kv.wasm)).imports.sort(), ['titan:host/kv@0.1.0', 'titan:host/log@0.1.0']);
  const echo = await buildComponent(path.join(ROOT, 'components/tools/echo'), { cacheDir });
  const shape = await inspectComponent(echo.wasm);
  assert.deepEqual(shape.imports, ['titan:host/log@0.1.0']);
  assert.ok(shape.exports.includes('titan:tool/tool@0.1.0'));
  assert.ok(!shape.imports.some((i) => i.startsWith('wasi:')), 'WASI is stubbed out');
});

test('every step is cached by the sha256 of its inputs; a changed source rebuilds', async () => {
  const dir = await copyFixture('components/tools/echo', 'echo-cache');
  const first = await buildComponent(dir, { cacheDir });
  const second = await buildComponent(dir, { cacheDir });
  assert.equal(second.cached, true);
  assert.equal(second.digest, first.digest);
  // A cached build knows its digest without its bytes; asked for, they are the bytes first built.
  assert.deepEqual(new Uint8Array(second.wasm), new Uint8Array(first.wasm));
  assert.equal(contentDigest(second.wasm), second.digest);
  await writeFile(path.join(dir, 'echo.js'), (await readFile(path.join(dir, 'echo.js'), 'utf8')) + '\n// changed\n');
  const third = await buildComponent(dir, { cacheDir });
  assert.equal(third.cached, false);
  assert.notEqual(third.digest, first.digest);
  assert.notEqual(third.sourceDigest, first.sourceDigest);
});

test('the same source gives the same digest wherever it sits: no path enters the build, its cache is keyed by content', async () => {
  const here = await copyFixture('components/tools/echo', 'echo-here');
  const there = await copyFixture('components/tools/echo', path.join('elsewhere', 'deeper', 'echo'));
  const first = await buildComponent(here, { cacheDir });
  const second = await buildComponent(there, { cacheDir });
  assert.equal(second.sourceDigest, first.sourceDigest);
  assert.equal(second.digest, first.digest);
  // Built twice from scratch the binaries differ only where componentize-qjs's Wizer snapshot kept
  // the host's randomness (see README, "Reproducible builds"): never in their size or shape.
  const fresh = await buildComponent(there, { cacheDir: path.join(work, 'fresh-cache') });
  assert.equal(fresh.wasm.length, first.wasm.length);
  const differing = fresh.wasm.reduce((n, byte, i) => n + (byte === first.wasm[i] ? 0 : 1), 0);
  assert.ok(differing <= 512, `${differing} bytes differ between two builds of one source`);
});

test('TypeScript sources are type-stripped, and a 0.2.0 world links host 0.2.0', async () => {
  const built = await buildComponent(path.join(ROOT, 'test/fixtures/components/greeter-v2'), { cacheDir });
  const shape = await inspectComponent(built.wasm);
  assert.deepEqual(shape.imports.sort(), ['titan:host/clock@0.2.0', 'titan:host/log@0.2.0']);
  assert.ok(shape.exports.includes('titan:tool/tool@0.2.0'));
});

test('a multi-component build reports progress per component', async () => {
  const steps: string[] = [];
  const progress: ProgressReporter = {
    start: (n, label) => steps.push(`start ${n} ${label}`),
    step: (item) => steps.push(item),
    done: (s) => steps.push(`done ${s}`),
  };
  const dirs = (await findComponentDirs(path.join(ROOT, 'components'))).filter((dir) => /tools\/(clock|echo|kv)$/.test(dir));
  assert.equal(dirs.length, 3);
  const built = await buildComponents(dirs, { cacheDir, progress });
  // Built in parallel: each is reported as it finishes, the results keep the folders' order.
  assert.equal(steps[0], 'start 3 building components');
  assert.deepEqual(steps.slice(1, 4).sort(), ['tool/clock@1.0.0', 'tool/echo@1.0.0', 'tool/kv@1.0.0']);
  assert.match(steps[4], /^done 3 built/);
  assert.deepEqual(
    built.map((b) => b.manifest.name),
    ['clock', 'echo', 'kv'],
  );
});

test('a source that fails to build on a pool thread still fails with its code, naming the compiler error', async () => {
  const broken = await copyFixture('components/tools/echo', 'echo-broken-pool');
  await writeFile(path.join(broken, 'echo.js'), 'export const tool = { describe( { return 1 } };');
  const clock = path.join(ROOT, 'components/tools/clock');
  await assert.rejects(buildComponents([clock, broken], { cacheDir: path.join(work, 'pool-cache') }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'TITAN_E_BUILD_FAILED');
    assert.match(error.message, /quickjs could not build the component/);
    return true;
  });
});

test('StarlingMonkey is selectable and also imports only Titan interfaces', async () => {
  const built = await buildComponent(path.join(ROOT, 'components/tools/echo'), { cacheDir, backend: 'starlingmonkey' });
  assert.equal(built.backend, 'starlingmonkey');
  const shape = await inspectComponent(built.wasm);
  assert.deepEqual(shape.imports, ['titan:host/log@0.1.0']);
  assert.ok(built.wasm.length > 4 * 1024 * 1024, 'StarlingMonkey embeds a bigger engine');
});

test('bad sources and manifests get coded errors', async () => {
  const broken = await copyFixture('components/tools/echo', 'echo-broken');
  await writeFile(path.join(broken, 'echo.js'), 'export const tool = { describe( { return 1 } };');
  await assert.rejects(buildComponent(broken, { cacheDir }), { code: 'TITAN_E_BUILD_FAILED' });

  const unknownWorld = await copyFixture('components/tools/echo', 'echo-world');
  await writeFile(
    path.join(unknownWorld, 'component.json'),
    JSON.stringify({ name: 'echo', kind: 'tool', version: '1.0.0', world: 'titan:tool/tool-component@9.0.0', source: 'echo.js', capabilities: {} }),
  );
  await assert.rejects(buildComponent(unknownWorld, { cacheDir }), { code: 'TITAN_E_WIT_UNKNOWN' });

  const badCapability = await copyFixture('components/tools/echo', 'echo-cap');
  await writeFile(
    path.join(badCapability, 'component.json'),
    JSON.stringify({
      name: 'echo',
      kind: 'tool',
      version: '1.0.0',
      world: 'titan:tool/tool-component@0.1.0',
      source: 'echo.js',
      capabilities: { teleport: {} },
    }),
  );
  await assert.rejects(buildComponent(badCapability, { cacheDir }), { code: 'TITAN_E_CAPABILITY_INVALID' });

  const badManifest = await copyFixture('components/tools/echo', 'echo-manifest');
  await writeFile(
    path.join(badManifest, 'component.json'),
    JSON.stringify({ name: 'Echo!', kind: 'tool', version: 'one', world: 'titan:tool/tool-component@0.1.0', source: 'echo.js', capabilities: {} }),
  );
  await assert.rejects(buildComponent(badManifest, { cacheDir }), { code: 'TITAN_E_MANIFEST_INVALID' });

  const escaping = await copyFixture('components/tools/echo', 'echo-escape');
  await writeFile(
    path.join(escaping, 'component.json'),
    JSON.stringify({ name: 'echo', kind: 'tool', version: '1.0.0', world: 'titan:tool/tool-component@0.1.0', source: '../../etc/passwd', capabilities: {} }),
  );
  await assert.rejects(buildComponent(escaping, { cacheDir }), { code: 'TITAN_E_MANIFEST_INVALID' });
});

test('non-components are refused by inspection', async () => {
  await assert.rejects(inspectComponent(Buffer.from('not wasm at all')), { code: 'TITAN_E_INVALID_COMPONENT' });
  const coreModule = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  await assert.rejects(inspectComponent(coreModule), { code: 'TITAN_E_INVALID_COMPONENT', message: /core WebAssembly module/ });
  const truncated = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0xff]);
  await assert.rejects(inspectComponent(truncated), { code: 'TITAN_E_INVALID_COMPONENT' });
});

test('an entry may import shared modules outside its folder; a change in one rebuilds every component using it', async () => {
  const root = path.join(work, 'shared-lib');
  await cp(path.join(ROOT, 'components/providers'), root, { recursive: true });
  const first = await buildComponent(path.join(root, 'openai'), { cacheDir });
  assert.ok(first.wasm.length > 0);
  const again = await buildComponent(path.join(root, 'openai'), { cacheDir });
  assert.equal(again.cached, true);
  await writeFile(path.join(root, 'lib', 'request.js'), (await readFile(path.join(root, 'lib', 'request.js'), 'utf8')) + '\n// changed\n');
  const changed = await buildComponent(path.join(root, 'openai'), { cacheDir });
  assert.equal(changed.cached, false);
  assert.notEqual(changed.sourceDigest, first.sourceDigest);
});
