import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { contentDigest } from '../common/digest.ts';
import { isTitanError } from '../common/errors.ts';
import { Registry } from './registry.ts';
import { fakeComponent, manifestFor, rejectsWith, snapshot, tempRegistry } from './test-fixtures.ts';

test('publish stores blob and manifest by content, and list/show return them', async (t) => {
  const registry = await tempRegistry(t);
  const wasm = fakeComponent();
  const published = await registry.publish(wasm, manifestFor('echo', '1.0.0'));

  assert.equal(published.digest, contentDigest(wasm));
  assert.equal(published.size, wasm.length);
  assert.equal(published.schemaVersion, 1);
  assert.ok(!Number.isNaN(Date.parse(published.created)));
  assert.deepEqual(await readFile(path.join(registry.dir, 'blobs/sha256', published.digest.slice(7))), Buffer.from(wasm));
  const onDisk = JSON.parse(await readFile(path.join(registry.dir, 'manifests/tool/echo/1.0.0.json'), 'utf8'));
  assert.deepEqual(onDisk, published);

  assert.deepEqual(await registry.list(), [published]);
  assert.deepEqual(await registry.show({ name: 'echo', version: '1.0.0' }), published);
  assert.deepEqual(Buffer.from(await registry.readBlob(published)), Buffer.from(wasm));
  await rejectsWith(registry.show({ name: 'echo', version: '9.9.9' }), 'TITAN_E_NOT_FOUND');
  await rejectsWith(registry.show({ name: 'echo', version: 'latest' }), 'TITAN_E_USAGE');
});

test('publish refuses bytes that are not a component, and writes nothing', async (t) => {
  const registry = await tempRegistry(t);
  const before = await snapshot(registry.dir);
  const coreModule = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 1, 2, 3]);
  await rejectsWith(registry.publish(coreModule, manifestFor('echo', '1.0.0')), 'TITAN_E_INVALID_COMPONENT');
  await rejectsWith(registry.publish(new TextEncoder().encode('#!/bin/sh\necho hi\n'), manifestFor('echo', '1.0.0')), 'TITAN_E_INVALID_COMPONENT');
  await rejectsWith(registry.publish(new Uint8Array(), manifestFor('echo', '1.0.0')), 'TITAN_E_INVALID_COMPONENT');
  assert.deepEqual(await snapshot(registry.dir), before);
});

test('publish refuses a manifest that fails the schema, and writes nothing', async (t) => {
  const registry = await tempRegistry(t);
  const before = await snapshot(registry.dir);
  const wasm = fakeComponent();
  await rejectsWith(registry.publish(wasm, manifestFor('Bad Name', '1.0.0')), 'TITAN_E_MANIFEST_INVALID');
  await rejectsWith(registry.publish(wasm, manifestFor('echo', 'one')), 'TITAN_E_MANIFEST_INVALID');
  await rejectsWith(registry.publish(wasm, Object.assign(manifestFor('echo', '1.0.0'), { extra: true })), 'TITAN_E_MANIFEST_INVALID');
  await rejectsWith(registry.publish(wasm, { ...manifestFor('echo', '1.0.0'), world: 'titan:channel/channel-component@0.1.0' }), 'TITAN_E_WORLD_MISMATCH');
  // Versions are file names and identities: one spelling only.
  const leadingV = await rejectsWith(registry.publish(wasm, manifestFor('echo', 'v1.0.0')), 'TITAN_E_MANIFEST_INVALID');
  assert.match(leadingV.message, /write the version as 1\.0\.0/);
  await rejectsWith(registry.publish(wasm, manifestFor('echo', '1.0.0+build.7')), 'TITAN_E_MANIFEST_INVALID');
  assert.deepEqual(await snapshot(registry.dir), before);
});

test('a published version is immutable: other bytes are refused and the registry is unchanged', async (t) => {
  const registry = await tempRegistry(t);
  const first = await registry.publish(fakeComponent(), manifestFor('echo', '1.0.0'));
  const before = await snapshot(registry.dir);

  const error = await rejectsWith(registry.publish(fakeComponent(), manifestFor('echo', '1.0.0')), 'TITAN_E_VERSION_EXISTS');
  assert.match(error.message, /tool\/echo@1\.0\.0/);
  assert.deepEqual(await snapshot(registry.dir), before);
  assert.deepEqual(await registry.list(), [first]);
});

test('re-publishing the same release is idempotent; the same bytes with other capabilities are not', async (t) => {
  const registry = await tempRegistry(t);
  const wasm = fakeComponent();
  const first = await registry.publish(wasm, manifestFor('echo', '1.0.0'));
  const before = await snapshot(registry.dir);

  const again = await registry.publish(wasm, manifestFor('echo', '1.0.0'));
  assert.deepEqual(again, first, 'returns the stored manifest, created time included');
  assert.deepEqual(await snapshot(registry.dir), before);

  const wider = manifestFor('echo', '1.0.0', 'tool', { capabilities: { http: { hosts: ['*'] } } });
  await rejectsWith(registry.publish(wasm, wider), 'TITAN_E_VERSION_EXISTS');
  assert.deepEqual(await snapshot(registry.dir), before);
});

test('concurrent publishers of one version: exactly one wins, across separate Registry objects', async (t) => {
  const first = await tempRegistry(t);
  const others = await Promise.all(Array.from({ length: 7 }, () => Registry.open(first.dir)));
  const results = await Promise.allSettled([first, ...others].map((r) => r.publish(fakeComponent(), manifestFor('echo', '1.0.0'))));
  const won = results.filter((r) => r.status === 'fulfilled');
  assert.equal(won.length, 1);
  for (const lost of results.filter((r) => r.status === 'rejected')) assert.ok(isTitanError(lost.reason, 'TITAN_E_VERSION_EXISTS'));
  const [stored] = await first.list();
  assert.deepEqual(stored, won[0].value);
  assert.equal((await first.readBlob(stored)).length, stored.size);

  // The same release published concurrently: every caller gets the one stored manifest.
  const wasm = fakeComponent();
  const same = await Promise.all([first, ...others].map((r) => r.publish(wasm, manifestFor('echo', '2.0.0'))));
  for (const manifest of same) assert.deepEqual(manifest, same[0]);
  assert.deepEqual(await first.show({ name: 'echo', version: '2.0.0' }), same[0]);
});

test('two versions with the same bytes share one blob', async (t) => {
  const registry = await tempRegistry(t);
  const wasm = fakeComponent();
  await registry.publish(wasm, manifestFor('echo', '1.0.0'));
  await registry.publish(wasm, manifestFor('echo', '1.0.1'));
  assert.equal((await readdir(path.join(registry.dir, 'blobs/sha256'))).length, 1);
});

test('list sorts by kind, name and semver, and filters', async (t) => {
  const registry = await tempRegistry(t);
  for (const [name, version, kind] of [
    ['zeta', '1.10.0', 'tool'],
    ['zeta', '1.9.0', 'tool'],
    ['alpha', '2.0.0', 'tool'],
    ['cli', '1.0.0', 'channel'],
    ['zeta', '1.0.0-rc.1', 'tool'],
  ] as const) {
    await registry.publish(fakeComponent(), manifestFor(name, version, kind));
  }
  const order = (await registry.list()).map((m) => `${m.kind}/${m.name}@${m.version}`);
  assert.deepEqual(order, ['channel/cli@1.0.0', 'tool/alpha@2.0.0', 'tool/zeta@1.0.0-rc.1', 'tool/zeta@1.9.0', 'tool/zeta@1.10.0']);
  assert.deepEqual(
    (await registry.list({ kind: 'channel' })).map((m) => m.name),
    ['cli'],
  );
  assert.deepEqual(
    (await registry.list({ name: 'zeta' })).map((m) => m.version),
    ['1.0.0-rc.1', '1.9.0', '1.10.0'],
  );
  assert.deepEqual(await registry.list({ name: 'nothing' }), []);
  await rejectsWith(registry.list({ name: '../../etc' }), 'TITAN_E_USAGE');
});

test('resolve picks the highest version that satisfies the range', async (t) => {
  const registry = await tempRegistry(t);
  for (const version of ['1.0.0', '1.2.0', '1.2.5', '1.3.0', '2.0.0', '2.1.0-beta.1']) {
    await registry.publish(fakeComponent(), manifestFor('echo', version));
  }
  const resolved = async (ref: string | undefined) => (await registry.resolve({ name: 'echo', range: ref })).version;
  assert.equal(await resolved(undefined), '2.0.0', 'default * excludes prereleases');
  assert.equal(await resolved('*'), '2.0.0');
  assert.equal(await resolved('^1.0.0'), '1.3.0');
  assert.equal(await resolved('~1.2.0'), '1.2.5');
  assert.equal(await resolved('1.2.0'), '1.2.0');
  assert.equal(await resolved('1.x'), '1.3.0');
  assert.equal(await resolved('>=1.2.0 <1.3.0'), '1.2.5');
  assert.equal(await resolved('^2.1.0-beta.0'), '2.1.0-beta.1', 'a range naming a prerelease may pick one');
  assert.equal(await resolved('2.1.0-beta.1'), '2.1.0-beta.1');
  assert.equal((await registry.resolve({ kind: 'tool', name: 'echo', range: '^1' })).version, '1.3.0');

  const none = await rejectsWith(registry.resolve({ name: 'echo', range: '^3.0.0' }), 'TITAN_E_UNRESOLVABLE');
  assert.match(none.message, /available: 1\.0\.0, 1\.2\.0, 1\.2\.5, 1\.3\.0, 2\.0\.0, 2\.1\.0-beta\.1/);
  await rejectsWith(registry.resolve({ name: 'echo', range: 'banana' }), 'TITAN_E_USAGE');
  await rejectsWith(registry.resolve({ name: 'missing' }), 'TITAN_E_UNRESOLVABLE');
  await rejectsWith(registry.resolve({ kind: 'channel', name: 'echo' }), 'TITAN_E_UNRESOLVABLE');
});

test('yanked versions are skipped by ranges, but a pinned exact version still resolves', async (t) => {
  const registry = await tempRegistry(t);
  for (const version of ['1.0.0', '1.1.0', '1.2.0']) await registry.publish(fakeComponent(), manifestFor('echo', version));

  const yanked = await registry.yank({ name: 'echo', version: '1.2.0' }, 'leaks the API key into logs');
  assert.equal(yanked.yanked?.reason, 'leaks the API key into logs');
  assert.deepEqual(await registry.show({ name: 'echo', version: '1.2.0' }), yanked);
  assert.deepEqual(await registry.yank({ name: 'echo', version: '1.2.0' }, 'again'), yanked, 'yanking twice keeps the first record');

  assert.equal((await registry.resolve({ name: 'echo' })).version, '1.1.0');
  assert.equal((await registry.resolve({ name: 'echo', range: '^1.0.0' })).version, '1.1.0');
  const pinned = await registry.resolve({ name: 'echo', range: '1.2.0' });
  assert.equal(pinned.version, '1.2.0');
  assert.ok(pinned.yanked);
  assert.deepEqual(await registry.readBlob(pinned), await registry.readBlob(await registry.show({ name: 'echo', version: '1.2.0' })));

  assert.deepEqual(
    (await registry.list()).map((m) => m.version),
    ['1.0.0', '1.1.0'],
  );
  assert.deepEqual(
    (await registry.list({ includeYanked: true })).map((m) => m.version),
    ['1.0.0', '1.1.0', '1.2.0'],
  );

  await registry.yank({ name: 'echo', version: '1.0.0' }, 'old');
  await registry.yank({ name: 'echo', version: '1.1.0' }, 'old');
  const error = await rejectsWith(registry.resolve({ name: 'echo' }), 'TITAN_E_UNRESOLVABLE');
  assert.match(error.message, /1\.2\.0 \(yanked\)/);
  await rejectsWith(registry.yank({ name: 'echo', version: '3.0.0' }, 'x'), 'TITAN_E_NOT_FOUND');
  await rejectsWith(registry.yank({ name: 'echo', version: '1.0.0' }, '  '), 'TITAN_E_USAGE');
});

test('a name published as two kinds must be qualified', async (t) => {
  const registry = await tempRegistry(t);
  await registry.publish(fakeComponent(), manifestFor('telegram', '1.0.0', 'tool'));
  await registry.publish(fakeComponent(), manifestFor('telegram', '2.0.0', 'channel'));

  const error = await rejectsWith(registry.resolve({ name: 'telegram' }), 'TITAN_E_USAGE');
  assert.match(error.message, /channel\/telegram or tool\/telegram/);
  assert.equal((await registry.resolve({ kind: 'tool', name: 'telegram' })).version, '1.0.0');
  assert.equal((await registry.resolve({ kind: 'channel', name: 'telegram' })).version, '2.0.0');

  await registry.publish(fakeComponent(), manifestFor('telegram', '1.0.0', 'channel'));
  await rejectsWith(registry.show({ name: 'telegram', version: '1.0.0' }), 'TITAN_E_USAGE');
  assert.equal((await registry.show({ kind: 'channel', name: 'telegram', version: '1.0.0' })).kind, 'channel');
});

test('open refuses a trusted key that is not an ed25519 public key', async (t) => {
  await rejectsWith(tempRegistry(t, { trustedKeys: ['bm90IGEga2V5'] }), 'TITAN_E_CONFIG_INVALID');
});
