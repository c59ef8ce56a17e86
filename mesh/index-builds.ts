// Memory index building offered to the mesh (the agent's indexBuilds port). Sending: a batch of
// workspace files goes, as an 'index-build' task, to the least loaded peer that advertises
// `indexing` with the same embedder as this node's run; the answer goes back to the memory, which
// verifies it before storing anything (agent/memory/index-offload.ts). Receiving: a batch of at
// most MAX_INDEX_FILES files and MAX_INDEX_BYTES of text, chunked and embedded by this node's memory,
// refused when this node embeds with another embedder than the one asked for. Code graph batches
// (fn "code") go the same way to a peer advertising `code`, which parses them with its grammars.
import { randomUUID } from 'node:crypto';
import { TitanError } from '../common/errors.ts';
import type { CodeAnswer, CodeBatch, IndexAnswer, IndexBatch, IndexBuildOffload } from '../agent/api.ts';
import type { Member } from './membership.ts';
import type { IndexingAd, TaskMessage } from './messages.ts';
import { leastLoadedPeer } from './scheduler.ts';
import type { TaskClient } from './task-client.ts';

/** What one task may carry: files and their total UTF-8 size. */
export const MAX_INDEX_FILES = 64;
export const MAX_INDEX_BYTES = 2 * 1024 * 1024;

export type IndexBuildsDeps = { self: string; client: TaskClient; members(): Member[] };
type Build = (batch: IndexBatch) => Promise<IndexAnswer>;
type Parse = (batch: CodeBatch) => Promise<CodeAnswer>;

export class IndexBuilds implements IndexBuildOffload {
  readonly #deps: IndexBuildsDeps;
  #build: Build | undefined;
  #embedder: string | undefined;
  #parse: Parse | undefined;
  readonly counters = { sent: 0, answeredByPeers: 0, failed: 0, indexedForPeers: 0, filesForPeers: 0, refused: 0 };

  constructor(deps: IndexBuildsDeps) {
    this.#deps = deps;
  }

  serveWith(build: Build, embedder: string): void {
    this.#build = build;
    this.#embedder = embedder;
  }

  serveCodeWith(parse: Parse): void {
    this.#parse = parse;
  }

  /** What the heartbeat advertises: the embedder this node indexes with and whether it parses code, or nothing. */
  advertised(): IndexingAd | undefined {
    if (this.#embedder === undefined && !this.#parse) return undefined;
    return { ...(this.#embedder === undefined ? {} : { embedder: this.#embedder }), ...(this.#parse ? { code: true } : {}) };
  }

  // ---- sending ---------------------------------------------------------------------------

  place(embedder: string): string | undefined {
    const { self, client, members } = this.#deps;
    return leastLoadedPeer(
      members(),
      self,
      (peer) => client.inFlight(peer),
      (member) => member.indexing?.embedder === embedder,
    );
  }

  placeCode(): string | undefined {
    const { self, client, members } = this.#deps;
    return leastLoadedPeer(
      members(),
      self,
      (peer) => client.inFlight(peer),
      (member) => member.indexing?.code === true,
    );
  }

  runCode(peer: string, batch: CodeBatch): Promise<unknown> {
    return this.#send(peer, 'code', batch);
  }

  run(peer: string, batch: IndexBatch): Promise<unknown> {
    return this.#send(peer, 'index', batch);
  }

  async #send(peer: string, fn: 'index' | 'code', batch: IndexBatch | CodeBatch): Promise<unknown> {
    const bytes = batchBytes(batch);
    if (batch.files.length > MAX_INDEX_FILES || bytes > MAX_INDEX_BYTES) {
      throw new TitanError(
        'TITAN_E_MESH_TASK_TOO_LARGE',
        `an index batch of ${batch.files.length} files (${bytes} bytes) is over what a peer takes (${MAX_INDEX_FILES} files, ${MAX_INDEX_BYTES} bytes)`,
      );
    }
    const task: TaskMessage = {
      t: 'task',
      id: randomUUID(),
      type: 'index-build',
      assignee: peer,
      component: { kind: 'tool', name: 'memory-index', version: '0.0.0', range: '*', digest: '' },
      fn,
      args: [batch],
    };
    this.counters.sent++;
    try {
      const value = await this.#deps.client.run(task);
      this.counters.answeredByPeers++;
      return value;
    } catch (error) {
      this.counters.failed++;
      throw error;
    }
  }

  // ---- receiving -------------------------------------------------------------------------

  /** Runs a peer's 'index-build' task: files in, their chunks and vectors (or, fn "code", their code facts) out. */
  async serve(task: TaskMessage): Promise<IndexAnswer | CodeAnswer> {
    const refuse = (code: 'TITAN_E_MESH_TASK_INVALID' | 'TITAN_E_MESH_TASK_TOO_LARGE', why: string) => {
      this.counters.refused++;
      return new TitanError(code, `index batch ${task.id}: ${why}`);
    };
    if (task.fn === 'code') return this.#serveCode(task, refuse);
    const batch = task.args[0] as Partial<IndexBatch> | undefined;
    if (!this.#build) throw refuse('TITAN_E_MESH_TASK_INVALID', 'this node indexes nothing for peers');
    if (
      typeof batch?.embedder !== 'string' ||
      !Array.isArray(batch.files) ||
      !batch.files.every((f) => typeof f?.path === 'string' && typeof f.content === 'string' && typeof f.digest === 'string')
    )
      throw refuse('TITAN_E_MESH_TASK_INVALID', 'a batch needs an embedder and files of {path, content, digest} as text');
    if (batch.embedder !== this.#embedder)
      throw refuse('TITAN_E_MESH_TASK_INVALID', `it asks for the ${batch.embedder} embedder; this node embeds with ${this.#embedder}`);
    const bytes = batchBytes(batch as IndexBatch);
    if (batch.files.length > MAX_INDEX_FILES || bytes > MAX_INDEX_BYTES)
      throw refuse(
        'TITAN_E_MESH_TASK_TOO_LARGE',
        `${batch.files.length} files (${bytes} bytes); a peer indexes at most ${MAX_INDEX_FILES} files and ${MAX_INDEX_BYTES} bytes`,
      );
    const answer = await this.#build(batch as IndexBatch);
    this.counters.indexedForPeers++;
    this.counters.filesForPeers += answer.files.length;
    return answer;
  }

  async #serveCode(
    task: TaskMessage,
    refuse: (code: 'TITAN_E_MESH_TASK_INVALID' | 'TITAN_E_MESH_TASK_TOO_LARGE', why: string) => TitanError,
  ): Promise<CodeAnswer> {
    const batch = task.args[0] as Partial<CodeBatch> | undefined;
    if (!this.#parse) throw refuse('TITAN_E_MESH_TASK_INVALID', 'this node parses no code for peers');
    if (
      !Array.isArray(batch?.files) ||
      !batch.files.every((f) => typeof f?.path === 'string' && typeof f.language === 'string' && typeof f.content === 'string' && typeof f.digest === 'string')
    )
      throw refuse('TITAN_E_MESH_TASK_INVALID', 'a code batch needs files of {path, language, content, digest} as text');
    const bytes = batchBytes(batch as CodeBatch);
    if (batch.files.length > MAX_INDEX_FILES || bytes > MAX_INDEX_BYTES)
      throw refuse(
        'TITAN_E_MESH_TASK_TOO_LARGE',
        `${batch.files.length} files (${bytes} bytes); a peer parses at most ${MAX_INDEX_FILES} files and ${MAX_INDEX_BYTES} bytes`,
      );
    const answer = await this.#parse(batch as CodeBatch);
    this.counters.indexedForPeers++;
    this.counters.filesForPeers += answer.files.length;
    return answer;
  }
}

function batchBytes(batch: IndexBatch | CodeBatch): number {
  return batch.files.reduce((sum, f) => sum + Buffer.byteLength(f.content) + Buffer.byteLength(f.path), 0);
}
