// What memory's work sent to mesh peers shares, for workspace indexing and code-graph parsing alike:
// how changed files are cut into batches, and the account of batches sent, files a peer did and
// fallbacks (a lost peer, or an answer refused by verification), with the last fallback's reason.
import type { Logger } from '../../kernel/logger.ts';

/** Files per batch sent, and the most text one batch carries (a larger file is done here). */
export const BATCH_FILES = 16;
export const BATCH_BYTES = 1024 * 1024;

export type PeerOffloadSummary = {
  batchesSent: number;
  filesByPeers: number;
  fallbacks: number;
  rejected: number;
  lastFallback?: { peer: string; reason: string; at: number };
};

/** Files in batches of at most BATCH_FILES and BATCH_BYTES; a file larger than that alone is left to this node. */
export function peerBatches<T extends { content: string }>(files: T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const file of files) {
    const size = Buffer.byteLength(file.content);
    if (size > BATCH_BYTES) continue;
    if (current.length === BATCH_FILES || bytes + size > BATCH_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/** The counters `titan memory status` and `titan code-graph status` show, and the warning a fallback logs. */
export class PeerOffloadAccount {
  readonly counters = { batchesSent: 0, filesByPeers: 0, fallbacks: 0, rejected: 0 };
  lastFallback: { peer: string; reason: string; at: number } | undefined;
  readonly #logger: Logger;
  readonly #messages: { lost: string; refused: string };

  /** `messages`: the warning when a peer did not answer, and when its answer was refused. */
  constructor(logger: Logger, messages: { lost: string; refused: string }) {
    this.#logger = logger;
    this.#messages = messages;
  }

  summary(): PeerOffloadSummary {
    return { ...this.counters, ...(this.lastFallback ? { lastFallback: this.lastFallback } : {}) };
  }

  /** The batch goes back to this node: counted, with the reason kept and logged. */
  fallback(peer: string, error: unknown, rejected: boolean): void {
    const coded = error as { code?: string; message?: string };
    const reason = `${coded.code ?? 'error'}: ${coded.message ?? String(error)}`;
    this.counters.fallbacks++;
    if (rejected) this.counters.rejected++;
    this.lastFallback = { peer, reason, at: Date.now() };
    this.#logger.warn({ peer, reason }, rejected ? this.#messages.refused : this.#messages.lost);
  }
}
