// Sentence embeddings for mining and for the shadow cache. Two implementations behind one shape:
// the local embedder (no download, no network: hashed character n-grams and words, see below)
// and a provider's embeddings endpoint (OpenAI /v1/embeddings, Ollama /api/embed) through the
// provider configuration the chat model already uses. Only background work and one short prompt
// per request use it; the local one takes microseconds a prompt.
import { TitanError } from '../../common/errors.ts';
import type { ProviderConfig } from '../llm/provider-client.ts';

export type Vector = Float32Array;

export type Embedder = {
  readonly name: string;
  embed(texts: string[]): Promise<Vector[]>;
  /** A fresh embedder for one mining run, when the source of vectors may change within a run (the mesh's). */
  forRun?(): Embedder;
};

/** Thrown by a run's embedder that had to change source mid-run: the run starts again so it never mixes embedders. */
export class EmbedderSwitched extends Error {
  constructor() {
    super('the embedder changed during the mining run');
  }
}

export const LOCAL_DIMENSIONS = 512;

function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The local embedding of one text: each word contributes itself (weight 1) and its padded
 * character 3- and 4-grams (weight 0.5 each, so "weather"/"weathers" stay close), each hashed
 * (FNV-1a) into one of `dimensions` buckets with a sign from the hash's top bit (the hashing
 * trick), then L2-normalised so a dot product is the cosine.
 */
export function localEmbedding(text: string, dimensions = LOCAL_DIMENSIONS): Vector {
  const vector = new Float32Array(dimensions);
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    vector[hash % dimensions] += hash & 0x80000000 ? -weight : weight;
  };
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? []) {
    add(`w:${word}`, 1);
    const padded = `<${word}>`;
    for (const n of [3, 4]) for (let i = 0; i + n <= padded.length; i++) add(padded.slice(i, i + n), 0.5);
  }
  return normalise(vector);
}

export function normalise(vector: Vector): Vector {
  let squares = 0;
  for (const v of vector) squares += v * v;
  const norm = Math.sqrt(squares);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

export function cosine(a: Vector, b: Vector): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

export const localEmbedder: Embedder = {
  name: 'local',
  embed: async (texts) => texts.map((t) => localEmbedding(t)),
};

/** Embeddings from the provider's own endpoint (OpenAI-compatible or Ollama), with its configured key. */
export function providerEmbedder(
  provider: ProviderConfig,
  model: string,
  env: Record<string, string | undefined> = process.env,
  fetchImpl: typeof fetch = fetch,
): Embedder {
  const ollama = provider.component === 'ollama';
  const url = ollama ? `${provider.baseUrl}/api/embed` : `${provider.baseUrl}/embeddings`;
  return {
    name: `${provider.name}:${model}`,
    async embed(texts) {
      if (texts.length === 0) return [];
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const key = provider.apiKeyEnv ? env[provider.apiKeyEnv] : undefined;
      if (key) headers.authorization = `Bearer ${key}`;
      let response: Response;
      try {
        response = await fetchImpl(url, { method: 'POST', headers, body: JSON.stringify({ model, input: texts }), signal: AbortSignal.timeout(30000) });
      } catch (error) {
        throw new TitanError('TITAN_E_PROVIDER_UNAVAILABLE', `embeddings from ${provider.name} failed: ${(error as Error).message}`);
      }
      if (!response.ok) throw new TitanError('TITAN_E_PROVIDER_BAD_REQUEST', `embeddings from ${provider.name} answered HTTP ${response.status}`);
      const body = (await response.json()) as { data?: Array<{ embedding: number[] }>; embeddings?: number[][] };
      const rows = ollama ? body.embeddings : body.data?.map((d) => d.embedding);
      if (!Array.isArray(rows) || rows.length !== texts.length)
        throw new TitanError('TITAN_E_PROVIDER_BAD_REQUEST', `embeddings from ${provider.name} are not one vector per text`);
      return rows.map((row) => normalise(Float32Array.from(row)));
    },
  };
}
