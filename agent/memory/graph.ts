// The memory graph in memory: entities as nodes, relations as weighted edges (the weights of every
// document stating one summed), and which documents mention each entity (its citations). Loaded
// once from the store, then kept in step by the service as documents are indexed or forgotten.
// Traversal is bounded (a frontier and a fan-out per hop) so a 3-hop question stays sub-millisecond.
// A document evicted from the host (an older turn) keeps its entities and edge weights here; only
// its citations go, counted per entity so the entity stays while the store still has them.
import { createRequire } from 'node:module';
import { UndirectedGraph } from 'graphology';
import type { LouvainOptions } from 'graphology-communities-louvain';
import type { Entity, Extraction } from './extractor.ts';

export type GraphHit = { id: string; name: string; kind: string; score: number; hops: number; via?: { from: string; type: string } };
export type Community = { id: number; size: number; entities: Array<{ id: string; name: string }>; documents: string[] };

type Edge = { weight: number; types: Record<string, number> };
type Part = { entities: Map<string, number>; relations: Array<{ source: string; target: string; type: string; weight: number }> };

// A CommonJS module whose default export TypeScript's nodenext reading does not see as callable;
// required when communities are first asked for, not at every start.
type Louvain = (
  graph: UndirectedGraph<{ name: string; kind: string }, Edge>,
  options: LouvainOptions<{ name: string; kind: string }, Edge>,
) => Record<string, number>;
const require = createRequire(import.meta.url);
let louvain: Louvain | undefined;

const FRONTIER = 32;
const FAN_OUT = 32;
const HOP_DECAY = 0.6;

/** A seeded generator, so communities come out the same for the same graph. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

export class MemoryGraph {
  readonly graph = new UndirectedGraph<{ name: string; kind: string }, Edge>({ allowSelfLoops: false });
  /** entity -> document -> how often it names the entity. */
  readonly #mentions = new Map<string, Map<string, number>>();
  readonly #parts = new Map<string, Part>();
  readonly #adjacency = new Map<string, Array<{ id: string; weight: number; type: string }>>();
  /** entity -> how many evicted documents mention it. */
  readonly #elsewhere = new Map<string, number>();
  #communities: Community[] | undefined;
  version = 0;

  get entities(): number {
    return this.graph.order;
  }

  has(id: string): boolean {
    return this.graph.hasNode(id);
  }

  entity(id: string): { id: string; name: string; kind: string } | undefined {
    if (!this.graph.hasNode(id)) return undefined;
    const a = this.graph.getNodeAttributes(id);
    return { id, name: a.name, kind: a.kind };
  }

  /** Replaces one document's part of the graph. */
  putDocument(documentId: string, extraction: Extraction): void {
    this.removeDocument(documentId);
    const part: Part = { entities: new Map(), relations: extraction.relations };
    for (const e of extraction.entities) {
      this.#addEntity(e);
      part.entities.set(e.id, e.count);
      let docs = this.#mentions.get(e.id);
      if (!docs) this.#mentions.set(e.id, (docs = new Map()));
      docs.set(documentId, e.count);
    }
    for (const r of extraction.relations) this.#addWeight(r.source, r.target, r.type, r.weight);
    this.#parts.set(documentId, part);
    this.#changed();
  }

  /**
   * Adds stored rows (at load): the same as putDocument, without clearing first. Rows of documents
   * that are not `resident` add their edges and keep their entities, without citations.
   */
  load(
    entities: Entity[],
    mentions: Array<{ entity_id: string; document_id: string; count: number }>,
    relations: Array<{ source: string; target: string; type: string; weight: number; document_id: string }>,
    resident: (documentId: string) => boolean = () => true,
  ): void {
    for (const e of entities) this.#addEntity(e);
    for (const m of mentions) {
      if (!resident(m.document_id)) {
        this.#elsewhere.set(m.entity_id, (this.#elsewhere.get(m.entity_id) ?? 0) + 1);
        continue;
      }
      let docs = this.#mentions.get(m.entity_id);
      if (!docs) this.#mentions.set(m.entity_id, (docs = new Map()));
      docs.set(m.document_id, Number(m.count));
      this.#part(m.document_id).entities.set(m.entity_id, Number(m.count));
    }
    for (const r of relations) {
      if (!this.graph.hasNode(r.source) || !this.graph.hasNode(r.target)) continue;
      this.#addWeight(r.source, r.target, r.type, Number(r.weight));
      if (resident(r.document_id)) this.#part(r.document_id).relations.push(r);
    }
    this.#changed();
  }

  /** Empties the graph (before loading it again from the store). */
  clear(): void {
    this.graph.clear();
    this.#mentions.clear();
    this.#parts.clear();
    this.#elsewhere.clear();
    this.#changed();
  }

  /** The document stays in the store only: its citations go, its entities and edges stay. */
  evictDocument(documentId: string): void {
    const part = this.#parts.get(documentId);
    if (!part) return;
    this.#parts.delete(documentId);
    for (const id of part.entities.keys()) {
      const docs = this.#mentions.get(id);
      docs?.delete(documentId);
      if (docs?.size === 0) this.#mentions.delete(id);
      this.#elsewhere.set(id, (this.#elsewhere.get(id) ?? 0) + 1);
    }
    this.#communities = undefined;
  }

  removeDocument(documentId: string): void {
    const part = this.#parts.get(documentId);
    if (!part) return;
    this.#parts.delete(documentId);
    for (const r of part.relations) this.#addWeight(r.source, r.target, r.type, -r.weight);
    for (const id of part.entities.keys()) {
      const docs = this.#mentions.get(id);
      docs?.delete(documentId);
      if (docs && docs.size === 0) {
        if (this.#elsewhere.has(id)) this.#mentions.delete(id);
        else this.removeEntity(id);
      }
    }
    this.#changed();
  }

  removeEntity(id: string): void {
    this.#mentions.delete(id);
    this.#elsewhere.delete(id);
    if (this.graph.hasNode(id)) this.graph.dropNode(id);
    this.#changed();
  }

  /** Documents that mention the entity, most mentions first. */
  citations(id: string): Array<{ documentId: string; count: number }> {
    return [...(this.#mentions.get(id) ?? [])]
      .map(([documentId, count]) => ({ documentId, count }))
      .sort((a, b) => b.count - a.count || (a.documentId < b.documentId ? -1 : 1));
  }

  /** Neighbours, strongest first (cached per node until the graph changes). */
  neighbours(id: string): Array<{ id: string; weight: number; type: string }> {
    let list = this.#adjacency.get(id);
    if (list) return list;
    list = [];
    if (this.graph.hasNode(id)) {
      for (const edge of this.graph.edgeEntries(id)) {
        const n = edge.source === id ? edge.target : edge.source;
        const [type] = Object.entries(edge.attributes.types).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? ['related'];
        list.push({ id: n, weight: edge.attributes.weight, type });
      }
      list.sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : 1));
    }
    this.#adjacency.set(id, list);
    return list;
  }

  /**
   * Entities within `hops` of the seeds, scored by the strongest path: each hop multiplies by the
   * edge's weight squashed into (0, 1) and a decay. Ties break by fewer hops, then by id (stable).
   */
  traverse(seeds: string[], hops = 2, limit = 20): GraphHit[] {
    const best = new Map<string, GraphHit>();
    let frontier: GraphHit[] = [];
    for (const id of seeds) {
      const e = this.entity(id);
      if (!e) continue;
      const hit = { ...e, score: 1, hops: 0 };
      best.set(id, hit);
      frontier.push(hit);
    }
    for (let hop = 1; hop <= hops && frontier.length; hop++) {
      const next = new Map<string, GraphHit>();
      for (const from of frontier.slice(0, FRONTIER)) {
        for (const n of this.neighbours(from.id).slice(0, FAN_OUT)) {
          const score = from.score * (n.weight / (n.weight + 1)) * HOP_DECAY;
          const known = best.get(n.id);
          if (known && known.score >= score) continue;
          const attributes = this.graph.getNodeAttributes(n.id);
          const hit = { id: n.id, name: attributes.name, kind: attributes.kind, score, hops: hop, via: { from: from.id, type: n.type } };
          best.set(n.id, hit);
          next.set(n.id, hit);
        }
      }
      frontier = [...next.values()].sort(rank);
    }
    return [...best.values()]
      .filter((h) => h.hops > 0)
      .sort(rank)
      .slice(0, limit);
  }

  /** Louvain communities (weighted, seeded), largest first, each with its most connected entities and documents. */
  communities(limit = 10): Community[] {
    if (!this.#communities) {
      const groups = new Map<number, string[]>();
      if (this.graph.size > 0) {
        louvain ??= require('graphology-communities-louvain') as Louvain;
        const assignment = louvain(this.graph, { getEdgeWeight: (_edge: string, attributes: Edge) => Math.max(attributes.weight, 1e-9), rng: seeded(42) });
        for (const [node, group] of Object.entries(assignment)) {
          if (this.graph.degree(node) === 0) continue;
          let list = groups.get(group);
          if (!list) groups.set(group, (list = []));
          list.push(node);
        }
      }
      this.#communities = [...groups.values()]
        .map((nodes) => nodes.sort((a, b) => this.graph.degree(b) - this.graph.degree(a) || (a < b ? -1 : 1)))
        .sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : 1))
        .map((nodes, i) => ({
          id: i,
          size: nodes.length,
          entities: nodes.slice(0, 8).map((id) => ({ id, name: this.graph.getNodeAttribute(id, 'name') })),
          documents: [
            ...new Set(
              nodes.slice(0, 8).flatMap((id) =>
                this.citations(id)
                  .slice(0, 3)
                  .map((c) => c.documentId),
              ),
            ),
          ].slice(0, 6),
        }));
    }
    return this.#communities.slice(0, limit);
  }

  /** The most connected entities (or those around `seeds`) with the edges among them, for a picture. */
  picture(
    limit = 150,
    seeds: string[] = [],
  ): {
    nodes: Array<{ id: string; name: string; kind: string; degree: number }>;
    edges: Array<{ source: string; target: string; weight: number; type: string }>;
  } {
    const chosen = seeds.length
      ? [...new Set([...seeds.filter((s) => this.graph.hasNode(s)), ...this.traverse(seeds, 2, limit).map((h) => h.id)])]
      : this.graph
          .nodes()
          .sort((a, b) => this.graph.degree(b) - this.graph.degree(a) || (a < b ? -1 : 1))
          .slice(0, limit);
    const inside = new Set(chosen);
    const edges: Array<{ source: string; target: string; weight: number; type: string }> = [];
    for (const id of chosen) {
      for (const n of this.neighbours(id)) if (id < n.id && inside.has(n.id)) edges.push({ source: id, target: n.id, weight: n.weight, type: n.type });
    }
    return { nodes: chosen.map((id) => ({ ...this.entity(id)!, degree: this.graph.degree(id) })), edges };
  }

  #part(documentId: string): Part {
    let part = this.#parts.get(documentId);
    if (!part) this.#parts.set(documentId, (part = { entities: new Map(), relations: [] }));
    return part;
  }

  #addEntity(e: { id: string; name: string; kind: string }): void {
    if (!this.graph.hasNode(e.id)) this.graph.addNode(e.id, { name: e.name, kind: e.kind });
  }

  #addWeight(source: string, target: string, type: string, weight: number): void {
    if (source === target || !this.graph.hasNode(source) || !this.graph.hasNode(target)) return;
    const edge = this.graph.edge(source, target);
    if (edge === undefined) {
      if (weight > 0) this.graph.addEdge(source, target, { weight, types: { [type]: weight } });
      return;
    }
    const a = this.graph.getEdgeAttributes(edge);
    a.weight += weight;
    a.types[type] = (a.types[type] ?? 0) + weight;
    if (a.types[type] <= 1e-9) delete a.types[type];
    if (a.weight <= 1e-9) this.graph.dropEdge(edge);
  }

  #changed(): void {
    this.#adjacency.clear();
    this.#communities = undefined;
    this.version++;
  }
}

function rank(a: GraphHit, b: GraphHit): number {
  return b.score - a.score || a.hops - b.hops || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
