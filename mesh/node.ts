// The libp2p node of a Titan mesh: TCP (noise + yamux) and QUIC transports, identify, gossipsub for
// membership, mDNS only when asked for (the bootstrap list is dialled by mesh.ts). Peers are
// admitted by the allowlist gater and, when a key file is set, by the private-network key.
import { readFile } from 'node:fs/promises';
import { noise } from '@chainsafe/libp2p-noise';
import { quic } from '@chainsafe/libp2p-quic';
import { yamux } from '@chainsafe/libp2p-yamux';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p';
import { TitanError } from '../common/errors.ts';
import type { Allowlist } from './allowlist.ts';

export type MeshNodeOptions = {
  privateKey: PrivateKey;
  listen: string[];
  allowlist: Allowlist;
  pskFile: string;
  mdns: boolean;
};

export type MeshServices = { identify: ReturnType<ReturnType<typeof identify>>; pubsub: ReturnType<ReturnType<typeof gossipsub>> };
export type MeshNode = Libp2p<MeshServices>;

const PSK_FORMAT = /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\s*$/;

async function readPsk(file: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new TitanError('TITAN_E_MESH_PSK_INVALID', `cannot read the mesh key ${file}: ${(error as Error).message}`);
  }
  if (!PSK_FORMAT.test(bytes.toString('utf8'))) throw new TitanError('TITAN_E_MESH_PSK_INVALID', `${file} is not a libp2p swarm key`);
  return new Uint8Array(bytes);
}

export async function createMeshNode(options: MeshNodeOptions): Promise<MeshNode> {
  const psk = options.pskFile ? await readPsk(options.pskFile) : undefined;
  // QUIC encrypts below libp2p, where a private-network key cannot wrap it: with a key, TCP only.
  const listen = psk ? options.listen.filter((a) => !a.includes('/quic')) : options.listen;
  const transports: NonNullable<Libp2pOptions['transports']> = [tcp()];
  if (!psk) transports.push(quic());
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = [];
  if (options.mdns) peerDiscovery.push(mdns());
  try {
    return (await createLibp2p({
      privateKey: options.privateKey,
      addresses: { listen },
      transports,
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: options.allowlist.gater(),
      ...(psk ? { connectionProtector: preSharedKey({ psk }) } : {}),
      peerDiscovery,
      services: {
        identify: identify(),
        // Heartbeats are few and small: flood them to every subscribed peer, even with none yet.
        pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, floodPublish: true, heartbeatInterval: 500 }),
      },
    })) as MeshNode;
  } catch (error) {
    const message = (error as Error).message;
    if (/EADDRINUSE|address already in use/i.test(message)) {
      throw new TitanError('TITAN_E_PORT_IN_USE', `the mesh cannot listen on ${listen.join(', ')}: ${message}`, {
        fix: 'set mesh.listen (TITAN_MESH_LISTEN) to free ports, or port 0',
      });
    }
    throw error;
  }
}
