// The messaging channels as the Settings page shows them (the owner's): which run, with their
// webhook address and what they have seen since start (received, answered, unpaired...). Who may
// write to them is decided on the pairings (/api/pairings).
import { Router } from '@koa/router';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';

export function channelRoutes(deps: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.get('/channels', (ctx) => {
    requireAdmin(ctx);
    const channels = deps.channels;
    const counts = channels?.counts() ?? [];
    ctx.body = {
      channels: (channels?.names ?? []).map((name) => ({
        name,
        webhook: `/channels/${name}/webhook`,
        counts: Object.fromEntries(counts.filter((c) => c.channel === name).map((c) => [c.outcome, c.count])),
      })),
    };
  });

  return router;
}
