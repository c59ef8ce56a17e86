import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import tar from 'tar-stream';
import { sha256 } from '../common/digest.ts';
import { Registry } from './registry.ts';
import { fakeComponent, manifestFor, rejectsWith, snapshot, tempDir, tempRegistry } from './test-fixtures.ts';

type Edit = (name: string, data: Buffer) => Buffer | null;

/** Copies a tar entry by entry through `edit` (null drops the entry); `extra` entries are appended. */
async function rewriteArchive(from: string, to: string, edit: Edit, extra: Array<[string, Buffer]> = []): Promise<void> {
  const entries: Array<[string, Buffer]> = [];
  const extract = tar.extract();
  createReadStream(from).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) if (Buffer.isBuffer(chunk)) chunks.push(chunk);
    const data = edit(entry.header.name, Buffer.concat(chunks));
    if (data) entries.push([entry.header.name, data]);
  }
  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(to));
  for (const [name, data] of [...entries, ...extra]) pack.entry({ name, size: data.length }, data);
  pack.finalize();
  await written;
}

/** Rewrites the header's manifest digests to match the entries, as a forger who knows the format would. */
async function reseal(file: string): Promise<void> {
  const digests: Record<string, string> = {};
  await rewriteArchive(file, `${file}.scan`, (name, data) => {
    if (name.startsWith('manifests/')) digests[name] = sha256(data);
    return data;
  });
  await rewriteArchive(`${file}.scan`, file, (name, data) => {
    if (name !== 'titan-registry.json') return data;
    return Buffer.from(JSON.stringify({ ...JSON.parse(data.toString()), manifests: digests }));
  });
}

async function populated(t: Parameters<typeof tempRegistry>[0]) {
  const registry = await tempRegistry(t);
  const { privateKey } = generateKeyPairSync('ed25519');
  const shared = fakeComponent(500);
  await registry.publish(shared, manifestFor('echo', '1.0.0'));
  await registry.publish(shared, manifestFor('echo', '1.0.1'));
  await registry.publish(fakeComponent(300), manifestFor('echo', '2.0.0'), { signingKey: privateKey });
  await registry.publish(fakeComponent(), manifestFor('cli', '0.3.0', 'channel'));
  await registry.yank({ name: 'echo', version: '1.0.1' }, 'broken');
  return registry;
}

test('export then import into a fresh registry reproduces list() and the bytes', async (t) => {
  const source = await populated(t);
  const file = path.join(await tempDir(t), 'backup.tar');
  const exportProgress: string[] = [];
  const exported = await source.exportTo(file, {}, { onProgress: (done, total, item) => exportProgress.push(`${done}/${total} ${item}`) });
  assert.equal(exported.components, 4, 'yanked versions are exported by default');
  assert.equal(exported.bytes, (await readFile(file)).length);
  assert.deepEqual(exportProgress, ['1/4 channel/cli@0.3.0', '2/4 tool/echo@1.0.0', '3/4 tool/echo@1.0.1', '4/4 tool/echo@2.0.0']);

  const target = await tempRegistry(t);
  let lastProgress: [number, number] = [0, 0];
  const result = await target.importFrom(file, { onProgress: (done, total) => (lastProgress = [done, total]) });
  assert.deepEqual(result.imported.sort(), ['channel/cli@0.3.0', 'tool/echo@1.0.0', 'tool/echo@1.0.1', 'tool/echo@2.0.0']);
  assert.deepEqual(result.skipped, []);
  assert.deepEqual(lastProgress, [8, 8], 'header + 4 manifests + 3 blobs');

  assert.deepEqual(await target.list({ includeYanked: true }), await source.list({ includeYanked: true }));
  assert.deepEqual(await target.list(), await source.list());
  for (const manifest of await target.list({ includeYanked: true })) {
    assert.deepEqual(await target.readBlob(manifest), await source.readBlob(manifest));
  }
  assert.deepEqual(await target.verify(), { ok: true, checked: 4, problems: [] });

  const before = await snapshot(target.dir);
  const again = await target.importFrom(file);
  assert.deepEqual(again.imported, []);
  assert.equal(again.skipped.length, 4, 'identical versions are skipped');
  assert.deepEqual(await snapshot(target.dir), before);
});

test('an archive written before manifest digests (format version 1) still imports', async (t) => {
  const source = await populated(t);
  const dir = await tempDir(t);
  await source.exportTo(path.join(dir, 'v2.tar'));
  await rewriteArchive(path.join(dir, 'v2.tar'), path.join(dir, 'v1.tar'), (name, data) => {
    if (name !== 'titan-registry.json') return data;
    const { manifests: _digests, ...header } = JSON.parse(data.toString()) as Record<string, unknown>;
    return Buffer.from(JSON.stringify({ ...header, formatVersion: 1 }));
  });
  const target = await tempRegistry(t);
  assert.equal((await target.importFrom(path.join(dir, 'v1.tar'))).imported.length, 4);
  assert.deepEqual(await target.list({ includeYanked: true }), await source.list({ includeYanked: true }));
});

test('export honours the filter and can leave yanked versions out', async (t) => {
  const source = await populated(t);
  const dir = await tempDir(t);
  assert.equal((await source.exportTo(path.join(dir, 'tools.tar'), { kind: 'tool' })).components, 3);
  assert.equal((await source.exportTo(path.join(dir, 'live.tar'), { name: 'echo', includeYanked: false })).components, 2);

  const target = await tempRegistry(t);
  await target.importFrom(path.join(dir, 'live.tar'));
  assert.deepEqual(
    (await target.list({ includeYanked: true })).map((m) => m.version),
    ['1.0.0', '2.0.0'],
  );
});

test('export refuses to spread a damaged blob and leaves no file behind', async (t) => {
  const source = await populated(t);
  const [victim] = await source.list({ name: 'cli' });
  const blob = path.join(source.dir, 'blobs/sha256', victim.digest.slice(7));
  const bytes = await readFile(blob);
  bytes[9] ^= 1;
  await writeFile(blob, bytes);
  const dir = await tempDir(t);
  await rejectsWith(source.exportTo(path.join(dir, 'out.tar')), 'TITAN_E_DIGEST_MISMATCH');
  assert.deepEqual(await snapshot(dir), {});
});

test('a tampered archive is refused whole: the target registry does not change', async (t) => {
  const source = await populated(t);
  const dir = await tempDir(t);
  const good = path.join(dir, 'good.tar');
  await source.exportTo(good);

  const target = await tempRegistry(t);
  await target.publish(fakeComponent(), manifestFor('local', '1.0.0'));
  const before = await snapshot(target.dir);

  const flipBlob: Edit = (name, data) => {
    if (name.startsWith('blobs/') && data.length > 400) data[100] ^= 0xff;
    return data;
  };
  const editManifest =
    (version: string, change: (m: Record<string, unknown>) => void): Edit =>
    (name, data) => {
      if (name !== `manifests/tool/echo/${version}.json`) return data;
      const manifest = JSON.parse(data.toString()) as Record<string, unknown>;
      change(manifest);
      return Buffer.from(JSON.stringify(manifest));
    };
  const flipWorld: Edit = (name, data) =>
    name === 'manifests/channel/cli/0.3.0.json' ? Buffer.from(data.toString().replace('channel-component', 'ahannel-component')) : data;
  // Every case but the first two also has its header's manifest digests recomputed, so the checks behind them are reached.
  const cases: Array<[string, Edit, 'TITAN_E_DIGEST_MISMATCH' | 'TITAN_E_ARCHIVE_INVALID' | 'TITAN_E_SIGNATURE_INVALID', Array<[string, Buffer]>?]> = [
    ['flipped blob byte', flipBlob, 'TITAN_E_DIGEST_MISMATCH'],
    // Found by the fuzz test (seed 908591417): a world still well formed, that the binary was never built for.
    ['flipped byte in a manifest', flipWorld, 'TITAN_E_DIGEST_MISMATCH'],
    ['manifest failing the schema', editManifest('1.0.0', (m) => (m.size = -1)), 'TITAN_E_ARCHIVE_INVALID'],
    ['manifest size edited', editManifest('1.0.0', (m) => (m.size = Number(m.size) + 1)), 'TITAN_E_DIGEST_MISMATCH'],
    ['signed manifest widened', editManifest('2.0.0', (m) => (m.capabilities = { http: {} })), 'TITAN_E_SIGNATURE_INVALID'],
    [
      'manifest moved to another version',
      (name, data) => (name === 'manifests/tool/echo/1.0.0.json' ? null : data),
      'TITAN_E_ARCHIVE_INVALID',
      [['manifests/tool/echo/1.9.0.json', Buffer.from('{}')]],
    ],
    ['blob dropped', (name, data) => (name.startsWith('blobs/') && data.length > 400 ? null : data), 'TITAN_E_ARCHIVE_INVALID'],
    ['entry outside the layout', (_name, data) => data, 'TITAN_E_ARCHIVE_INVALID', [['../../escape.json', Buffer.from('{}')]]],
    ['no header', (name, data) => (name === 'titan-registry.json' ? null : data), 'TITAN_E_ARCHIVE_INVALID'],
  ];
  for (const [label, edit, code, extra] of cases) {
    const file = path.join(dir, `${label.replaceAll(' ', '-')}.tar`);
    await rewriteArchive(good, file, edit, extra);
    if (edit !== flipBlob && edit !== flipWorld) await reseal(file);
    await t.test(label, async () => {
      await rejectsWith(target.importFrom(file), code);
      assert.deepEqual(await snapshot(target.dir), before);
    });
  }

  const truncated = path.join(dir, 'truncated.tar');
  const whole = await readFile(good);
  await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  await rejectsWith(target.importFrom(truncated), 'TITAN_E_ARCHIVE_INVALID');
  await writeFile(path.join(dir, 'noise.tar'), fakeComponent(4000));
  await rejectsWith(target.importFrom(path.join(dir, 'noise.tar')), 'TITAN_E_ARCHIVE_INVALID');
  await rejectsWith(target.importFrom(path.join(dir, 'absent.tar')), 'TITAN_E_NOT_FOUND');
  assert.deepEqual(await snapshot(target.dir), before);
});

test('an archive version that clashes with a different local one is refused, nothing imported', async (t) => {
  const source = await populated(t);
  const file = path.join(await tempDir(t), 'backup.tar');
  await source.exportTo(file);

  const target = await tempRegistry(t);
  await target.publish(fakeComponent(), manifestFor('echo', '2.0.0'));
  const before = await snapshot(target.dir);
  const error = await rejectsWith(target.importFrom(file), 'TITAN_E_VERSION_EXISTS');
  assert.match(error.message, /tool\/echo@2\.0\.0/);
  assert.deepEqual(await snapshot(target.dir), before);
});

test('an importing registry applies its own trusted keys', async (t) => {
  const source = await populated(t);
  const file = path.join(await tempDir(t), 'backup.tar');
  await source.exportTo(file, { name: 'echo', includeYanked: false });
  const { publicKey } = generateKeyPairSync('ed25519');
  const strict = await Registry.open(path.join(await tempDir(t), 'registry'), {
    trustedKeys: [publicKey.export({ format: 'der', type: 'spki' }).toString('base64')],
  });
  const before = await snapshot(strict.dir);
  await rejectsWith(strict.importFrom(file), 'TITAN_E_SIGNATURE_INVALID');
  assert.deepEqual(await snapshot(strict.dir), before);
});
