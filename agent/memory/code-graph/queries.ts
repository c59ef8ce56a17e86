// What callers ask of the code graph: definitions by name, callers and callees, and the ranked
// neighbourhood of a file or symbol. A symbol is named by its id, its qualified name or its name.
import type { CodeGraphIndex, CodeSymbol } from './graph.ts';
import { around, personalisedRank } from './rank.ts';

export type CallSite = CodeSymbol & { calls: number; lines: number[] };
export type Related = CodeSymbol & {
  score: number;
  /** How it touches the subject: calls it, is called by it, references, contains... (closest first). */
  relations: string[];
};

export type NeighbourhoodOptions = { limit?: number; hops?: number; maxNodes?: number };

/** The definitions a reference names: an id, a path, a qualified name ("Parser.parse"), or a name. */
export function definitions(index: CodeGraphIndex, name: string): CodeSymbol[] {
  const graph = index.graph();
  if (graph.hasNode(name)) return [graph.getNodeAttributes(name)];
  return index.byName(name).map((id) => graph.getNodeAttributes(id));
}

function sites(index: CodeGraphIndex, symbol: string, direction: 'in' | 'out'): CallSite[] {
  const graph = index.graph();
  const out = new Map<string, CallSite>();
  for (const def of definitions(index, symbol)) {
    const visit = (other: string, a: { calls: number; lines: number[] }) => {
      if (a.calls === 0) return;
      const seen = out.get(other);
      if (seen) seen.calls += a.calls;
      else out.set(other, { ...graph.getNodeAttributes(other), calls: a.calls, lines: a.lines });
    };
    if (direction === 'in') graph.forEachInEdge(def.id, (_e, a, source) => visit(source, a));
    else graph.forEachOutEdge(def.id, (_e, a, _s, target) => visit(target, a));
  }
  return [...out.values()].sort((a, b) => b.calls - a.calls || a.id.localeCompare(b.id));
}

/** Who calls the symbol (every definition it names), most calls first. */
export function callers(index: CodeGraphIndex, symbol: string): CallSite[] {
  return sites(index, symbol, 'in');
}

/** What the symbol calls, most calls first. */
export function callees(index: CodeGraphIndex, symbol: string): CallSite[] {
  return sites(index, symbol, 'out');
}

function relationsBetween(index: CodeGraphIndex, subject: Set<string>, other: string): string[] {
  const graph = index.graph();
  const out = new Set<string>();
  for (const s of subject) {
    const fwd = graph.hasEdge(s, other) ? graph.getEdgeAttributes(s, other) : null;
    const back = graph.hasEdge(other, s) ? graph.getEdgeAttributes(other, s) : null;
    if (fwd?.calls) out.add('called-by-subject');
    if (back?.calls) out.add('calls-subject');
    if (fwd?.refs || fwd?.extends) out.add('referenced-by-subject');
    if (back?.refs || back?.extends) out.add('references-subject');
    if (fwd?.contains) out.add('contained-in-subject');
    if (back?.contains) out.add('contains-subject');
    if (fwd?.imports) out.add('imported-by-subject');
    if (back?.imports) out.add('imports-subject');
  }
  return [...out];
}

/**
 * The definitions and files around a file or symbol, ranked by personalised PageRank from it (a
 * file seeds every definition in it). Bounded to `maxNodes` nodes within `hops`, so the cost does not
 * grow with the index.
 */
export function neighbourhood(index: CodeGraphIndex, target: string, options: NeighbourhoodOptions = {}): Related[] {
  const graph = index.graph();
  const seeds = graph.hasNode(target)
    ? [target, ...(graph.getNodeAttributes(target).kind === 'file' ? graph.outNeighbors(target) : [])]
    : definitions(index, target).map((d) => d.id);
  return rankAround(index, seeds, options);
}

/** Nodes ranked by personalised PageRank from several seeds at once (the symbols in play in a turn). */
export function rankAround(index: CodeGraphIndex, seeds: string[], options: NeighbourhoodOptions = {}): Related[] {
  const graph = index.graph();
  if (seeds.length === 0) return [];
  const walk = index.walk();
  const nodes = around(walk, seeds, options.hops ?? 2, options.maxNodes ?? 400);
  const scores = personalisedRank(walk, nodes, seeds);
  const subject = new Set(seeds);
  // Relations are worked out for the kept few only: the ranking is over up to maxNodes nodes.
  return nodes
    .filter((n) => !subject.has(n))
    .map((id) => ({ id, score: scores.get(id) ?? 0 }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, options.limit ?? 20)
    .map((n) => ({ ...graph.getNodeAttributes(n.id), score: n.score, relations: relationsBetween(index, subject, n.id) }));
}
