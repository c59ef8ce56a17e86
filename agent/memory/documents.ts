// Writing a document into memory: its chunks embedded and stored with it, its entities and relations
// extracted and stored, and the host's indexes (graph, document list, chunk index) kept in step;
// tagging follows in the background. Also the reverse: a document and what came from it removed.
// Conversations grow without end, so only the newest turns stay in the host's indexes: an older
// turn is evicted to the store alone, where search still finds it (MemoryRows.olderTurns).
import { createHash } from 'node:crypto';
import type { MemoryKind, StoreClient, VectorSearch } from '../../kernel/store-client.ts';
import { chunkText } from './chunker.ts';
import type { ChunkIndex } from './chunk-index.ts';
import { vectorBase64, vectorText, type RunEmbedder } from './embeddings.ts';
import { extract, extractWithModel, type ModelStream } from './extractor.ts';
import type { MemoryGraph } from './graph.ts';
import type { Vector } from '../reflex/embedder.ts';
import type { MemoryRows, OlderTurns } from './store-rows.ts';
import { tag, tagWithModel } from './tagger.ts';

export type DocMeta = {
  id: string;
  userId: string;
  path: string;
  kind: MemoryKind;
  hash: string | null;
  threadId: string | null;
  turnId: string | null;
  updatedAt: number;
  summary: string | null;
  keywords: string[];
};
export type NewDocument = { userId: string; path: string; kind: MemoryKind; content: string; threadId?: string; turnId?: string; updatedAt?: number };

export function documentId(userId: string, path: string): string {
  return createHash('sha256').update(`${userId}\u0000${path}`).digest('hex').slice(0, 32);
}

export function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

export type DocumentsOptions = {
  store: StoreClient;
  graph: MemoryGraph;
  mode: VectorSearch;
  rows: MemoryRows;
  /** The chunk index, when vectors are searched on the host. */
  index: ChunkIndex | undefined;
  model: ModelStream | undefined;
  /** Tags by this model when set (the background model), else deterministic keywords. */
  tagModel?: ModelStream;
  /** How many of the newest turns the host's indexes hold. */
  recentTurns: number;
};

export class Documents {
  /** The resident documents: the workspace's and the newest turns. */
  readonly byId = new Map<string, DocMeta>();
  /** Documents tagged in this run, by whom (a model that failed on one leaves it to the keywords). */
  readonly taggedBy = { model: 0, keywords: 0 };
  /** The turns evicted to the store alone (count 0: none). */
  older: OlderTurns = { count: 0, until: 0, maxPos: 0 };
  readonly #store: StoreClient;
  readonly #graph: MemoryGraph;
  readonly #index: ChunkIndex | undefined;
  readonly #rows: MemoryRows;
  readonly #mode: VectorSearch;
  readonly #model: ModelStream | undefined;
  /** Tags by this model when set (the background model), else deterministic keywords. */
  readonly #tagModel: ModelStream | undefined;
  readonly #recentTurns: number;
  /** The resident turns, oldest first. */
  #turns: Array<{ id: string; updatedAt: number }> = [];
  #tagging: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: DocumentsOptions) {
    this.#store = options.store;
    this.#graph = options.graph;
    this.#mode = options.mode;
    this.#index = options.index;
    this.#rows = options.rows;
    this.#model = options.model;
    this.#tagModel = options.tagModel;
    this.#recentTurns = options.recentTurns;
  }

  /** A document loaded from the store at start (the caller loads only resident ones). */
  loaded(meta: DocMeta): void {
    this.byId.set(meta.id, meta);
    if (meta.kind === 'turn') this.#resident(meta);
  }

  byPath(userId: string, path: string): DocMeta | undefined {
    return this.byId.get(documentId(userId, path));
  }

  /** `embedded`: the chunks' vectors already made with the run's embedder (by a mesh peer, verified). */
  async put(doc: NewDocument, embedder: RunEmbedder, embedded?: Vector[]): Promise<DocMeta> {
    const id = documentId(doc.userId, doc.path);
    const chunks = chunkText(doc.content);
    const vectors = embedded ?? (await embedder.embed(chunks.map((c) => c.text)));
    const hash = contentHash(doc.content);
    const updatedAt = doc.updatedAt ?? Date.now();
    await this.#store.op('memory.document.put', {
      document: { id, userId: doc.userId, path: doc.path, kind: doc.kind, content: doc.content, hash, threadId: doc.threadId, turnId: doc.turnId, updatedAt },
      chunks: chunks.map((c, i) => ({
        id: `${id}:${c.seq}`,
        seq: c.seq,
        text: c.text,
        embedding: vectorBase64(vectors[i]),
        vector: this.#mode === 'pgvector' ? vectorText(vectors[i]) : undefined,
      })),
    });
    const texts = chunks.map((c) => c.text);
    const extraction = this.#model ? await extractWithModel(texts, this.#model) : extract(texts);
    await this.#store.op('memory.graph.put', { documentId: id, entities: extraction.entities, relations: extraction.relations });
    this.#graph.putDocument(id, extraction);
    if (this.#index) {
      const positions = await this.#rows.positions(id);
      this.#index.put(
        { id, userId: doc.userId, kind: doc.kind, path: doc.path, updatedAt },
        chunks.flatMap((c, i) => {
          const pos = positions.get(c.seq);
          return pos === undefined ? [] : [{ pos, text: c.text, vector: vectors[i] }];
        }),
      );
    }
    const meta: DocMeta = {
      id,
      userId: doc.userId,
      path: doc.path,
      kind: doc.kind,
      hash,
      threadId: doc.threadId ?? null,
      turnId: doc.turnId ?? null,
      updatedAt,
      summary: null,
      keywords: [],
    };
    this.byId.set(id, meta);
    this.#tag(meta, doc.content);
    if (meta.kind === 'turn') this.#resident(meta);
    return meta;
  }

  /** A turn joins the resident ones (kept newest first by time); past the limit the oldest is evicted. */
  #resident(meta: DocMeta): void {
    const turns = this.#turns;
    const known = turns.findIndex((t) => t.id === meta.id);
    if (known >= 0) turns.splice(known, 1);
    let at = turns.length;
    while (at > 0 && turns[at - 1].updatedAt > meta.updatedAt) at--;
    turns.splice(at, 0, { id: meta.id, updatedAt: meta.updatedAt });
    while (turns.length > this.#recentTurns) this.#evict(turns.shift() as { id: string; updatedAt: number });
  }

  /** The store keeps the turn; the host drops it from every index (its graph edges stay). */
  #evict(turn: { id: string; updatedAt: number }): void {
    const maxPos = Math.max(this.older.maxPos, ...(this.#index?.positions(turn.id) ?? []));
    this.older = { count: this.older.count + 1, until: Math.max(this.older.until, turn.updatedAt), maxPos };
    this.byId.delete(turn.id);
    this.#graph.evictDocument(turn.id);
    this.#index?.removeDocument(turn.id);
  }

  /** Removes documents and what came from them, in the store and here. */
  async remove(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { documents } = await this.#store.op('memory.documents.delete', { ids });
    this.forgotten(ids);
    return documents;
  }

  /** The store already removed these (a thread deleted): drop them here too. */
  forgotten(ids: string[]): void {
    const gone = new Set(ids);
    for (const id of ids) {
      this.byId.delete(id);
      this.#graph.removeDocument(id);
      this.#index?.removeDocument(id);
    }
    this.#turns = this.#turns.filter((t) => !gone.has(t.id));
  }

  /** Background tagging, one document at a time; a failure leaves the document untagged. */
  #tag(meta: DocMeta, content: string): void {
    this.#tagging = this.#tagging.then(async () => {
      if (this.#stopped) return; // untagged documents are tagged again when next saved
      const tags = this.#tagModel ? await tagWithModel(content, this.#tagModel) : { ...tag(content), by: 'keywords' as const };
      this.taggedBy[tags.by]++;
      await this.#store.op('memory.document.tag', { id: meta.id, summary: tags.summary, keywords: tags.keywords }).catch(() => undefined);
      meta.summary = tags.summary;
      meta.keywords = tags.keywords;
    });
  }

  /** Tagging still queued is dropped: the kernel is stopping. */
  stop(): void {
    this.#stopped = true;
  }

  /** Resolves when the tagging queued so far is done. */
  tagged(): Promise<void> {
    return this.#tagging;
  }
}
