// Vector search on the host, for a PostgreSQL without pgvector: every stored vector kept in one
// Float32Array (256 numbers a chunk, 10k chunks about 10 MB), scored exactly by dot product (the
// vectors are normalised) under the same filters the store applies. Bounded: past `capacity`
// vectors only the newest are kept, and a search says when it looked at fewer than all.
import type { MemoryFilters, MemoryVectorRow } from '../../kernel/store-client.ts';
import { MEMORY_DIMENSIONS, vectorFromBlob } from './embeddings.ts';
import type { Vector } from '../reflex/embedder.ts';

type Row = { pos: number; documentId: string; path: string; kind: string; userId: string; updatedAt: number; dead: boolean };

export class HostVectors {
  #data = new Float32Array(1024 * MEMORY_DIMENSIONS);
  #rows: Row[] = [];
  #dead = 0;
  readonly capacity: number;
  /** Vectors dropped to stay within capacity (the oldest). */
  dropped = 0;

  constructor(capacity = 200_000) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#rows.length - this.#dead;
  }

  get lastPos(): number {
    return this.#rows.at(-1)?.pos ?? 0;
  }

  add(rows: MemoryVectorRow[]): void {
    for (const r of rows) {
      const vector = vectorFromBlob(r.embedding);
      if (!vector) continue;
      if (this.#rows.length * MEMORY_DIMENSIONS >= this.#data.length) this.#grow();
      this.#data.set(vector, this.#rows.length * MEMORY_DIMENSIONS);
      this.#rows.push({
        pos: Number(r.pos),
        documentId: r.document_id,
        path: r.path,
        kind: r.kind,
        userId: r.user_id,
        updatedAt: Number(r.updated_at),
        dead: false,
      });
    }
    while (this.size > this.capacity) this.#dropOldest();
    if (this.#dead > this.#rows.length / 4) this.#compact();
  }

  removeDocument(documentId: string): void {
    for (const row of this.#rows) {
      if (!row.dead && row.documentId === documentId) {
        row.dead = true;
        this.#dead++;
      }
    }
  }

  /** The k nearest positions under the filters, nearest first (distance = 1 - cosine). */
  nearest(query: Vector, k: number, filters: MemoryFilters): Array<{ pos: number; distance: number }> {
    const users = new Set(filters.userIds?.length ? filters.userIds : ['*']);
    const kinds = filters.kinds?.length ? new Set<string>(filters.kinds) : undefined;
    const top: Array<{ pos: number; distance: number }> = [];
    const data = this.#data;
    for (let i = 0; i < this.#rows.length; i++) {
      const row = this.#rows[i];
      if (row.dead || !users.has(row.userId) || (kinds && !kinds.has(row.kind))) continue;
      if (filters.pathPrefix && !row.path.startsWith(filters.pathPrefix)) continue;
      if ((filters.since !== undefined && row.updatedAt < filters.since) || (filters.until !== undefined && row.updatedAt >= filters.until)) continue;
      let dot = 0;
      const base = i * MEMORY_DIMENSIONS;
      for (let d = 0; d < MEMORY_DIMENSIONS; d++) dot += data[base + d] * query[d];
      const distance = 1 - dot;
      if (top.length === k && distance >= top[k - 1].distance) continue;
      let at = top.length;
      while (at > 0 && (top[at - 1].distance > distance || (top[at - 1].distance === distance && top[at - 1].pos > row.pos))) at--;
      top.splice(at, 0, { pos: row.pos, distance });
      if (top.length > k) top.pop();
    }
    return top;
  }

  #grow(): void {
    const next = new Float32Array(this.#data.length * 2);
    next.set(this.#data);
    this.#data = next;
  }

  #dropOldest(): void {
    const oldest = this.#rows.find((r) => !r.dead);
    if (!oldest) return;
    oldest.dead = true;
    this.#dead++;
    this.dropped++;
  }

  #compact(): void {
    let to = 0;
    for (let from = 0; from < this.#rows.length; from++) {
      if (this.#rows[from].dead) continue;
      if (to !== from) this.#data.copyWithin(to * MEMORY_DIMENSIONS, from * MEMORY_DIMENSIONS, (from + 1) * MEMORY_DIMENSIONS);
      this.#rows[to++] = this.#rows[from];
    }
    this.#rows.length = to;
    this.#dead = 0;
  }
}
