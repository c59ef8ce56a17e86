// The code graph as a picture around a symbol or file (the Memory page draws it): the subject, the
// definitions and files most related to it (personalised PageRank), the files that hold them, and
// every call, import, containment, reference and extension among those nodes. Bounded by `limit`.
import type { CodeGraphIndex, CodeSymbol } from './graph.ts';
import { definitions, neighbourhood } from './queries.ts';

export type PictureNode = Pick<CodeSymbol, 'id' | 'name' | 'qualified' | 'kind' | 'path' | 'line'> & { subject: boolean };
export type PictureEdge = { source: string; target: string; kinds: Array<'calls' | 'imports' | 'contains' | 'references' | 'extends'>; calls: number };
export type Picture = { target: string; nodes: PictureNode[]; edges: PictureEdge[] };

export function picture(index: CodeGraphIndex, target: string, limit: number): Picture {
  const graph = index.graph();
  const subjects = index.files.has(target) ? [target] : definitions(index, target).map((d) => d.id);
  const ids = new Set(subjects);
  for (const r of neighbourhood(index, target, { limit })) ids.add(r.id);
  // Each definition's file, so containment shows where things live.
  for (const id of [...ids]) {
    const path = graph.getNodeAttributes(id).path;
    if (graph.hasNode(path)) ids.add(path);
  }
  const subject = new Set(subjects);
  const nodes = [...ids].map((id) => {
    const { name, qualified, kind, path, line } = graph.getNodeAttributes(id);
    return { id, name, qualified, kind, path, line, subject: subject.has(id) };
  });
  const edges: PictureEdge[] = [];
  for (const id of ids) {
    graph.forEachOutEdge(id, (_edge, a, source, other) => {
      if (!ids.has(other)) return;
      const kinds: PictureEdge['kinds'] = [];
      if (a.calls) kinds.push('calls');
      if (a.imports) kinds.push('imports');
      if (a.contains) kinds.push('contains');
      if (a.refs) kinds.push('references');
      if (a.extends) kinds.push('extends');
      if (kinds.length) edges.push({ source, target: other, kinds, calls: a.calls });
    });
  }
  return { target, nodes, edges };
}
