// The archive format (a plain .tar) and its writer. Entries:
//   titan-registry.json                          { format, formatVersion, components, blobs }: counts catch truncation
//   manifests/<kind>/<name>/<version>.json       as stored
//   blobs/sha256/<hex>                            once per digest
// Every blob is re-hashed and every signature checked before it goes in: an export never spreads bad bytes.
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar, { type Pack } from 'tar-stream';
import { hexOf } from '../common/digest.ts';
import { tempPathFor } from './exclusive-write.ts';
import type { PublishedManifest } from './manifest.ts';
import type { Progress } from './maintenance.ts';
import { formatRef } from './ref.ts';
import { checkSignature, type TrustPolicy } from './signing.ts';
import type { Store } from './store.ts';

export const ARCHIVE_HEADER = 'titan-registry.json';
export const ARCHIVE_FORMAT = 'titan-registry-archive';
export const MANIFEST_ENTRY = /^manifests\/([a-z]+)\/([a-z][a-z0-9-]{0,62})\/([^/]+)\.json$/;
export const BLOB_ENTRY = /^blobs\/sha256\/([0-9a-f]{64})$/;

export type ArchiveHeader = { format: typeof ARCHIVE_FORMAT; formatVersion: 1; components: number; blobs: number };

export function manifestEntryName(m: PublishedManifest): string {
  return `manifests/${m.kind}/${m.name}/${m.version}.json`;
}

export function blobEntryName(digest: string): string {
  return `blobs/sha256/${hexOf(digest)}`;
}

export async function writeArchive(
  store: Store,
  trust: TrustPolicy,
  manifests: PublishedManifest[],
  file: string,
  onProgress?: Progress,
): Promise<{ components: number; bytes: number }> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const digests = new Set(manifests.map((m) => m.digest));
  const header: ArchiveHeader = { format: ARCHIVE_FORMAT, formatVersion: 1, components: manifests.length, blobs: digests.size };

  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(temp, { flags: 'wx' }));
  // If the file side fails, pending entry callbacks never fire: race each one against the pipeline.
  const ended = written.then(() => {
    throw new Error('the archive stream ended early');
  });
  ended.catch(() => {});
  const add = (name: string, data: Uint8Array, mtime: Date) => Promise.race([addEntry(pack, name, data, mtime), ended]);

  try {
    await add(ARCHIVE_HEADER, Buffer.from(JSON.stringify(header, null, 2) + '\n'), new Date());
    const packed = new Set<string>();
    let done = 0;
    for (const manifest of manifests) {
      checkSignature(manifest, trust);
      const bytes = await store.readBlob(manifest.digest, manifest.size);
      const mtime = new Date(manifest.created);
      await add(manifestEntryName(manifest), Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), mtime);
      if (!packed.has(manifest.digest)) {
        await add(blobEntryName(manifest.digest), bytes, mtime);
        packed.add(manifest.digest);
      }
      onProgress?.(++done, manifests.length, formatRef(manifest));
    }
    pack.finalize();
    await written;
    await fsyncFile(temp);
    await rename(temp, target);
  } catch (error) {
    pack.destroy();
    await written.catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
  return { components: manifests.length, bytes: (await stat(target)).size };
}

function addEntry(pack: Pack, name: string, data: Uint8Array, mtime: Date): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, size: data.length, mode: 0o644, mtime, type: 'file' }, Buffer.from(data.buffer, data.byteOffset, data.length), (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
