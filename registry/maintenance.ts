// Whole-registry checks and cleanup: verify (every manifest, blob and signature) and gc (orphan
// blobs and temp files left by crashed writes).
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import { isTempName } from './exclusive-write.ts';
import { formatRef } from './ref.ts';
import { checkSignature, type TrustPolicy } from './signing.ts';
import type { PublishedManifest } from './manifest.ts';
import type { Store } from './store.ts';

export type Progress = (done: number, total: number, item: string) => void;
export type Problem = { ref: string; code: string; message: string };
export type VerifyReport = { ok: boolean; checked: number; problems: Problem[] };
export type GcOptions = {
  dryRun?: boolean;
  /**
   * Files younger than this are spared (default 60 s): another process may be between writing a
   * blob and committing its manifest, or in the middle of a temp file. Crash leftovers are older.
   */
  graceMs?: number;
};
export type GcReport = { removedBlobs: string[]; freedBytes: number; removedTemp: number };

export const DEFAULT_GC_GRACE_MS = 60_000;

function problemOf(ref: string, error: unknown): Problem {
  if (error instanceof TitanError) return { ref, code: error.code, message: error.message };
  return { ref, code: 'TITAN_E_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export async function verifyStore(
  store: Store,
  trust: TrustPolicy,
  onProgress?: Progress,
  check?: (manifest: PublishedManifest, wasm: Uint8Array) => Promise<void>,
): Promise<VerifyReport> {
  const entries = await store.entries();
  const problems: Problem[] = [];
  // Many versions can share a blob: hash each (digest, size) once.
  const blobResults = new Map<string, Problem | null>();
  let done = 0;
  for (const entry of entries) {
    const ref = formatRef(entry);
    try {
      const manifest = await store.loadManifest(entry);
      checkSignature(manifest, trust);
      const key = `${manifest.digest}:${manifest.size}`;
      if (!blobResults.has(key)) {
        blobResults.set(
          key,
          await store.readBlob(manifest.digest, manifest.size).then(
            () => null,
            (error: unknown) => problemOf(ref, error),
          ),
        );
      }
      const blobProblem = blobResults.get(key);
      if (blobProblem) problems.push({ ...blobProblem, ref });
      else if (check) await check(manifest, await store.readBlob(manifest.digest, manifest.size));
    } catch (error) {
      problems.push(problemOf(ref, error));
    }
    onProgress?.(++done, entries.length, ref);
  }
  return { ok: problems.length === 0, checked: entries.length, problems };
}

export async function collectGarbage(store: Store, options: GcOptions = {}): Promise<GcReport> {
  const cutoff = Date.now() - (options.graceMs ?? DEFAULT_GC_GRACE_MS);
  const isStale = async (file: string): Promise<number | undefined> => {
    const info = await stat(file).catch(() => undefined);
    return info?.isFile() && info.mtimeMs <= cutoff ? info.size : undefined;
  };
  const remove = async (file: string): Promise<void> => {
    if (!options.dryRun) await rm(file, { force: true });
  };

  let freedBytes = 0;
  let removedTemp = 0;
  for (const file of await tempFiles(store.dir)) {
    const size = await isStale(file);
    if (size === undefined) continue;
    await remove(file);
    removedTemp += 1;
    freedBytes += size;
  }

  // List blob candidates before reading manifests: a manifest committed meanwhile is then seen.
  const candidates: string[] = [];
  for (const name of await readdir(store.blobsDir).catch(() => [] as string[])) {
    // Only files named like a digest are ours to remove; anything else is left alone.
    if (/^[0-9a-f]{64}$/.test(name) && (await isStale(path.join(store.blobsDir, name))) !== undefined) candidates.push(name);
  }
  const referenced = await referencedBlobs(store);
  const removedBlobs: string[] = [];
  for (const hex of candidates) {
    if (referenced.has(hex)) continue;
    // Checked again just before removal: a publish reusing this blob touches it first.
    const size = await isStale(path.join(store.blobsDir, hex));
    if (size === undefined) continue;
    await remove(path.join(store.blobsDir, hex));
    removedBlobs.push(`sha256:${hex}`);
    freedBytes += size;
  }
  return { removedBlobs, freedBytes, removedTemp };
}

/** Digests named by any manifest, valid or not. An unreadable manifest stops gc: deleting is not undoable. */
async function referencedBlobs(store: Store): Promise<Set<string>> {
  const referenced = new Set<string>();
  for (const entry of await store.entries()) {
    let raw: unknown;
    try {
      raw = await store.readRaw(entry.file);
    } catch (error) {
      throw new TitanError('TITAN_E_MANIFEST_INVALID', `${path.relative(store.dir, entry.file)} cannot be read, so gc cannot tell which blobs it needs`, {
        cause: error,
        fix: 'run `titan registry verify`, then repair or remove that manifest before gc',
      });
    }
    const digest = (raw as { digest?: unknown } | null)?.digest;
    if (typeof digest === 'string') referenced.add(digest.replace(/^sha256:/, ''));
  }
  return referenced;
}

async function tempFiles(dir: string): Promise<string[]> {
  const found = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return found.filter((d) => d.isFile() && isTempName(d.name)).map((d) => path.join(d.parentPath, d.name));
}
