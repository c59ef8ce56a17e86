// Implicit context: the files, symbols and entities a message names, found in the in-memory graph
// (no store round trip), each with its neighbourhood - the strongest related entities, the notes
// that mention it, the recent turns that touched it, and (once the code graph serves) its callers
// and callees through CodeGraphPort. Sub-millisecond: a few map lookups per word of the message.
// Who changed it (git) is added after, by withChanges: cached reads, bounded in time.
import type { DocMeta } from './documents.ts';
import type { SymbolHistory } from './git-history.ts';
import { entityId } from './extractor.ts';
import type { GraphHit, MemoryGraph } from './graph.ts';

/** The seam for the code graph (agent/memory/code-graph/): who calls a symbol and what it calls. */
export type CodeGraphPort = {
  neighbourhood(name: string, limit: number): { callers: string[]; callees: string[]; file?: string } | undefined;
  /** Who changed the symbol's lines (or the file), from git; rejects when the workspace has no git history. */
  history?(name: string, limit: number): Promise<SymbolHistory[]>;
};

export type Neighbourhood = {
  entity: { id: string; name: string; kind: string };
  related: GraphHit[];
  documents: Array<{ id: string; path: string; kind: string }>;
  recentTurns: Array<{ id: string; threadId: string | null; turnId: string | null; updatedAt: number }>;
  code?: { callers: string[]; callees: string[]; file?: string };
  /** Filled by the memory service for a turn (git is read outside this synchronous lookup). */
  changes?: SymbolHistory[];
};

const MAX_NAMED = 5;
const MAX_WORDS = 400;

/** Candidate names in a message: path-like tokens, identifiers, and runs of one to three words. */
export function candidates(message: string): string[] {
  const out: string[] = [];
  for (const m of message.matchAll(/[\w@.-]+(?:\/[\w@.-]+)*\.[a-z]{1,4}\b|`([^`]{2,80})`/g)) out.push(m[1] ?? m[0]);
  const words = (message.match(/[\p{L}\p{N}_$]+/gu) ?? []).slice(0, MAX_WORDS);
  for (let n = 3; n >= 1; n--) for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(' '));
  return out;
}

export function implicitContext(
  message: string,
  graph: MemoryGraph,
  documents: ReadonlyMap<string, DocMeta>,
  options: { userIds: string[]; codeGraph?: CodeGraphPort },
): Neighbourhood[] {
  const named: string[] = [];
  for (const name of candidates(message)) {
    const id = entityId(name);
    if (id.length < 3 || named.includes(id) || !graph.has(id)) continue;
    // "parse config" inside a named "parse config loader" adds nothing.
    if (named.some((n) => n.includes(id))) continue;
    named.push(id);
    if (named.length >= MAX_NAMED) break;
  }
  const users = new Set(options.userIds);
  return named.map((id) => {
    const entity = graph.entity(id)!;
    const cited = graph
      .citations(id)
      .map((c) => documents.get(c.documentId))
      .filter((d): d is DocMeta => d !== undefined && users.has(d.userId));
    const recentTurns = cited
      .filter((d) => d.kind === 'turn')
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1))
      .slice(0, 3)
      .map((d) => ({ id: d.id, threadId: d.threadId, turnId: d.turnId, updatedAt: d.updatedAt }));
    return {
      entity,
      related: graph.traverse([id], 1, 6),
      documents: cited
        .filter((d) => d.kind !== 'turn')
        .slice(0, 3)
        .map((d) => ({ id: d.id, path: d.path, kind: d.kind })),
      recentTurns,
      code: entity.kind === 'symbol' || entity.kind === 'file' ? options.codeGraph?.neighbourhood(entity.name, 8) : undefined,
    };
  });
}

/** Git answers slower than this are left out of the turn (they are cached for the next one). */
const CHANGES_WAIT_MS = 1500;
const CHANGES_PER_NAME = 3;

/** Adds who changed each named symbol or file (git, through the code graph), waiting at most CHANGES_WAIT_MS. */
export async function withChanges(named: Neighbourhood[], codeGraph: CodeGraphPort | undefined): Promise<void> {
  const history = codeGraph?.history;
  if (!history) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CHANGES_WAIT_MS)));
  const reads = named
    .filter((n) => n.code)
    .map(async (n) => {
      // No git history (or a path git refuses): the rest of the context stands.
      const found = await history(n.entity.name, CHANGES_PER_NAME).catch(() => []);
      if (found.some((h) => h.commits.length > 0)) n.changes = found;
    });
  await Promise.race([Promise.all(reads), late]);
  clearTimeout(timer);
}
