// The archive format (a plain .tar) and its writer. Entries:
//   titan-registry.json                          { format, formatVersion, components, blobs, manifests }: counts catch
//                                                truncation; (version 2) each manifest entry's sha256 catches damage
//   manifests/<kind>/<name>/<version>.json       as stored
//   blobs/sha256/<hex>                            once per digest
// Every blob is re-hashed and every signature checked before it goes in: an export never spreads bad bytes.
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Pack } from 'tar-stream';
import { hexOf, sha256 } from '../common/digest.ts';
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

export type ArchiveHeader = {
  format: typeof ARCHIVE_FORMAT;
  /** 1: counts only (still imported); 2: with `manifests`. */
  formatVersion: 1 | 2;
  components: number;
  blobs: number;
  /** Entry name -> sha256 hex of its bytes: a manifest is text nothing else vouches for, unlike a blob. */
  manifests?: Record<string, string>;
};

/** What an archive holds for one manifest: its entry name and bytes. */
export function manifestEntry(m: PublishedManifest): { name: string; bytes: Buffer } {
  return { name: manifestEntryName(m), bytes: Buffer.from(JSON.stringify(m, null, 2) + '\n') };
}

/** The header for these manifest entries and this many distinct blobs. */
export function archiveHeader(entries: Array<{ name: string; bytes: Uint8Array }>, blobs: number): ArchiveHeader {
  const manifests = Object.fromEntries(entries.map((e) => [e.name, sha256(e.bytes)]));
  return { format: ARCHIVE_FORMAT, formatVersion: 2, components: entries.length, blobs, manifests };
}

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
  const entries = manifests.map(manifestEntry);
  const header = archiveHeader(entries, digests.size);

  const { default: tar } = await import('tar-stream'); // loaded when an archive is written, not at every start
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
    for (const [i, manifest] of manifests.entries()) {
      checkSignature(manifest, trust);
      const bytes = await store.readBlob(manifest.digest, manifest.size);
      const mtime = new Date(manifest.created);
      await add(entries[i].name, entries[i].bytes, mtime);
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
