// `titan reflex ...` through a running kernel's control socket.
import type { ControlRoute } from '../../kernel/control-server.ts';
import type { ReflexRecord } from './records.ts';
import type { ReflexService } from './service.ts';

/** A record as shown to people: without the spec's bulk (templates and vocabulary stay in `show`). */
export function reflexSummary(r: ReflexRecord) {
  return {
    name: r.name, version: r.version, state: r.state, description: r.description, example: r.example, slots: r.slots, tools: Object.keys(r.tools),
    hits: r.hits, misses: r.misses, rejections: r.rejections, suspensions: r.suspensions, modelCallsAvoided: r.modelCallsAvoided,
    reason: r.reason, component: r.component, provenance: r.provenance, updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

export function reflexDetail(r: ReflexRecord) {
  return { ...reflexSummary(r), templates: r.spec.templates.map((t) => t.join(' ')), core: r.spec.core, calls: r.spec.calls, answer: r.spec.answer };
}

export function reflexControlRoutes(service: ReflexService): ControlRoute[] {
  return [
    ['GET', /^\/reflexes$/, () => service.list().map(reflexSummary)],
    ['GET', /^\/shadow$/, () => service.shadowSummary()],
    ['GET', /^\/reflexes\/([\w-]+)$/, (_k, _b, [name]) => reflexDetail(service.get(name))],
    ['POST', /^\/reflexes\/([\w-]+)\/suspend$/, async (_k, b, [name]) => reflexSummary(await service.suspend(name, typeof b.why === 'string' ? b.why : undefined))],
    ['POST', /^\/reflexes\/([\w-]+)\/resume$/, async (_k, _b, [name]) => reflexSummary(await service.resume(name))],
    ['POST', /^\/reflexes\/([\w-]+)\/delete$/, async (_k, _b, [name]) => reflexSummary(await service.delete(name))],
  ];
}
