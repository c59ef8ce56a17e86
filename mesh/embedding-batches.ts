// Embedding batches offered to the mesh. A node whose config says reflexes.embeddings "mesh" (no
// embedding model of its own) sends each batch as an 'embedding-batch' task to the least loaded
// peer advertising `embeddings` (a node with reflexes.embeddings "provider" and a provider serving
// them). The answer is trusted only with one finite vector per text, all of one dimension, the
// same as earlier mesh batches. No peer, a lost peer, a refusal or a rejected answer: the local
// hashed embedder, for the whole mining run (mining never mixes embedders: see forRun).
import { randomUUID } from 'node:crypto';
import { TitanError } from '../common/errors.ts';
import type { Kernel } from '../kernel/api.ts';
import { EmbedderSwitched, localEmbedder, normalise, type EmbeddingBatchPort, type Embedder, type Vector } from '../agent/api.ts';
import type { Member } from './membership.ts';
import type { EmbeddingsAd, TaskMessage } from './messages.ts';
import { leastLoadedPeer } from './scheduler.ts';
import type { TaskClient } from './task-client.ts';

/** What one task may carry: texts and their total UTF-8 size. */
export const MAX_BATCH_TEXTS = 512;
export const MAX_BATCH_BYTES = 256 * 1024;

export type EmbeddingBatchesDeps = { self: string; kernel: Kernel; client: TaskClient; members(): Member[] };

export class EmbeddingBatches implements EmbeddingBatchPort {
  readonly #deps: EmbeddingBatchesDeps;
  #provider: Embedder | undefined;
  #ad: EmbeddingsAd | undefined;
  /** The dimension of the first vectors a peer answered: later batches must match it. */
  dimensions: number | undefined;
  readonly counters = { offered: 0, embeddedByPeers: 0, embeddedHere: 0, fallbacks: 0, rejected: 0, embeddedForPeers: 0, refused: 0 };
  lastRejection: { peer: string; code: string; message: string } | undefined;

  constructor(deps: EmbeddingBatchesDeps) {
    this.#deps = deps;
  }

  /** This node embeds for peers with its provider embedder (reflexes started with reflexes.embeddings "provider"). */
  serveWith(embedder: Embedder, model: string): void {
    this.#provider = embedder;
    this.#ad = { model };
  }

  /** What the heartbeat advertises: the model (and its dimension once known), or nothing. */
  advertised(): EmbeddingsAd | undefined {
    return this.#ad;
  }

  // ---- sending ---------------------------------------------------------------------------

  /** One batch through a peer: undefined when no peer advertises embeddings, a coded error when the one asked fails. */
  async #viaPeer(texts: string[], peer: string): Promise<Vector[]> {
    const bytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
    if (texts.length > MAX_BATCH_TEXTS || bytes > MAX_BATCH_BYTES) {
      throw new TitanError(
        'TITAN_E_MESH_TASK_TOO_LARGE',
        `an embedding batch of ${texts.length} texts (${bytes} bytes) is over what a peer takes (${MAX_BATCH_TEXTS} texts, ${MAX_BATCH_BYTES} bytes)`,
      );
    }
    this.counters.offered++;
    const task: TaskMessage = {
      t: 'task',
      id: randomUUID(),
      type: 'embedding-batch',
      assignee: peer,
      component: { kind: 'tool', name: 'embeddings', version: '0.0.0', range: '*', digest: '' },
      fn: 'embed',
      args: [texts],
    };
    let value: unknown;
    try {
      value = await this.#deps.client.run(task);
    } catch (error) {
      this.#deps.kernel.logger.info({ peer, reason: (error as Error).message }, 'mesh: a peer did not embed the batch; embedding here');
      throw error;
    }
    try {
      const vectors = checkAnswer(value, texts.length, this.dimensions, peer);
      this.dimensions ??= vectors[0]?.length;
      this.counters.embeddedByPeers++;
      return vectors;
    } catch (error) {
      const coded = error as TitanError;
      this.counters.rejected++;
      this.lastRejection = { peer, code: coded.code, message: coded.message };
      this.#deps.kernel.logger.warn({ peer, code: coded.code, err: coded.message }, "mesh: a peer's embeddings were rejected; embedding here");
      throw error;
    }
  }

  /**
   * The embedder for reflexes.embeddings "mesh". Each mining run takes its own (forRun): its batches
   * go to peers until one fails, then the run switches to the local embedder for good, and if
   * some batches had already come from a peer the run is restarted (EmbedderSwitched) so that
   * all its vectors come from one embedder.
   */
  embedder(): Embedder {
    const run = (): Embedder => {
      let local = false;
      let peerBatches = 0;
      return {
        name: 'mesh',
        embed: async (texts) => {
          if (texts.length === 0) return [];
          const peer = local ? undefined : this.#pick();
          // No peer: this run is local from here on (a peer joining later must not mix in).
          if (!peer) local = true;
          else {
            try {
              const vectors = await this.#viaPeer(texts, peer);
              peerBatches++;
              return vectors;
            } catch {
              local = true;
              this.counters.fallbacks++;
              if (peerBatches > 0) throw new EmbedderSwitched();
            }
          }
          this.counters.embeddedHere++;
          return localEmbedder.embed(texts);
        },
      };
    };
    return { name: 'mesh', embed: (texts) => run().embed(texts), forRun: run };
  }

  /** The least loaded peer advertising embeddings with a slot free for us, if any. */
  #pick(): string | undefined {
    const { self, client, members } = this.#deps;
    return leastLoadedPeer(
      members(),
      self,
      (peer) => client.inFlight(peer),
      (member) => member.embeddings !== undefined,
    );
  }

  // ---- receiving -------------------------------------------------------------------------

  /** Runs a peer's 'embedding-batch' task: texts in, one vector (plain numbers) per text out. */
  async serve(task: TaskMessage): Promise<number[][]> {
    const texts = task.args[0];
    if (!this.#provider) {
      this.counters.refused++;
      throw new TitanError('TITAN_E_MESH_TASK_INVALID', `embedding batch ${task.id}: this node has no provider embeddings to offer`);
    }
    if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string')) {
      this.counters.refused++;
      throw new TitanError('TITAN_E_MESH_TASK_INVALID', `embedding batch ${task.id} must carry a list of texts`);
    }
    const bytes = texts.reduce((sum: number, t: string) => sum + Buffer.byteLength(t), 0);
    if (texts.length > MAX_BATCH_TEXTS || bytes > MAX_BATCH_BYTES) {
      this.counters.refused++;
      throw new TitanError(
        'TITAN_E_MESH_TASK_TOO_LARGE',
        `embedding batch ${task.id} carries ${texts.length} texts (${bytes} bytes); a peer embeds at most ${MAX_BATCH_TEXTS} texts and ${MAX_BATCH_BYTES} bytes`,
      );
    }
    const vectors = await this.#provider.embed(texts);
    this.counters.embeddedForPeers++;
    if (this.#ad && vectors[0]) this.#ad = { ...this.#ad, dimensions: vectors[0].length };
    return vectors.map((v) => Array.from(v));
  }
}

/** The peer's answer as vectors, once it is one finite vector per text, all of the expected dimension. */
function checkAnswer(value: unknown, count: number, dimensions: number | undefined, peer: string): Vector[] {
  const reject = (why: string) => new TitanError('TITAN_E_MESH_EMBEDDINGS_REJECTED', `the embeddings answered by ${peer} are refused: ${why}`);
  if (!Array.isArray(value) || value.length !== count) throw reject(`expected ${count} vectors, one per text`);
  const first = Array.isArray(value[0]) ? value[0].length : 0;
  const expected = dimensions ?? first;
  if (expected === 0) throw reject('the vectors are empty');
  return value.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== expected)
      throw reject(`vector ${i} has ${Array.isArray(row) ? row.length : 'no'} dimensions, expected ${expected}${dimensions ? ' (as earlier batches)' : ''}`);
    if (!row.every((v) => typeof v === 'number' && Number.isFinite(v))) throw reject(`vector ${i} holds values that are not finite numbers`);
    return normalise(Float32Array.from(row as number[]));
  });
}
