// The built-ins shipped already built in the npm package (made at `npm pack` by
// scripts/prebuild-builtins.ts), so a first start reads them instead of compiling every built-in
// (about 2 s of CPU each). Looked up by the build cache's own key (source, world, backend and its
// version): a changed source or backend misses and is built from source. Each file is gzipped and
// checked against its sha256 before use; a damaged one is rebuilt from source too.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { writeFileAtomic, writeJsonAtomic } from '../common/atomic-file.ts';
import { contentDigest } from '../common/digest.ts';

export const PREBUILT_DIR = fileURLToPath(new URL('../prebuilt/', import.meta.url));
const INDEX = 'index.json';

type Index = { format: 1; entries: Record<string, { digest: string; file: string }> };

const indexes = new Map<string, Promise<Index | undefined>>();

function readIndex(dir: string): Promise<Index | undefined> {
  let index = indexes.get(dir);
  if (!index) {
    index = readFile(path.join(dir, INDEX), 'utf8').then(
      (text) => JSON.parse(text) as Index,
      () => undefined, // no prebuilt built-ins (a clone that was never packed): built from source
    );
    indexes.set(dir, index);
  }
  return index;
}

/** The shipped component for a build cache key, or undefined when none was shipped or it is damaged. */
export async function readPrebuilt(key: string, dir = PREBUILT_DIR): Promise<Uint8Array | undefined> {
  const entry = (await readIndex(dir))?.entries[key];
  if (!entry) return undefined;
  const packed = await readFile(path.join(dir, entry.file)).catch(() => undefined);
  if (!packed) return undefined;
  const wasm = await promisify(gunzip)(packed).catch(() => undefined);
  return wasm && contentDigest(wasm) === entry.digest ? wasm : undefined;
}

/** Writes the shipped set anew: each component gzipped, and the index of their keys and digests. */
export async function writePrebuilt(components: Array<{ key: string; wasm: Uint8Array }>, dir = PREBUILT_DIR): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const index: Index = { format: 1, entries: {} };
  for (const { key, wasm } of components) {
    const file = `${key}.wasm.gz`;
    await writeFileAtomic(path.join(dir, file), await promisify(gzip)(wasm, { level: 9 }));
    index.entries[key] = { digest: contentDigest(wasm), file };
  }
  await writeJsonAtomic(path.join(dir, INDEX), index);
  indexes.delete(dir);
}
