// The memory's embeddings: 256 float32 numbers per chunk, the width of the store's vector column.
// The configured provider's (its input cut to a length in characters first; a longer answer cut to
// 256 dimensions and normalised again, as OpenAI's v3 models are trained to allow), or the local
// embedder the reflexes use. A run that started on the provider and saw it fail finishes on the
// local embedder and re-embeds what it wrote: one run never stores two embedders' vectors.
import { localEmbedding, normalise, providerEmbedder, type Embedder, type Vector } from '../reflex/embedder.ts';
import type { ProviderConfig } from '../llm/provider-client.ts';

export const MEMORY_DIMENSIONS = 256;
const BATCH = 64;

export const localMemoryEmbedder: Embedder = {
  name: 'local',
  embed: async (texts) => texts.map((t) => localEmbedding(t, MEMORY_DIMENSIONS)),
};

/** The provider's embedder with the input-length guard and the width the store keeps. */
export function guardedProviderEmbedder(provider: ProviderConfig, model: string, maxChars: number, fetchImpl?: typeof fetch): Embedder {
  const inner = providerEmbedder(provider, model, process.env, fetchImpl);
  return {
    name: inner.name,
    async embed(texts) {
      const out: Vector[] = [];
      for (let i = 0; i < texts.length; i += BATCH) {
        const vectors = await inner.embed(texts.slice(i, i + BATCH).map((t) => t.slice(0, maxChars)));
        for (const v of vectors) {
          if (v.length < MEMORY_DIMENSIONS) throw new Error(`${inner.name} answers ${v.length} dimensions, fewer than ${MEMORY_DIMENSIONS}`);
          out.push(normalise(v.slice(0, MEMORY_DIMENSIONS)));
        }
      }
      return out;
    },
  };
}

/** The float32 bytes of a vector in base64 (how the store takes and keeps it). */
export function vectorBase64(vector: Vector): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

/** pgvector's text form. */
export function vectorText(vector: Vector): string {
  return `[${Array.from(vector, (v) => v.toPrecision(7)).join(',')}]`;
}

/** A stored blob (bytes, or {"$blob": base64}) back to a vector. */
export function vectorFromBlob(blob: unknown): Vector | undefined {
  let bytes: Uint8Array | undefined;
  if (blob instanceof Uint8Array) bytes = blob;
  else if (blob && typeof blob === 'object' && '$blob' in blob) bytes = Buffer.from(String((blob as { $blob: string }).$blob), 'base64');
  if (!bytes || bytes.byteLength !== MEMORY_DIMENSIONS * 4) return undefined;
  const copy = new Uint8Array(bytes); // aligned, owned
  return new Float32Array(copy.buffer);
}

/**
 * One indexing run's embedder: the preferred one until it fails, then the local one for the rest of
 * the run; `switched` tells the run to re-embed what it already wrote with the preferred one.
 */
export class RunEmbedder {
  #current: Embedder;
  switched: { from: string; reason: string } | undefined;

  constructor(preferred: Embedder) {
    this.#current = preferred;
  }

  get name(): string {
    return this.#current.name;
  }

  async embed(texts: string[]): Promise<Vector[]> {
    try {
      return await this.#current.embed(texts);
    } catch (error) {
      if (this.#current === localMemoryEmbedder) throw error;
      this.switched = { from: this.#current.name, reason: error instanceof Error ? error.message : String(error) };
      this.#current = localMemoryEmbedder;
      return this.#current.embed(texts);
    }
  }
}
