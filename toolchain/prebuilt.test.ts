// The prebuilt built-ins as a first start meets them: found by the build cache key, refused when
// damaged (then the caller builds from source), absent without complaint in a clone never packed.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readPrebuilt, writePrebuilt } from './prebuilt.ts';

let work: string;
before(async () => (work = await mkdtemp(path.join(os.tmpdir(), 'titan-prebuilt-'))));
after(() => rm(work, { recursive: true, force: true }));

const component = (seed: number) => Uint8Array.from({ length: 4096 }, (_, i) => (i * seed) % 251);

test('a shipped component is found by its build key, byte for byte; an unknown key is a miss', async () => {
  const dir = path.join(work, 'shipped');
  await writePrebuilt(
    [
      { key: 'a'.repeat(64), wasm: component(3) },
      { key: 'b'.repeat(64), wasm: component(7) },
    ],
    dir,
  );
  assert.deepEqual(Buffer.from((await readPrebuilt('a'.repeat(64), dir)) ?? []), Buffer.from(component(3)));
  assert.deepEqual(Buffer.from((await readPrebuilt('b'.repeat(64), dir)) ?? []), Buffer.from(component(7)));
  assert.equal(await readPrebuilt('c'.repeat(64), dir), undefined);
});

test('a damaged or replaced file is refused (its digest no longer matches), so it is built from source', async () => {
  const dir = path.join(work, 'damaged');
  await writePrebuilt(
    [
      { key: 'd'.repeat(64), wasm: component(5) },
      { key: 'e'.repeat(64), wasm: component(9) },
    ],
    dir,
  );
  await writeFile(path.join(dir, `${'d'.repeat(64)}.wasm.gz`), gzipSync(component(11)));
  const truncated = path.join(dir, `${'e'.repeat(64)}.wasm.gz`);
  await writeFile(truncated, (await readFile(truncated)).subarray(0, 100));
  assert.equal(await readPrebuilt('d'.repeat(64), dir), undefined);
  assert.equal(await readPrebuilt('e'.repeat(64), dir), undefined);
});

test('no prebuilt folder (a clone never packed) is a miss, not an error', async () => {
  assert.equal(await readPrebuilt('a'.repeat(64), path.join(work, 'none')), undefined);
});
