// Publishing a folder of components through the kernel's publish route: the running kernel's when
// there is one (no second kernel opens on its home), else one opened for the command.
import path from 'node:path';
import type { Backend, PublishedManifest } from '../registry/manifest.ts';
import { withClient } from './client.ts';

export async function publishFolder(dir: string, options: { sign: boolean; backend?: Backend }): Promise<PublishedManifest[]> {
  const body = { dir: path.resolve(dir), sign: options.sign, ...(options.backend ? { backend: options.backend } : {}) };
  return (await withClient((client) => client.request<{ manifests: PublishedManifest[] }>('POST', '/api/registry/publish', body))).manifests;
}

/** Publishing a built binary with the component.json that describes it (held to it by the kernel). */
export async function publishWasm(wasm: string, manifest: string, options: { sign: boolean }): Promise<PublishedManifest[]> {
  const body = { wasm: path.resolve(wasm), manifest: path.resolve(manifest), sign: options.sign };
  return (await withClient((client) => client.request<{ manifests: PublishedManifest[] }>('POST', '/api/registry/publish', body))).manifests;
}
