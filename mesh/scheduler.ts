// Where a task runs. A slot anywhere - this node's own or a peer's - takes the next queued task:
// a peer qualifies only if its heartbeat advertises the component at a version the task accepts
// (semver range) and it has a free slot; among those and this node, the least loaded wins (this
// node on a tie: no network hop). Tasks wait in order while every slot is busy. A task whose
// peer is lost goes back to the front of the queue, never again to that peer; one whose peer
// timed out, or that finds the waiter table full, runs here at once (deterministic fallback).
import semver from 'semver';
import { TitanError } from '../common/errors.ts';
import type { Member } from './membership.ts';
import type { ComponentNeed, TaskType } from './messages.ts';

export type Job = {
  id: string;
  type: TaskType;
  need: Omit<ComponentNeed, 'version' | 'digest'> & { version?: string; digest?: string };
  fn: string;
  args: unknown[];
  /** Peers this job must not go to again (they were lost while holding it). */
  exclude: Set<string>;
  /** The peer holding it now, if any (where a cancel goes). */
  at?: string;
  /** Set when the job must not leave this node (a peer's task, or a fallback). */
  localOnly?: boolean;
  onProgress?: (kind: string, data: string) => void;
  /** How this node runs it (a kernel tool call brings its own); default: the executor. */
  local?: () => Promise<unknown>;
  resolve(value: Outcome): void;
  reject(error: Error): void;
};

export type Outcome = { value: unknown; node: string; fallback: boolean };

export type Placement = { where: 'local' } | { where: 'peer'; peer: string; version: string; digest: string };

export type SchedulerView = {
  self: string;
  localSlots: number;
  localRunning(): number;
  /** Can this node run the job's component at an accepted version? */
  localCan(job: Job): boolean;
  members(): Member[];
  inFlight(peer: string): number;
  /** Tasks sent to the peer so far: equal loads go to the one sent fewer, so calls one at a time rotate. */
  sentTo(peer: string): number;
};

export function advertised(member: Member, job: Job): { version: string; digest: string } | undefined {
  let best: { version: string; digest: string } | undefined;
  for (const ad of member.components) {
    if (ad.kind !== job.need.kind || ad.name !== job.need.name) continue;
    if (job.need.digest && ad.digest === job.need.digest) return ad; // the very same binary
    if (!semver.satisfies(ad.version, job.need.range, { includePrerelease: true })) continue;
    if (!best || semver.gt(ad.version, best.version)) best = ad;
  }
  return best;
}

/**
 * How busy a peer is for us, 0 to 1: our tasks in flight there now, plus what others had running or
 * queued there at its last heartbeat; undefined when it has no slot free for us.
 */
export function peerLoad(member: Member, self: string, inFlight: (peer: string) => number): number | undefined {
  if (member.slots <= 0) return undefined;
  const ours = inFlight(member.id);
  const others = Math.max(0, member.slots - member.freeSlots - (member.busyBy[self] ?? 0));
  return ours + others >= member.slots ? undefined : (ours + others) / member.slots;
}

/** The least loaded peer (not this node) that `offers` the work and has a slot free for us, if any. */
export function leastLoadedPeer(members: Member[], self: string, inFlight: (peer: string) => number, offers: (member: Member) => boolean): string | undefined {
  let best: { peer: string; load: number } | undefined;
  for (const member of members) {
    if (member.id === self || !offers(member)) continue;
    const load = peerLoad(member, self, inFlight);
    if (load !== undefined && (!best || load < best.load)) best = { peer: member.id, load };
  }
  return best?.peer;
}

/** The best slot for a job right now, 'wait' when every fitting slot is busy, or an error when none could ever fit. */
export function place(view: SchedulerView, job: Job): Placement | 'wait' | TitanError {
  const localCan = view.localCan(job);
  const localLoad = view.localSlots > 0 ? view.localRunning() / view.localSlots : Infinity;
  let best: { peer: string; load: number; sent: number; version: string; digest: string } | undefined;
  let anyPeerFits = false;
  if (!job.localOnly) {
    for (const member of view.members()) {
      if (member.id === view.self || job.exclude.has(member.id) || member.slots <= 0) continue;
      const ad = advertised(member, job);
      if (!ad) continue;
      anyPeerFits = true;
      const load = peerLoad(member, view.self, (peer) => view.inFlight(peer));
      if (load === undefined) continue;
      const sent = view.sentTo(member.id);
      if (!best || load < best.load || (load === best.load && sent < best.sent)) best = { peer: member.id, load, sent, version: ad.version, digest: ad.digest };
    }
  }
  const localFree = localCan && view.localRunning() < view.localSlots;
  if (best && (!localFree || best.load < localLoad)) return { where: 'peer', peer: best.peer, version: best.version, digest: best.digest };
  if (localFree) return { where: 'local' };
  // A node with no slots of its own still runs what no peer can take.
  if (localCan && !anyPeerFits && view.localSlots === 0) return { where: 'local' };
  if (best || anyPeerFits || localCan) return 'wait';
  return new TitanError('TITAN_E_MESH_NO_PEER', `no node of the mesh serves ${job.need.kind}/${job.need.name}@${job.need.range}`);
}
