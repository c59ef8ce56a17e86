// The in-memory index of the resident chunks (the workspace's and the recent turns'): each vector
// quantised to 256 signed bytes with one scale, and an inverted index of its words scored by BM25,
// all in typed arrays so a search over 10k chunks is a scan of 2.5 MB and a few postings lists,
// with no row crossing into a component. Filters (owner, kind, path prefix, time) are checked once
// per document. Removing a document marks its slots dead; they are compacted away in bulk.
import type { MemoryFilters, MemoryKind } from '../../kernel/store-client.ts';
import type { Vector } from '../reflex/embedder.ts';
import { MEMORY_DIMENSIONS } from './embeddings.ts';
import { chunkTerms, queryTerms } from './terms.ts';

export type IndexedDoc = { id: string; userId: string; kind: MemoryKind; path: string; updatedAt: number };
export type IndexedChunk = { pos: number; text: string; vector: Vector | undefined };
export type Ranked = { pos: number; score: number };

const D = MEMORY_DIMENSIONS;
// BM25's usual constants (FTS5's bm25() uses the same).
const K1 = 1.2;
const B = 0.75;

type Postings = { slots: Int32Array; tf: Uint16Array; n: number };
type DocEntry = { doc: IndexedDoc; slots: number[]; stamp: number; ok: boolean };

export class ChunkIndex {
  #capacity = 1024;
  #count = 0;
  #dead = 0;
  #vectors = new Int8Array(this.#capacity * D);
  #scales = new Float32Array(this.#capacity);
  #positions = new Float64Array(this.#capacity);
  #lengths = new Uint16Array(this.#capacity);
  #alive = new Uint8Array(this.#capacity);
  #docs: Array<DocEntry | undefined> = new Array(this.#capacity);
  #totalLength = 0;
  readonly #postings = new Map<string, Postings>();
  readonly #byDoc = new Map<string, DocEntry>();
  readonly #slotOfPos = new Map<number, number>();
  #scratch = new Float64Array(this.#capacity);
  #stamp = 0;

  /** Live chunks. */
  get size(): number {
    return this.#count - this.#dead;
  }

  get documents(): number {
    return this.#byDoc.size;
  }

  /** The positions of a document's chunks. */
  positions(documentId: string): number[] {
    return (this.#byDoc.get(documentId)?.slots ?? []).map((slot) => this.#positions[slot]);
  }

  has(pos: number): boolean {
    return this.#slotOfPos.has(pos);
  }

  /** Replaces a document's chunks. */
  put(doc: IndexedDoc, chunks: IndexedChunk[]): void {
    this.removeDocument(doc.id);
    this.add(doc, chunks);
  }

  /** Adds chunks to a document's (a load reads them in pages that may split a document). */
  add(doc: IndexedDoc, chunks: IndexedChunk[]): void {
    let entry = this.#byDoc.get(doc.id);
    if (!entry) this.#byDoc.set(doc.id, (entry = { doc, slots: [], stamp: 0, ok: false }));
    for (const chunk of chunks) {
      if (this.#count === this.#capacity) this.#grow();
      const slot = this.#count++;
      this.#quantise(slot, chunk.vector);
      this.#positions[slot] = chunk.pos;
      this.#alive[slot] = 1;
      this.#docs[slot] = entry;
      const words = chunkTerms(chunk.text);
      this.#lengths[slot] = Math.min(words.length, 65535);
      this.#totalLength += this.#lengths[slot];
      const counts = new Map<string, number>();
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
      for (const [word, tf] of counts) this.#post(word, slot, tf);
      entry.slots.push(slot);
      this.#slotOfPos.set(chunk.pos, slot);
    }
  }

  removeDocument(documentId: string): void {
    const entry = this.#byDoc.get(documentId);
    if (!entry) return;
    this.#byDoc.delete(documentId);
    for (const slot of entry.slots) {
      this.#alive[slot] = 0;
      this.#docs[slot] = undefined;
      this.#totalLength -= this.#lengths[slot];
      this.#slotOfPos.delete(this.#positions[slot]);
      this.#dead++;
    }
    if (this.#dead > 1024 && this.#dead > this.size / 4) this.#compact();
  }

  /** The k nearest live chunks under the filters, nearest first (distance = 1 - cosine, as quantised). */
  nearest(query: Vector, k: number, filters: MemoryFilters): Array<{ pos: number; distance: number }> {
    // The query is quantised too, so the scan is integer arithmetic over signed bytes.
    let max = 0;
    for (let d = 0; d < D; d++) max = Math.max(max, Math.abs(query[d]));
    if (max === 0) return [];
    const q = new Int32Array(D);
    for (let d = 0; d < D; d++) q[d] = Math.round((query[d] * 127) / max);
    const queryScale = max / 127;
    const pass = this.#filter(filters);
    const top: Array<{ pos: number; distance: number }> = [];
    const vectors = this.#vectors;
    const scales = this.#scales;
    const positions = this.#positions;
    let worst = Number.POSITIVE_INFINITY;
    const docs = this.#docs;
    for (let slot = 0, count = this.#count; slot < count; slot++) {
      const entry = docs[slot];
      if (entry === undefined || !pass(entry)) continue;
      const distance = 1 - dotBytes(vectors, slot * D, q) * scales[slot] * queryScale;
      if (top.length === k && distance >= worst) continue;
      insertRanked(top, { pos: positions[slot], distance }, k);
      worst = top[top.length - 1].distance;
    }
    return top;
  }

  /** The k best live chunks by BM25 over the query's words, under the filters, best first. */
  text(query: string, k: number, filters: MemoryFilters): Ranked[] {
    const terms = queryTerms(query);
    const live = this.size;
    if (terms.length === 0 || live === 0) return [];
    const pass = this.#filter(filters);
    const scores = this.#scratch;
    const touched: number[] = [];
    const average = this.#totalLength / live;
    for (const term of terms) {
      const list = this.#postings.get(term);
      if (!list) continue;
      let df = 0;
      for (let i = 0; i < list.n; i++) if (this.#alive[list.slots[i]] === 1) df++;
      if (df === 0) continue;
      const idf = Math.log(1 + (live - df + 0.5) / (df + 0.5));
      for (let i = 0; i < list.n; i++) {
        const slot = list.slots[i];
        if (this.#alive[slot] === 0 || !pass(this.#docs[slot] as DocEntry)) continue;
        const tf = list.tf[i];
        if (scores[slot] === 0) touched.push(slot);
        scores[slot] += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.#lengths[slot]) / average));
      }
    }
    const top: Array<{ pos: number; distance: number }> = [];
    for (const slot of touched) {
      const score = scores[slot];
      scores[slot] = 0;
      if (top.length === k && -score >= top[top.length - 1].distance) continue;
      insertRanked(top, { pos: this.#positions[slot], distance: -score }, k);
    }
    return top.map((t) => ({ pos: t.pos, score: -t.distance }));
  }

  /** The share of live chunks that contain the word (0 when none are held). */
  share(term: string): number {
    const list = this.#postings.get(term);
    if (!list || this.size === 0) return 0;
    let df = 0;
    for (let i = 0; i < list.n; i++) df += this.#alive[list.slots[i]];
    return df / this.size;
  }

  /** BM25 of a chunk not held here (an older turn read from the store), with this index's statistics. */
  scoreText(query: string, text: string): number {
    const terms = queryTerms(query);
    const words = chunkTerms(text);
    const live = Math.max(this.size, 1);
    const average = this.size ? this.#totalLength / this.size : words.length || 1;
    let score = 0;
    for (const term of terms) {
      let tf = 0;
      for (const w of words) if (w === term) tf++;
      if (tf === 0) continue;
      const list = this.#postings.get(term);
      let df = 1;
      if (list) for (let i = 0; i < list.n; i++) df += this.#alive[list.slots[i]];
      const idf = Math.log(1 + (live - df + 0.5) / (df + 0.5));
      score += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * words.length) / average));
    }
    return score;
  }

  /** A test of the filters, worked out once per document per query. */
  #filter(filters: MemoryFilters): (entry: DocEntry) => boolean {
    const stamp = ++this.#stamp;
    const users = filters.userIds?.length ? filters.userIds : ['*'];
    const kinds = filters.kinds?.length ? filters.kinds : undefined;
    const { pathPrefix, since, until } = filters;
    return (entry) => {
      if (entry.stamp !== stamp) {
        const d = entry.doc;
        entry.stamp = stamp;
        entry.ok =
          users.includes(d.userId) &&
          (!kinds || kinds.includes(d.kind)) &&
          (!pathPrefix || d.path.startsWith(pathPrefix)) &&
          (since === undefined || d.updatedAt >= since) &&
          (until === undefined || d.updatedAt < until);
      }
      return entry.ok;
    };
  }

  /** Signed bytes with one scale per vector: the largest component maps to 127. */
  #quantise(slot: number, vector: Vector | undefined): void {
    const base = slot * D;
    let max = 0;
    if (vector) for (let d = 0; d < D; d++) max = Math.max(max, Math.abs(vector[d]));
    if (!vector || max === 0) {
      this.#vectors.fill(0, base, base + D);
      this.#scales[slot] = 0;
      return;
    }
    const scale = max / 127;
    for (let d = 0; d < D; d++) this.#vectors[base + d] = Math.round(vector[d] / scale);
    this.#scales[slot] = scale;
  }

  #post(word: string, slot: number, tf: number): void {
    let list = this.#postings.get(word);
    if (!list) this.#postings.set(word, (list = { slots: new Int32Array(4), tf: new Uint16Array(4), n: 0 }));
    if (list.n === list.slots.length) {
      const slots = new Int32Array(list.n * 2);
      slots.set(list.slots);
      const tfs = new Uint16Array(list.n * 2);
      tfs.set(list.tf);
      list.slots = slots;
      list.tf = tfs;
    }
    list.slots[list.n] = slot;
    list.tf[list.n++] = Math.min(tf, 65535);
  }

  #grow(): void {
    this.#resize(this.#capacity * 2);
  }

  #resize(capacity: number): void {
    const grow = <T extends Int8Array | Float32Array | Float64Array | Uint16Array | Uint8Array>(from: T, make: (n: number) => T, width = 1): T => {
      const next = make(capacity * width);
      next.set(from.subarray(0, Math.min(from.length, capacity * width)));
      return next;
    };
    this.#vectors = grow(this.#vectors, (n) => new Int8Array(n), D);
    this.#scales = grow(this.#scales, (n) => new Float32Array(n));
    this.#positions = grow(this.#positions, (n) => new Float64Array(n));
    this.#lengths = grow(this.#lengths, (n) => new Uint16Array(n));
    this.#alive = grow(this.#alive, (n) => new Uint8Array(n));
    this.#docs.length = capacity;
    this.#scratch = new Float64Array(capacity);
    this.#capacity = capacity;
  }

  /** Drops dead slots: live ones move down, postings are renumbered, and the arrays shrink to fit. */
  #compact(): void {
    const moved = new Int32Array(this.#count).fill(-1);
    let to = 0;
    for (let from = 0; from < this.#count; from++) {
      if (this.#alive[from] === 0) continue;
      moved[from] = to;
      if (to !== from) {
        this.#vectors.copyWithin(to * D, from * D, (from + 1) * D);
        this.#scales[to] = this.#scales[from];
        this.#positions[to] = this.#positions[from];
        this.#lengths[to] = this.#lengths[from];
        this.#alive[to] = 1;
        this.#docs[to] = this.#docs[from];
      }
      to++;
    }
    this.#alive.fill(0, to, this.#count);
    this.#docs.fill(undefined, to, this.#count);
    this.#count = to;
    this.#dead = 0;
    for (const [word, list] of this.#postings) {
      let n = 0;
      for (let i = 0; i < list.n; i++) {
        const slot = moved[list.slots[i]];
        if (slot < 0) continue;
        list.slots[n] = slot;
        list.tf[n++] = list.tf[i];
      }
      if (n === 0) this.#postings.delete(word);
      else if (n < list.slots.length / 4) {
        list.slots = list.slots.slice(0, n * 2);
        list.tf = list.tf.slice(0, n * 2);
      }
      list.n = n;
    }
    for (const entry of this.#byDoc.values()) entry.slots = entry.slots.map((s) => moved[s]);
    this.#slotOfPos.clear();
    for (let slot = 0; slot < this.#count; slot++) this.#slotOfPos.set(this.#positions[slot], slot);
    if (this.#count < this.#capacity / 4 && this.#capacity > 1024) this.#resize(Math.max(1024, this.#count * 2));
  }
}

/** The dot product of one stored vector (signed bytes from `base`) and a quantised query. */
function dotBytes(vectors: Int8Array, base: number, q: Int32Array): number {
  let dot = 0;
  for (let d = 0; d < D; d++) dot = (dot + vectors[base + d] * q[d]) | 0;
  return dot;
}

/** Inserts into a list kept sorted by distance then position, at most k long. */
function insertRanked(top: Array<{ pos: number; distance: number }>, item: { pos: number; distance: number }, k: number): void {
  let at = top.length;
  while (at > 0 && (top[at - 1].distance > item.distance || (top[at - 1].distance === item.distance && top[at - 1].pos > item.pos))) at--;
  top.splice(at, 0, item);
  if (top.length > k) top.pop();
}
