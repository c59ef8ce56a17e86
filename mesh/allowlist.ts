// Who may join: peer ids from the config plus those added with `titan mesh allow` (kept in
// $TITAN_HOME/mesh/allowlist.json). Enforced by a libp2p connection gater, so a peer not on the
// list is dropped at connection time - right after the noise handshake proves its id - before
// any protocol stream opens. With a pre-shared key and no allowlist, the key alone admits.
import path from 'node:path';
import { peerIdFromString } from '@libp2p/peer-id';
import type { ConnectionGater, PeerId } from '@libp2p/interface';
import { readJsonFile, writeJsonAtomic } from '../common/atomic-file.ts';
import { TitanError } from '../common/errors.ts';
import { meshDir } from './identity.ts';

export function allowlistFile(home: string): string {
  return path.join(meshDir(home), 'allowlist.json');
}

export function checkPeerId(text: string): string {
  try {
    return peerIdFromString(text.trim()).toString();
  } catch {
    throw new TitanError('TITAN_E_MESH_PEER_INVALID', `"${text}" is not a libp2p peer id`);
  }
}

type AllowlistFile = { peers: string[] };

export class Allowlist {
  readonly #file: string;
  readonly #fromConfig: Set<string>;
  #added = new Set<string>();
  /** With a pre-shared key and an empty allowlist, holding the key is the admission. */
  readonly #openWhenEmpty: boolean;
  /** Told of every peer the gater turns away (the mesh logs and counts it). */
  onRefused: (peer: string, reason: string) => void = () => {};

  private constructor(file: string, fromConfig: string[], openWhenEmpty: boolean) {
    this.#file = file;
    this.#fromConfig = new Set(fromConfig.map(checkPeerId));
    this.#openWhenEmpty = openWhenEmpty;
  }

  static async open(home: string, fromConfig: string[], openWhenEmpty: boolean): Promise<Allowlist> {
    const list = new Allowlist(allowlistFile(home), fromConfig, openWhenEmpty);
    await list.reload();
    return list;
  }

  async reload(): Promise<void> {
    const saved = await readJsonFile<AllowlistFile>(this.#file, { peers: [] });
    this.#added = new Set((saved.peers ?? []).map(checkPeerId));
  }

  peers(): string[] {
    return [...new Set([...this.#fromConfig, ...this.#added])].sort();
  }

  allows(peer: string): boolean {
    if (this.#fromConfig.has(peer) || this.#added.has(peer)) return true;
    return this.#openWhenEmpty && this.#fromConfig.size === 0 && this.#added.size === 0;
  }

  async allow(peer: string): Promise<string[]> {
    this.#added.add(checkPeerId(peer));
    await this.#save();
    return this.peers();
  }

  /** Removes a peer added by `allow`; one from the config stays until the config changes. */
  async deny(peer: string): Promise<{ peers: string[]; stillInConfig: boolean }> {
    const id = checkPeerId(peer);
    this.#added.delete(id);
    await this.#save();
    return { peers: this.peers(), stillInConfig: this.#fromConfig.has(id) };
  }

  #save(): Promise<void> {
    return writeJsonAtomic(this.#file, { peers: [...this.#added].sort() });
  }

  gater(): ConnectionGater {
    const refuse = (why: string) => (peer: PeerId) => {
      const id = peer.toString();
      if (this.allows(id)) return false;
      this.onRefused(id, why);
      return true;
    };
    return {
      denyDialPeer: refuse("not on this node's allowlist (dial not attempted)"),
      denyInboundEncryptedConnection: refuse("not on this node's allowlist (inbound connection closed after the handshake)"),
      denyOutboundEncryptedConnection: refuse("not on this node's allowlist (outbound connection closed after the handshake)"),
      // Loopback and private addresses are where test meshes and LANs live: allow dialling them.
      denyDialMultiaddr: () => false,
    };
  }
}

/** Edits the allowlist file of a home whose kernel is not running. */
export async function editAllowlistOffline(home: string, peer: string, allow: boolean): Promise<string[]> {
  const file = allowlistFile(home);
  const id = checkPeerId(peer);
  const saved = new Set((await readJsonFile<AllowlistFile>(file, { peers: [] })).peers ?? []);
  if (allow) saved.add(id);
  else saved.delete(id);
  await writeJsonAtomic(file, { peers: [...saved].sort() });
  return [...saved].sort();
}
