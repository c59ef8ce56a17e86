import assert from 'node:assert/strict';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { contentDigest } from '../common/digest.ts';
import type { PublishedManifest } from './manifest.ts';
import type { Registry } from './registry.ts';
import { fakeComponent, manifestFor, rejectsWith, tempRegistry } from './test-fixtures.ts';

const blobFile = (registry: Registry, m: PublishedManifest) => path.join(registry.dir, 'blobs/sha256', m.digest.slice('sha256:'.length));
const manifestFile = (registry: Registry, kind: string, name: string, version: string) => path.join(registry.dir, 'manifests', kind, name, `${version}.json`);
const anHourAgo = () => new Date(Date.now() - 3_600_000);

test('a flipped byte in a blob: readBlob refuses it, verify reports it, re-publishing heals it', async (t) => {
  const registry = await tempRegistry(t);
  const wasm = fakeComponent();
  const good = await registry.publish(wasm, manifestFor('echo', '1.0.0'));
  const other = await registry.publish(fakeComponent(), manifestFor('clock', '1.0.0'));
  const bytes = await readFile(blobFile(registry, good));
  bytes[20] ^= 0xff;
  await writeFile(blobFile(registry, good), bytes);

  await rejectsWith(registry.readBlob(good), 'TITAN_E_DIGEST_MISMATCH');
  assert.equal((await registry.readBlob(other)).length, other.size);
  const report = await registry.verify();
  assert.equal(report.ok, false);
  assert.equal(report.checked, 2);
  assert.deepEqual(
    report.problems.map((p) => [p.ref, p.code]),
    [['tool/echo@1.0.0', 'TITAN_E_DIGEST_MISMATCH']],
  );

  await registry.publish(wasm, manifestFor('echo', '1.0.0'));
  assert.deepEqual(await registry.verify(), { ok: true, checked: 2, problems: [] });
});

test('a missing or truncated blob is reported, never returned', async (t) => {
  const registry = await tempRegistry(t);
  const gone = await registry.publish(fakeComponent(), manifestFor('echo', '1.0.0'));
  const short = await registry.publish(fakeComponent(), manifestFor('clock', '1.0.0'));
  await rm(blobFile(registry, gone));
  await writeFile(blobFile(registry, short), (await readFile(blobFile(registry, short))).subarray(0, 10));

  await rejectsWith(registry.readBlob(gone), 'TITAN_E_NOT_FOUND');
  await rejectsWith(registry.readBlob(short), 'TITAN_E_DIGEST_MISMATCH');
  const codes = (await registry.verify()).problems.map((p) => `${p.ref} ${p.code}`).sort();
  assert.deepEqual(codes, ['tool/clock@1.0.0 TITAN_E_DIGEST_MISMATCH', 'tool/echo@1.0.0 TITAN_E_NOT_FOUND']);
});

test('readBlob refuses a manifest whose digest or size was edited', async (t) => {
  const registry = await tempRegistry(t);
  const published = await registry.publish(fakeComponent(), manifestFor('echo', '1.0.0'));
  await rejectsWith(registry.readBlob({ ...published, size: published.size + 1 }), 'TITAN_E_DIGEST_MISMATCH');
  await rejectsWith(registry.readBlob({ ...published, digest: contentDigest(fakeComponent()) }), 'TITAN_E_NOT_FOUND');
  await rejectsWith(registry.readBlob({ ...published, digest: 'sha256:../../../etc/passwd' }), 'TITAN_E_MANIFEST_INVALID');
});

test('a manifest tampered on disk is reported by verify and skipped by list and resolve', async (t) => {
  const registry = await tempRegistry(t);
  await registry.publish(fakeComponent(), manifestFor('echo', '1.0.0'));
  await registry.publish(fakeComponent(), manifestFor('echo', '1.1.0'));
  await registry.publish(fakeComponent(), manifestFor('clock', '1.0.0'));

  const file = manifestFile(registry, 'tool', 'echo', '1.1.0');
  const tampered = { ...JSON.parse(await readFile(file, 'utf8')), size: 'large', backdoor: true };
  await writeFile(file, JSON.stringify(tampered));
  // A manifest copied under another version's path must not pass as that version.
  await writeFile(manifestFile(registry, 'tool', 'clock', '9.0.0'), await readFile(manifestFile(registry, 'tool', 'clock', '1.0.0')));

  const report = await registry.verify();
  assert.equal(report.ok, false);
  assert.equal(report.checked, 4);
  assert.deepEqual(report.problems.map((p) => [p.ref, p.code]).sort(), [
    ['tool/clock@9.0.0', 'TITAN_E_MANIFEST_INVALID'],
    ['tool/echo@1.1.0', 'TITAN_E_MANIFEST_INVALID'],
  ]);
  assert.match(report.problems.find((p) => p.ref === 'tool/echo@1.1.0')?.message ?? '', /size|backdoor/);

  assert.deepEqual(
    (await registry.list()).map((m) => `${m.name}@${m.version}`),
    ['clock@1.0.0', 'echo@1.0.0'],
  );
  assert.equal((await registry.resolve({ name: 'echo' })).version, '1.0.0');
  assert.equal((await registry.resolve({ name: 'clock' })).version, '1.0.0');
  await rejectsWith(registry.show({ name: 'echo', version: '1.1.0' }), 'TITAN_E_MANIFEST_INVALID');
  await rejectsWith(registry.publish(fakeComponent(), manifestFor('echo', '1.1.0')), 'TITAN_E_MANIFEST_INVALID');
  // A backup must not silently miss a version.
  await rejectsWith(registry.exportTo(path.join(registry.dir, '..', 'out.tar')), 'TITAN_E_MANIFEST_INVALID');
});

test('verify reports progress for every manifest', async (t) => {
  const registry = await tempRegistry(t);
  for (const version of ['1.0.0', '1.1.0', '1.2.0']) await registry.publish(fakeComponent(), manifestFor('echo', version));
  const calls: Array<[number, number, string]> = [];
  await registry.verify({ onProgress: (done, total, item) => calls.push([done, total, item]) });
  assert.deepEqual(calls, [
    [1, 3, 'tool/echo@1.0.0'],
    [2, 3, 'tool/echo@1.1.0'],
    [3, 3, 'tool/echo@1.2.0'],
  ]);
});

test('crash leftovers: a temp file and an orphan blob are ignored by readers and removed by gc', async (t) => {
  const registry = await tempRegistry(t);
  const kept = await registry.publish(fakeComponent(), manifestFor('echo', '1.0.0'));

  // A crash between blob and manifest: the blob is there, its manifest never was.
  const orphanBytes = fakeComponent(1000);
  const orphan = path.join(registry.dir, 'blobs/sha256', contentDigest(orphanBytes).slice(7));
  await writeFile(orphan, orphanBytes);
  // A crash in the middle of an atomic write: a half-written temp file beside the target.
  const temp = path.join(registry.dir, 'manifests/tool/echo', '.1.1.0.json.4242.deadbeef.tmp');
  await writeFile(temp, '{"name": "echo", "vers');
  const blobTemp = path.join(registry.dir, 'blobs/sha256', '.abc.4242.deadbeef.tmp');
  await writeFile(blobTemp, 'partial');
  // Not ours (not a digest name, not a temp name): gc leaves it alone.
  const stranger = path.join(registry.dir, 'blobs/sha256', 'README');
  await writeFile(stranger, 'hands off');
  await utimes(stranger, anHourAgo(), anHourAgo());

  assert.deepEqual(await registry.list(), [kept]);
  assert.equal((await registry.resolve({ name: 'echo' })).version, '1.0.0');
  assert.deepEqual(await registry.verify(), { ok: true, checked: 1, problems: [] });

  // Fresh files may belong to a write in progress in another process: spared by default.
  assert.deepEqual(await registry.gc(), { removedBlobs: [], freedBytes: 0, removedTemp: 0 });

  for (const file of [orphan, temp, blobTemp]) await utimes(file, anHourAgo(), anHourAgo());
  await utimes(blobFile(registry, kept), anHourAgo(), anHourAgo());
  const dry = await registry.gc({ dryRun: true });
  assert.deepEqual(dry.removedBlobs, [contentDigest(orphanBytes)]);
  assert.equal(dry.removedTemp, 2);
  assert.ok(await readFile(orphan));

  const done = await registry.gc();
  assert.deepEqual(done, dry);
  assert.equal(done.freedBytes, orphanBytes.length + '{"name": "echo", "vers'.length + 'partial'.length);
  await assert.rejects(readFile(orphan), { code: 'ENOENT' });
  await assert.rejects(readFile(temp), { code: 'ENOENT' });
  await assert.rejects(readFile(blobTemp), { code: 'ENOENT' });
  assert.equal((await registry.readBlob(kept)).length, kept.size, 'referenced blobs stay');
  assert.equal(await readFile(stranger, 'utf8'), 'hands off');
  assert.deepEqual(await registry.gc({ graceMs: 0 }), { removedBlobs: [], freedBytes: 0, removedTemp: 0 });
});

test('gc keeps the blob of a yanked version and of a schema-invalid manifest, and stops at an unreadable one', async (t) => {
  const registry = await tempRegistry(t);
  const yanked = await registry.publish(fakeComponent(), manifestFor('echo', '1.0.0'));
  await registry.yank({ name: 'echo', version: '1.0.0' }, 'bad');
  const invalid = await registry.publish(fakeComponent(), manifestFor('clock', '1.0.0'));
  const file = manifestFile(registry, 'tool', 'clock', '1.0.0');
  await writeFile(file, JSON.stringify({ ...invalid, extra: 1 }));

  assert.deepEqual((await registry.gc({ graceMs: 0 })).removedBlobs, []);
  assert.equal((await registry.readBlob(yanked)).length, yanked.size);
  assert.equal((await readFile(blobFile(registry, invalid))).length, invalid.size);

  await writeFile(file, '{ not json');
  const orphanBytes = fakeComponent();
  await writeFile(path.join(registry.dir, 'blobs/sha256', contentDigest(orphanBytes).slice(7)), orphanBytes);
  await rejectsWith(registry.gc({ graceMs: 0 }), 'TITAN_E_MANIFEST_INVALID');
  assert.equal((await readFile(blobFile(registry, invalid))).length, invalid.size);
});
