// When the start bundle is used: only while the sources it was built from are unchanged and the npm
// packages it took in are installed at the same versions (under node_modules, an installed Titan's
// sources by size alone), and never
// with TITAN_BUNDLE=off; a build already under way is not started twice.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
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
  const record: BundleRecord = { format: BUNDLE_FORMAT, build: 'b1', builtAt: Date.now(), inputs: [['a.ts', 20]], packages: [] };
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

/** Rewrites the record with these bundled packages. */
async function recordPackages(packages: BundleRecord['packages']): Promise<void> {
  const record = JSON.parse(await readFile(path.join(dir, 'current.json'), 'utf8')) as BundleRecord;
  await writeFile(path.join(dir, 'current.json'), JSON.stringify({ ...record, packages }));
}

async function installPackage(at: string, version: string): Promise<void> {
  await mkdir(at, { recursive: true });
  await writeFile(path.join(at, 'package.json'), JSON.stringify({ name: path.basename(at), version }));
}

test('an npm package it took in, reinstalled at another version or removed, makes it stale', async () => {
  await installPackage(path.join(root, 'node_modules', 'koa'), '3.0.0');
  await installPackage(path.join(root, 'node_modules', 'koa', 'node_modules', 'statuses'), '1.5.0');
  await recordPackages([
    { names: ['koa'], version: '3.0.0', size: 1 },
    { names: ['koa', 'statuses'], version: '1.5.0', size: 1 },
  ]);
  assert.equal(freshBundle(root, dir), pathToFileURL(main).href);
  await installPackage(path.join(root, 'node_modules', 'koa', 'node_modules', 'statuses'), '1.5.1');
  assert.equal(freshBundle(root, dir), undefined, 'the nested copy changed');
  await rm(path.join(root, 'node_modules', 'koa'), { recursive: true });
  assert.equal(freshBundle(root, dir), undefined, 'removed');
});

test('a Titan installed under node_modules (npm install -g) runs from its bundle: files written at install time, a bundled package at another patch', async () => {
  const installed = path.join(root, 'lib', 'node_modules', 'titan');
  const installedDir = path.join(installed, '.bundle');
  await mkdir(path.join(installedDir, 'b1'), { recursive: true });
  await writeFile(path.join(installedDir, 'b1', 'main.js'), 'export {};\n');
  const record: BundleRecord = {
    format: BUNDLE_FORMAT,
    build: 'b1',
    builtAt: Date.now() - 60_000,
    inputs: [['a.ts', 20]],
    packages: [{ names: ['ws'], version: '8.23.0', size: 1 }],
  };
  await writeFile(path.join(installedDir, 'current.json'), JSON.stringify(record));
  await writeFile(path.join(installed, 'a.ts'), 'export const a = 1;\n'); // written now, after the build
  await installPackage(path.join(installed, 'node_modules', 'ws'), '8.23.1');
  assert.equal(freshBundle(installed, installedDir), pathToFileURL(path.join(installedDir, 'b1', 'main.js')).href);
  await writeFile(path.join(installed, 'a.ts'), 'export const a = 12;\n');
  assert.equal(freshBundle(installed, installedDir), undefined, 'a source of another size still makes it stale');
});

test('no record, another format, a missing build or TITAN_BUNDLE=off: from source', async () => {
  process.env.TITAN_BUNDLE = 'off';
  assert.equal(freshBundle(root, dir), undefined);
  delete process.env.TITAN_BUNDLE;
  await rm(main);
  assert.equal(freshBundle(root, dir), undefined);
  const record: BundleRecord = { format: BUNDLE_FORMAT + 1, build: 'b1', builtAt: Date.now(), inputs: [], packages: [] };
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
