// A binary held to its manifest: the interfaces it imports and exports are read from the binary
// itself and must be exactly what the manifest says, its exports must be its world's, it must
// link under the manifest's grants, and (for an import) it must pass the smoke test publish runs,
// in a worker under its time limit. Used by `titan registry import` and `titan registry verify`.
import { TitanError } from '../common/errors.ts';
import { formatRef } from '../registry/ref.ts';
import type { PublishedManifest } from '../registry/manifest.ts';
import { inspectComponent } from '../toolchain/inspect.ts';
import type { Kernel } from './kernel.ts';
import { planLink } from './link-plan.ts';
import { smokeTest } from './smoke.ts';

const sorted = (list: readonly string[]) => [...list].sort();

export async function checkBinary(kernel: Kernel, manifest: PublishedManifest, wasm: Uint8Array, options: { smoke: boolean }): Promise<void> {
  const who = formatRef(manifest);
  // Read from these very bytes, not from a cache keyed by the manifest's claims.
  const shape = await inspectComponent(wasm);
  const claimed = sorted(manifest.imports);
  const real = sorted(shape.imports);
  if (claimed.join(' ') !== real.join(' ')) {
    throw new TitanError('TITAN_E_MANIFEST_MISMATCH', `${who}: the manifest says it imports [${claimed.join(', ')}], the binary imports [${real.join(', ')}]`);
  }
  // Everything it exports belongs to its world's package at its version (titan:tool/...@0.1.0).
  const [pkg, version] = manifest.witPackage.split('@');
  const foreign = shape.exports.filter((e) => !e.startsWith(`${pkg}/`) || !e.endsWith(`@${version}`));
  if (foreign.length > 0 || shape.exports.length === 0) {
    throw new TitanError('TITAN_E_MANIFEST_MISMATCH', `${who}: the manifest says world ${manifest.world}, the binary exports [${shape.exports.join(', ')}]`);
  }
  planLink(manifest, shape, await kernel.loader.supportedWitPackages());
  if (!options.smoke) return;
  const probe = await kernel.probeFor(manifest, wasm);
  try {
    await smokeTest(probe);
  } finally {
    await probe.close();
  }
}

/** `titan registry import`: an archive's versions, each held to its binary and smoke-tested before any is committed. */
export function importChecked(kernel: Kernel, file: string, options: { onProgress?: (done: number, total: number, item: string) => void } = {}) {
  return kernel.registry.importFrom(file, { ...options, check: (manifest, wasm) => checkBinary(kernel, manifest, wasm, { smoke: true }) });
}

/** `titan registry verify`: digests, sizes, schemas and signatures, and every binary against its manifest. */
export function verifyChecked(kernel: Kernel, options: { onProgress?: (done: number, total: number, item: string) => void } = {}) {
  return kernel.registry.verify({ ...options, check: (manifest, wasm) => checkBinary(kernel, manifest, wasm, { smoke: false }) });
}
