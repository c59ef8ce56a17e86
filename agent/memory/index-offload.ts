// Workspace files indexed on mesh peers (the indexBuilds port), verified before anything is stored:
// the answer must name the embedder asked for (two embedders' vectors never mix), carry the sha256
// of each file sent, the very chunks this node cuts from that file (the chunker is cheap; the
// embedding is the work), and one finite, normalised 256-number vector per chunk; with the local
// embedder one chunk per batch, picked here at random, is embedded here too and must match. No peer,
// a lost peer or a refused answer: those files are indexed here, and why is logged and shown in
// `titan memory status`. Also the serving side: a peer's batch chunked and embedded here.
import { randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { TitanError } from '../../common/errors.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { IndexAnswer, IndexBatch, IndexBuildOffload } from '../ports.ts';
import type { Embedder, Vector } from '../reflex/embedder.ts';
import { chunkText } from './chunker.ts';
import { contentHash } from './documents.ts';
import { MEMORY_DIMENSIONS, localMemoryEmbedder, vectorBase64, vectorFromBlob } from './embeddings.ts';
import { PeerOffloadAccount, peerBatches } from './peer-offload.ts';

export class PeerIndexing {
  readonly #port: IndexBuildOffload;
  readonly account: PeerOffloadAccount;
  /** The peer holding a batch of the run now (shown in the progress). */
  onPeer: string | undefined;

  constructor(port: IndexBuildOffload, logger: Logger) {
    this.#port = port;
    this.account = new PeerOffloadAccount(logger, {
      lost: 'memory: a peer did not index the batch; indexing those files here',
      refused: "memory: a peer's index batch was refused; indexing those files here",
    });
  }

  /**
   * The vectors of the files that peers indexed and that passed verification, by path; the files
   * missing from the map are for this node to index. `embedder` is the run's (its name is asked for).
   */
  async prepare(files: Array<{ path: string; content: string }>, embedder: Embedder): Promise<Map<string, Vector[]>> {
    const done = new Map<string, Vector[]>();
    for (const batch of peerBatches(files)) {
      const peer = this.#port.place(embedder.name);
      if (!peer) break; // none with a free slot and this embedder: the rest is indexed here
      const sent: IndexBatch = { embedder: embedder.name, files: batch.map((f) => ({ ...f, digest: contentHash(f.content) })) };
      this.account.counters.batchesSent++;
      this.onPeer = peer;
      let answer: unknown;
      try {
        answer = await this.#port.run(peer, sent);
      } catch (error) {
        this.account.fallback(peer, error, false);
        continue;
      } finally {
        this.onPeer = undefined;
      }
      try {
        for (const [path, vectors] of await verifyAnswer(answer, sent, peer)) done.set(path, vectors);
        this.account.counters.filesByPeers += batch.length;
      } catch (error) {
        this.account.fallback(peer, error, true);
      }
    }
    return done;
  }
}

/** The peer's answer as vectors by path, once every check holds; otherwise TITAN_E_MESH_INDEX_REJECTED with the first that failed. */
export async function verifyAnswer(value: unknown, sent: IndexBatch, peer: string): Promise<Map<string, Vector[]>> {
  const reject = (why: string) => new TitanError('TITAN_E_MESH_INDEX_REJECTED', `the index batch answered by ${peer} is refused: ${why}`);
  const answer = value as Partial<IndexAnswer> | null;
  if (answer?.embedder !== sent.embedder) throw reject(`it was embedded with ${String(answer?.embedder)}, not ${sent.embedder} as asked`);
  if (!Array.isArray(answer.files) || answer.files.length !== sent.files.length) throw reject(`expected ${sent.files.length} files, one per file sent`);
  const out = new Map<string, Vector[]>();
  const all: Array<{ text: string; vector: Vector }> = [];
  for (const [i, file] of sent.files.entries()) {
    const got = answer.files[i] as Partial<IndexAnswer['files'][number]>;
    if (got?.path !== file.path || got.digest !== file.digest) throw reject(`file ${i} is not ${file.path} with the content sent (its path or digest differs)`);
    const chunks = chunkText(file.content);
    if (!isDeepStrictEqual(got.chunks, chunks)) throw reject(`the chunks of ${file.path} are not the ones its content cuts into`);
    if (!Array.isArray(got.vectors) || got.vectors.length !== chunks.length) throw reject(`${file.path} needs ${chunks.length} vectors, one per chunk`);
    const vectors = got.vectors.map((blob, j) => {
      const vector = typeof blob === 'string' ? vectorFromBlob({ $blob: blob }) : undefined;
      if (!vector) throw reject(`vector ${j} of ${file.path} is not ${MEMORY_DIMENSIONS} float32 numbers`);
      let squares = 0;
      for (const v of vector) {
        if (!Number.isFinite(v)) throw reject(`vector ${j} of ${file.path} holds values that are not finite numbers`);
        squares += v * v;
      }
      // Normalised (or all zero: a chunk without a word), as every embedder here answers.
      if (squares !== 0 && Math.abs(Math.sqrt(squares) - 1) > 1e-3) throw reject(`vector ${j} of ${file.path} is not normalised`);
      all.push({ text: chunks[j].text, vector });
      return vector;
    });
    out.set(file.path, vectors);
  }
  if (sent.embedder === localMemoryEmbedder.name && all.length > 0) {
    const probe = all[randomInt(all.length)];
    const [mine] = await localMemoryEmbedder.embed([probe.text]);
    if (mine.some((v, i) => Math.abs(v - probe.vector[i]) > 1e-5)) throw reject('a chunk embedded here again does not give the vector it answered');
  }
  return out;
}

/** The serving side: a peer's files chunked and embedded with this node's `embedder` (one embedder for the whole batch). */
export async function buildIndexBatch(batch: IndexBatch, embedder: Embedder): Promise<IndexAnswer> {
  const files = batch.files.map((f) => {
    if (contentHash(f.content) !== f.digest) throw new TitanError('TITAN_E_MESH_TASK_INVALID', `${f.path}: its content does not match the digest sent with it`);
    return { path: f.path, digest: f.digest, chunks: chunkText(f.content) };
  });
  const vectors = await embedder.embed(files.flatMap((f) => f.chunks.map((c) => c.text)));
  let next = 0;
  return {
    embedder: embedder.name,
    files: files.map((f) => ({ ...f, vectors: f.chunks.map(() => vectorBase64(vectors[next++])) })),
  };
}
