// What the kernel runs and what it could run: serving components, and the registry's manifests.
import { Router } from '@koa/router';
import { COMPONENT_KINDS, type ComponentKind } from '../../registry/manifest.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { params } from '../validate.ts';

const NAME = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } as const;
const KIND = { enum: [...COMPONENT_KINDS] } as const;
const LIST = {
  type: 'object', additionalProperties: false,
  properties: { kind: KIND, name: NAME, all: { type: 'boolean', default: false } },
} as const;
const EXACT = {
  type: 'object', required: ['kind', 'name', 'version'],
  properties: { kind: KIND, name: NAME, version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+[0-9A-Za-z.+-]*$', maxLength: 64 } },
} as const;

export function componentRoutes({ kernel }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.get('/components', (ctx) => {
    ctx.body = { components: kernel.components() };
  });

  router.get('/registry', async (ctx) => {
    const query = params<{ kind?: ComponentKind; name?: string; all: boolean }>(ctx.query, LIST);
    ctx.body = { manifests: await kernel.registry.list({ kind: query.kind, name: query.name, includeYanked: query.all }) };
  });

  router.get('/registry/:kind/:name/:version', async (ctx) => {
    const ref = params<{ kind: ComponentKind; name: string; version: string }>(ctx.params, EXACT, 'the path');
    ctx.body = await kernel.registry.show(ref);
  });

  return router;
}
