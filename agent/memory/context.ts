// Context fusion: what memory offers a turn, as one block of the system prompt - the chunks hybrid
// search ranks highest, the neighbourhood of what the message names, and each fact's source as a
// numbered citation (a document's path, or a conversation's thread and turn).
import type { DocMeta } from './documents.ts';
import type { SymbolHistory } from './git-history.ts';
import type { Neighbourhood } from './implicit.ts';
import type { SearchHit } from './search.ts';

export type Citation = { n: number; documentId: string; path: string; kind: string; threadId: string | null; turnId: string | null };

function where(c: { path: string; kind: string; threadId: string | null; turnId: string | null }): string {
  return c.kind === 'turn' ? `conversation ${c.threadId}, turn ${c.turnId}` : c.path;
}

/** "commit 1a2b3c4d5e6f by Bob Lee on 2026-12-01, \"subject\" (src/a.ts:4-9)": who changed which lines, as git says. */
function changeLines(h: SymbolHistory): string[] {
  return h.commits.slice(0, 3).map((c) => {
    const lines = c.lines.length ? `${Math.min(...c.lines)}-${Math.max(...c.lines)}` : '';
    return `commit ${c.commit} by ${c.author} on ${c.date.slice(0, 10)}, "${c.subject}" (${h.path}${lines ? `:${lines}` : ''})`;
  });
}

export function fuseContext(
  hits: SearchHit[],
  named: Neighbourhood[],
  documents: ReadonlyMap<string, DocMeta>,
  maxChars: number,
): { text: string; citations: Citation[] } | undefined {
  const citations: Citation[] = [];
  // A hit names its own document (an older turn is in the store, not among the documents held here).
  const cite = (documentId: string, hit?: SearchHit): number | undefined => {
    const known = citations.find((c) => c.documentId === documentId);
    if (known) return known.n;
    const d = documents.get(documentId) ?? (hit && { path: hit.path, kind: hit.kind, threadId: hit.thread_id, turnId: hit.turn_id });
    if (!d) return undefined;
    const citation = { n: citations.length + 1, documentId, path: d.path, kind: d.kind, threadId: d.threadId, turnId: d.turnId };
    citations.push(citation);
    return citation.n;
  };
  const lines: string[] = [];
  let used = 0;
  const push = (line: string) => {
    if (used + line.length > maxChars) return false;
    lines.push(line);
    used += line.length + 1;
    return true;
  };
  for (const hit of hits) {
    const n = cite(hit.document_id, hit) as number;
    if (
      !push(`[${n}] ${where({ path: hit.path, kind: hit.kind, threadId: hit.thread_id, turnId: hit.turn_id })}: ${hit.text.replace(/\s+/g, ' ').slice(0, 500)}`)
    )
      break;
  }
  for (const n of named) {
    const sources = [...n.documents.map((d) => cite(d.id)), ...n.recentTurns.map((t) => cite(t.id))].filter((x) => x !== undefined);
    const related = n.related.map((r) => `${r.via?.type ?? 'related'} ${r.name}`).join('; ');
    const code = n.code ? ` Callers: ${n.code.callers.join(', ') || 'none'}. Callees: ${n.code.callees.join(', ') || 'none'}.` : '';
    const changed = n.changes?.length ? ` Changed by: ${n.changes.flatMap(changeLines).join('; ')}.` : '';
    if (
      !push(
        `${n.entity.name} (${n.entity.kind}): ${related || 'no known relations'}.${code}${changed}${sources.length ? ` Sources: ${sources.map((s) => `[${s}]`).join('')}` : ''}`,
      )
    )
      break;
  }
  if (lines.length === 0) return undefined;
  const header = '## From memory\nWhat Titan remembers that may bear on this message. Cite a source by its number, e.g. [1], when you use it.';
  const sources = citations.map((c) => `[${c.n}] = ${where(c)}`).join('\n');
  return { text: `${header}\n${lines.join('\n')}\n${sources}`, citations };
}
