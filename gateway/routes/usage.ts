// Model usage for the Usage page (the owner's): per day, the turns by where their answer came
// from (the model, a reflex, the shadow cache), the model requests made and the tokens spent, with
// the totals and the share of answers that needed no model request.
import { Router } from '@koa/router';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { params } from '../validate.ts';

const QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    days: { type: 'integer', minimum: 1, maximum: 366, default: 30 },
    // Minutes east of UTC (a browser's getTimezoneOffset() with its sign turned), so days are the user's.
    offsetMinutes: { type: 'integer', minimum: -840, maximum: 840, default: 0 },
  },
} as const;

export function usageRoutes({ kernel }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.get('/usage', async (ctx) => {
    requireAdmin(ctx);
    const query = params<{ days: number; offsetMinutes: number }>(ctx.query, QUERY);
    const days = await kernel.store.op('usage.daily', query);
    const total = { turns: 0, model: 0, reflex: 0, shadow: 0, onboarding: 0, modelRequests: 0, inputTokens: 0, outputTokens: 0 };
    for (const day of days) for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += day[key];
    const withoutModel = total.reflex + total.shadow;
    ctx.body = { days, total, avoidedShare: total.turns ? withoutModel / total.turns : 0 };
  });

  return router;
}
