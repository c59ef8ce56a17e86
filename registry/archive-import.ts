// Importing an archive in three phases, so a bad archive changes nothing:
//   1. read: manifests into memory, blobs streamed into temp files while hashed (temp names that
//      readers ignore and gc removes), so a large archive never sits in memory;
//   2. check every entry: schema, path, digest, size, signature, clash with local versions;
//   3. commit: move blobs into place, then create each manifest (the commit point, as in publish).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { sha256 } from '../common/digest.ts';
import { TitanError } from '../common/errors.ts';
import { ARCHIVE_FORMAT, ARCHIVE_HEADER, BLOB_ENTRY, MANIFEST_ENTRY, type ArchiveHeader } from './archive.ts';
import { syncDirectory, tempPathFor, writeNewSynced } from './exclusive-write.ts';
import { validatePublishedManifest, type PublishedManifest } from './manifest.ts';
import type { Progress } from './maintenance.ts';
import { formatRef } from './ref.ts';
import { checkSignature, type TrustPolicy } from './signing.ts';
import { sameRelease, type Store } from './store.ts';

const MAX_JSON_ENTRY = 1 << 20;

type StagedBlob = { temp: string; actualHex: string; size: number };
type Read = { header: ArchiveHeader | undefined; manifests: Map<string, { text: string; sha256: string }>; blobs: Map<string, StagedBlob> };

function invalid(message: string, cause?: unknown): TitanError {
  return new TitanError('TITAN_E_ARCHIVE_INVALID', message, cause === undefined ? {} : { cause });
}

export async function importArchive(
  store: Store,
  trust: TrustPolicy,
  file: string,
  onProgress?: Progress,
  checkBinary?: (manifest: PublishedManifest, wasm: Uint8Array) => Promise<void>,
) {
  const read: Read = { header: undefined, manifests: new Map(), blobs: new Map() };
  try {
    await readEntries(store, file, read, onProgress);
    const plan = await check(store, trust, read);
    // The binaries are held to their manifests (by the kernel: world, link, smoke test) before anything is committed.
    for (const manifest of checkBinary ? plan.toImport : []) {
      const blob = read.blobs.get(manifest.digest.slice('sha256:'.length));
      const wasm = blob ? await readFile(blob.temp) : await store.readBlob(manifest.digest, manifest.size);
      await checkBinary?.(manifest, wasm);
    }
    return await commit(store, read, plan);
  } finally {
    await Promise.all([...read.blobs.values()].map((blob) => rm(blob.temp, { force: true })));
  }
}

async function readEntries(store: Store, file: string, read: Read, onProgress?: Progress): Promise<void> {
  const { default: tar } = await import('tar-stream'); // loaded when an archive is read, not at every start
  const extract = tar.extract();
  const source = createReadStream(file);
  source.on('error', (error) => extract.destroy(error));
  source.pipe(extract);
  const seen = new Set<string>();
  let done = 0;
  try {
    for await (const entry of extract) {
      const { name, type, size = 0 } = entry.header;
      if (type !== 'file') throw invalid(`entry ${name} is a ${type}, not a file`);
      if (seen.has(name)) throw invalid(`entry ${name} appears twice`);
      seen.add(name);
      const blob = BLOB_ENTRY.exec(name);
      if (blob) {
        read.blobs.set(blob[1], await stageBlob(store, blob[1], entry));
      } else if (name === ARCHIVE_HEADER || MANIFEST_ENTRY.test(name)) {
        if (size > MAX_JSON_ENTRY) throw invalid(`entry ${name} is ${size} bytes, too large for a manifest`);
        const bytes = await readBytes(entry);
        const text = bytes.toString('utf8');
        if (name === ARCHIVE_HEADER) read.header = parseHeader(text);
        else read.manifests.set(name, { text, sha256: sha256(bytes) });
      } else {
        throw invalid(`unexpected entry ${name} (a registry archive holds only ${ARCHIVE_HEADER}, manifests/ and blobs/sha256/)`);
      }
      const total = read.header ? 1 + read.header.components + read.header.blobs : 0;
      onProgress?.(++done, Math.max(total, done), name);
    }
  } catch (error) {
    if (error instanceof TitanError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new TitanError('TITAN_E_NOT_FOUND', `archive ${file} does not exist`);
    throw invalid(`${file} is not a readable tar archive: ${error instanceof Error ? error.message : String(error)}`, error);
  } finally {
    source.destroy();
  }
}

/** tar-stream types entry chunks as unknown; they are Buffers. */
async function* chunksOf(entry: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of entry) {
    if (!(chunk instanceof Uint8Array)) throw invalid('the tar reader produced a non-binary chunk');
    yield chunk;
  }
}

async function readBytes(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of chunksOf(entry)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function stageBlob(store: Store, hex: string, entry: AsyncIterable<unknown>): Promise<StagedBlob> {
  const temp = tempPathFor(path.join(store.blobsDir, hex), '.import');
  const hash = createHash('sha256');
  let size = 0;
  await writeNewSynced(temp, async (handle) => {
    for await (const chunk of chunksOf(entry)) {
      hash.update(chunk);
      size += chunk.length;
      await handle.write(chunk);
    }
  });
  return { temp, actualHex: hash.digest('hex'), size };
}

function parseHeader(text: string): ArchiveHeader {
  let value: Partial<ArchiveHeader>;
  try {
    value = JSON.parse(text) as Partial<ArchiveHeader>;
  } catch (error) {
    throw invalid(`${ARCHIVE_HEADER} is not valid JSON`, error);
  }
  const counts = Number.isInteger(value?.components) && Number.isInteger(value?.blobs);
  const digests = value?.manifests;
  const listed =
    typeof digests === 'object' &&
    digests !== null &&
    !Array.isArray(digests) &&
    Object.values(digests).every((d) => typeof d === 'string' && /^[0-9a-f]{64}$/.test(d));
  const known = value?.formatVersion === 1 || (value?.formatVersion === 2 && listed);
  if (value?.format !== ARCHIVE_FORMAT || !known || !counts) {
    throw invalid(`${ARCHIVE_HEADER} does not describe a format ${ARCHIVE_FORMAT} version 1 or 2 archive`);
  }
  return value as ArchiveHeader;
}

type Plan = { toImport: PublishedManifest[]; skipped: string[] };

async function check(store: Store, trust: TrustPolicy, read: Read): Promise<Plan> {
  const { header, manifests, blobs } = read;
  if (!header) throw invalid(`no ${ARCHIVE_HEADER}: not an archive written by \`titan registry export\``);
  if (header.components !== manifests.size || header.blobs !== blobs.size) {
    throw invalid(
      `the archive is truncated or altered: it declares ${header.components} manifests and ${header.blobs} blobs, holds ${manifests.size} and ${blobs.size}`,
    );
  }
  for (const [hex, blob] of blobs) {
    if (blob.actualHex !== hex) throw new TitanError('TITAN_E_DIGEST_MISMATCH', `archive entry blobs/sha256/${hex} holds bytes with sha256 ${blob.actualHex}`);
  }
  if (header.manifests) {
    for (const [name, { sha256: actual }] of manifests) {
      const listed = Object.hasOwn(header.manifests, name) ? header.manifests[name] : undefined;
      if (listed === undefined) throw invalid(`the archive is altered: ${name} is not listed in ${ARCHIVE_HEADER}`);
      if (listed !== actual)
        throw new TitanError('TITAN_E_DIGEST_MISMATCH', `archive entry ${name} holds bytes with sha256 ${actual}, not the ${listed} it was exported with`);
    }
  }
  const plan: Plan = { toImport: [], skipped: [] };
  for (const [name, { text }] of manifests) {
    const manifest = parseManifest(name, text);
    checkSignature(manifest, trust);
    const hex = manifest.digest.slice('sha256:'.length);
    const blob = blobs.get(hex);
    if (blob && blob.size !== manifest.size) {
      throw new TitanError('TITAN_E_DIGEST_MISMATCH', `${name}: blob is ${blob.size} bytes, the manifest says ${manifest.size}`);
    }
    if (!blob && (await store.blobState(manifest.digest, manifest.size)) !== 'ok') {
      throw invalid(`${name}: its blob ${manifest.digest} is neither in the archive nor in this registry`);
    }
    const local = await localVersion(store, manifest);
    if (!local) plan.toImport.push(manifest);
    else if (sameRelease(local, manifest)) plan.skipped.push(formatRef(manifest));
    else throw versionExists(manifest);
  }
  return plan;
}

function parseManifest(name: string, text: string): PublishedManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(`${name} is not valid JSON`, error);
  }
  let manifest: PublishedManifest;
  try {
    manifest = validatePublishedManifest(value, name);
  } catch (error) {
    throw error instanceof TitanError ? invalid(error.message, error) : error;
  }
  const match = MANIFEST_ENTRY.exec(name);
  if (!match || match[1] !== manifest.kind || match[2] !== manifest.name || match[3] !== manifest.version) {
    throw invalid(`${name} describes ${formatRef(manifest)}, not the version its path names`);
  }
  if (semver.valid(manifest.version) !== manifest.version) throw invalid(`${name}: version "${manifest.version}" is not in canonical form`);
  return manifest;
}

async function localVersion(store: Store, manifest: PublishedManifest): Promise<PublishedManifest | undefined> {
  const file = store.manifestPath(manifest.kind, manifest.name, manifest.version);
  try {
    return await store.loadManifest({ kind: manifest.kind, name: manifest.name, version: manifest.version, file });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function versionExists(manifest: PublishedManifest): TitanError {
  return new TitanError('TITAN_E_VERSION_EXISTS', `${formatRef(manifest)} already exists here with different contents; nothing was imported`);
}

async function commit(store: Store, read: Read, plan: Plan): Promise<{ imported: string[]; skipped: string[] }> {
  let moved = false;
  for (const manifest of plan.toImport) {
    const hex = manifest.digest.slice('sha256:'.length);
    const blob = read.blobs.get(hex);
    if (!blob || (await store.blobState(manifest.digest, manifest.size)) === 'ok') continue;
    await rename(blob.temp, store.blobPath(manifest.digest));
    read.blobs.delete(hex);
    moved = true;
  }
  if (moved) await syncDirectory(store.blobsDir);

  const imported: string[] = [];
  const skipped = [...plan.skipped];
  for (const manifest of plan.toImport) {
    if (await store.createManifest(manifest)) {
      imported.push(formatRef(manifest));
      continue;
    }
    // Another writer committed this version since the check: fine if it is the same release.
    const local = await localVersion(store, manifest);
    if (!local || !sameRelease(local, manifest)) throw versionExists(manifest);
    skipped.push(formatRef(manifest));
  }
  return { imported, skipped };
}
