// The store's memory rows and inputs (migrations 4 and 10): documents, chunks, vectors, the entity
// graph; the op table in ops.ts names them.
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
