// Who changed a symbol or a file, from git: for each definition a name has (or for a file), the
// commits that last changed its lines, newest first, each citing the lines it owns. The code graph
// gives the lines (definition to end); the workspace's git history (agent/memory/git-history.ts)
// gives the commits.
import { TitanError } from '../../../common/errors.ts';
import type { GitHistory, SymbolHistory } from '../git-history.ts';
import type { CodeGraphIndex } from './graph.ts';
import { definitions } from './queries.ts';

export type { SymbolHistory };

const MAX_DEFINITIONS = 5;

export async function history(index: CodeGraphIndex, git: GitHistory | undefined, target: string, limit: number): Promise<SymbolHistory[]> {
  if (!git) {
    throw new TitanError('TITAN_E_CODE_NO_GIT', 'the workspace is not inside a git repository (or git is not installed), so there is no history to read');
  }
  if (index.files.has(target)) {
    const changes = await git.file(target, limit);
    return [{ symbol: '', kind: 'file', path: target, commits: changes.commits, uncommittedLines: [] }];
  }
  const defs = definitions(index, target)
    .filter((d) => d.kind !== 'file')
    .slice(0, MAX_DEFINITIONS);
  const out: SymbolHistory[] = [];
  for (const d of defs) {
    const changes = await git.lines(d.path, d.line, Math.max(d.line, d.endLine), limit);
    out.push({
      symbol: d.qualified,
      kind: d.kind,
      path: d.path,
      line: d.line,
      endLine: d.endLine,
      commits: changes.commits,
      uncommittedLines: changes.uncommittedLines,
    });
  }
  return out;
}
