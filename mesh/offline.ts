// The mesh of a home whose kernel runs without it, or does not run: its peer id and settings, and
// the allowlist file the mesh reads when it starts. Loaded only when asked (it loads libp2p's keys).
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { MeshConfig } from './config.ts';
import { editAllowlistOffline } from './allowlist.ts';
import { loadOrCreateIdentity } from './identity.ts';

export type OfflineMeshStatus = { id: string; running: false; enabled: boolean; listen: string[]; bootstrap: string[] };

export async function offlineMeshStatus(home: string, config: Pick<MeshConfig, 'enabled' | 'listen' | 'bootstrap'>): Promise<OfflineMeshStatus> {
  const id = peerIdFromPrivateKey(await loadOrCreateIdentity(home)).toString();
  return { id, running: false, enabled: config.enabled, listen: config.listen, bootstrap: config.bootstrap };
}

/** Admits or refuses a peer in the allowlist file; the mesh reads it when it starts. */
export async function editAllowlist(home: string, peer: string, allow: boolean): Promise<{ allowlist: string[] }> {
  return { allowlist: await editAllowlistOffline(home, peer, allow) };
}
