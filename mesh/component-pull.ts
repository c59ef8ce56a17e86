// Components over the mesh. A node serves the blobs of its registry by digest (re-hashed as it
// reads them, so it never passes on damaged bytes); a node that lacks a version pulls it from a
// peer and trusts nothing it receives: the bytes must hash to the digest asked for and named by
// the manifest, a signature must verify, and the version then enters the registry through its
// archive import - the same checks as `titan registry import` (trust policy, clashes), writing
// nothing unless every check passes.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import tar from 'tar-stream';
import { contentDigest } from '../common/digest.ts';
import { TitanError } from '../common/errors.ts';
import { ARCHIVE_HEADER, archiveHeader, blobEntryName, manifestEntry } from '../registry/archive.ts';
import { validatePublishedManifest, type PublishedManifest } from '../registry/manifest.ts';
import type { BinaryCheck, Registry } from '../registry/registry.ts';
import { checkSignature } from '../registry/signing.ts';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import { MAX_FRAME } from './frames.ts';
import { BLOB_PROTOCOL, decode, encode, wire, type BlobReply, type BlobRequest } from './messages.ts';
import type { MeshNode } from './node.ts';

const CHUNK = 256 * 1024;
const PULL_TIMEOUT_MS = 30_000;

export async function findByDigest(registry: Registry, digest: string): Promise<PublishedManifest | undefined> {
  return (await registry.list({ includeYanked: true })).find((m) => m.digest === digest);
}

/** The libp2p handler for BLOB_PROTOCOL: one request, a JSON header frame, then the bytes in chunks. */
export async function serveBlob(registry: Registry, stream: Stream): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: 64 * 1024 });
  try {
    const request = decode<BlobRequest>((await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray());
    const manifest = await findByDigest(registry, String(request.digest));
    if (!manifest) throw new TitanError('TITAN_E_NOT_FOUND', `no component with digest ${request.digest} in this node's registry`);
    const bytes = await registry.readBlob(manifest);
    await lp.write(encode({ ok: true, manifest: manifest as unknown as Record<string, unknown>, size: bytes.length } satisfies BlobReply));
    await sendChunks(lp, bytes);
  } catch (error) {
    await lp.write(encode({ ok: false, error: wire(error) } satisfies BlobReply)).catch(() => {});
  }
  await stream.close().catch(() => {});
}

/** The bytes as length-prefixed chunks, after the header. */
export async function sendChunks(lp: LengthPrefixedStream<Stream>, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; at += CHUNK) await lp.write(bytes.subarray(at, at + CHUNK));
}

export type PullResult = { manifest: PublishedManifest; imported: boolean; bytes: number };

/** Fetches the blob `digest` from `peer`, verifies it and publishes it into `registry`. */
/** `check`: the binary held to its manifest and smoke-tested before it is committed (kernel/binary-truth.ts). */
export async function pullComponent(node: MeshNode, registry: Registry, peer: string, digest: string, check?: BinaryCheck): Promise<PullResult> {
  const local = await findByDigest(registry, digest);
  if (local) return { manifest: local, imported: false, bytes: local.size };
  const signal = AbortSignal.timeout(PULL_TIMEOUT_MS);
  let stream: Stream;
  try {
    stream = await node.dialProtocol(peerIdFromString(peer), BLOB_PROTOCOL, { signal });
  } catch (error) {
    throw new TitanError('TITAN_E_MESH_UNREACHABLE', `cannot ask ${peer} for ${digest}: ${(error as Error).message}`);
  }
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME });
    await lp.write(encode({ digest } satisfies BlobRequest), { signal });
    const reply = decode<BlobReply>((await lp.read({ signal })).subarray());
    if (!reply.ok)
      throw new TitanError(reply.error.code === 'TITAN_E_NOT_FOUND' ? 'TITAN_E_NOT_FOUND' : 'TITAN_E_MESH_UNREACHABLE', `${peer}: ${reply.error.message}`);
    const size = Number(reply.size);
    if (!Number.isSafeInteger(size) || size <= 0 || size > 256 * 1024 * 1024) throw refused(peer, digest, `it announced ${reply.size} bytes`);
    const bytes = new Uint8Array(size);
    let received = 0;
    while (received < size) {
      const chunk = (await lp.read({ signal })).subarray();
      if (received + chunk.length > size) throw refused(peer, digest, 'it sent more bytes than it announced');
      bytes.set(chunk, received);
      received += chunk.length;
    }
    const manifest = verifyPulled(reply.manifest, bytes, digest, peer);
    await importVerified(registry, manifest, bytes, check);
    return { manifest, imported: true, bytes: size };
  } finally {
    await stream.close().catch(() => {});
  }
}

function refused(peer: string, digest: string, why: string): TitanError {
  return new TitanError('TITAN_E_DIGEST_MISMATCH', `component ${digest} from ${peer} was refused: ${why}`, {
    fix: 'nothing was stored; the peer serves altered bytes - check its registry with `titan registry verify` there',
  });
}

/** The checks that make a pulled component as trustworthy as a local one. */
export function verifyPulled(manifestJson: unknown, bytes: Uint8Array, digest: string, peer: string): PublishedManifest {
  const actual = contentDigest(bytes);
  if (actual !== digest) throw refused(peer, digest, `its bytes hash to ${actual}`);
  const manifest = validatePublishedManifest(manifestJson, `component from ${peer}`);
  if (manifest.digest !== digest || manifest.size !== bytes.length)
    throw refused(peer, digest, `its manifest names ${manifest.digest} (${manifest.size} bytes)`);
  if (manifest.signature) checkSignature(manifest, { trusted: null });
  return manifest;
}

async function importVerified(registry: Registry, manifest: PublishedManifest, bytes: Uint8Array, check?: BinaryCheck): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'titan-pull-'));
  try {
    const file = path.join(dir, 'pulled.tar');
    const pack = tar.pack();
    const written = pipeline(pack, createWriteStream(file));
    const entry = manifestEntry(manifest);
    pack.entry({ name: ARCHIVE_HEADER }, JSON.stringify(archiveHeader([entry], 1)));
    pack.entry({ name: entry.name }, entry.bytes);
    pack.entry({ name: blobEntryName(manifest.digest) }, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    pack.finalize();
    await written;
    await registry.importFrom(file, { check });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
