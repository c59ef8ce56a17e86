import { createHash } from 'node:crypto';

export function sha256(...parts: Array<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

/** Content address as written in manifests: "sha256:<hex>". */
export function contentDigest(bytes: Uint8Array): string {
  return `sha256:${sha256(bytes)}`;
}

export function hexOf(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
}
