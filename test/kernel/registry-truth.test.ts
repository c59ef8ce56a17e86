// The registry believes binaries, not manifests: `registry import` and `registry verify` read what
// a component really imports and exports from its bytes and refuse a manifest that says otherwise,
// and an import links and smoke-tests every version (in a worker) before any is committed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { importChecked, verifyChecked } from '../../kernel/binary-truth.ts';
import { buildBuiltin, buildFixture, forcePublish, kernelFor, rejectsWithCode } from '../support/fixtures.ts';

/** A kernel whose registry holds what `put` publishes, exported to a file; and a clean kernel to import it into. */
async function archiveOf(t: Parameters<typeof kernelFor>[0], put: (kernel: Awaited<ReturnType<typeof kernelFor>>['kernel']) => Promise<unknown>) {
  const source = await kernelFor(t);
  await put(source.kernel);
  const file = path.join(source.home, 'out.tar');
  await source.kernel.registry.exportTo(file);
  const target = await kernelFor(t);
  return { source: source.kernel, file, target: target.kernel };
}

test('a manifest claiming only "log" over a binary that imports exec is refused by verify and by import', async (t) => {
  const shell = await buildBuiltin('shell');
  const { source, file, target } = await archiveOf(t, (kernel) => forcePublish(kernel, shell, (input) => ({ ...input, imports: ['titan:host/log@0.1.0'] })));
  const report = await verifyChecked(source);
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.problems.map((p) => p.code),
    ['TITAN_E_MANIFEST_MISMATCH'],
  );
  assert.match(report.problems[0].message, /says it imports \[titan:host\/log@0\.1\.0\], the binary imports \[.*titan:host\/exec@/);

  await rejectsWithCode(importChecked(target, file), 'TITAN_E_MANIFEST_MISMATCH');
  assert.deepEqual(await target.registry.list({ includeYanked: true }), [], 'nothing was imported');
});

test('a manifest naming another world than the binary exports is refused', async (t) => {
  const echo = await buildBuiltin('echo');
  const { source } = await archiveOf(t, (kernel) =>
    forcePublish(kernel, echo, (input) => ({ ...input, world: 'titan:tool/tool-component@0.2.0', witPackage: 'titan:tool@0.2.0' })),
  );
  const report = await verifyChecked(source);
  assert.deepEqual(
    report.problems.map((p) => p.code),
    ['TITAN_E_MANIFEST_MISMATCH'],
  );
  assert.match(report.problems[0].message, /says world titan:tool\/tool-component@0\.2\.0, the binary exports \[titan:tool\/tool@0\.1\.0\]/);
});

test('import smoke-tests each version in a worker: one that never answers ends with a coded error and nothing is imported', async (t) => {
  const loop = await buildFixture('attack-loop');
  const echo = await buildBuiltin('echo');
  const { file, target } = await archiveOf(t, async (kernel) => {
    await forcePublish(kernel, echo);
    await forcePublish(kernel, loop, (input) => ({ ...input, smoke: [{ input: '{"attack":true}' }] }));
  });
  const error = await rejectsWithCode(importChecked(target, file), 'TITAN_E_SMOKE_FAILED');
  assert.match(error.message, /attack-loop@1\.0\.0 did not answer within 1000 ms/);
  assert.deepEqual(await target.registry.list({ includeYanked: true }), []);
});

test('honest versions import, and verify finds nothing to say', async (t) => {
  const echo = await buildBuiltin('echo');
  const loop = await buildFixture('attack-loop');
  const { source, file, target } = await archiveOf(t, async (kernel) => {
    await forcePublish(kernel, echo);
    await forcePublish(kernel, loop);
  });
  assert.deepEqual((await verifyChecked(source)).problems, []);
  const result = await importChecked(target, file);
  assert.deepEqual(result.imported.sort(), ['tool/attack-loop@1.0.0', 'tool/echo@1.0.0']);
  assert.equal((await verifyChecked(target)).ok, true);
});
