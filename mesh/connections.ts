// Keeping a node connected: dialling peers found by mDNS, the bootstrap list and peers heard of
// through gossip (redialled every REDIAL_MS until the mesh stops), a direct dial by address, and
// refusals counted with their likely reason.
import { setTimeout as sleep } from 'node:timers/promises';
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import { TitanError } from '../common/errors.ts';
import type { Allowlist } from './allowlist.ts';
import type { Membership } from './membership.ts';
import { TASK_PROTOCOL } from './messages.ts';
import type { MeshNode } from './node.ts';
import { refusalReason, type PeerRefusals } from './refusals.ts';

export const REDIAL_MS = 2000;

export type ConnectionsDeps = {
  self: string;
  node: MeshNode;
  allowlist: Allowlist;
  refusals: PeerRefusals;
  membership: () => Membership;
  bootstrap: string[];
  privateNetwork: boolean;
};

export class Connections {
  readonly #deps: ConnectionsDeps;

  constructor(deps: ConnectionsDeps) {
    this.#deps = deps;
  }

  /** A peer found by mDNS is dialled when the allowlist admits it (libp2p does not dial by itself). */
  dialDiscovered(): void {
    const { node, allowlist } = this.#deps;
    node.addEventListener('peer:discovery', (event) => {
      const { id, multiaddrs } = event.detail;
      if (!allowlist.allows(id.toString()) || node.getConnections(id).length > 0) return;
      void node
        .dial(multiaddrs.length ? multiaddrs : id, { signal: AbortSignal.timeout(REDIAL_MS) })
        .catch((error: unknown) => this.#dialFailed(id.toString(), error));
    });
  }

  /** Redials the bootstrap peers and the members not connected directly until `signal` aborts. */
  async keep(signal: AbortSignal): Promise<void> {
    const { self, node, bootstrap } = this.#deps;
    while (!signal.aborted) {
      for (const address of bootstrap) {
        const peer = multiaddr(address)
          .getComponents()
          .findLast((c) => c.name === 'p2p')?.value;
        if (!peer || peer === self || node.getConnections(peerIdFromString(peer)).length > 0) continue;
        await node.dial(multiaddr(address), { signal: AbortSignal.any([signal, AbortSignal.timeout(REDIAL_MS)]) }).catch((error: unknown) => {
          if (!signal.aborted) this.#dialFailed(peer, error);
        });
      }
      for (const member of this.#deps.membership().members()) await this.connect(member.id, signal);
      await sleep(REDIAL_MS, undefined, { signal }).catch(() => {});
    }
  }

  /** Peers heard of through gossip but not connected directly are dialled for the task protocol. */
  async connect(peer: string, signal: AbortSignal): Promise<void> {
    const { node, allowlist } = this.#deps;
    const member = this.#deps.membership().get(peer);
    if (!member || node.getConnections(peerIdFromString(peer)).length > 0 || !allowlist.allows(peer)) return;
    await node
      .dial(
        member.addrs.map((a) => multiaddr(a)),
        { signal: AbortSignal.any([signal, AbortSignal.timeout(REDIAL_MS)]) },
      )
      .catch((error: unknown) => {
        if (!signal.aborted) this.#dialFailed(peer, error);
      });
  }

  /** A dial that failed: a refusal by the peer is logged and counted with its likely reason. */
  #dialFailed(peer: string, error: unknown): string | undefined {
    const reason = refusalReason(error, this.#deps.privateNetwork);
    if (reason && this.#deps.allowlist.allows(peer)) this.#deps.refusals.record(peer, 'by-peer', reason);
    return reason;
  }

  /** Connects to a peer by multiaddr (with /p2p/<id>); refused unless both sides admit each other. */
  async dial(address: string, timeoutMs = 10_000): Promise<string> {
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      const connection = await this.#deps.node.dial(multiaddr(address), { signal });
      // A peer that does not admit us drops the connection right after the handshake: only a
      // protocol stream that opens proves we are in.
      const stream = await connection.newStream(TASK_PROTOCOL, { signal });
      await stream.close();
      return connection.remotePeer.toString();
    } catch (error) {
      let peer = address;
      try {
        peer =
          multiaddr(address)
            .getComponents()
            .findLast((c) => c.name === 'p2p')?.value ?? address;
      } catch {
        // not a multiaddr: the error says so
      }
      const refused = this.#dialFailed(peer, error);
      throw new TitanError('TITAN_E_MESH_UNREACHABLE', `cannot connect to ${address}: ${refused ?? (error as Error).message}`);
    }
  }
}
