// The packed manifest leaves out exactly what a packed Titan carries as files, the clone's keeps it,
// and packing puts the clone's manifest back, also after a pack stopped halfway.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CARRIED_PACKAGES, packedManifest, restoreCloneManifest, writePackedManifest } from './pack-manifest.ts';

const clone = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

test("every package a packed Titan carries as files is a clone's runtime dependency (its --omit=dev install reads them)", () => {
  assert.deepEqual(CARRIED_PACKAGES, [
    '@bytecodealliance/jco-transpile',
    '@modelcontextprotocol/sdk',
    'binaryen',
    'cytoscape',
    'dompurify',
    'marked',
    'turndown',
    'uplot',
  ]);
  for (const name of CARRIED_PACKAGES) {
    assert.ok(clone.dependencies[name], `${name} is a dependency of the clone`);
    assert.equal(clone.devDependencies[name], undefined, `${name} is not also a dev dependency`);
  }
});

test('the packed manifest moves the carried packages to devDependencies with their ranges and keeps every other dependency', () => {
  const packed = packedManifest(clone) as typeof clone;
  for (const name of CARRIED_PACKAGES) {
    assert.equal(packed.dependencies[name], undefined);
    assert.equal(packed.devDependencies[name], clone.dependencies[name]);
  }
  const others = Object.keys(clone.dependencies).filter((name) => !CARRIED_PACKAGES.includes(name));
  assert.deepEqual(Object.keys(packed.dependencies), others);
  assert.ok(others.includes('componentize-qjs') && others.includes('libsql'));
});

test('packing writes the packed manifest and puts the clone back; a pack stopped before postpack is undone by the next', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-pack-manifest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const original = `${JSON.stringify({ name: 'titan', dependencies: { uplot: '^1.6.32', koa: '^3.3.0' }, devDependencies: {} }, null, 2)}\n`;
  await writeFile(path.join(dir, 'package.json'), original);

  await writePackedManifest(dir);
  const packed = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  assert.deepEqual(packed.dependencies, { koa: '^3.3.0' });
  assert.deepEqual(packed.devDependencies, { uplot: '^1.6.32' });
  await restoreCloneManifest(dir);
  assert.equal(await readFile(path.join(dir, 'package.json'), 'utf8'), original);

  // A pack that stopped after prepack: the next prepack starts again from the clone's manifest.
  await writePackedManifest(dir);
  await writePackedManifest(dir);
  await restoreCloneManifest(dir);
  assert.equal(await readFile(path.join(dir, 'package.json'), 'utf8'), original);
});
