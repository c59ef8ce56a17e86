// The registry's public face: publish, look up, resolve, read, verify, yank, gc, export, import.
// Layout and atomic writes live in store.ts, version choice in resolve.ts, signatures in signing.ts.
import type { KeyObject } from 'node:crypto';
import semver from 'semver';
import { contentDigest } from '../common/digest.ts';
import { TitanError } from '../common/errors.ts';
import { writeArchive } from './archive.ts';
import { importArchive } from './archive-import.ts';
import { collectGarbage, verifyStore, type GcOptions, type GcReport, type Progress, type VerifyReport } from './maintenance.ts';
import { validatePublishedManifest, type ComponentKind, type PublishedManifest } from './manifest.ts';
import { checkRefShape, exactVersion, formatRef, type ComponentRef, type ExactRef } from './ref.ts';
import { compareManifests, onlyKind, selectVersion } from './resolve.ts';
import { checkSignature, normalizePublicKey, signManifest, type TrustPolicy } from './signing.ts';
import { checkComponentBytes, sameRelease, Store } from './store.ts';

export { parseRef, formatRef, type ComponentRef, type ExactRef } from './ref.ts';
export { sameRelease } from './store.ts';
export type { GcOptions, GcReport, Problem, Progress, VerifyReport } from './maintenance.ts';

export type OpenOptions = {
  /** Public keys (base64 SPKI DER or PEM) allowed to sign. Given: every other signature, and unsigned manifests, are refused. */
  trustedKeys?: string[];
};
export type PublishInput = Omit<PublishedManifest, 'digest' | 'size' | 'created' | 'schemaVersion' | 'signature' | 'yanked'>;
export type ListFilter = { kind?: ComponentKind; name?: string; includeYanked?: boolean };
export type ProgressOptions = { onProgress?: Progress };
/**
 * A check of a binary against its manifest that the registry cannot make itself (the kernel reads
 * the binary's world and runs it); it throws a TitanError to refuse.
 */
export type BinaryCheck = (manifest: PublishedManifest, wasm: Uint8Array) => Promise<void>;

export class Registry {
  readonly dir: string;
  readonly #store: Store;
  readonly #trust: TrustPolicy;

  private constructor(store: Store, trust: TrustPolicy) {
    this.dir = store.dir;
    this.#store = store;
    this.#trust = trust;
  }

  /** `dir` is $TITAN_HOME/registry; its layout is created if missing. */
  static async open(dir: string, options: OpenOptions = {}): Promise<Registry> {
    let trusted: Set<string> | null = null;
    if (options.trustedKeys) {
      trusted = new Set();
      for (const [index, text] of options.trustedKeys.entries()) {
        const key = normalizePublicKey(text);
        if (key === undefined) throw new TitanError('TITAN_E_CONFIG_INVALID', `trustedKeys[${index}] is not an ed25519 public key (base64 SPKI DER or PEM)`);
        trusted.add(key);
      }
    }
    const store = new Store(dir);
    await store.init();
    return new Registry(store, { trusted });
  }

  /**
   * Stores the blob, then the manifest (the commit point). Re-publishing the same release is a no-op
   * that returns the stored manifest; the same version with other contents is refused.
   */
  async publish(wasm: Uint8Array, input: PublishInput, options: { signingKey?: KeyObject } = {}): Promise<PublishedManifest> {
    const { signature: _signature, yanked: _yanked, ...fields } = input as PublishInput & Partial<PublishedManifest>;
    const draft = { ...fields, schemaVersion: 1, digest: contentDigest(wasm), size: wasm.length, created: new Date().toISOString() };
    checkComponentBytes(wasm);
    const manifest = validatePublishedManifest(draft, formatRef(draft));
    const canonical = semver.valid(manifest.version);
    if (canonical !== manifest.version) {
      throw new TitanError('TITAN_E_MANIFEST_INVALID', `${formatRef(manifest)}: write the version as ${canonical} (no leading v, no build metadata)`);
    }
    if (options.signingKey) manifest.signature = signManifest(manifest, options.signingKey);
    // Refuse here what readBlob would refuse later (an untrusted or missing signature).
    checkSignature(manifest, this.#trust);

    const existing = await this.#find(manifest.kind, manifest.name, manifest.version);
    if (existing) return this.#republish(existing, manifest, wasm);
    await this.#store.putBlob(wasm, manifest.digest);
    if (await this.#store.createManifest(manifest)) return manifest;
    // Another writer committed this version between our check and our commit.
    const winner = await this.#find(manifest.kind, manifest.name, manifest.version);
    if (!winner) throw new TitanError('TITAN_E_VERSION_EXISTS', `${formatRef(manifest)} exists but cannot be read`);
    return this.#republish(winner, manifest, wasm);
  }

  async #republish(existing: PublishedManifest, manifest: PublishedManifest, wasm: Uint8Array): Promise<PublishedManifest> {
    if (existing.digest !== manifest.digest) {
      throw new TitanError('TITAN_E_VERSION_EXISTS', `${formatRef(manifest)} is already published with digest ${existing.digest}`);
    }
    if (!sameRelease(existing, manifest)) {
      throw new TitanError(
        'TITAN_E_VERSION_EXISTS',
        `${formatRef(manifest)} is already published with the same binary but a different manifest (capabilities, limits, description...)`,
      );
    }
    await this.#store.putBlob(wasm, manifest.digest); // heals a missing or damaged blob
    return existing;
  }

  /** Sorted by kind, name, then semver ascending. Yanked versions only on request; unreadable manifests never (see verify). */
  list(filter: ListFilter = {}): Promise<PublishedManifest[]> {
    return this.#select(filter, 'skip');
  }

  async #select(filter: ListFilter, invalid: 'skip' | 'throw'): Promise<PublishedManifest[]> {
    checkRefShape(filter, false);
    const found: PublishedManifest[] = [];
    for (const entry of await this.#store.entries(filter)) {
      const manifest = await this.#store.loadManifest(entry).catch((error: unknown) => {
        if (invalid === 'throw') throw error;
        return undefined;
      });
      if (manifest && (filter.includeYanked || !manifest.yanked)) found.push(manifest);
    }
    return found.sort(compareManifests);
  }

  /** One exact version; TITAN_E_NOT_FOUND if absent. */
  async show(ref: ExactRef): Promise<PublishedManifest> {
    checkRefShape(ref);
    const version = exactVersion(ref);
    const candidates: PublishedManifest[] = [];
    for (const entry of await this.#store.entries({ kind: ref.kind, name: ref.name })) {
      if (entry.version === version) candidates.push(await this.#store.loadManifest(entry));
    }
    const [manifest] = onlyKind(ref, candidates);
    if (!manifest)
      throw new TitanError('TITAN_E_NOT_FOUND', `${formatRef({ ...ref, version })} is not published`, {
        fix: 'run `titan registry list` to see the published versions',
      });
    return manifest;
  }

  async resolve(ref: ComponentRef): Promise<PublishedManifest> {
    checkRefShape(ref);
    return selectVersion(ref, await this.list({ kind: ref.kind, name: ref.name, includeYanked: true }));
  }

  /** That the component's blob is there, whole by its size, without reading it (a lazy restore's check). */
  async checkBlob(manifest: PublishedManifest): Promise<void> {
    await this.#store.statBlob(manifest.digest, manifest.size);
  }

  /** The component's bytes, re-hashed and with its signature checked; never altered bytes. */
  async readBlob(manifest: PublishedManifest): Promise<Uint8Array> {
    const checked = validatePublishedManifest(manifest, formatRef(manifest));
    checkSignature(checked, this.#trust);
    return this.#store.readBlob(checked.digest, checked.size);
  }

  /** `check`: also holds each binary to its manifest (imports, exports, world), a problem each refusal. */
  verify(options: ProgressOptions & { check?: BinaryCheck } = {}): Promise<VerifyReport> {
    return verifyStore(this.#store, this.#trust, options.onProgress, options.check);
  }

  /** Marks a version yanked: ranges skip it, exact pins still resolve. Yanking twice keeps the first record. */
  async yank(ref: ExactRef, reason: string): Promise<PublishedManifest> {
    if (reason.trim() === '') throw new TitanError('TITAN_E_USAGE', 'give a reason for the yank: users of the version will read it');
    const manifest = await this.show(ref);
    if (manifest.yanked) return manifest;
    const yanked: PublishedManifest = { ...manifest, yanked: { at: new Date().toISOString(), reason } };
    await this.#store.replaceManifest(validatePublishedManifest(yanked, formatRef(yanked)));
    return yanked;
  }

  gc(options: GcOptions = {}): Promise<GcReport> {
    return collectGarbage(this.#store, options);
  }

  /** Writes a .tar of the matching versions; yanked ones are included unless includeYanked is false (pins may need them). */
  async exportTo(file: string, filter: ListFilter = {}, options: ProgressOptions = {}): Promise<{ components: number; bytes: number }> {
    // Unlike list, an unreadable manifest stops the export: a backup must not silently miss a version.
    const manifests = await this.#select({ ...filter, includeYanked: filter.includeYanked ?? true }, 'throw');
    return writeArchive(this.#store, this.#trust, manifests, file, options.onProgress);
  }

  /** Verifies every entry before writing anything; identical versions already here are skipped. */
  /** `check`: each version to import is held to it before anything is committed; one refusal imports nothing. */
  importFrom(file: string, options: ProgressOptions & { check?: BinaryCheck } = {}): Promise<{ imported: string[]; skipped: string[] }> {
    return importArchive(this.#store, this.#trust, file, options.onProgress, options.check);
  }

  async #find(kind: ComponentKind, name: string, version: string): Promise<PublishedManifest | undefined> {
    const file = this.#store.manifestPath(kind, name, version);
    try {
      return await this.#store.loadManifest({ kind, name, version, file });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
