// DM pairing over HTTP (the owner's): senders who wrote to a channel with their codes, and the
// owner's decision on a code (`titan pairing ...` goes through these on the control socket).
import { Router } from '@koa/router';
import { decidePairing, listPairings, type Pairing } from '../../agent/api.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { params } from '../validate.ts';

const LIST = { type: 'object', additionalProperties: false, properties: { state: { enum: ['pending', 'approved', 'denied'] } } } as const;
const CODE = { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

export function pairingRoutes({ kernel }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.get('/pairings', async (ctx) => {
    requireAdmin(ctx);
    const { state } = params<{ state?: Pairing['state'] }>(ctx.query, LIST);
    ctx.body = { pairings: await listPairings(kernel.store, state) };
  });

  for (const [verb, decision] of [
    ['approve', 'approved'],
    ['deny', 'denied'],
  ] as const) {
    router.post(`/pairings/:code/${verb}`, async (ctx) => {
      requireAdmin(ctx);
      // The code's form is checked by decidePairing, whose error says where the codes are listed.
      ctx.body = await decidePairing(kernel.store, params<{ code: string }>(ctx.params, CODE, 'the path').code, decision);
    });
  }

  return router;
}
