// The code graph in memory: one node per definition and per file, one edge per pair with what joins
// them (calls, references, extends, containment, imports). Built from the files' facts; a changed
// file replaces its facts and the edges are derived again, so no other file is re-parsed.
import { DirectedGraph } from 'graphology';
import type { FileFacts, SymbolKind } from './facts.ts';
import { Resolver, type SymbolRef } from './resolve.ts';
import { WalkGraph } from './walk.ts';

export type CodeSymbol = {
  /** "<path>:<line>:<qualified name>"; a file's own node is its path. */
  id: string;
  name: string;
  qualified: string;
  kind: SymbolKind;
  path: string;
  line: number;
  endLine: number;
  exported: boolean;
};

export type EdgeFacts = { calls: number; refs: number; extends: boolean; contains: boolean; imports: boolean; lines: number[] };
type Graph = DirectedGraph<CodeSymbol, EdgeFacts>;

/** Lines of the first few sites kept per edge (citations), not every one. */
const SITES_KEPT = 4;
const CALLABLE = new Set(['function', 'method']);

export function symbolId(path: string, line: number, qualified: string): string {
  return qualified ? `${path}:${line}:${qualified}` : path;
}

export class CodeGraphIndex {
  readonly #files = new Map<string, FileFacts>();
  #graph: Graph = new DirectedGraph();
  #byName = new Map<string, string[]>();
  #walk: WalkGraph | undefined;
  #stale = true;

  get files(): ReadonlyMap<string, FileFacts> {
    return this.#files;
  }

  set(facts: FileFacts): void {
    this.#files.set(facts.path, facts);
    this.#stale = true;
  }

  remove(path: string): void {
    this.#stale = this.#files.delete(path) || this.#stale;
  }

  /** The graph with every edge derived from the current facts. */
  graph(): Graph {
    if (this.#stale) this.#rebuild();
    return this.#graph;
  }

  /** The graph packed for ranking walks (built again after the graph is). */
  walk(): WalkGraph {
    const graph = this.graph();
    this.#walk ??= new WalkGraph(graph);
    return this.#walk;
  }

  byName(name: string): readonly string[] {
    this.graph();
    return this.#byName.get(name) ?? [];
  }

  #rebuild(): void {
    const graph: Graph = new DirectedGraph();
    const byName = new Map<string, string[]>();
    const ids = new Map<string, string[]>();
    for (const [path, facts] of this.#files) {
      const list: string[] = [];
      for (const s of facts.symbols) {
        let id = symbolId(path, s.line, s.qualified);
        if (graph.hasNode(id)) id = `${id}:${s.column}`;
        list.push(id);
        graph.addNode(id, {
          id,
          name: s.kind === 'file' ? path : s.name,
          qualified: s.qualified,
          kind: s.kind,
          path,
          line: s.line,
          endLine: s.endLine,
          exported: s.exported,
        });
        if (s.kind !== 'file') {
          const named = byName.get(s.name);
          if (named) named.push(id);
          else byName.set(s.name, [id]);
          if (s.qualified !== s.name) byName.set(s.qualified, [...(byName.get(s.qualified) ?? []), id]);
        }
      }
      ids.set(path, list);
    }
    const node = (ref: SymbolRef) => ids.get(ref.path)?.[ref.seq];
    const edge = (from: string, to: string): EdgeFacts => {
      if (!graph.hasEdge(from, to)) graph.addEdge(from, to, { calls: 0, refs: 0, extends: false, contains: false, imports: false, lines: [] });
      return graph.getEdgeAttributes(from, to);
    };
    const resolver = new Resolver(this.#files.values());
    for (const [path, facts] of this.#files) {
      const list = ids.get(path) ?? [];
      for (const s of facts.symbols) if (s.parent !== null) edge(list[s.parent], list[s.seq]).contains = true;
      for (const target of resolver.importsOf(path)) edge(path, target).imports = true;
      for (const e of resolver.edgesOf(path)) {
        const from = node(e.from);
        const to = node(e.to);
        if (!from || !to) continue;
        const facts = edge(from, to);
        // A method read by name (`arr.map(this.f)`) is where it gets called from, as the TypeScript
        // call hierarchy counts it.
        const callable = e.kind === 'member' && CALLABLE.has(resolver.symbol(e.to)?.kind ?? 'file');
        if (e.kind === 'call' || e.kind === 'new' || callable) facts.calls++;
        else if (e.kind === 'extends') facts.extends = true;
        else facts.refs++;
        if (facts.lines.length < SITES_KEPT && !facts.lines.includes(e.line)) facts.lines.push(e.line);
      }
    }
    this.#graph = graph;
    this.#byName = byName;
    this.#walk = undefined;
    this.#stale = false;
  }
}
