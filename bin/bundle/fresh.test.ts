// When the start bundle is used: only while the sources it was built from are unchanged, and never
// with TITAN_BUNDLE=off; a build already under way is not started twice.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { buildBundleOnce } from './build.ts';
import { BUNDLE_FORMAT, type BundleRecord, freshBundle } from './fresh.ts';

const root = await mkdtemp(path.join(os.tmpdir(), 'titan-bundle-'));
const dir = path.join(root, '.bundle');
const main = path.join(dir, 'b1', 'main.js');
after(() => rm(root, { recursive: true, force: true }));

/** A tree of one source file and a bundle built from it a second ago. */
beforeEach(async () => {
  delete process.env.TITAN_BUNDLE;
  await rm(root, { recursive: true, force: true });
  await mkdir(path.join(dir, 'b1'), { recursive: true });
  await writeFile(path.join(root, 'a.ts'), 'export const a = 1;\n');
  const past = new Date(Date.now() - 1000);
  await utimes(path.join(root, 'a.ts'), past, past);
  await writeFile(main, 'export {};\n');
  const record: BundleRecord = { format: BUNDLE_FORMAT, build: 'b1', builtAt: Date.now(), inputs: [['a.ts', 20]] };
  await writeFile(path.join(dir, 'current.json'), JSON.stringify(record));
});

test('an unchanged tree runs from the bundle', () => {
  assert.equal(freshBundle(root, dir), pathToFileURL(main).href);
});

test('a source saved after the build, resized or removed makes it stale', async () => {
  await utimes(path.join(root, 'a.ts'), new Date(), new Date(Date.now() + 1000));
  assert.equal(freshBundle(root, dir), undefined);
  await writeFile(path.join(root, 'a.ts'), 'export const a = 12;\n');
  const past = new Date(Date.now() - 5000);
  await utimes(path.join(root, 'a.ts'), past, past);
  assert.equal(freshBundle(root, dir), undefined, 'same age, other size');
  await rm(path.join(root, 'a.ts'));
  assert.equal(freshBundle(root, dir), undefined);
});

test('an installed package (every file older than the build) runs from the bundle', async () => {
  const packed = new Date('1985-10-26T08:15:00Z'); // the time npm gives every file it unpacks
  await utimes(path.join(root, 'a.ts'), packed, packed);
  assert.equal(freshBundle(root, dir), pathToFileURL(main).href);
});

test('no record, another format, a missing build or TITAN_BUNDLE=off: from source', async () => {
  process.env.TITAN_BUNDLE = 'off';
  assert.equal(freshBundle(root, dir), undefined);
  delete process.env.TITAN_BUNDLE;
  await rm(main);
  assert.equal(freshBundle(root, dir), undefined);
  const record: BundleRecord = { format: BUNDLE_FORMAT + 1, build: 'b1', builtAt: Date.now(), inputs: [] };
  await writeFile(path.join(dir, 'current.json'), JSON.stringify(record));
  assert.equal(freshBundle(root, dir), undefined);
  await rm(path.join(dir, 'current.json'));
  assert.equal(freshBundle(root, dir), undefined);
});

test('a build under way is not started again', async () => {
  await writeFile(path.join(dir, 'build.lock'), '');
  assert.equal(await buildBundleOnce(root, dir), false);
  assert.equal(freshBundle(root, dir), pathToFileURL(main).href, 'the current build is left as it was');
});
