// The "memory" section of the configuration: what the workspace memory indexes, which embeddings it
// uses, and how much context a turn is offered. Safe by default: local embeddings (nothing leaves
// the machine), bounded files and a bounded context.
import { defineSection } from '../../common/config-section.ts';

export type MemoryConfig = {
  /** Index the workspace and the conversations, and offer what is relevant to each turn. */
  enabled: boolean;
  /** Re-index a file when it changes (a recursive watch of the workspace). */
  watch: boolean;
  /** "local" (hashed n-grams, no download, no network) or "provider" (the chat provider's embeddings endpoint). */
  embeddings: 'local' | 'provider';
  embeddingModel: string;
  /** Longest text sent to the embeddings endpoint, in characters (longer chunks are cut for embedding only). */
  maxEmbedChars: number;
  /** A file larger than this is skipped (with the reason in `titan memory status`). */
  maxFileBytes: number;
  /** At most this many files are indexed from the workspace. */
  maxFiles: number;
  /** Entities and relations by the model ("model") when one is configured, else the deterministic extractor. */
  extractor: 'deterministic' | 'model';
  /**
   * Where nearest vectors and words are found: "host" (an in-memory index of the workspace's and
   * the recent turns' chunks, vectors quantised to bytes; 10k chunks in a few ms) or "store"
   * (libSQL's vector index, pgvector when installed, else the host).
   */
  vectorIndex: 'host' | 'store';
  /**
   * Who writes each document's summary and keywords, in the background after it is saved: "auto"
   * (the background model when providers.background is configured, e.g. a local Ollama; else
   * keywords), "model" (the background model, else the chat model), "keywords" (deterministic, offline).
   */
  tagger: 'auto' | 'model' | 'keywords';
  /**
   * How many of the newest conversation turns the in-memory index holds (their words, vectors and
   * citations); older turns stay in the store, where search still finds them. Keeps memory flat.
   */
  recentTurns: number;
  /** Characters of memory context (hybrid search, graph neighbourhood, with citations) offered to a turn; 0: none. */
  contextChars: number;
};

export const memorySection = defineSection<'memory', MemoryConfig>({
  name: 'memory',
  defaults: {
    enabled: true,
    watch: true,
    embeddings: 'local',
    embeddingModel: 'text-embedding-3-small',
    maxEmbedChars: 8000,
    maxFileBytes: 1_000_000,
    maxFiles: 5000,
    extractor: 'deterministic',
    vectorIndex: 'host',
    tagger: 'auto',
    recentTurns: 1000,
    contextChars: 3000,
  },
  schema: {
    enabled: { type: 'boolean' },
    watch: { type: 'boolean' },
    embeddings: { enum: ['local', 'provider'] },
    embeddingModel: { type: 'string', minLength: 1 },
    maxEmbedChars: { type: 'integer' },
    maxFileBytes: { type: 'integer' },
    maxFiles: { type: 'integer' },
    extractor: { enum: ['deterministic', 'model'] },
    vectorIndex: { enum: ['host', 'store'] },
    tagger: { enum: ['auto', 'model', 'keywords'] },
    recentTurns: { type: 'integer' },
    contextChars: { type: 'integer' },
  },
  clamps: { maxEmbedChars: [256, 100_000], maxFileBytes: [1024, 50_000_000], maxFiles: [1, 1_000_000], contextChars: [0, 50_000], recentTurns: [0, 1_000_000] },
  env: { TITAN_MEMORY: 'enabled', TITAN_MEMORY_EMBEDDINGS: 'embeddings', TITAN_MEMORY_WATCH: 'watch' },
});
