// Personalised PageRank: how close each node is to the symbols in play, walking calls, references
// and containment both ways and jumping back to the seeds. graphology-metrics' pagerank has no
// personalisation vector, so the power iteration is here, over a bounded neighbourhood of the seeds.
import { createRequire } from 'node:module';
import type { DirectedGraph } from 'graphology';
import type pagerankModule from 'graphology-metrics/centrality/pagerank.js';
import { type WalkEdge, type WalkGraph, walkWeight } from './walk.ts';

// The package is CommonJS (module.exports = pagerank) while its types declare an ES default export;
// required on the first global ranking, not at every start.
type PageRank = typeof pagerankModule.default;
const require = createRequire(import.meta.url);
let pagerank: PageRank | undefined;

type AnyGraph = DirectedGraph<Record<string, unknown>, WalkEdge>;

const DAMPING = 0.85;
const ITERATIONS = 30;
const TOLERANCE = 1e-6;

/** Nodes within `hops` of the seeds (either direction), at most `limit` of them, nearest first. */
export function around(walk: WalkGraph, seeds: string[], hops: number, limit: number): string[] {
  const seen = new Set<number>();
  for (const s of seeds) {
    const n = walk.numbers.get(s);
    if (n !== undefined) seen.add(n);
  }
  let frontier = [...seen];
  for (let h = 0; h < hops && frontier.length > 0 && seen.size < limit; h++) {
    const next: number[] = [];
    for (const node of frontier) {
      for (let l = walk.offsets[node]; l < walk.offsets[node + 1]; l++) {
        const n = walk.targets[l];
        if (seen.has(n)) continue;
        seen.add(n);
        next.push(n);
        if (seen.size >= limit) break;
      }
      if (seen.size >= limit) break;
    }
    frontier = next;
  }
  return [...seen].map((n) => walk.ids[n]);
}

/** Personalised PageRank over `nodes` (an induced subgraph), teleporting to `seeds`. Scores sum to 1. */
export function personalisedRank(walk: WalkGraph, nodes: string[], seeds: string[]): Map<string, number> {
  const size = nodes.length;
  const global = Int32Array.from(nodes, (id) => walk.numbers.get(id) ?? -1);
  const local = walk.local;
  try {
    for (let i = 0; i < size; i++) if (global[i] >= 0) local[global[i]] = i;
    const start = seeds.flatMap((s) => {
      const g = walk.numbers.get(s);
      return g !== undefined && local[g] >= 0 ? [local[g]] : [];
    });
    const teleport = new Float64Array(size);
    for (const s of start) teleport[s] = 1 / start.length;
    // The subgraph's links (undirected walk: a caller is as relevant to the callee as the callee to the caller).
    const offsets = new Int32Array(size + 1);
    const targets: number[] = [];
    const weights: number[] = [];
    const totals = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      offsets[i] = targets.length;
      const g = global[i];
      if (g < 0) continue;
      for (let l = walk.offsets[g]; l < walk.offsets[g + 1]; l++) {
        const j = local[walk.targets[l]];
        const w = walk.weights[l];
        if (j < 0 || w <= 0) continue;
        targets.push(j);
        weights.push(w);
        totals[i] += w;
      }
    }
    offsets[size] = targets.length;
    let rank = Float64Array.from(teleport);
    let next = new Float64Array(size);
    for (let it = 0; it < ITERATIONS; it++) {
      next.fill(0);
      let dangling = 0;
      for (let i = 0; i < size; i++) {
        if (totals[i] === 0) {
          dangling += rank[i];
          continue;
        }
        const share = (DAMPING * rank[i]) / totals[i];
        for (let l = offsets[i]; l < offsets[i + 1]; l++) next[targets[l]] += share * weights[l];
      }
      let delta = 0;
      for (let i = 0; i < size; i++) {
        next[i] += (1 - DAMPING + DAMPING * dangling) * teleport[i];
        delta += Math.abs(next[i] - rank[i]);
      }
      [rank, next] = [next, rank];
      if (delta < TOLERANCE) break;
    }
    return new Map(nodes.map((n, i) => [n, rank[i]]));
  } finally {
    for (let i = 0; i < size; i++) if (global[i] >= 0) local[global[i]] = -1;
  }
}

/** Global importance (no seeds): graphology-metrics' PageRank on the call and reference edges. */
export function globalRank(graph: AnyGraph): Record<string, number> {
  pagerank ??= require('graphology-metrics/centrality/pagerank.js') as PageRank;
  return pagerank(graph, { getEdgeWeight: (_e, a) => walkWeight(a) || 0.01 });
}
