// The store's memory ops with their rows and inputs (migrations 4 and 10): documents, chunks,
// vectors, the entity graph; ops.ts joins these ops into the whole table.
import type { None } from './ops.ts';

export type MemoryKind = 'identity' | 'note' | 'daily' | 'summary' | 'turn' | 'code';
/** '*' owns the workspace's documents; a user id owns what memory derived from that user's threads. */
export type MemoryDocumentInput = {
  id: string;
  userId: string;
  path: string;
  kind: MemoryKind;
  content: string;
  hash?: string;
  threadId?: string;
  turnId?: string;
  summary?: string;
  keywords?: string[];
  createdAt?: number;
  updatedAt?: number;
};
/** embedding: the vector's float32 bytes in base64; vector: the same as pgvector text ("[0.1,...]"), when pgvector serves. */
export type MemoryChunkInput = { id: string; seq: number; text: string; embedding?: string; vector?: string };
export type MemoryDocument = {
  id: string;
  user_id: string;
  path: string;
  kind: MemoryKind;
  hash: string | null;
  thread_id: string | null;
  turn_id: string | null;
  summary: string | null;
  /** JSON array of words. */
  keywords: string | null;
  created_at: number;
  updated_at: number;
  content?: string;
};
export type MemoryChunk = {
  pos: number;
  id: string;
  seq: number;
  text: string;
  document_id: string;
  path: string;
  kind: MemoryKind;
  user_id: string;
  thread_id: string | null;
  turn_id: string | null;
  updated_at: number;
};
/** embedding: float32 bytes as a blob ({"$blob": base64} on the wire, bytes once taken on the host). */
export type MemoryVectorRow = { pos: number; embedding: unknown; document_id: string; path: string; kind: MemoryKind; user_id: string; updated_at: number };
export type MemoryFilters = { userIds?: string[]; kinds?: MemoryKind[]; pathPrefix?: string; since?: number; until?: number };
export type VectorSearch = 'libsql' | 'pgvector' | 'host';
export type MemoryEntity = { id: string; name: string; kind: string };
export type MemoryMention = { entity_id: string; document_id: string; count: number };
export type MemoryRelation = { source: string; target: string; type: string; weight: number; document_id: string };
export type MemoryStatus = {
  documents: Record<string, number>;
  chunks: number;
  entities: number;
  relations: number;
  skipped: number;
  vectorSearch: VectorSearch;
};

/** Name -> input and result of each memory op (see StoreOps in ops.ts). */
export type MemoryOps = {
  /** A document with its chunks replaced (and its part of the graph cleared), in one transaction. */
  'memory.document.put': { input: { document: MemoryDocumentInput; chunks: MemoryChunkInput[] }; result: { id: string; chunks: number } };
  'memory.document.tag': { input: { id: string; summary: string; keywords: string[] }; result: { tagged: boolean } };
  'memory.document.get': { input: { userId: string; path: string }; result: MemoryDocument | null };
  'memory.documents.list': { input: { userIds?: string[]; kind?: MemoryKind; pathPrefix?: string; limit?: number }; result: MemoryDocument[] };
  /** Documents with their chunks, mentions and relations; entities no longer mentioned go too. */
  'memory.documents.delete': { input: { ids: string[] }; result: { documents: number; chunks: number } };
  'memory.turn.source': {
    input: { turnId: string };
    result: Array<{ user_id: string; thread_id: string; role: string; content: string; created_at: number }>;
  };
  'memory.thread.owner': { input: { threadId: string }; result: { userId: string | null } };
  'memory.chunks.get': { input: { positions: number[] }; result: MemoryChunk[] };
  'memory.vectors.page': { input: { afterPos?: number; limit?: number }; result: MemoryVectorRow[] };
  'memory.skipped.set': {
    input: { userId: string; items: Array<{ path: string; reason: string; bytes?: number }>; clear?: string[] };
    result: { skipped: number };
  };
  'memory.skipped.list': { input: { userId?: string }; result: Array<{ path: string; reason: string; bytes: number; at: number }> };
  'memory.meta.get': { input: { key: string }; result: { value: string | null } };
  'memory.meta.set': { input: { key: string; value: string }; result: { key: string; value: string } };
  'memory.status': { input: None; result: MemoryStatus };
  /** index false: the database's vector index is not used (libSQL drops it; PostgreSQL is left as it is). */
  'memory.vectors.prepare': { input: { dimensions?: number; index?: boolean }; result: { vectorSearch: VectorSearch } };
  /** Full-text and nearest-vector lists (vector null: no vector search in this database; the host scores). */
  'memory.search': {
    input: MemoryFilters & { text?: string; embedding?: string; vector?: string; limit?: number };
    result: { text: Array<{ pos: number; score: number }>; vector: Array<{ pos: number; distance: number }> | null };
  };
  'memory.graph.put': {
    input: {
      documentId: string;
      entities: Array<MemoryEntity & { count?: number }>;
      relations: Array<{ source: string; target: string; type: string; weight?: number }>;
    };
    result: { entities: number; relations: number };
  };
  'memory.entities.list': { input: None; result: MemoryEntity[] };
  'memory.mentions.list': { input: None; result: MemoryMention[] };
  'memory.relations.list': { input: None; result: MemoryRelation[] };
  'memory.entity.delete': { input: { id: string }; result: { relations: number; entities: number } };
};
