// Every bad input gets a coded error and changes nothing: the registry, what serves, the rollback
// history and the files of the home are the same afterwards, and the old version keeps answering.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { ErrorCode } from '../../common/errors.ts';
import type { KernelEvents } from '../../kernel/events.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import { publishComponent } from '../../kernel/publish.ts';
import type { SourceManifest } from '../../registry/manifest.ts';
import { buildComponent } from '../../toolchain/build.ts';
import {
  buildBuiltin,
  buildFixture,
  builtin,
  forcePublish,
  kernelFor,
  kernelState,
  publishFixture,
  rejectsWithCode,
  serving,
  snapshotHome,
} from '../support/fixtures.ts';
import { TEST_CACHE } from '../support/kernel.ts';

/** Runs `attempt`, expects `code`, and checks that nothing a user can see or that is on disk changed. */
async function refusedAndUnchanged(kernel: Kernel, attempt: () => Promise<unknown>, code: ErrorCode): Promise<Error> {
  const state = await kernelState(kernel);
  const files = await snapshotHome(kernel);
  const error = await rejectsWithCode(attempt(), code);
  assert.deepEqual(await kernelState(kernel), state, `${code}: the registry, serving versions and history are unchanged`);
  assert.deepEqual(await snapshotHome(kernel), files, `${code}: no file of the home changed`);
  return error;
}

async function echoStillServes(kernel: Kernel, version = '1.0.0'): Promise<void> {
  assert.equal(serving(kernel)['tool/echo'], version);
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'still serving' }), { text: 'still serving' });
}

function withManifest(built: Awaited<ReturnType<typeof buildBuiltin>>, change: Record<string, unknown>) {
  return { ...built, manifest: { ...built.manifest, ...change } as SourceManifest };
}

test('bytes that are not a component are refused at publish with TITAN_E_INVALID_COMPONENT', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const echo = await buildBuiltin('echo');
  const coreModule = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const candidates: Record<string, Uint8Array> = {
    'a core module': coreModule,
    'a shell script': Buffer.from('#!/bin/sh\necho hi\n'),
    nothing: new Uint8Array(),
    'a truncated component': echo.wasm.subarray(0, Math.floor(echo.wasm.length / 2)),
    'random bytes after a component header': Uint8Array.from([
      0x00,
      0x61,
      0x73,
      0x6d,
      0x0d,
      0x00,
      0x01,
      0x00,
      ...Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff),
    ]),
  };
  for (const [what, wasm] of Object.entries(candidates)) {
    const error = await refusedAndUnchanged(
      kernel,
      () => publishComponent(kernel, { ...withManifest(echo, { version: '9.0.0' }), wasm }),
      'TITAN_E_INVALID_COMPONENT',
    );
    assert.ok(error.message.length > 0, what);
  }
  await echoStillServes(kernel);
});

test('a broken component that reached the registry anyway is refused at deploy, and the old version serves', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const echo = await buildBuiltin('echo');
  // The registry itself checks only the header, so a truncated binary can be imported.
  await kernel.registry.publish(echo.wasm.subarray(0, 4096), {
    name: 'echo',
    kind: 'tool',
    version: '9.0.0',
    world: 'titan:tool/tool-component@0.1.0',
    witPackage: 'titan:tool@0.1.0',
    backend: 'quickjs',
    capabilities: { log: {} },
    description: 'truncated',
    schema: {},
    imports: ['titan:host/log@0.1.0'],
    sourceDigest: echo.sourceDigest,
  });
  await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'echo', range: '9.0.0' }), 'TITAN_E_INVALID_COMPONENT');
  await echoStillServes(kernel);
});

test('a blob altered on disk after publish is refused at deploy with TITAN_E_DIGEST_MISMATCH; the old version serves', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const v2 = await publishFixture(kernel, 'echo-v2');
  const blob = path.join(kernel.registry.dir, 'blobs', 'sha256', v2.digest.slice('sha256:'.length));
  const bytes = await readFile(blob);
  bytes[bytes.length - 100] ^= 0xff;
  await writeFile(blob, bytes);

  const failed: Array<KernelEvents['component.swap_failed']> = [];
  kernel.bus.on('component.swap_failed', (event) => failed.push(event));
  const error = await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'echo', range: '^1.1.0' }), 'TITAN_E_DIGEST_MISMATCH');
  assert.match(error.message, new RegExp(v2.digest));
  assert.deepEqual(
    failed.map((f) => [f.slot, f.version, f.code]),
    [['tool/echo', '1.1.0', 'TITAN_E_DIGEST_MISMATCH']],
  );

  // Truncated is as bad as altered.
  await writeFile(blob, bytes.subarray(0, 1000));
  await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'echo', range: '1.1.0' }), 'TITAN_E_DIGEST_MISMATCH');
  await echoStillServes(kernel);
});

test('a component.json that fails the schema is refused before anything is built', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-bad-manifest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'echo.js'), await readFile(path.join(builtin('echo'), 'echo.js')));
  const valid = JSON.parse(await readFile(path.join(builtin('echo'), 'component.json'), 'utf8')) as Record<string, unknown>;
  const broken: Array<[string, Record<string, unknown>]> = [
    ['a name with spaces', { ...valid, name: 'Echo Tool' }],
    ['a version that is not semver', { ...valid, version: 'first' }],
    ['an unknown field', { ...valid, colour: 'blue' }],
    ['a missing world', { ...valid, world: undefined }],
    ['a memory limit that is not a number', { ...valid, limits: { memoryMb: 'lots' } }],
    ['an unknown isolation', { ...valid, limits: { isolation: 'vm' } }],
  ];
  for (const [what, manifest] of broken) {
    await writeFile(path.join(dir, 'component.json'), JSON.stringify(manifest));
    await rejectsWithCode(buildComponent(dir, { cacheDir: TEST_CACHE }), 'TITAN_E_MANIFEST_INVALID').catch((error) => {
      throw new Error(`${what}: ${(error as Error).message}`);
    });
  }
  await writeFile(path.join(dir, 'component.json'), '{ "name": "echo", ');
  await rejectsWithCode(buildComponent(dir, { cacheDir: TEST_CACHE }), 'TITAN_E_MANIFEST_INVALID');
});

test('a manifest that fails the schema is refused at publish with TITAN_E_MANIFEST_INVALID', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const echo = await buildBuiltin('echo');
  const broken: Array<[string, Record<string, unknown>]> = [
    ['a name with spaces', { name: 'Echo Tool' }],
    ['a version that is not semver', { version: 'first' }],
    ['a version with a leading v', { version: 'v1.0.1' }],
    ['an unknown field', { version: '1.0.1', colour: 'blue' }],
    ['a negative memory limit', { version: '1.0.1', limits: { memoryMb: -5 } }],
    ['an unknown isolation', { version: '1.0.1', limits: { isolation: 'vm' } }],
  ];
  for (const [what, change] of broken) {
    const error = await refusedAndUnchanged(kernel, () => publishComponent(kernel, withManifest(echo, change)), 'TITAN_E_MANIFEST_INVALID');
    assert.ok(error.message, what);
  }
  await echoStillServes(kernel);
});

test('every manifest that fails the schema is refused as such before the kernel links or runs it', {}, async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const echo = await buildBuiltin('echo');
  const broken: Array<[string, Record<string, unknown>]> = [
    ['a memory limit that is not a number', { version: '1.0.1', limits: { memoryMb: 'lots' } }],
    ['smoke cases that are not a list', { version: '1.0.1', smoke: 'yes' }],
    ['a smoke case without input', { version: '1.0.1', smoke: [{ expect: 'x' }] }],
    ['a capability grant that is not an object', { version: '1.0.1', capabilities: { log: 'all' } }],
    ['an unknown kind', { version: '1.0.1', kind: 'gadget' }],
  ];
  const wrong: string[] = [];
  for (const [what, change] of broken) {
    try {
      await publishComponent(kernel, withManifest(echo, change));
      wrong.push(`${what}: published`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'TITAN_E_MANIFEST_INVALID') wrong.push(`${what}: ${code ?? 'no code'} (${(error as Error).message.slice(0, 120)})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('a manifest invalid for the kernel cannot be deployed even when handed to it directly', async (t) => {
  const {
    kernel,
    manifests: [echo],
  } = await kernelFor(t, [builtin('echo')]);
  await refusedAndUnchanged(kernel, () => kernel.deployManifest({ ...echo, limits: { memoryMb: -1 } }), 'TITAN_E_MANIFEST_INVALID');
  await refusedAndUnchanged(kernel, () => kernel.deployManifest({ ...echo, version: 'latest' }), 'TITAN_E_MANIFEST_INVALID');
  await echoStillServes(kernel);
});

test('a refused first deploy leaves no empty slot behind in the component list', {}, async (t) => {
  const {
    kernel,
    manifests: [echo],
  } = await kernelFor(t, [builtin('echo')]);
  await refusedAndUnchanged(kernel, () => kernel.deployManifest({ ...echo, name: '../../etc' }), 'TITAN_E_MANIFEST_INVALID');
  const hog = await buildFixture('hog');
  await forcePublish(kernel, hog, (input) => ({ ...input, smoke: [{ input: '{"mb":1}', expect: 'nothing' }] }));
  await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'hog', range: '*' }), 'TITAN_E_SMOKE_FAILED');
});

test('a world that does not match the binary is refused at publish: TITAN_E_WORLD_MISMATCH or TITAN_E_WORLD_UNSUPPORTED', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const echo = await buildBuiltin('echo');
  const cases: Array<[string, Record<string, unknown>, ErrorCode]> = [
    ['a 0.1.0 binary claiming titan:tool@0.2.0', { world: 'titan:tool/tool-component@0.2.0' }, 'TITAN_E_WORLD_MISMATCH'],
    ['a tool claiming to be a channel of the tool world', { kind: 'channel' }, 'TITAN_E_WORLD_MISMATCH'],
    ['a tool claiming to be a channel', { kind: 'channel', world: 'titan:channel/channel-component@0.1.0' }, 'TITAN_E_WORLD_MISMATCH'],
    ['a world version this kernel does not link', { world: 'titan:tool/tool-component@0.9.0' }, 'TITAN_E_WORLD_UNSUPPORTED'],
  ];
  for (const [what, change, code] of cases) {
    const error = await refusedAndUnchanged(kernel, () => publishComponent(kernel, withManifest(echo, { version: '1.0.1', ...change })), code);
    assert.ok(error.message, what);
  }
  await echoStillServes(kernel);
});

test('a world mismatch that reached the registry anyway is refused at deploy, and the old version serves', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await forcePublish(kernel, await buildBuiltin('echo'), (input) => ({
    ...input,
    version: '1.0.5',
    world: 'titan:tool/tool-component@0.2.0',
    witPackage: 'titan:tool@0.2.0',
  }));
  const error = await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'echo', range: '1.0.5' }), 'TITAN_E_WORLD_MISMATCH');
  assert.match(error.message, /should export titan:tool\/tool@0\.2\.0/);
  await echoStillServes(kernel);
});

test('a range no published version satisfies gets TITAN_E_UNRESOLVABLE, and no patch is proposed', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const missing = await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'echo', range: '^2.0.0' }), 'TITAN_E_UNRESOLVABLE');
  assert.match(missing.message, /available: 1\.0\.0/);
  await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'weather', range: '*' }), 'TITAN_E_UNRESOLVABLE');
  await refusedAndUnchanged(kernel, () => kernel.proposePatch({ kind: 'tool', name: 'echo', range: '>=3' }), 'TITAN_E_UNRESOLVABLE');
  await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'echo', range: 'newest please' }), 'TITAN_E_USAGE');
  assert.deepEqual(kernel.patches.list(), []);
  await echoStillServes(kernel);
});

test('an import the manifest does not declare is refused at publish, and at deploy if forced into the registry', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('kv')]);
  const kvV2 = await buildFixture('kv-v2'); // declares and imports log and kv
  const withoutKv = { ...kvV2, manifest: { ...kvV2.manifest, capabilities: { log: {} } } };
  const atPublish = await refusedAndUnchanged(kernel, () => publishComponent(kernel, withoutKv), 'TITAN_E_UNDECLARED_IMPORT');
  assert.match(atPublish.message, /imports titan:host\/kv@0\.1\.0 but its manifest does not declare the "kv" capability/);

  await forcePublish(kernel, kvV2, (input) => ({ ...input, capabilities: { log: {} } }));
  const atDeploy = await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'kv', range: '1.1.0' }), 'TITAN_E_UNDECLARED_IMPORT');
  assert.match(atDeploy.message, /"kv" capability/);
  assert.equal(serving(kernel)['tool/kv'], '1.0.0');
  assert.deepEqual(await kernel.invokeTool('kv', { op: 'list' }), { keys: [] });
});

test('an import of a host interface this kernel does not provide is refused with TITAN_E_UNKNOWN_IMPORT', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const error = await refusedAndUnchanged(kernel, () => publishFixture(kernel, 'wants-http'), 'TITAN_E_UNKNOWN_IMPORT');
  assert.match(error.message, /titan:host\/http@0\.1\.0/);
});

test("capability settings outside the interface's schema are refused with TITAN_E_CAPABILITY_INVALID", async (t) => {
  const { kernel } = await kernelFor(t, [builtin('kv')]);
  const kvV2 = await buildFixture('kv-v2');
  for (const grant of [{ maxKeys: 0 }, { maxValueBytes: 'big' }, { namespace: '../other' }, { shareWith: 'everyone' }]) {
    await refusedAndUnchanged(
      kernel,
      () => publishComponent(kernel, { ...kvV2, manifest: { ...kvV2.manifest, capabilities: { log: {}, kv: grant } } }),
      'TITAN_E_CAPABILITY_INVALID',
    );
  }
});

test('a component whose own smoke() fails is refused at publish with TITAN_E_SMOKE_FAILED', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const error = await refusedAndUnchanged(kernel, () => publishFixture(kernel, 'echo-bad-smoke'), 'TITAN_E_SMOKE_FAILED');
  assert.match(error.message, /broken on purpose/);
  await echoStillServes(kernel);
});

test('a smoke case answered wrongly is refused at publish with TITAN_E_SMOKE_FAILED', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  const echo = await buildBuiltin('echo');
  const error = await refusedAndUnchanged(
    kernel,
    () =>
      publishComponent(
        kernel,
        withManifest(echo, {
          version: '1.0.1',
          smoke: [{ input: '{"text":"ping"}', expect: '{"text":"pong"}' }],
        }),
      ),
    'TITAN_E_SMOKE_FAILED',
  );
  assert.match(error.message, /smoke case 1 answered "\{\\"text\\":\\"ping\\"\}", expected "\{\\"text\\":\\"pong\\"\}"/);
  await refusedAndUnchanged(
    kernel,
    () => publishComponent(kernel, withManifest(echo, { version: '1.0.1', smoke: [{ input: 'not json' }] })),
    'TITAN_E_SMOKE_FAILED',
  );
  await echoStillServes(kernel);
});

test('a version failing its smoke test at deploy is not swapped in: TITAN_E_SMOKE_FAILED and the old version serves', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await forcePublish(kernel, await buildFixture('echo-bad-smoke'));
  await forcePublish(kernel, await buildBuiltin('echo'), (input) => ({
    ...input,
    version: '1.0.7',
    smoke: [{ input: '{"text":"a"}', expect: '{"text":"b"}' }],
  }));
  const failed: Array<KernelEvents['component.swap_failed']> = [];
  kernel.bus.on('component.swap_failed', (event) => failed.push(event));

  const ownSmoke = await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'echo', range: '1.2.0' }), 'TITAN_E_SMOKE_FAILED');
  assert.match(ownSmoke.message, /broken on purpose/);
  await refusedAndUnchanged(kernel, () => kernel.deploy({ kind: 'tool', name: 'echo', range: '1.0.7' }), 'TITAN_E_SMOKE_FAILED');
  assert.deepEqual(
    failed.map((f) => [f.version, f.code]),
    [
      ['1.2.0', 'TITAN_E_SMOKE_FAILED'],
      ['1.0.7', 'TITAN_E_SMOKE_FAILED'],
    ],
  );
  await echoStillServes(kernel);
  assert.equal(kernel.components().find((c) => c.slot === 'tool/echo')?.swaps, 1, 'only the first deploy counts as a swap');
});

test('rolling back or calling a slot with nothing deployed gets TITAN_E_SLOT_EMPTY', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await refusedAndUnchanged(kernel, () => kernel.rollback('tool', 'weather'), 'TITAN_E_SLOT_EMPTY');
  await refusedAndUnchanged(kernel, () => kernel.invokeTool('weather', {}), 'TITAN_E_SLOT_EMPTY');
});

test('a manifest whose binary is not in the registry cannot be deployed', async (t) => {
  const {
    kernel,
    manifests: [echo],
  } = await kernelFor(t, [builtin('echo')]);
  await refusedAndUnchanged(kernel, () => kernel.deployManifest({ ...echo, version: '4.0.0', digest: `sha256:${'ab'.repeat(32)}` }), 'TITAN_E_NOT_FOUND');
  await echoStillServes(kernel);
});

test('a version that is not in the registry cannot be swapped in, even with a known binary', {}, async (t) => {
  const {
    kernel,
    manifests: [echo],
  } = await kernelFor(t, [builtin('echo')]);
  await refusedAndUnchanged(kernel, () => kernel.deployManifest({ ...echo, version: '3.0.0' }), 'TITAN_E_NOT_FOUND');
  // The same binary with more capabilities than the registry granted it.
  await refusedAndUnchanged(kernel, () => kernel.deployManifest({ ...echo, capabilities: { log: {}, kv: {} } }), 'TITAN_E_NOT_FOUND');
  await echoStillServes(kernel);
});

test('two swaps of one slot at once: exactly one succeeds, the other gets TITAN_E_SWAP_IN_PROGRESS', async (t) => {
  const {
    kernel,
    manifests: [v1],
  } = await kernelFor(t, [builtin('echo')]);
  const v2 = await publishFixture(kernel, 'echo-v2');

  const outcomes = await Promise.allSettled([kernel.deployManifest(v2), kernel.deployManifest(v1)]);
  const won = outcomes.filter((o) => o.status === 'fulfilled');
  const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  assert.equal(won.length, 1);
  assert.equal(lost.length, 1);
  assert.equal((lost[0].reason as { code: string }).code, 'TITAN_E_SWAP_IN_PROGRESS');
  const winner = (won[0] as PromiseFulfilledResult<{ version: string }>).value.version;
  assert.equal(serving(kernel)['tool/echo'], winner);
  assert.deepEqual(kernel.components().find((c) => c.slot === 'tool/echo')?.previous, ['1.0.0']);

  // A rollback racing a deploy is held to the same rule.
  const race = await Promise.allSettled([kernel.rollback('tool', 'echo'), kernel.deployManifest(v2)]);
  assert.equal(race.filter((o) => o.status === 'fulfilled').length, 1);
  assert.equal(
    (race.find((o): o is PromiseRejectedResult => o.status === 'rejected')?.reason as { code: string } | undefined)?.code,
    'TITAN_E_SWAP_IN_PROGRESS',
  );
  assert.equal(serving(kernel)['tool/echo'], '1.0.0', 'the rollback won, the deploy changed nothing');

  // And once the slot is free again, a swap goes through.
  await kernel.deployManifest(v2);
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'x' }), { text: 'x', version: '1.1.0' });
});

test('the deployed state on disk is untouched by refused deploys: a restart serves the same version', async (t) => {
  const { kernel, home } = await kernelFor(t, [builtin('echo')]);
  await forcePublish(kernel, await buildFixture('echo-bad-smoke'));
  await rejectsWithCode(kernel.deploy({ kind: 'tool', name: 'echo', range: '1.2.0' }), 'TITAN_E_SMOKE_FAILED');
  const recorded = JSON.parse(await readFile(path.join(home, 'deployments.json'), 'utf8')) as Record<string, { version: string }>;
  assert.equal(recorded['tool/echo'].version, '1.0.0');
});
