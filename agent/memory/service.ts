// The memory service: the workspace and the conversations indexed into the store (chunks with
// vectors, full-text, a graph), the in-memory indexes loaded once at start, search, graph queries,
// implicit context for each turn, re-indexing on file change, and forgetting. One per running Titan.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import type { MemoryStatus, StoreClient, VectorSearch } from '../../kernel/store-client.ts';
import type { ProviderConfig } from '../llm/provider-client.ts';
import type { MemoryPort } from '../loop/memory-port.ts';
import type { IndexBuildOffload } from '../ports.ts';
import type { Embedder, Vector } from '../reflex/embedder.ts';
import type { MemoryConfig } from './config.ts';
import { fuseContext } from './context.ts';
import { contentHash, Documents, type DocMeta } from './documents.ts';
import { guardedProviderEmbedder, localMemoryEmbedder, RunEmbedder } from './embeddings.ts';
import { loadGraph, loadResident } from './load.ts';
import { entityId, type ModelStream } from './extractor.ts';
import { MemoryGraph, type GraphHit } from './graph.ts';
import { ChunkIndex } from './chunk-index.ts';
import { implicitContext, withChanges, type CodeGraphPort, type Neighbourhood } from './implicit.ts';
import { memoryHostService } from './host-service.ts';
import { HybridSearch, type SearchHit, type SearchOptions } from './search.ts';
import { buildIndexBatch, PeerIndexing } from './index-offload.ts';
import type { PeerOffloadSummary } from './peer-offload.ts';
import { MemoryRows } from './store-rows.ts';
import { kindOf, scanWorkspace } from './workspace-files.ts';

export const WORKSPACE_USER = '*';

export type MemoryOptions = {
  workspace: string;
  config: MemoryConfig;
  provider?: ProviderConfig;
  model?: ModelStream;
  codeGraph?: CodeGraphPort;
  /** Writes each document's summary and keywords (the background model); unset: deterministic keywords. */
  tagModel?: ModelStream;
  fetch?: typeof fetch;
  /** Mesh peers that index batches of files (and this node indexes theirs). */
  indexBuilds?: IndexBuildOffload;
};
export type IndexReport = { indexed: number; unchanged: number; removed: number; skipped: number; embedder: string; switchedFrom?: string; ms: number };
export type Progress = { phase: 'idle' | 'scanning' | 'indexing'; done: number; total: number; path?: string; onPeer?: string };
/** Files handed to the run at a time: read, offered to a mesh peer as batches, then stored in order. */
const INDEX_WINDOW = 32;

export class MemoryService implements MemoryPort {
  readonly graph = new MemoryGraph();
  readonly #store: StoreClient;
  readonly #options: MemoryOptions;
  readonly #preferred: Embedder;
  readonly docs: Documents;
  readonly search: HybridSearch;
  /** The resident chunks' words and vectors, when vectors are searched on the host. */
  readonly chunks: ChunkIndex | undefined;
  readonly #rows: MemoryRows;
  readonly mode: VectorSearch;
  codeGraph: CodeGraphPort | undefined;
  progress: Progress = { phase: 'idle', done: 0, total: 0 };
  /** The embedder whose vectors the store holds (the query is embedded with it too). */
  #embedder: Embedder = localMemoryEmbedder;
  #owners = new Map<string, string>();
  /** Workspace files forgotten by the owner, by path, with the content hash they had: back only once they change. */
  #forgotten = new Map<string, string>();
  #watcher: FSWatcher | undefined;
  #changed = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  /** Set by close(): a run in progress stops at the next file instead of indexing the rest. */
  #closing = false;
  #running: Promise<unknown> = Promise.resolve();
  #offs: Array<() => void> = [];
  readonly #peers: PeerIndexing | undefined;

  private constructor(kernel: Kernel, options: MemoryOptions, mode: VectorSearch) {
    this.#store = kernel.store;
    this.#options = options;
    this.mode = mode;
    this.codeGraph = options.codeGraph;
    this.#peers = options.indexBuilds && new PeerIndexing(options.indexBuilds, kernel.logger);
    this.#preferred =
      options.config.embeddings === 'provider' && options.provider
        ? guardedProviderEmbedder(options.provider, options.config.embeddingModel, options.config.maxEmbedChars, options.fetch)
        : localMemoryEmbedder;
    this.chunks = mode === 'host' ? new ChunkIndex() : undefined;
    this.#rows = new MemoryRows(kernel.db);
    this.docs = new Documents({
      store: this.#store,
      graph: this.graph,
      mode,
      rows: this.#rows,
      index: this.chunks,
      model: options.config.extractor === 'model' ? options.model : undefined,
      tagModel: options.tagModel,
      recentTurns: options.config.recentTurns,
    });
    this.search = new HybridSearch({
      store: this.#store,
      rows: this.#rows,
      embed: (text) => this.#embedQuery(text),
      mode,
      index: this.chunks,
      older: () => this.docs.older,
    });
  }

  /** Loads what the store holds into the in-memory indexes; indexing and watching start in the background. */
  static async open(kernel: Kernel, options: MemoryOptions): Promise<MemoryService> {
    // libSQL keeps its vector index only when it is used: updating it made each write 10-100x slower.
    const prepared = await kernel.store.op('memory.vectors.prepare', { dimensions: 256, index: options.config.vectorIndex === 'store' });
    const vectorSearch = options.config.vectorIndex === 'store' ? prepared.vectorSearch : 'host';
    const service = new MemoryService(kernel, options, vectorSearch);
    await service.#load();
    return service;
  }

  start(kernel: Kernel): void {
    // The memory-* tools reach it through titan:host/memory.
    const host = memoryHostService(this, kernel.workspace);
    kernel.services.memory = host;
    // Peers' batches are chunked and embedded here with this node's embedder.
    this.#options.indexBuilds?.serveWith((batch) => buildIndexBatch(batch, this.#preferred), this.#preferred.name);
    this.#offs.push(() => {
      if (kernel.services.memory === host) kernel.services.memory = undefined;
    });
    this.#offs.push(
      kernel.bus.on('turn.event', (event) => {
        if (event.type === 'turn.completed') this.#queue(() => this.indexTurn(event.turnId));
      }),
    );
    void this.index().catch(() => undefined); // index() queues itself
    if (this.#options.config.watch) this.#watch();
  }

  async #load(): Promise<void> {
    const stored = (await this.#store.op('memory.meta.get', { key: 'embedder' })).value;
    this.#embedder = stored === this.#preferred.name ? this.#preferred : localMemoryEmbedder;
    const forgotten = (await this.#store.op('memory.meta.get', { key: 'forgotten-paths' })).value;
    if (forgotten) this.#forgotten = new Map(Object.entries(JSON.parse(forgotten) as Record<string, string>));
    await loadResident({
      store: this.#store,
      rows: this.#rows,
      docs: this.docs,
      graph: this.graph,
      chunks: this.chunks,
      recentTurns: this.#options.config.recentTurns,
    });
  }

  #queue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#running.then(work);
    this.#running = next.catch(() => undefined);
    return next;
  }

  /** Indexes the workspace (changed files only, unless `full` or the embedder changed); waits for any run in progress. */
  index(options: { full?: boolean; paths?: string[] } = {}): Promise<IndexReport> {
    return this.#queue(async () => {
      const started = performance.now();
      const stored = (await this.#store.op('memory.meta.get', { key: 'embedder' })).value;
      let run = new RunEmbedder(this.#preferred);
      let report = await this.#pass(run, options.full === true || (stored !== null && stored !== this.#preferred.name), options.paths);
      const switchedFrom = run.switched?.from;
      if (run.switched) {
        // The provider failed mid-run: everything again with the local embedder, so no two embedders mix.
        run = new RunEmbedder(localMemoryEmbedder);
        report = await this.#pass(run, true);
      }
      await this.#store.op('memory.meta.set', { key: 'embedder', value: run.name });
      this.#embedder = run.name === this.#preferred.name ? this.#preferred : localMemoryEmbedder;
      this.progress = { phase: 'idle', done: 0, total: 0 };
      return { ...report, embedder: run.name, switchedFrom, ms: Math.round(performance.now() - started) };
    });
  }

  async #pass(run: RunEmbedder, everything: boolean, only?: string[]): Promise<Omit<IndexReport, 'embedder' | 'ms'>> {
    const root = this.#options.workspace;
    this.progress = { phase: 'scanning', done: 0, total: 0 };
    const scan = await scanWorkspace(root, this.#options.config);
    const wanted = only ? new Set(only) : undefined;
    const files = wanted ? scan.files.filter((f) => wanted.has(f.path)) : scan.files;
    let indexed = 0;
    let unchanged = 0;
    this.progress = { phase: 'indexing', done: 0, total: files.length };
    for (let at = 0; at < files.length && !this.#closing; at += INDEX_WINDOW) {
      const changed: Array<{ path: string; content: string }> = [];
      for (const file of files.slice(at, at + INDEX_WINDOW)) {
        const content = await readFile(path.join(root, file.path), 'utf8').catch(() => undefined);
        if (content === undefined) continue;
        const known = this.docs.byPath(WORKSPACE_USER, file.path);
        const hash = contentHash(content);
        if (this.#forgotten.get(file.path) === hash) {
          scan.skipped.push({ path: file.path, reason: 'forgotten (titan memory forget) until it changes', bytes: file.bytes });
          continue;
        }
        if (!everything && known?.hash === hash) {
          unchanged++;
          this.progress = { ...this.progress, done: this.progress.done + 1 };
        } else changed.push({ path: file.path, content });
      }
      const byPeers = await this.#byPeers(changed, run);
      for (const file of changed) {
        if (this.#closing) break;
        this.progress = { ...this.progress, path: file.path };
        await this.docs.put({ userId: WORKSPACE_USER, path: file.path, kind: kindOf(file.path), content: file.content }, run, byPeers.get(file.path));
        indexed++;
        this.progress = { ...this.progress, done: this.progress.done + 1 };
      }
    }
    await this.#store.op('memory.skipped.set', { userId: WORKSPACE_USER, items: scan.skipped, clear: wanted ? [...wanted] : scan.files.map((f) => f.path) });
    // Files gone from the workspace (or now skipped) leave memory; re-embedding covers the conversations too.
    const present = new Set(scan.files.map((f) => f.path));
    const gone = [...this.docs.byId.values()].filter((d) => d.userId === WORKSPACE_USER && !present.has(d.path) && (!wanted || wanted.has(d.path)));
    const removed = await this.docs.remove(gone.map((d) => d.id));
    if (everything && !only) {
      // Every conversation's documents, the older turns the host no longer holds included (from the store).
      const stored = await this.#store.op('memory.documents.list', { limit: 100000 });
      for (const d of stored.filter((d) => d.user_id !== WORKSPACE_USER).reverse()) {
        if (this.#closing) break;
        const full = await this.#store.op('memory.document.get', { userId: d.user_id, path: d.path });
        if (full?.content !== undefined)
          await this.docs.put(
            {
              userId: d.user_id,
              path: d.path,
              kind: d.kind,
              content: full.content,
              threadId: d.thread_id ?? undefined,
              turnId: d.turn_id ?? undefined,
              updatedAt: Number(d.updated_at),
            },
            run,
          );
      }
      // An older turn written again added its edges a second time: the graph is read again.
      if (this.docs.older.count > 0) await loadGraph(this.#store, this.graph, this.docs);
    }
    return { indexed, unchanged, removed, skipped: scan.skipped.length, switchedFrom: undefined };
  }

  /** The vectors of the files mesh peers indexed for this run (verified), by path; none without a mesh. */
  async #byPeers(files: Array<{ path: string; content: string }>, run: RunEmbedder): Promise<Map<string, Vector[]>> {
    if (!this.#peers || files.length === 0 || run.switched) return new Map();
    return this.#peers.prepare(files, { name: run.name, embed: (texts) => run.embed(texts) });
  }

  /** A completed turn becomes a document of its thread (forgotten with it). */
  async indexTurn(turnId: string): Promise<DocMeta | undefined> {
    const rows = await this.#store.op('memory.turn.source', { turnId });
    const said = rows.filter((r) => (r.role === 'user' || r.role === 'assistant') && !r.content.startsWith('{"titan":'));
    if (said.length === 0) return undefined;
    const { user_id: userId, thread_id: threadId } = rows[0];
    this.#owners.set(threadId, userId);
    const content = said.map((r) => `${r.role === 'user' ? 'User' : 'Assistant'}: ${r.content}`).join('\n\n');
    return this.docs.put(
      { userId, path: `threads/${threadId}/${turnId}`, kind: 'turn', content, threadId, turnId, updatedAt: Number(rows.at(-1)!.created_at) },
      new RunEmbedder(this.#embedder),
    );
  }

  async #embedQuery(text: string): Promise<Vector | undefined> {
    try {
      return (await this.#embedder.embed([text]))[0];
    } catch {
      return undefined; // the provider is down: full-text only, never another embedder's vector
    }
  }

  query(userId: string, text: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    return this.search.search(text, { ...options, userIds: [WORKSPACE_USER, userId] });
  }

  /** Entities within `hops` of the named ones, with the documents that cite each. */
  neighbourhood(names: string[], hops = 2, limit = 20): { seeds: string[]; hits: Array<GraphHit & { sources: string[] }> } {
    const seeds = names.map(entityId).filter((id) => this.graph.has(id));
    const hits = this.graph.traverse(seeds, hops, limit).map((h) => ({
      ...h,
      sources: this.graph
        .citations(h.id)
        .slice(0, 3)
        .flatMap((c) => this.docs.byId.get(c.documentId)?.path ?? []),
    }));
    return { seeds, hits };
  }

  implicit(userId: string, message: string): Neighbourhood[] {
    return implicitContext(message, this.graph, this.docs.byId, { userIds: [WORKSPACE_USER, userId], codeGraph: this.codeGraph });
  }

  async contextFor(input: { threadId: string; text: string }): Promise<string | undefined> {
    const max = this.#options.config.contextChars;
    if (max === 0 || !input.text.trim()) return undefined;
    let userId = this.#owners.get(input.threadId);
    if (!userId) {
      userId = (await this.#store.op('memory.thread.owner', { threadId: input.threadId })).userId ?? WORKSPACE_USER;
      this.#owners.set(input.threadId, userId);
    }
    const hits = await this.query(userId, input.text.slice(0, 2000), { limit: 5 }).catch(() => []);
    // The turn being answered is indexed only once it ends; earlier turns of the thread may show.
    const named = this.implicit(userId, input.text);
    await withChanges(named, this.codeGraph);
    return fuseContext(hits, named, this.docs.byId, max)?.text;
  }

  async status(): Promise<
    MemoryStatus & {
      embedder: string;
      tagger: { by: string; model: number; keywords: number };
      progress: Progress;
      skippedFiles: Array<{ path: string; reason: string; bytes: number }>;
      mesh?: PeerOffloadSummary;
    }
  > {
    const counts = await this.#store.op('memory.status');
    const skippedFiles = await this.#store.op('memory.skipped.list', { userId: WORKSPACE_USER });
    const tagger = { by: this.#options.tagModel ? 'model' : 'keywords', ...this.docs.taggedBy };
    const progress = { ...this.progress, ...(this.#peers?.onPeer ? { onPeer: this.#peers.onPeer } : {}) };
    return {
      ...counts,
      vectorSearch: this.mode,
      embedder: this.#embedder.name,
      tagger,
      progress,
      skippedFiles,
      ...(this.#peers ? { mesh: this.#peers.account.summary() } : {}),
    };
  }

  /** A workspace document by its path, with its tags. */
  async document(path: string): Promise<{ path: string; kind: string; content: string; summary: string | null; keywords: string[]; updatedAt: number }> {
    const doc = await this.#store.op('memory.document.get', { userId: WORKSPACE_USER, path: path.replace(/^\.\//, '') });
    if (!doc)
      throw new TitanError('TITAN_E_NOT_FOUND', `memory holds no document ${JSON.stringify(path)}`, { fix: 'search first: the results name each path' });
    return {
      path: doc.path,
      kind: doc.kind,
      content: doc.content ?? '',
      summary: doc.summary,
      keywords: doc.keywords ? (JSON.parse(doc.keywords) as string[]) : [],
      updatedAt: Number(doc.updated_at),
    };
  }

  /** Forgets a workspace document (the file stays; it is re-indexed if it changes) or an entity. */
  async forget(target: string): Promise<{ documents: number; entities: number }> {
    const doc = this.docs.byPath(WORKSPACE_USER, target.replace(/^\.\//, ''));
    if (doc) {
      // Kept out of later passes until the file changes (it is the user's file: it stays on disk).
      if (doc.hash) this.#forgotten.set(doc.path, doc.hash);
      await this.#store.op('memory.meta.set', { key: 'forgotten-paths', value: JSON.stringify(Object.fromEntries(this.#forgotten)) });
      return { documents: await this.docs.remove([doc.id]), entities: 0 };
    }
    const id = entityId(target);
    if (!this.graph.has(id)) throw new TitanError('TITAN_E_NOT_FOUND', `memory holds no document or entity named ${JSON.stringify(target)}`);
    const { entities } = await this.#store.op('memory.entity.delete', { id });
    this.graph.removeEntity(id);
    return { documents: 0, entities };
  }

  /** The store removed these threads (deleted, or all chats cleared): what came from them goes here too. */
  forgetThreads(userId: string, threadIds?: string[]): number {
    const which = threadIds && new Set(threadIds);
    const ids = [...this.docs.byId.values()].filter((d) => d.threadId && d.userId === userId && (!which || which.has(d.threadId))).map((d) => d.id);
    this.docs.forgotten(ids);
    // Older turns of those threads left the store too: their edges and entities are read again from it.
    if (this.docs.older.count > 0) void this.#queue(() => loadGraph(this.#store, this.graph, this.docs)).catch(() => undefined);
    return ids.length;
  }

  #watch(): void {
    try {
      this.#watcher = watch(this.#options.workspace, { recursive: true, persistent: false }, (_event, file) => {
        if (
          !file ||
          String(file)
            .split(/[\\/]/)
            .some((part) => part.startsWith('.') || part === 'node_modules')
        )
          return;
        this.#changed.add(String(file).split(path.sep).join('/'));
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => {
          const paths = [...this.#changed];
          this.#changed.clear();
          void this.index({ paths }).catch(() => undefined);
        }, 300);
      });
      this.#watcher.on('error', () => this.#watcher?.close());
    } catch {
      // No workspace folder to watch: indexing on request still works.
    }
  }

  /** Resolves when queued indexing and tagging are done. */
  async idle(): Promise<void> {
    await this.#running;
    await this.docs.tagged();
  }

  async close(): Promise<void> {
    // A stop must not wait for a whole workspace to be indexed: the run ends after its current file,
    // and what it did not reach is indexed at the next start (files are compared by content).
    this.#closing = true;
    this.docs.stop();
    clearTimeout(this.#timer);
    this.#watcher?.close();
    for (const off of this.#offs) off();
    await this.idle().catch(() => undefined);
  }
}
