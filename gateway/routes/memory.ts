// Memory over HTTP (/api/memory: what `titan memory` and the web UI's Memory page ask): status with
// the skipped files, hybrid search (the caller's own conversations and the workspace), a document,
// the graph around entities or its picture and communities; indexing and forgetting (the owner only).
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import type { MemoryService } from '../../agent/api.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body, params } from '../validate.ts';

const KINDS = ['identity', 'note', 'daily', 'summary', 'turn', 'code'];
const SEARCH = {
  type: 'object',
  additionalProperties: false,
  required: ['q'],
  properties: {
    q: { type: 'string', minLength: 1 },
    limit: { type: 'integer', minimum: 1, default: 10 },
    kind: { type: 'string', enum: KINDS },
    path: { type: 'string', maxLength: 1000 },
    since: { type: 'integer', minimum: 0 },
    until: { type: 'integer', minimum: 0 },
  },
} as const;
const GRAPH = {
  type: 'object',
  additionalProperties: false,
  properties: {
    entity: {
      anyOf: [
        { type: 'string', maxLength: 200 },
        { type: 'array', maxItems: 16, items: { type: 'string', maxLength: 200 } },
      ],
    },
    hops: { type: 'integer', minimum: 1, maximum: 3, default: 2 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 150 },
  },
} as const;
const PATH = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: { path: { type: 'string', minLength: 1, maxLength: 1000 } },
} as const;
const INDEX = { type: 'object', additionalProperties: false, properties: { full: { type: 'boolean' } } } as const;
const FORGET = {
  type: 'object',
  additionalProperties: false,
  required: ['target'],
  properties: { target: { type: 'string', minLength: 1, maxLength: 1000 } },
} as const;

type Search = { q: string; limit: number; kind?: string; path?: string; since?: number; until?: number };
type GraphQuery = { entity?: string | string[]; hops: number; limit: number };

export function memoryRoutes({ agent }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  const service = (): MemoryService => {
    // The memory service is the one port with a status (checked so, not by class: its code loads after ready).
    if (!agent.memory || !('status' in agent.memory)) throw new TitanError('TITAN_E_MEMORY_DISABLED', 'memory is off in this kernel');
    return agent.memory as MemoryService;
  };

  router.get('/memory/status', async (ctx) => {
    ctx.body = await service().status();
  });

  router.get('/memory/search', async (ctx) => {
    const q = params<Search>(ctx.query, SEARCH);
    const hits = await service().query(ctx.state.user.userId, q.q, {
      limit: q.limit,
      kinds: q.kind ? [q.kind as 'note'] : undefined,
      pathPrefix: q.path,
      since: q.since,
      until: q.until,
    });
    ctx.body = { results: hits };
  });

  router.get('/memory/document', async (ctx) => {
    ctx.body = await service().document(params<{ path: string }>(ctx.query, PATH).path);
  });

  router.get('/memory/graph', (ctx) => {
    const q = params<GraphQuery>(ctx.query, GRAPH);
    const memory = service();
    const names = q.entity === undefined ? [] : Array.isArray(q.entity) ? q.entity : [q.entity];
    const around = names.length ? memory.neighbourhood(names, q.hops, q.limit) : undefined;
    ctx.body = {
      ...memory.graph.picture(q.limit, around?.seeds ?? []),
      related: around?.hits,
      communities: names.length ? undefined : memory.graph.communities(10),
    };
  });

  router.post('/memory/index', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = await service().index({ full: body<{ full?: boolean }>(ctx.request.body ?? {}, INDEX).full === true });
  });

  router.post('/memory/forget', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = await service().forget(body<{ target: string }>(ctx.request.body, FORGET).target);
  });

  return router;
}
