// Deterministic embeddings for POST /v1/embeddings (OpenAI) and /api/embed, /api/embeddings (Ollama):
// character trigrams of the lower-cased text, hashed (FNV-1a) into `dimensions` signed buckets,
// L2-normalised. The same text always gives the same vector; texts sharing trigrams are close.
import { estimateTokens, WireRequestError, type JsonObject } from './wire.ts';

export const DEFAULT_DIMENSIONS = 256;
const MAX_DIMENSIONS = 8192;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function embed(text: string, dimensions = DEFAULT_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const padded = `  ${text.toLowerCase()}  `;
  for (let i = 0; i + 3 <= padded.length; i++) {
    const hash = fnv1a(padded.slice(i, i + 3));
    vector[hash % dimensions] += hash & 0x80000000 ? -1 : 1;
  }
  let squares = 0;
  for (const v of vector) squares += v * v;
  const norm = Math.sqrt(squares);
  return norm === 0 ? vector : vector.map((v) => Math.fround(v / norm));
}

function dimensionsOf(body: JsonObject): number {
  const d = body.dimensions;
  if (d === undefined) return DEFAULT_DIMENSIONS;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_DIMENSIONS) {
    throw new WireRequestError(`dimensions: expected an integer from 1 to ${MAX_DIMENSIONS}`);
  }
  return d;
}

function inputs(value: unknown, field: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0) {
    if (value.every((v) => typeof v === 'string')) return value;
    if (value.every((v) => typeof v === 'number')) return [value.join(' ')]; // one list of token ids
    if (value.every((v) => Array.isArray(v) && v.every((t) => typeof t === 'number'))) return value.map((v: number[]) => v.join(' '));
  }
  throw new WireRequestError(`${field}: expected a string or a non-empty list of strings`);
}

function base64(vector: number[]): string {
  const bytes = new DataView(new ArrayBuffer(vector.length * 4));
  vector.forEach((v, i) => {
    bytes.setFloat32(i * 4, v, true);
  });
  return Buffer.from(bytes.buffer).toString('base64');
}

/** OpenAI's answer; the `openai` SDK asks for base64 unless told otherwise, and decodes it. */
export function openaiEmbeddings(body: JsonObject): unknown {
  if (typeof body.model !== 'string') throw new WireRequestError('you must provide a model parameter');
  const texts = inputs(body.input, 'input');
  const dimensions = dimensionsOf(body);
  const asBase64 = body.encoding_format === 'base64';
  const tokens = texts.reduce((sum, t) => sum + estimateTokens(t.length), 0);
  return {
    object: 'list',
    data: texts.map((text, index) => {
      const vector = embed(text, dimensions);
      return { object: 'embedding', index, embedding: asBase64 ? base64(vector) : vector };
    }),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** Ollama /api/embed: many inputs, `embeddings: number[][]`. */
export function ollamaEmbed(body: JsonObject): unknown {
  if (typeof body.model !== 'string' || body.model === '') throw new WireRequestError('model is required');
  const texts = inputs(body.input, 'input');
  const dimensions = dimensionsOf(body);
  return {
    model: body.model,
    embeddings: texts.map((t) => embed(t, dimensions)),
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: texts.reduce((sum, t) => sum + estimateTokens(t.length), 0),
  };
}

/** Ollama's older /api/embeddings: one `prompt`, one `embedding`. */
export function ollamaEmbeddings(body: JsonObject): unknown {
  if (typeof body.model !== 'string' || body.model === '') throw new WireRequestError('model is required');
  if (typeof body.prompt !== 'string') throw new WireRequestError('prompt: expected a string');
  return { embedding: embed(body.prompt, dimensionsOf(body)) };
}
