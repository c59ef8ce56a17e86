// Publishing a folder of components through the kernel's publish route: the running kernel's when
// there is one (no second kernel opens on its home), else one opened for the command.
import path from 'node:path';
import type { Backend, PublishedManifest } from '../registry/manifest.ts';
import { withClient } from './client.ts';

export async function publishFolder(dir: string, options: { sign: boolean; backend?: Backend }): Promise<PublishedManifest[]> {
  const body = { dir: path.resolve(dir), sign: options.sign, ...(options.backend ? { backend: options.backend } : {}) };
  return (await withClient((client) => client.request<{ manifests: PublishedManifest[] }>('POST', '/api/registry/publish', body))).manifests;
}
