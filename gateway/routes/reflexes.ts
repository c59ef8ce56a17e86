// Reflexes over HTTP: what they are and how they do (any token may read), suspend / resume /
// delete (the owner only), and "ask the model instead" for a turn a reflex or the shadow cache
// answered (the turn's owner): it counts against the reflex and sends the request to the model.
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import { reflexDetail, reflexSummary, type ReflexService } from '../../agent/api.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { ownTurn } from '../scope.ts';
import { body, ID, params } from '../validate.ts';

const NAME = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } } } as const;
const WITH_ID = { type: 'object', required: ['id'], properties: { id: ID } } as const;
const STEP = { type: 'object', additionalProperties: false, properties: { why: { type: 'string', minLength: 1, maxLength: 2000 } } } as const;

export function reflexRoutes({ kernel, agent }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  const service = (): ReflexService => {
    if (!agent.reflexes) throw new TitanError('TITAN_E_REFLEX_DISABLED', 'reflexes are off in this kernel');
    return agent.reflexes;
  };

  router.get('/reflexes', (ctx) => {
    const reflexes = agent.reflexes;
    ctx.body = {
      enabled: reflexes !== undefined,
      reflexes: reflexes?.list().map(reflexSummary) ?? [],
      counters: reflexes ? { ...reflexes.counters } : undefined,
      shadow: reflexes?.shadow
        ? {
            ...reflexes.shadow.stats,
            requestsSpent: reflexes.shadow.requests.spent,
            requestsSaved: reflexes.shadow.requests.saved,
            model: reflexes.shadowModel,
          }
        : undefined,
      // Whether the shadow workers pay for themselves (the last line of `titan reflex list`).
      shadowSummary: reflexes?.shadowSummary(),
    };
  });

  router.get('/reflexes/:name', (ctx) => {
    ctx.body = reflexDetail(service().get(params<{ name: string }>(ctx.params, NAME, 'the path').name));
  });

  for (const verb of ['suspend', 'resume', 'delete'] as const) {
    router.post(`/reflexes/:name/${verb}`, async (ctx) => {
      requireAdmin(ctx);
      const { name } = params<{ name: string }>(ctx.params, NAME, 'the path');
      const input = body<{ why?: string }>(ctx.request.body ?? {}, STEP);
      const reflexes = service();
      const record =
        verb === 'suspend'
          ? await reflexes.suspend(name, input.why ?? `suspended by ${ctx.state.user.userId}`)
          : verb === 'resume'
            ? await reflexes.resume(name)
            : await reflexes.delete(name);
      ctx.body = reflexSummary(record);
    });
  }

  router.post('/turns/:id/ask-model', async (ctx) => {
    const id = params<{ id: string }>(ctx.params, WITH_ID, 'the path').id;
    await ownTurn(kernel, ctx.state.user.userId, id);
    const sent = await service().askModelInstead(agent, ctx.state.user.userId, id);
    ctx.status = 202;
    ctx.body = sent;
  });

  return router;
}
