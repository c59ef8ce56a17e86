// A reflex record as people read it (the reflex routes, and through them `titan reflex ...`).
import type { ReflexRecord } from './records.ts';

/** A record as shown to people: without the spec's bulk (templates and vocabulary stay in `show`). */
export function reflexSummary(r: ReflexRecord) {
  return {
    name: r.name,
    version: r.version,
    state: r.state,
    description: r.description,
    example: r.example,
    slots: r.slots,
    tools: Object.keys(r.tools),
    hits: r.hits,
    misses: r.misses,
    rejections: r.rejections,
    suspensions: r.suspensions,
    modelCallsAvoided: r.modelCallsAvoided,
    reason: r.reason,
    component: r.component,
    provenance: r.provenance,
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

export function reflexDetail(r: ReflexRecord) {
  return { ...reflexSummary(r), templates: r.spec.templates.map((t) => t.join(' ')), core: r.spec.core, calls: r.spec.calls, answer: r.spec.answer };
}
