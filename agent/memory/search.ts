// Hybrid search: a full-text list and a nearest-vector list fused by reciprocal rank (k = 60), then
// the winning chunks read with their documents in one query. With vectors on the host (the default,
// and PostgreSQL without pgvector) both lists come from the in-memory chunk index, plus the store's
// full-text candidates among the older turns it no longer holds, scored the same way; with the
// store's vector index (libSQL's, pgvector) both come from the store. A query over the limit is a
// coded error.
import { TitanError } from '../../common/errors.ts';
import type { MemoryChunk, MemoryFilters, StoreClient, VectorSearch } from '../../kernel/store-client.ts';
import type { Vector } from '../reflex/embedder.ts';
import type { ChunkIndex } from './chunk-index.ts';
import { MEMORY_DIMENSIONS, vectorBase64, vectorFromBlob, vectorText } from './embeddings.ts';
import type { MemoryRows, OlderTurns } from './store-rows.ts';

export const RRF_K = 60;
export const MAX_QUERY_CHARS = 2000;
export const MAX_RESULTS = 50;
/** A word in more than this share of the resident chunks is too common to rank the older turns by. */
const COMMON_SHARE = 0.5;

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

type Lists = { text: number[]; vector: number[] };

export type HybridSearchOptions = {
  store: StoreClient;
  rows: MemoryRows;
  embed: (text: string) => Promise<Vector | undefined>;
  mode: VectorSearch;
  index: ChunkIndex | undefined;
  /** The turns evicted from the index (read at each search: it changes as turns are indexed). */
  older: () => OlderTurns;
};

export class HybridSearch {
  readonly mode: VectorSearch;
  readonly #o: HybridSearchOptions;

  constructor(options: HybridSearchOptions) {
    this.#o = options;
    this.mode = options.mode;
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
    const vector = await this.#o.embed(query);
    const index = this.#o.index;
    const lists = index ? await this.#onHost(index, query, vector, filters, candidates) : await this.#inStore(query, vector, filters, candidates);
    const fused = fuse([lists.text, lists.vector]).slice(0, limit);
    if (fused.length === 0) return [];
    const chunks = new Map((await this.#o.rows.chunks(fused.map((f) => f.pos))).map((c) => [c.pos, c]));
    return fused.flatMap((f) => {
      const chunk = chunks.get(f.pos);
      return chunk ? [{ ...chunk, score: f.score, ranks: { text: f.ranks[0], vector: f.ranks[1] } }] : [];
    });
  }

  async #onHost(index: ChunkIndex, query: string, vector: Vector | undefined, filters: MemoryFilters, candidates: number): Promise<Lists> {
    const text = index.text(query, candidates, filters);
    const nearest = vector ? index.nearest(vector, candidates, filters) : [];
    const older = this.#o.older();
    if (older.count > 0 && (!filters.kinds?.length || filters.kinds.includes('turn'))) {
      // Older turns: the store's full-text candidates, scored here as the resident chunks are.
      const common = (term: string) => index.share(term) > COMMON_SHARE;
      for (const row of await this.#o.rows.olderTurns(query, filters, older, candidates, common)) {
        if (index.has(row.pos)) continue;
        text.push({ pos: row.pos, score: index.scoreText(query, row.text) });
        const stored = vector && vectorFromBlob(row.embedding);
        if (vector && stored) nearest.push({ pos: row.pos, distance: 1 - dot(vector, stored) });
      }
      text.sort((a, b) => b.score - a.score || a.pos - b.pos);
      nearest.sort((a, b) => a.distance - b.distance || a.pos - b.pos);
    }
    return { text: text.slice(0, candidates).map((r) => r.pos), vector: nearest.slice(0, candidates).map((r) => r.pos) };
  }

  async #inStore(query: string, vector: Vector | undefined, filters: MemoryFilters, candidates: number): Promise<Lists> {
    const lists = await this.#o.store.op('memory.search', {
      ...filters,
      text: query,
      limit: candidates,
      embedding: vector && this.mode === 'libsql' ? vectorBase64(vector) : undefined,
      vector: vector && this.mode === 'pgvector' ? vectorText(vector) : undefined,
    });
    return { text: lists.text.map((r) => r.pos), vector: (lists.vector ?? []).map((r) => r.pos) };
  }
}

function dot(a: Vector, b: Vector): number {
  let sum = 0;
  for (let d = 0; d < MEMORY_DIMENSIONS; d++) sum += a[d] * b[d];
  return sum;
}
