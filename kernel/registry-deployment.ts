// A deployment of a version as the registry holds it: the registry's own manifest is used, never
// the caller's copy, so capabilities and limits cannot be widened by handing in an edited manifest,
// and the blob is re-hashed on every deploy (about 2 ms), so one altered on disk is refused even
// when this process loaded that version before.
import { TitanError } from '../common/errors.ts';
import { validatePublishedManifest, type PublishedManifest } from '../registry/manifest.ts';
import { sameRelease, type Registry } from '../registry/registry.ts';
import type { Deployment } from './deployment.ts';

export async function registryDeployment(
  registry: Registry,
  manifest: PublishedManifest,
  standby: Deployment | undefined,
  deploy: (stored: PublishedManifest, wasm: Uint8Array) => Promise<Deployment>,
): Promise<Deployment> {
  const who = `${manifest.kind}/${manifest.name}@${manifest.version}`;
  validatePublishedManifest(manifest, who);
  const stored = await registry.show({ kind: manifest.kind, name: manifest.name, version: manifest.version });
  if (!sameRelease(stored, manifest)) {
    throw new TitanError('TITAN_E_NOT_FOUND', `${who} is not in the registry as given: its manifest differs from the published one`, {
      fix: 'deploy a version as the registry holds it (titan registry show)',
    });
  }
  const wasm = await registry.readBlob(stored);
  // Versions are immutable in the registry: the same version with the same digest is the same release.
  if (standby && standby.manifest.version === stored.version && standby.manifest.digest === stored.digest) return standby;
  return deploy(stored, wasm);
}
