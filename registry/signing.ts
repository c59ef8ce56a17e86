// Ed25519 signatures over a manifest. The signed bytes are a canonical JSON (keys sorted, no spaces)
// of the manifest without `signature` and `yanked`: yanking later must not break the signature, and
// the digest inside the manifest binds the signature to the blob.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../common/errors.ts';
import { writeFileExclusive } from './exclusive-write.ts';
import type { PublishedManifest, Signature } from './manifest.ts';
import { formatRef } from './ref.ts';

export const SIGNING_KEY_FILE = 'registry-ed25519.pem';

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function signedBytes(manifest: PublishedManifest): Buffer {
  const { signature: _signature, yanked: _yanked, ...rest } = manifest;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** The registry's own key, created on first use. Two processes racing to create it agree on one. */
export async function loadOrCreateSigningKey(keysDir: string): Promise<KeyObject> {
  const file = path.join(keysDir, SIGNING_KEY_FILE);
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const existing = await readKey(file);
  if (existing) return existing;
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  if (await writeFileExclusive(file, pem)) {
    await chmod(file, 0o600);
    return privateKey;
  }
  const winner = await readKey(file);
  if (!winner) throw new TitanError('TITAN_E_SIGNATURE_INVALID', `${file} vanished while it was being created`);
  return winner;
}

async function readKey(file: string): Promise<KeyObject | undefined> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new TitanError('TITAN_E_SIGNATURE_INVALID', `${file} is not a PEM private key`, { cause: error, fix: `remove ${file} to create a new key` });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TitanError('TITAN_E_SIGNATURE_INVALID', `${file} holds a ${key.asymmetricKeyType} key, not ed25519`, {
      fix: `remove ${file} to create a new key`,
    });
  }
  return key;
}

/** A public key as written in signatures: base64 of its SPKI DER. */
export function publicKeyText(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'der', type: 'spki' }).toString('base64');
}

/** Accepts base64 SPKI DER or a PEM public key; returns the base64 form, or undefined if not ed25519. */
export function normalizePublicKey(text: string): string | undefined {
  try {
    const key = text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? publicKeyText(key) : undefined;
  } catch {
    return undefined;
  }
}

export function signManifest(manifest: PublishedManifest, privateKey: KeyObject): Signature {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TitanError('TITAN_E_USAGE', 'the signing key must be an ed25519 private key');
  }
  return {
    algorithm: 'ed25519',
    publicKey: publicKeyText(privateKey),
    value: sign(null, signedBytes(manifest), privateKey).toString('base64'),
  };
}

/**
 * Who may publish. `trusted` null: any valid signature, and unsigned manifests, are accepted.
 * A trusted set: only signatures by those keys; unsigned manifests are refused too, since otherwise
 * stripping the signature would get past the set.
 */
export type TrustPolicy = { trusted: ReadonlySet<string> | null };

export function checkSignature(manifest: PublishedManifest, policy: TrustPolicy): void {
  const ref = formatRef(manifest);
  const signature = manifest.signature;
  if (!signature) {
    if (policy.trusted) throw new TitanError('TITAN_E_SIGNATURE_INVALID', `${ref} is unsigned and this registry accepts only trusted signatures`);
    return;
  }
  const publicKey = normalizePublicKey(signature.publicKey);
  if (signature.algorithm !== 'ed25519' || publicKey === undefined) {
    throw new TitanError('TITAN_E_SIGNATURE_INVALID', `${ref}: the signature's public key is not an ed25519 key`);
  }
  const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
  if (!verify(null, signedBytes(manifest), key, Buffer.from(signature.value, 'base64'))) {
    throw new TitanError('TITAN_E_SIGNATURE_INVALID', `${ref}: the signature does not match the manifest (altered after signing)`);
  }
  if (policy.trusted && !policy.trusted.has(publicKey)) {
    throw new TitanError('TITAN_E_SIGNATURE_INVALID', `${ref} is signed by a key this registry does not trust`, {
      fix: "add the publisher's public key to the trusted keys, or re-publish with a trusted key",
    });
  }
}
