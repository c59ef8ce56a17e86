// The node's libp2p identity: an Ed25519 key kept in $TITAN_HOME/mesh/identity.key (mode 0600),
// created on first start, so a node keeps its peer id across restarts and allowlists stay valid.
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { writeFileAtomic } from '../common/atomic-file.ts';

export function meshDir(home: string): string {
  return path.join(home, 'mesh');
}

export async function loadOrCreateIdentity(home: string): Promise<PrivateKey> {
  const file = path.join(meshDir(home), 'identity.key');
  try {
    return privateKeyFromProtobuf(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(meshDir(home), { recursive: true, mode: 0o700 });
  const key = await generateKeyPair('Ed25519');
  await writeFileAtomic(file, privateKeyToProtobuf(key));
  await chmod(file, 0o600);
  return key;
}
