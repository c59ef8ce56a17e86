// Which kernel runs which mesh: the gateway asks here, so loading the gateway never loads libp2p.
import type { Kernel } from '../kernel/api.ts';
import type { Mesh } from './mesh.ts';

const meshes = new WeakMap<Kernel, Mesh>();

/** The mesh running beside a kernel, if any (the gateway's /api/mesh and /metrics read it). */
export function meshOf(kernel: Kernel): Mesh | undefined {
  return meshes.get(kernel);
}

export function setMeshOf(kernel: Kernel, mesh: Mesh | undefined): void {
  if (mesh) meshes.set(kernel, mesh);
  else meshes.delete(kernel);
}
