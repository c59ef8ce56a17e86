// Membership by heartbeat gossip: every node publishes {id, free slots, load, components} on one
// gossipsub topic each interval; a peer not heard from for MISSED_BEATS intervals is gone (and at
// once when its connection closes). Gossipsub signs messages, so a heartbeat's sender is its author.
import type { Message } from '@libp2p/gossipsub';
import { HEARTBEAT_TOPIC, decode, encode, type ComponentAd, type Heartbeat } from './messages.ts';
import type { MeshNode } from './node.ts';

export const MISSED_BEATS = 3;

export type Member = Heartbeat & { lastSeen: number; rttMs?: number };

export type MembershipEvents = { joined(peer: string): void; gone(peer: string, why: string): void };

export class Membership {
  readonly #node: MeshNode;
  readonly #intervalMs: number;
  readonly #self: () => Omit<Heartbeat, 'id' | 'seq' | 'addrs'>;
  readonly #events: MembershipEvents;
  readonly #members = new Map<string, Member>();
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(node: MeshNode, intervalMs: number, self: () => Omit<Heartbeat, 'id' | 'seq' | 'addrs'>, events: MembershipEvents) {
    this.#node = node;
    this.#intervalMs = intervalMs;
    this.#self = self;
    this.#events = events;
  }

  start(): void {
    const pubsub = this.#node.services.pubsub;
    pubsub.subscribe(HEARTBEAT_TOPIC);
    pubsub.addEventListener('message', (event) => this.#onMessage(event.detail));
    // A new connection hears our heartbeat right away rather than up to one interval later.
    pubsub.addEventListener('subscription-change', () => void this.beat());
    this.#node.addEventListener('peer:disconnect', (event) => this.#drop(event.detail.toString(), 'disconnected'));
    this.#timer = setInterval(() => {
      void this.beat();
      this.#expire();
    }, this.#intervalMs);
    this.#timer.unref();
    void this.beat();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async beat(): Promise<void> {
    const heartbeat: Heartbeat = {
      id: this.#node.peerId.toString(),
      seq: ++this.#seq,
      addrs: this.#node.getMultiaddrs().map(String),
      ...this.#self(),
    };
    try {
      await this.#node.services.pubsub.publish(HEARTBEAT_TOPIC, encode(heartbeat));
    } catch {
      // No subscribed peer yet, or stopping: the next interval tries again.
    }
  }

  members(): Member[] {
    this.#expire();
    return [...this.#members.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(peer: string): Member | undefined {
    return this.#members.get(peer);
  }

  #onMessage(message: Message): void {
    if (message.topic !== HEARTBEAT_TOPIC || message.type !== 'signed') return;
    const from = message.from.toString();
    let beat: Heartbeat;
    try {
      beat = decode<Heartbeat>(message.data);
    } catch {
      return;
    }
    if (beat.id !== from || !Array.isArray(beat.components)) return; // a heartbeat speaks only for its signer
    const known = this.#members.get(from);
    if (known && beat.seq <= known.seq && beat.seq !== 1) return; // stale (gossip may reorder); seq 1 is a restart
    const builds = Array.isArray(beat.builds) ? beat.builds.filter((b) => b === 'reflex') : [];
    const embeddings =
      typeof beat.embeddings?.model === 'string'
        ? { model: beat.embeddings.model, ...(Number.isInteger(beat.embeddings.dimensions) ? { dimensions: beat.embeddings.dimensions } : {}) }
        : undefined;
    this.#members.set(from, {
      ...beat,
      busyBy: beat.busyBy ?? {},
      components: beat.components.filter(isAd),
      builds,
      embeddings,
      subAgents: beat.subAgents === true,
      jobs: beat.jobs === true,
      lastSeen: Date.now(),
    });
    if (!known) this.#events.joined(from);
  }

  #expire(): void {
    const limit = Date.now() - MISSED_BEATS * this.#intervalMs;
    for (const member of this.#members.values()) if (member.lastSeen < limit) this.#drop(member.id, `missed ${MISSED_BEATS} heartbeats`);
  }

  /** A peer that could not confirm a cancel, even past its own watchdog: gone now (its next heartbeat brings it back). */
  declareDead(peer: string, why: string): void {
    this.#drop(peer, why);
  }

  #drop(peer: string, why: string): void {
    if (this.#members.delete(peer)) this.#events.gone(peer, why);
  }
}

function isAd(value: ComponentAd): boolean {
  return typeof value?.kind === 'string' && typeof value.name === 'string' && typeof value.version === 'string' && typeof value.digest === 'string';
}
