// Writing a document into memory: its chunks embedded and stored with it, its entities and relations
// extracted and stored, and the host's indexes (graph, document list, host vectors) kept in step;
// tagging follows in the background. Also the reverse: a document and what came from it removed.
import { createHash } from 'node:crypto';
import type { MemoryKind, StoreClient, VectorSearch } from '../../kernel/store-client.ts';
import { chunkText } from './chunker.ts';
import { vectorBase64, vectorText, type RunEmbedder } from './embeddings.ts';
import { extract, extractWithModel, type ModelStream } from './extractor.ts';
import type { MemoryGraph } from './graph.ts';
import type { Vector } from '../reflex/embedder.ts';
import type { HostVectors } from './host-vectors.ts';
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

export class Documents {
  readonly byId = new Map<string, DocMeta>();
  /** Documents tagged in this run, by whom (a model that failed on one leaves it to the keywords). */
  readonly taggedBy = { model: 0, keywords: 0 };
  readonly #store: StoreClient;
  readonly #graph: MemoryGraph;
  readonly #host: HostVectors | undefined;
  readonly #mode: VectorSearch;
  readonly #model: ModelStream | undefined;
  /** Tags by this model when set (the background model), else deterministic keywords. */
  readonly #tagModel: ModelStream | undefined;
  #tagging: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    store: StoreClient,
    graph: MemoryGraph,
    mode: VectorSearch,
    host: HostVectors | undefined,
    model: ModelStream | undefined,
    tagModel?: ModelStream,
  ) {
    this.#tagModel = tagModel;
    this.#store = store;
    this.#graph = graph;
    this.#mode = mode;
    this.#host = host;
    this.#model = model;
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
    if (this.#host) {
      this.#host.removeDocument(id);
      this.#host.add(await this.#store.op('memory.vectors.page', { afterPos: this.#host.lastPos, limit: 10000 }));
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
    return meta;
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
    for (const id of ids) {
      this.byId.delete(id);
      this.#graph.removeDocument(id);
      this.#host?.removeDocument(id);
    }
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
