// What the agent needs from outside itself, declared here and handed in at start: other nodes that
// build reflexes and embed text for it (the mesh implements both). The agent never imports them.
import type { PublishedManifest } from '../registry/manifest.ts';
import type { Embedder } from './reflex/embedder.ts';
import type { SubAgentAnswer, SubAgentBrief } from './autonomy/swarm/types.ts';

/** A reflex folder's two files as text: what another node builds from. */
export type ReflexFiles = { manifest: string; source: string };

/**
 * Another node that may build the folder. It hands that node's wasm to `publishRemote` (this
 * node's own manifest and source digest, the normal publish checks), or runs `local` when no
 * node qualifies or the answer is refused.
 */
export type ReflexBuildOffload = {
  build(
    files: ReflexFiles,
    publishRemote: (wasm: Uint8Array) => Promise<PublishedManifest>,
    local: () => Promise<PublishedManifest>,
  ): Promise<PublishedManifest>;
};

/** Embedding batches shared with other nodes: theirs to use (reflexes.embeddings "mesh"), ours to offer ("provider"). */
export type EmbeddingBatchPort = {
  /** An embedder that sends batches to other nodes, falling back to the local one. */
  embedder(): Embedder;
  /** Embeds other nodes' batches with this node's provider embedder. */
  serveWith(embedder: Embedder, model: string): void;
};

/**
 * Sub-agents of a swarm on other nodes' free slots (the mesh implements it). Only a sub-agent
 * without tools goes: a peer runs its brief with the peer's own model, and nothing of this node.
 */
export type SubAgentOffload = {
  /** A peer with a slot free for a sub-agent and less busy than this node running `runningHere`; undefined: run here. */
  place(runningHere: number): string | undefined;
  /** Runs the brief on that peer; a TITAN_E_SUBAGENT* error is the sub-agent's own, any other the mesh's (run it here). */
  run(peer: string, brief: SubAgentBrief, signal: AbortSignal): Promise<SubAgentAnswer>;
  /** Runs peers' briefs on this node (with this node's model). */
  serveWith(run: (brief: SubAgentBrief, signal: AbortSignal) => Promise<SubAgentAnswer>): void;
};

/** Workspace files sent to another node to be chunked and embedded, each with the sha256 of its content. */
export type IndexBatch = { embedder: string; files: Array<{ path: string; content: string; digest: string }> };
/** What the node answers: per file (in order) its chunks and one vector per chunk (float32 bytes in base64). */
export type IndexAnswer = {
  embedder: string;
  files: Array<{ path: string; digest: string; chunks: Array<{ seq: number; heading: string; text: string }>; vectors: string[] }>;
};

/** Source files sent to another node to be parsed for the code graph, each with the sha256 of its bytes. */
export type CodeBatch = { files: Array<{ path: string; language: string; content: string; digest: string }> };
/** Per file (in order): the facts its parser found, or why it could not parse it (then it is parsed here). */
export type CodeAnswer = { files: Array<{ path: string; digest: string; facts: unknown; error?: string }> };

/**
 * Memory index building on other nodes' free slots (the mesh implements it). Only a node embedding
 * with the same embedder is asked; the answer is raw and checked by the memory before it is stored.
 */
export type IndexBuildOffload = {
  /** The least loaded peer indexing with `embedder` that has a slot free, if any. */
  place(embedder: string): string | undefined;
  /** Sends the batch to `peer`; resolves with whatever it answered, rejects when it failed or was lost. */
  run(peer: string, batch: IndexBatch): Promise<unknown>;
  /** Indexes peers' batches on this node with `build` (its embedder named `embedder`). */
  serveWith(build: (batch: IndexBatch) => Promise<IndexAnswer>, embedder: string): void;
  /** The least loaded peer parsing code graph batches with a slot free, if any. */
  placeCode(): string | undefined;
  /** Sends source files to `peer` to parse; resolves with whatever it answered (checked by the code graph). */
  runCode(peer: string, batch: CodeBatch): Promise<unknown>;
  /** Parses peers' source files on this node with `parse`. */
  serveCodeWith(parse: (batch: CodeBatch) => Promise<CodeAnswer>): void;
};

/** The agent's ports; each one missing means the work stays on this node. */
export type AgentPorts = {
  reflexBuilds?: ReflexBuildOffload;
  embeddingBatches?: EmbeddingBatchPort;
  subAgents?: SubAgentOffload;
  indexBuilds?: IndexBuildOffload;
};

/** Where a routine's answer goes outside Titan: a messaging channel's chat (the gateway's channels implement it). */
export type RoutineDelivery = {
  /**
   * Sends `text` to `channel` (e.g. "telegram"); `chat` is the platform's chat id, or undefined for
   * the one chat the owner paired there. Answers where it went; throws TITAN_E_ROUTINE_DELIVERY.
   */
  deliver(channel: string, chat: string | undefined, text: string): Promise<string>;
};

/** Jobs through the scheduler (Docker sandboxes), for routines whose action is a job. */
export type RoutineJobs = {
  /** Why jobs cannot run on this node (no Docker engine), or undefined when they can. */
  unavailable(): Promise<string | undefined>;
  /** Runs the job to its end for `userId`; `output` is its log's tail. */
  run(job: Record<string, unknown>, context: { label: string; userId: string; origin: string }): Promise<{ ok: boolean; output: string; error?: string }>;
};
