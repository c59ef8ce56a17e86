// Which components may run on another node. A task runs with the receiver's host imports, so only
// components whose capabilities touch nothing of the node they run on are offloaded: a tool with
// exec, files or http would act on the peer's machine (bypassing the asking node's approvals), one
// with kv, sql or secrets would read or write the peer's state instead of ours, and one with mesh
// could bounce work around. Those always run on the node that asked; peers refuse them.
import { TitanError } from '../common/errors.ts';
import type { PublishedManifest } from '../registry/manifest.ts';

const PURE_CAPABILITIES = new Set(['log', 'clock', 'events']);

export function isOffloadable(manifest: Pick<PublishedManifest, 'capabilities'>): boolean {
  return Object.keys(manifest.capabilities ?? {}).every((capability) => PURE_CAPABILITIES.has(capability));
}

export function checkOffloadable(manifest: Pick<PublishedManifest, 'kind' | 'name' | 'version' | 'capabilities'>): void {
  if (isOffloadable(manifest)) return;
  const touching = Object.keys(manifest.capabilities).filter((c) => !PURE_CAPABILITIES.has(c));
  throw new TitanError(
    'TITAN_E_MESH_NOT_OFFLOADABLE',
    `${manifest.kind}/${manifest.name}@${manifest.version} uses ${touching.join(', ')}: it runs only on the node that asks for it`,
  );
}
