// Personalised PageRank: how close each node is to the symbols in play, walking calls, references
// and containment both ways and jumping back to the seeds. graphology-metrics' pagerank has no
// personalisation vector, so the power iteration is here, over a bounded neighbourhood of the seeds.
import type { DirectedGraph } from 'graphology';
import pagerankModule from 'graphology-metrics/centrality/pagerank.js';

// The package is CommonJS (module.exports = pagerank) while its types declare an ES default export.
const pagerank = pagerankModule as unknown as typeof pagerankModule.default;

type AnyGraph = DirectedGraph<Record<string, unknown>, { calls: number; refs: number; extends: boolean; contains: boolean; imports: boolean }>;

const DAMPING = 0.85;
const ITERATIONS = 30;
const TOLERANCE = 1e-6;

/** Weight of an edge for walking: a call counts most, containment least. */
function weight(e: { calls: number; refs: number; extends: boolean; contains: boolean; imports: boolean }): number {
  return (e.calls > 0 ? 2 : 0) + (e.refs > 0 ? 1 : 0) + (e.extends ? 1 : 0) + (e.contains ? 0.5 : 0) + (e.imports ? 0.5 : 0);
}

/** Nodes within `hops` of the seeds (either direction), at most `limit` of them, nearest first. */
export function around(graph: AnyGraph, seeds: string[], hops: number, limit: number): string[] {
  const seen = new Set(seeds.filter((s) => graph.hasNode(s)));
  let frontier = [...seen];
  for (let h = 0; h < hops && frontier.length > 0 && seen.size < limit; h++) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const n of graph.neighbors(node)) {
        if (seen.has(n)) continue;
        seen.add(n);
        next.push(n);
        if (seen.size >= limit) break;
      }
      if (seen.size >= limit) break;
    }
    frontier = next;
  }
  return [...seen];
}

/** Personalised PageRank over `nodes` (an induced subgraph), teleporting to `seeds`. Scores sum to 1. */
export function personalisedRank(graph: AnyGraph, nodes: string[], seeds: string[]): Map<string, number> {
  const index = new Map(nodes.map((n, i) => [n, i]));
  const start = seeds.filter((s) => index.has(s));
  const size = nodes.length;
  const teleport = new Float64Array(size);
  for (const s of start) teleport[index.get(s) ?? 0] = 1 / start.length;
  // Undirected walk: a caller is as relevant to the callee as the callee to the caller.
  const links: Array<Array<[number, number]>> = nodes.map(() => []);
  for (let i = 0; i < size; i++) {
    const add = (other: string, w: number) => {
      const j = index.get(other);
      if (j !== undefined && w > 0) links[i].push([j, w]);
    };
    graph.forEachOutEdge(nodes[i], (_e, a, _s, target) => add(target, weight(a)));
    graph.forEachInEdge(nodes[i], (_e, a, source) => add(source, weight(a)));
  }
  const totals = links.map((l) => l.reduce((sum, [, w]) => sum + w, 0));
  let rank = Float64Array.from(teleport);
  for (let it = 0; it < ITERATIONS; it++) {
    const next = new Float64Array(size);
    let dangling = 0;
    for (let i = 0; i < size; i++) {
      if (totals[i] === 0) {
        dangling += rank[i];
        continue;
      }
      for (const [j, w] of links[i]) next[j] += (DAMPING * rank[i] * w) / totals[i];
    }
    let delta = 0;
    for (let i = 0; i < size; i++) {
      next[i] += (1 - DAMPING + DAMPING * dangling) * teleport[i];
      delta += Math.abs(next[i] - rank[i]);
    }
    rank = next;
    if (delta < TOLERANCE) break;
  }
  return new Map(nodes.map((n, i) => [n, rank[i]]));
}

/** Global importance (no seeds): graphology-metrics' PageRank on the call and reference edges. */
export function globalRank(graph: AnyGraph): Record<string, number> {
  return pagerank(graph, { getEdgeWeight: (_e, a) => weight(a) || 0.01 });
}
