// `titan code-graph status|index|callers|callees|definitions|neighbourhood|history`: the workspace's code graph,
// through the running Titan when there is one, otherwise on what the store last indexed.
import type { Command } from 'commander';
import type { CodeGraphStatus, CodeIndexReport } from '../../agent/api.ts';
import { TitanError } from '../../common/errors.ts';
import { act, examples, type Args } from '../cli.ts';
import { withClient } from '../client.ts';
import { print, table } from '../output.ts';

type Answer = {
  question: string;
  target: string;
  root: string;
  results: Array<{ qualified: string; name: string; kind: string; path: string; line: number; calls?: number; score?: number; relations?: string[] }>;
  more: number;
};
type History = {
  target: string;
  root: string;
  results: Array<{
    symbol: string;
    path: string;
    line?: number;
    endLine?: number;
    commits: Array<{ commit: string; author: string; date: string; subject: string; lines: number[] }>;
    uncommittedLines: number[];
  }>;
};
const QUESTIONS = ['callers', 'callees', 'definitions', 'neighbourhood', 'history'];

function historyLines(h: History): string {
  if (h.results.length === 0) return `no definition or file "${h.target}" in ${h.root}`;
  return h.results
    .map((r) =>
      [
        `${r.symbol || r.path}${r.line ? ` (${r.path}:${r.line}-${r.endLine})` : ''}:`,
        ...r.commits.map((c) => {
          const lines = c.lines.length ? ` lines ${Math.min(...c.lines)}-${Math.max(...c.lines)}` : '';
          return `  ${c.commit} ${c.date.slice(0, 10)} ${c.author}: ${c.subject}${lines}`;
        }),
        ...(r.commits.length === 0 ? ['  no commits (not tracked by git)'] : []),
        ...(r.uncommittedLines.length ? [`  ${r.uncommittedLines.length} line(s) not committed yet`] : []),
      ].join('\n'),
    )
    .join('\n');
}

function skippedLines(list: Array<{ path: string; reason: string }>, label: string): string[] {
  return list.length
    ? [`${label}:`, ...list.slice(0, 20).map((s) => `  ${s.path}: ${s.reason}`), ...(list.length > 20 ? [`  ... and ${list.length - 20} more`] : [])]
    : [];
}

export async function codeGraphCommand({ positionals, values, out }: Args): Promise<number> {
  const [verb = '', target] = positionals;
  const ask = <T>(method: 'GET' | 'POST', route: string) => withClient((client) => client.request<T>(method, route, method === 'POST' ? {} : undefined));
  if (verb === 'status') {
    const s = await ask<CodeGraphStatus>('GET', '/api/code-graph');
    print(out, s, () =>
      [
        `${s.root}: ${s.files} files (${s.indexed} indexed, ${s.partial} with syntax errors, ${s.skipped.length} skipped)`,
        `rows: ${Object.entries(s.rows)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
        ...(s.mesh
          ? [
              `mesh: ${s.mesh.filesByPeers} files parsed by peers in ${s.mesh.batchesSent} batches; ${s.mesh.fallbacks} batches parsed here instead (${s.mesh.rejected} refused)${s.mesh.lastFallback ? `; last: ${s.mesh.lastFallback.peer}: ${s.mesh.lastFallback.reason}` : ''}`,
            ]
          : []),
        ...skippedLines(s.skipped, 'skipped'),
      ].join('\n'),
    );
    return 0;
  }
  if (verb === 'index') {
    const r = await ask<CodeIndexReport>('POST', '/api/code-graph/index');
    print(out, r, () =>
      [
        `${r.files} files: ${r.parsed} parsed, ${r.unchanged} unchanged, ${r.removed} removed, in ${r.ms} ms`,
        ...skippedLines(r.skipped, 'skipped'),
        ...skippedLines(r.partial, 'indexed with syntax errors'),
      ].join('\n'),
    );
    return 0;
  }
  if (!QUESTIONS.includes(verb) || !target) throw new TitanError('TITAN_E_USAGE', `titan code-graph ${QUESTIONS.join('|')} SYMBOL|FILE`);
  const limit = typeof values.limit === 'string' ? values.limit : verb === 'history' ? '10' : '20';
  if (verb === 'history') {
    const h = await ask<History>('GET', `/api/code-graph/history?target=${encodeURIComponent(target)}&limit=${encodeURIComponent(limit)}`);
    print(out, h, () => historyLines(h));
    return 0;
  }
  const a = await ask<Answer>('GET', `/api/code-graph/${verb}?target=${encodeURIComponent(target)}&limit=${encodeURIComponent(limit)}`);
  print(out, a, () =>
    a.results.length
      ? [
          table(
            a.results.map((r) => ({
              symbol: r.qualified || r.path,
              kind: r.kind,
              at: `${r.path}:${r.line}`,
              ...(r.calls !== undefined ? { calls: r.calls } : {}),
              ...(r.score !== undefined ? { score: r.score.toFixed(4) } : {}),
            })),
            ['symbol', 'kind', 'at', ...(a.results[0].calls !== undefined ? ['calls'] : []), ...(a.results[0].score !== undefined ? ['score'] : [])],
          ),
          ...(a.more ? [`... and ${a.more} more (--limit)`] : []),
        ].join('\n')
      : `no ${verb} of "${target}" in ${a.root} (titan code-graph index, then try a name or a path)`,
  );
  return 0;
}

export function register(program: Command): void {
  const cg = program.command('code-graph').description("the workspace's code graph: definitions, callers, callees (TypeScript, JavaScript, Python, Rust)");
  examples(act(cg.command('status').description('what is indexed, and what was skipped and why'), codeGraphCommand, ['status']), ['titan code-graph status']);
  examples(act(cg.command('index').description('bring the graph up to date (only changed files are parsed)'), codeGraphCommand, ['index']), [
    'titan code-graph index',
  ]);
  for (const question of QUESTIONS) {
    examples(
      act(
        cg
          .command(question)
          .description(
            {
              callers: 'who calls a symbol',
              callees: 'what a symbol calls',
              definitions: 'where a name is defined',
              neighbourhood: 'what is most related to a symbol or file',
              history: 'who changed a symbol or file and why (the git commits that last touched its lines)',
            }[question] ?? question,
          )
          .argument('<target>', 'a name ("parse"), a qualified name ("Parser.parse") or a file path')
          .option('--limit <n>', 'at most this many answers (default 20)'),
        codeGraphCommand,
        [question],
      ),
      [`titan code-graph ${question} ${question === 'neighbourhood' ? 'src/index.ts' : 'parse'}`],
    );
  }
}
