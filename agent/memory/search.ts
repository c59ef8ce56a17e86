// Hybrid search: the store's full-text list and the nearest vectors (the store's index on libSQL
// and with pgvector, the host's exact scan otherwise), fused by reciprocal rank (k = 60), then the
// winning chunks read with their documents. A query longer than the limit is a coded error.
import { TitanError } from '../../common/errors.ts';
import type { MemoryChunk, MemoryFilters, StoreClient, VectorSearch } from '../../kernel/store-client.ts';
import type { Vector } from '../reflex/embedder.ts';
import { vectorBase64, vectorText } from './embeddings.ts';
import type { HostVectors } from './host-vectors.ts';

export const RRF_K = 60;
export const MAX_QUERY_CHARS = 2000;
export const MAX_RESULTS = 50;

export type SearchHit = MemoryChunk & { score: number; ranks: { text?: number; vector?: number } };
export type SearchOptions = MemoryFilters & { limit?: number };

/** Reciprocal rank fusion of ranked lists of positions: sum of 1 / (k + rank), rank from 1; ties by position. */
export function fuse(lists: number[][], k = RRF_K): Array<{ pos: number; score: number; ranks: number[] }> {
  const scores = new Map<number, { pos: number; score: number; ranks: number[] }>();
  lists.forEach((list, which) => {
    list.forEach((pos, i) => {
      let entry = scores.get(pos);
      if (!entry) scores.set(pos, (entry = { pos, score: 0, ranks: [] }));
      entry.score += 1 / (k + i + 1);
      entry.ranks[which] = i + 1;
    });
  });
  return [...scores.values()].sort((a, b) => b.score - a.score || a.pos - b.pos);
}

export class HybridSearch {
  readonly #store: StoreClient;
  readonly #embed: (text: string) => Promise<Vector | undefined>;
  readonly mode: VectorSearch;
  readonly #host: HostVectors | undefined;

  constructor(store: StoreClient, embed: (text: string) => Promise<Vector | undefined>, mode: VectorSearch, host?: HostVectors) {
    this.#store = store;
    this.#embed = embed;
    this.mode = mode;
    this.#host = host;
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    if (typeof query !== 'string' || query.trim() === '') throw new TitanError('TITAN_E_USAGE', 'the search query is empty');
    if (query.length > MAX_QUERY_CHARS)
      throw new TitanError('TITAN_E_MEMORY_QUERY_TOO_LONG', `the query has ${query.length} characters; the limit is ${MAX_QUERY_CHARS}`);
    const limit = options.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RESULTS)
      throw new TitanError('TITAN_E_MEMORY_QUERY_TOO_LONG', `a search returns 1 to ${MAX_RESULTS} results, not ${limit}`);
    const { limit: _limit, ...filters } = options;
    const candidates = Math.min(limit * 3, 150);
    const vector = await this.#embed(query);
    const lists = await this.#store.op('memory.search', {
      ...filters,
      text: query,
      limit: candidates,
      embedding: vector && this.mode === 'libsql' ? vectorBase64(vector) : undefined,
      vector: vector && this.mode === 'pgvector' ? vectorText(vector) : undefined,
    });
    // The host's own scan when it keeps the vectors (or the database has no vector search).
    const onHost = this.mode === 'host' || lists.vector === null;
    const nearest = onHost ? (vector && this.#host ? this.#host.nearest(vector, candidates, filters) : []) : (lists.vector ?? []);
    const fused = fuse([lists.text.map((r) => r.pos), nearest.map((r) => r.pos)]).slice(0, limit);
    if (fused.length === 0) return [];
    const chunks = new Map((await this.#store.op('memory.chunks.get', { positions: fused.map((f) => f.pos) })).map((c) => [Number(c.pos), c]));
    return fused.flatMap((f) => {
      const chunk = chunks.get(f.pos);
      return chunk
        ? [{ ...chunk, pos: Number(chunk.pos), updated_at: Number(chunk.updated_at), score: f.score, ranks: { text: f.ranks[0], vector: f.ranks[1] } }]
        : [];
    });
  }
}
