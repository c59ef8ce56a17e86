// Loading memory at start: the workspace's documents and the newest turns (memory.recentTurns) into
// the document list, their chunks' words and vectors into the chunk index (read as bytes on the
// host), and the graph (every entity and edge; citations of resident documents only). Older turns
// are counted and left in the store, where search reaches them.
import type { StoreClient } from '../../kernel/store-client.ts';
import type { Vector } from '../reflex/embedder.ts';
import type { ChunkIndex } from './chunk-index.ts';
import type { DocMeta, Documents } from './documents.ts';
import { vectorFromBlob } from './embeddings.ts';
import type { MemoryGraph } from './graph.ts';
import type { MemoryRows, ResidentRow } from './store-rows.ts';

const PAGE = 5000;

export type Resident = { store: StoreClient; rows: MemoryRows; docs: Documents; graph: MemoryGraph; chunks: ChunkIndex | undefined; recentTurns: number };

export async function loadResident({ store, rows, docs, graph, chunks, recentTurns }: Resident): Promise<void> {
  const lists = await Promise.all(
    (['identity', 'note', 'daily', 'summary', 'code', 'turn'] as const).map((kind) =>
      store.op('memory.documents.list', { kind, limit: kind === 'turn' ? Math.max(recentTurns, 1) : 100000 }),
    ),
  );
  // Turns oldest first, so each joins the resident ones at the end.
  for (const d of [...lists.slice(0, 5).flat(), ...[...lists[5]].reverse()]) {
    if (d.kind === 'turn' && recentTurns === 0) continue;
    docs.loaded({
      id: d.id,
      userId: d.user_id,
      path: d.path,
      kind: d.kind,
      hash: d.hash,
      threadId: d.thread_id,
      turnId: d.turn_id,
      updatedAt: Number(d.updated_at),
      summary: d.summary,
      keywords: d.keywords ? (JSON.parse(d.keywords) as string[]) : [],
    });
  }
  const turns = lists[5];
  const storedTurns = (await store.op('memory.status')).documents.turn ?? 0;
  const resident = recentTurns === 0 ? 0 : turns.length;
  if (storedTurns > resident) {
    const until = resident ? Number(turns.at(-1)?.updated_at) : Number.MAX_SAFE_INTEGER;
    docs.older = { count: storedTurns - resident, until, maxPos: await rows.olderTurnsMaxPos(until) };
  }
  await loadGraph(store, graph, docs);
  if (!chunks) return;
  const since = docs.older.count ? docs.older.until : 0;
  for (let after = 0; ; ) {
    const page = await rows.resident(after, PAGE, since);
    indexRows(page, docs, chunks);
    if (page.length < PAGE) break;
    after = page[page.length - 1].pos;
  }
}

/** A page of chunks into the index, grouped by document; a turn read here but not resident is skipped. */
function indexRows(rows: ResidentRow[], docs: Documents, chunks: ChunkIndex): void {
  const byDoc = new Map<string, Array<{ pos: number; text: string; vector: Vector | undefined }>>();
  for (const r of rows) {
    if (!docs.byId.has(r.documentId)) continue;
    let list = byDoc.get(r.documentId);
    if (!list) byDoc.set(r.documentId, (list = []));
    list.push({ pos: r.pos, text: r.text, vector: vectorFromBlob(r.embedding) });
  }
  for (const [id, list] of byDoc) {
    const d = docs.byId.get(id) as DocMeta;
    chunks.add({ id, userId: d.userId, kind: d.kind, path: d.path, updatedAt: d.updatedAt }, list);
  }
}

/** The graph read again from the store (at start, and after older turns left it). */
export async function loadGraph(store: StoreClient, graph: MemoryGraph, docs: Documents): Promise<void> {
  const [entities, mentions, relations] = await Promise.all([
    store.op('memory.entities.list'),
    store.op('memory.mentions.list'),
    store.op('memory.relations.list'),
  ]);
  graph.clear();
  graph.load(
    entities.map((e) => ({ ...e, kind: e.kind as 'name' })),
    mentions,
    relations,
    (id) => docs.byId.has(id),
  );
}
