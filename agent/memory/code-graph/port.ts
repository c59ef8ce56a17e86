// The code graph as its two callers see it: implicit context (agent/memory/implicit.ts CodeGraphPort:
// for a symbol or file a message names, who calls it and what it calls, as "name (path:line)") and
// components (titan:host/code-graph: JSON answers). Both from the graph in memory, no database trip;
// "history" (who changed it) reads git, cached.
import type { CodeGraphService } from '../../../host-api/index.ts';
import type { CodeGraphPort } from '../implicit.ts';
import type { CodeGraph } from './code-graph.ts';
import type { CallSite } from './queries.ts';

function cite(site: CallSite): string {
  return site.kind === 'file' ? `${site.path} (top level)` : `${site.qualified} (${site.path}:${site.line})`;
}

export function codeGraphPort(graph: CodeGraph): CodeGraphPort {
  return {
    neighbourhood(name, limit) {
      const index = graph.graphIndex;
      if (!name || name.length > 512) return undefined;
      if (index.files.has(name)) {
        // A file: calls into its definitions from elsewhere, and calls out of it.
        const inside = index.graph().outNeighbors(name);
        const callers = new Map<string, CallSite>();
        const callees = new Map<string, CallSite>();
        for (const id of inside) {
          for (const c of graph.callers(id)) if (c.path !== name) callers.set(c.id, c);
          for (const c of graph.callees(id)) if (c.path !== name) callees.set(c.id, c);
        }
        return { file: name, callers: [...callers.values()].slice(0, limit).map(cite), callees: [...callees.values()].slice(0, limit).map(cite) };
      }
      const defs = graph.definitions(name).filter((d) => d.kind !== 'file');
      if (defs.length === 0) return undefined;
      return {
        file: `${defs[0].path}:${defs[0].line}`,
        callers: graph.callers(name).slice(0, limit).map(cite),
        callees: graph.callees(name).slice(0, limit).map(cite),
      };
    },
    history: (name, limit) => graph.history(name, limit),
  };
}

/** Where a definition is, without the graph's internal fields. */
function place(s: { name: string; qualified: string; kind: string; path: string; line: number }) {
  return { name: s.name, qualified: s.qualified, kind: s.kind, path: s.path, line: s.line };
}

export function codeGraphService(graph: CodeGraph): CodeGraphService {
  return {
    async query(what, target, limit) {
      if (what === 'history') {
        const results = await graph.history(target, Math.min(limit, 50));
        return JSON.stringify({ what, target, root: graph.root, results, more: 0 });
      }
      const results =
        what === 'definitions'
          ? graph.definitions(target).map((d) => ({ ...place(d), endLine: d.endLine, exported: d.exported }))
          : what === 'callers' || what === 'callees'
            ? graph[what](target).map((c) => ({ ...place(c), calls: c.calls, lines: c.lines }))
            : graph.neighbourhood(target, { limit }).map((r) => ({ ...place(r), score: Number(r.score.toFixed(4)), relations: r.relations }));
      return JSON.stringify({ what, target, root: graph.root, results: results.slice(0, limit), more: Math.max(0, results.length - limit) });
    },
  };
}
