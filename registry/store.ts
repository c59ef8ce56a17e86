// The on-disk layout and its primitive reads and writes:
//   blobs/sha256/<hex>                        the component bytes, named by their sha256
//   manifests/<kind>/<name>/<version>.json    one per published version; its creation is the commit point
// Blobs are written before manifests, so a crash leaves at worst an orphan blob or a temp file:
// readers skip both and gc removes them.
import { mkdir, readdir, readFile, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../common/atomic-file.ts';
import { contentDigest, hexOf } from '../common/digest.ts';
import { TitanError } from '../common/errors.ts';
import { writeFileExclusive, isTempName } from './exclusive-write.ts';
import { COMPONENT_KINDS, COMPONENT_NAME, validatePublishedManifest, type ComponentKind, type PublishedManifest } from './manifest.ts';
import { formatRef } from './ref.ts';
import { canonicalJson } from './signing.ts';

const HEX = /^[0-9a-f]{64}$/;
const MISSING_FIX = { fix: 'run `titan registry verify`, then re-publish or re-import the component' };

/** Same binary and same declared metadata; only the creation time, signature and yank may differ. */
export function sameRelease(a: PublishedManifest, b: PublishedManifest): boolean {
  const strip = ({ created: _c, signature: _s, yanked: _y, ...rest }: PublishedManifest) => canonicalJson(rest);
  return strip(a) === strip(b);
}

export type ManifestEntry = { kind: ComponentKind; name: string; version: string; file: string };
export type BlobState = 'ok' | 'missing' | 'bad';

/** A component binary starts with "\0asm", then a version, then layer 1 (a core module has layer 0). */
export function checkComponentBytes(bytes: Uint8Array): void {
  const magic = bytes.length >= 8 && bytes[0] === 0x00 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!magic) throw new TitanError('TITAN_E_INVALID_COMPONENT', 'the file is not WebAssembly (no \\0asm header)');
  if (bytes[6] !== 1) throw new TitanError('TITAN_E_INVALID_COMPONENT', 'the file is a core WebAssembly module, not a component');
}

export class Store {
  readonly dir: string;
  readonly blobsDir: string;
  readonly manifestsDir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    this.blobsDir = path.join(this.dir, 'blobs', 'sha256');
    this.manifestsDir = path.join(this.dir, 'manifests');
  }

  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.manifestsDir, { recursive: true });
  }

  blobPath(digest: string): string {
    const hex = hexOf(digest);
    if (!HEX.test(hex)) throw new TitanError('TITAN_E_MANIFEST_INVALID', `"${digest}" is not a sha256 digest`);
    return path.join(this.blobsDir, hex);
  }

  manifestPath(kind: ComponentKind, name: string, version: string): string {
    return path.join(this.manifestsDir, kind, name, `${version}.json`);
  }

  /** Every manifest file, optionally of one kind and/or name. Reads directories only. */
  async entries(filter: { kind?: ComponentKind; name?: string } = {}): Promise<ManifestEntry[]> {
    const kinds = filter.kind ? [filter.kind] : COMPONENT_KINDS;
    const result: ManifestEntry[] = [];
    for (const kind of kinds) {
      const names = filter.name ? [filter.name] : await listDir(path.join(this.manifestsDir, kind));
      for (const name of names) {
        if (!COMPONENT_NAME.test(name)) continue;
        for (const file of await listDir(path.join(this.manifestsDir, kind, name))) {
          if (isTempName(file) || !file.endsWith('.json')) continue;
          result.push({ kind, name, version: file.slice(0, -'.json'.length), file: path.join(this.manifestsDir, kind, name, file) });
        }
      }
    }
    return result;
  }

  /** Reads, validates and checks that the manifest says what its path says; TITAN_E_MANIFEST_INVALID otherwise. */
  async loadManifest(entry: ManifestEntry): Promise<PublishedManifest> {
    const where = path.relative(this.dir, entry.file);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(entry.file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
      throw new TitanError('TITAN_E_MANIFEST_INVALID', `${where} is not valid JSON`, { cause: error });
    }
    const manifest = validatePublishedManifest(value, where);
    if (manifest.kind !== entry.kind || manifest.name !== entry.name || manifest.version !== entry.version) {
      throw new TitanError('TITAN_E_MANIFEST_INVALID', `${where} describes ${formatRef(manifest)}, not the version its path names`);
    }
    return manifest;
  }

  /** The raw JSON of a manifest file, without validation (gc and import only need its digest). */
  async readRaw(file: string): Promise<unknown> {
    return JSON.parse(await readFile(file, 'utf8'));
  }

  /** Bytes of a blob, checked against digest and size; never returns altered bytes. */
  async readBlob(digest: string, size: number): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.blobPath(digest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new TitanError('TITAN_E_NOT_FOUND', `blob ${digest} is missing from the registry`, MISSING_FIX);
    }
    const actual = contentDigest(bytes);
    if (actual !== digest || bytes.length !== size) {
      throw new TitanError('TITAN_E_DIGEST_MISMATCH', `blob ${digest} has digest ${actual} and ${bytes.length} bytes (expected ${size})`);
    }
    return bytes;
  }

  /** That the blob is there with its size (a stat, no read): its digest is checked when it is read. */
  async statBlob(digest: string, size: number): Promise<void> {
    const found = await stat(this.blobPath(digest)).catch(() => undefined);
    if (!found) throw new TitanError('TITAN_E_NOT_FOUND', `blob ${digest} is missing from the registry`, MISSING_FIX);
    if (found.size !== size) throw new TitanError('TITAN_E_DIGEST_MISMATCH', `blob ${digest} has ${found.size} bytes (expected ${size})`);
  }

  async blobState(digest: string, size: number): Promise<BlobState> {
    try {
      await this.readBlob(digest, size);
      return 'ok';
    } catch (error) {
      if (error instanceof TitanError && error.code === 'TITAN_E_NOT_FOUND') return 'missing';
      if (error instanceof TitanError && error.code === 'TITAN_E_DIGEST_MISMATCH') return 'bad';
      throw error;
    }
  }

  /** Stores bytes under their digest; rewrites a damaged copy. A reused blob gets a fresh mtime so a
   *  concurrent gc (which spares recent files) does not take it before our manifest lands. */
  async putBlob(bytes: Uint8Array, digest: string): Promise<void> {
    const file = this.blobPath(digest);
    const state = await this.blobState(digest, bytes.length);
    if (state === 'ok') {
      const now = new Date();
      await utimes(file, now, now);
      return;
    }
    await writeFileAtomic(file, bytes);
  }

  /** The commit point of a publish or import. False if that version already exists. */
  createManifest(manifest: PublishedManifest): Promise<boolean> {
    const file = this.manifestPath(manifest.kind, manifest.name, manifest.version);
    return writeFileExclusive(file, JSON.stringify(manifest, null, 2) + '\n');
  }

  /** Replaces an existing manifest (yank); readers see the old or the new file. */
  replaceManifest(manifest: PublishedManifest): Promise<void> {
    return writeJsonAtomic(this.manifestPath(manifest.kind, manifest.name, manifest.version), manifest);
  }

  async mtimeMs(file: string): Promise<number | undefined> {
    try {
      return (await stat(file)).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}
