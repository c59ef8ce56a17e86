// What travels on the task protocol: one JSON object per length-prefixed frame, in both directions
// of a kept-open stream. A task names its assignee, so a node that is not it refuses to run it.
import { TitanError } from '../common/errors.ts';
import type { ComponentKind } from '../registry/manifest.ts';

export const TASK_PROTOCOL = '/titan/task/1.0.0';
export const BLOB_PROTOCOL = '/titan/blob/1.0.0';
export const HEARTBEAT_TOPIC = 'titan/mesh/heartbeat/1';

/** The work the scheduler may offload. Tool calls run a component export; the rest name their task type. */
export type TaskType = 'tool-call' | 'reflex-compile' | 'embedding-batch' | 'index-build' | 'sub-agent' | 'job-run';
export const TASK_TYPES: readonly TaskType[] = ['tool-call', 'reflex-compile', 'embedding-batch', 'index-build', 'sub-agent', 'job-run'];

export type ComponentNeed = { kind: ComponentKind; name: string; version: string; digest: string; range: string };

export type TaskMessage = {
  t: 'task';
  id: string;
  type: TaskType;
  /** Peer id of the one node that may run it. */
  assignee: string;
  component: ComponentNeed;
  fn: string;
  args: unknown[];
  /** The sender's time limit: the assignee stops the task itself once it has had it this long (plus a grace). */
  timeoutMs?: number;
};
export type CancelMessage = { t: 'cancel'; id: string };
export type ProgressMessage = { t: 'progress'; id: string; kind: string; data: string };
export type WireError = { code: string; message: string };
/** `stopped`: the assignee's watchdog ended the task at its time limit (nothing of it runs there any more). */
export type ResultMessage = { t: 'result'; id: string; ok: true; value: unknown } | { t: 'result'; id: string; ok: false; error: WireError; stopped?: true };

export type ToPeer = TaskMessage | CancelMessage;
export type FromPeer = ProgressMessage | ResultMessage;

export type ComponentAd = { kind: string; name: string; version: string; digest: string };
/** busyBy: tasks running or queued here per sending peer, so a sender can tell its own load from others'. */
export type Heartbeat = {
  id: string;
  seq: number;
  freeSlots: number;
  slots: number;
  load: number;
  busyBy: Record<string, number>;
  components: ComponentAd[];
  addrs: string[];
  builds?: BuildKind[];
  embeddings?: EmbeddingsAd;
  /** Runs a swarm's sub-agents for peers (with its own model), with a slot free. */
  subAgents?: boolean;
  /** Runs peers' sandbox jobs (its Docker engine answered), with a slot free. */
  jobs?: boolean;
  /** Chunks and embeds peers' workspace files with this embedder, and parses their code, with a slot free. */
  indexing?: IndexingAd;
};
/** A node embedding batches for peers: its provider's model, and the dimension once it has embedded. */
export type EmbeddingsAd = { model: string; dimensions?: number };
/** What a node indexes for peers: memory batches embedded with `embedder`, code graph batches when `code`. */
export type IndexingAd = { embedder?: string; code?: boolean };
/** What a node builds for peers (advertised only with the toolchain installed and a free slot). */
export type BuildKind = 'reflex';

export type BlobRequest = { digest: string };
export type BlobReply = { ok: true; manifest: Record<string, unknown>; size: number } | { ok: false; error: WireError };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encode(message: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

export function decode<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

/** An error as it travels: its code and message (a TitanError's own, else TITAN_E_INTERNAL). */
export function wire(error: unknown): WireError {
  if (error instanceof TitanError) return { code: error.code, message: error.message };
  return { code: 'TITAN_E_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
