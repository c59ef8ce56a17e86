// A reflex build runs in a child process of its own: the kernel that compiles a reflex never loads
// the compiler (componentize-qjs) or jco's transpiler and minifier, which stay in a process for good
// once loaded (about 190 MB); the build's process is gone once the reflex is published.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { greetReflex } from '../../test/support/greet-reflex.ts';
import { openTestKernel } from '../../test/support/kernel.ts';
import { buildInChild, compileReflex } from './compiler.ts';

// A key of its own per build: the build is never found in the shared build cache.
const greet = (key: string) => greetReflex('reflex-greet', key);

/** The native libraries and wasm toolchains mapped into this process. */
async function loaded(): Promise<string> {
  return (await readFile('/proc/self/maps', 'utf8'))
    .split('\n')
    .filter((line) => /componentize|oxc-minify|minify\./.test(line))
    .join('\n');
}

test('a reflex is built in a process of its own: the kernel loads no compiler, and no build process is left', async (t) => {
  const { kernel, cleanup } = await openTestKernel();
  t.after(cleanup);
  const before = process.getActiveResourcesInfo().filter((r) => r === 'ProcessWrap' || r === 'PipeWrap');
  const compiled = await compileReflex(kernel, greet(`child-${process.pid}-${Date.now()}`), '1.0.0', { timeoutMs: 5000 });
  assert.equal(compiled.manifest.kind, 'reflex');
  assert.ok(
    (await kernel.registry.list({ kind: 'reflex' })).some((m) => m.digest === compiled.manifest.digest),
    'published',
  );
  const deployment = await kernel.createDeployment(compiled.manifest);
  const match = (await deployment.call('match', ['greet grace'])) as { slotsJson: string };
  await deployment.close();
  assert.deepEqual(JSON.parse(match.slotsJson), { person: 'grace' });
  if (process.platform === 'linux') assert.equal(await loaded(), '', 'neither the compiler nor the transpiler is mapped into the kernel');
  assert.deepEqual(
    process.getActiveResourcesInfo().filter((r) => r === 'ProcessWrap' || r === 'PipeWrap'),
    before,
    'the build process exited',
  );
});

test("a folder that does not build answers the compiler's coded error from the build process", async (t) => {
  const { kernel, cleanup } = await openTestKernel();
  t.after(cleanup);
  await assert.rejects(
    compileReflex(kernel, greet(`broken-${process.pid}-${Date.now()}`), '1.0.0', { timeoutMs: 5000, source: 'export const reflex = {' }),
    (error: Error & { code?: string }) => error.code === 'TITAN_E_BUILD_FAILED' && /could not build/.test(error.message),
  );
  await assert.rejects(buildInChild('/nonexistent/reflex/folder', kernel.paths.cache), { code: 'TITAN_E_SOURCE_MISSING' });
});
