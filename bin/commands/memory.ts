// `titan memory index|search|graph|status|forget`: the workspace and conversation memory, through
// the running kernel when there is one, otherwise on a memory opened on the store for the command.
import type { Command } from 'commander';
import { TitanError } from '../../common/errors.ts';
import { act, examples, type Args } from '../cli.ts';
import { withClient } from '../client.ts';
import { print, table } from '../output.ts';

type Hit = { path: string; kind: string; text: string; score: number; thread_id: string | null; turn_id: string | null };
type Related = { id: string; name: string; kind: string; score: number; hops: number; via?: { from: string; type: string }; sources: string[] };
type Status = {
  documents: Record<string, number>;
  chunks: number;
  entities: number;
  relations: number;
  embedder: string;
  tagger?: { by: string; model: number; keywords: number };
  vectorSearch: string;
  progress: { phase: string; done: number; total: number; onPeer?: string };
  skippedFiles: Array<{ path: string; reason: string; bytes: number }>;
  mesh?: { batchesSent: number; filesByPeers: number; fallbacks: number; rejected: number; lastFallback?: { peer: string; reason: string; at: number } };
};

const ask = <T>(method: 'GET' | 'POST', route: string, body?: unknown) => withClient((client) => client.request<T>(method, route, body), { memory: true });
const query = (values: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(values).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))).toString();

export async function memoryCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb, ...rest] = positionals;
  const text = rest.join(' ').trim();
  if (verb === 'status') {
    const s = await ask<Status>('GET', '/api/memory/status');
    print(out, s, () =>
      [
        `documents: ${
          Object.entries(s.documents)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ') || 'none'
        }; ${s.chunks} chunks, ${s.entities} entities, ${s.relations} relations`,
        `embeddings: ${s.embedder}; tags: ${s.tagger ? `by ${s.tagger.by === 'model' ? 'the background model' : 'keywords'} (this run: ${s.tagger.model} by the model, ${s.tagger.keywords} by keywords)` : 'keywords'}; vector search: ${s.vectorSearch}; ${s.progress.phase === 'idle' ? 'idle' : `${s.progress.phase} ${s.progress.done}/${s.progress.total}`}${s.progress.onPeer ? ` (a batch on mesh peer ${s.progress.onPeer})` : ''}`,
        ...(s.mesh
          ? [
              `mesh: ${s.mesh.filesByPeers} files indexed by peers in ${s.mesh.batchesSent} batches; ${s.mesh.fallbacks} batches indexed here instead (${s.mesh.rejected} refused)${s.mesh.lastFallback ? `; last: ${s.mesh.lastFallback.peer}: ${s.mesh.lastFallback.reason}` : ''}`,
            ]
          : []),
        s.skippedFiles.length ? `skipped:\n${table(s.skippedFiles, ['path', 'reason', 'bytes'])}` : 'skipped: none',
      ].join('\n'),
    );
    return 0;
  }
  if (verb === 'index') {
    const report = await ask<{ indexed: number; unchanged: number; removed: number; skipped: number; embedder: string; switchedFrom?: string; ms: number }>(
      'POST',
      '/api/memory/index',
      { full: values.full === true },
    );
    print(out, report, () =>
      [
        `indexed ${report.indexed}, unchanged ${report.unchanged}, removed ${report.removed}, skipped ${report.skipped} (titan memory status) in ${report.ms} ms with the ${report.embedder} embedder`,
        ...(report.switchedFrom ? [`${report.switchedFrom} failed: the whole run used the local embedder instead`] : []),
      ].join('\n'),
    );
    return 0;
  }
  if (!text)
    throw new TitanError('TITAN_E_USAGE', `titan memory ${verb} needs ${verb === 'graph' ? 'an ENTITY' : verb === 'forget' ? 'a PATH or ENTITY' : 'a QUERY'}`);
  if (verb === 'search') {
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    const { results } = await ask<{ results: Hit[] }>(
      'GET',
      `/api/memory/search?${query({ q: text, limit, kind: values.kind as string, path: values.path as string })}`,
    );
    print(out, results, () =>
      results.length
        ? results
            .map(
              (h, i) =>
                `[${i + 1}] ${h.kind === 'turn' ? `thread ${h.thread_id}, turn ${h.turn_id}` : h.path}\n    ${h.text.replace(/\s+/g, ' ').slice(0, 200)}`,
            )
            .join('\n')
        : 'nothing found',
    );
    return 0;
  }
  if (verb === 'graph') {
    const hops = values.hops === undefined ? undefined : Number(values.hops);
    const answer = await ask<{ related?: Related[] }>('GET', `/api/memory/graph?${query({ entity: text, hops })}`);
    const related = answer.related ?? [];
    print(out, related, () =>
      related.length
        ? table(
            related.map((r) => ({
              entity: r.name,
              kind: r.kind,
              hops: r.hops,
              score: r.score.toFixed(3),
              via: r.via ? `${r.via.type} (from ${r.via.from})` : '',
              sources: r.sources.join(', '),
            })),
            ['entity', 'kind', 'hops', 'score', 'via', 'sources'],
          )
        : `nothing related to ${JSON.stringify(text)} in memory`,
    );
    return 0;
  }
  const forgotten = await ask<{ documents: number; entities: number }>('POST', '/api/memory/forget', { target: text });
  print(out, forgotten, () => `forgot ${forgotten.documents} document(s) and ${forgotten.entities} entit${forgotten.entities === 1 ? 'y' : 'ies'}`);
  return 0;
}

export function register(program: Command): void {
  const memory = program.command('memory').description("what Titan remembers: the workspace's notes and the conversations, searched and as a graph");
  examples(
    act(memory.command('status').description('documents, chunks, entities, the embedder, progress, and the files skipped with why'), memoryCommand, ['status']),
    ['titan memory status'],
  );
  examples(
    act(memory.command('index').description('index the workspace now (changed files only)').option('--full', 're-embed everything'), memoryCommand, ['index']),
    ['titan memory index', 'titan memory index --full'],
  );
  examples(
    act(
      memory
        .command('search')
        .description('hybrid search (full-text and meaning)')
        .argument('<query...>', 'what to look for')
        .option('--limit <n>', 'how many results (1-50)')
        .option('--kind <kind>', 'only identity, note, daily, summary, turn or code')
        .option('--path <prefix>', 'only documents under this path'),
      memoryCommand,
      ['search'],
    ),
    ['titan memory search how do we deploy', 'titan memory search --kind daily --limit 5 release'],
  );
  examples(
    act(
      memory
        .command('graph')
        .description('entities related to one, with their sources')
        .argument('<entity...>', 'a name, file or symbol')
        .option('--hops <n>', '1 to 3 (default 2)'),
      memoryCommand,
      ['graph'],
    ),
    ['titan memory graph parseConfig', 'titan memory graph --hops 3 Ada Lovelace'],
  );
  examples(
    act(
      memory.command('forget').description('forget a document (by path) or an entity').argument('<target...>', 'a workspace path or an entity name'),
      memoryCommand,
      ['forget'],
    ),
    ['titan memory forget notes/old.md', 'titan memory forget Ada Lovelace'],
  );
}
