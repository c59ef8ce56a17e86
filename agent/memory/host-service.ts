// What components reach through titan:host/memory (the memory-* tools): the workspace's memory,
// searched, read by path, written as a note, and its graph. Requests are JSON text checked here;
// a bad request is a coded error and changes nothing. Tools see the workspace's documents, not
// anyone's conversations (those reach a turn only through its own context). A graph answer about a
// function or file also says who changed it (git, when the workspace is a repository).
import { writeFile } from 'node:fs/promises';
import { TitanError } from '../../common/errors.ts';
import type { MemoryService as HostMemory } from '../../host-api/types.ts';
import { Workspace } from '../../host-api/workspace.ts';
import type { MemoryKind } from '../../kernel/store-client.ts';
import { entityId } from './extractor.ts';
import type { SymbolHistory } from './git-history.ts';
import type { MemoryService } from './service.ts';

const KINDS: MemoryKind[] = ['identity', 'note', 'daily', 'summary', 'turn', 'code'];
const MAX_NOTE_CHARS = 200_000;

function parse(request: string): Record<string, unknown> {
  try {
    const value = JSON.parse(request) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new TitanError('TITAN_E_USAGE', 'the request is not a JSON object');
}

function notePath(path: string): string {
  if (typeof path !== 'string' || !/^[\w@. -]+(\/[\w@. -]+)*\.(md|txt)$/.test(path) || path.split('/').some((p) => p === '..' || p === '.'))
    throw new TitanError('TITAN_E_MEMORY_PATH', `${JSON.stringify(path)} is not a relative .md or .txt path inside the workspace`);
  return path;
}

/** Who changed the named symbols and files (git, through the code graph; cached), with the lines each commit owns. */
async function changesOf(memory: MemoryService, seeds: string[]): Promise<SymbolHistory[]> {
  const history = memory.codeGraph?.history;
  if (!history) return [];
  const code = seeds.flatMap((id) => memory.graph.entity(id) ?? []).filter((e) => e.kind === 'symbol' || e.kind === 'file');
  const found = await Promise.all(code.map((e) => history(e.name, 3).catch(() => [])));
  return found.flat().filter((h) => h.commits.length > 0);
}

export function memoryHostService(memory: MemoryService, workspace: string): HostMemory {
  return {
    async search(request) {
      const r = parse(request);
      const kinds = Array.isArray(r.kinds) ? r.kinds.filter((k): k is MemoryKind => KINDS.includes(k as MemoryKind)) : undefined;
      const hits = await memory.search.search(String(r.query ?? ''), {
        limit: r.limit === undefined ? 8 : Number(r.limit),
        kinds,
        pathPrefix: typeof r.pathPrefix === 'string' ? r.pathPrefix : undefined,
        since: typeof r.since === 'number' ? r.since : undefined,
        until: typeof r.until === 'number' ? r.until : undefined,
        userIds: ['*'],
      });
      return JSON.stringify({
        results: hits.map((h) => ({ path: h.path, kind: h.kind, text: h.text, score: Number(h.score.toFixed(5)), updatedAt: h.updated_at })),
      });
    },
    async read(path) {
      const doc = await memory.document(path);
      return JSON.stringify(doc);
    },
    async write(path, content) {
      const relative = notePath(path);
      if (typeof content !== 'string' || content.length > MAX_NOTE_CHARS)
        throw new TitanError('TITAN_E_USAGE', `a note is text of at most ${MAX_NOTE_CHARS} characters`);
      await writeFile(await new Workspace(workspace, { create: true }).writable(relative), content);
      const report = await memory.index({ paths: [relative] });
      return JSON.stringify({ path: relative, indexed: report.indexed > 0 });
    },
    async graph(request) {
      const r = parse(request);
      if (r.communities !== undefined) return JSON.stringify({ communities: memory.graph.communities(Math.min(Number(r.communities) || 10, 50)) });
      const names = Array.isArray(r.entities) ? r.entities.filter((e): e is string => typeof e === 'string').slice(0, 16) : [];
      if (names.length === 0) throw new TitanError('TITAN_E_USAGE', 'name at least one entity: {"entities": ["..."]}, or ask {"communities": 10}');
      const hops = Math.min(Math.max(Number(r.hops ?? 2) || 2, 1), 3);
      const found = memory.neighbourhood(names, hops, Math.min(Number(r.limit ?? 20) || 20, 100));
      const changes = await changesOf(memory, found.seeds);
      return JSON.stringify({
        seeds: found.seeds,
        unknown: names.filter((n) => !found.seeds.includes(entityId(n))),
        related: found.hits,
        ...(changes.length ? { changes } : {}),
      });
    },
  };
}
