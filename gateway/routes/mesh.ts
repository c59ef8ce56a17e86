// The mesh as the web UI's components page shows it: this node's peer id and counters, and the
// peers it hears with their load, free slots and components. {enabled: false} when the mesh is off.
import { Router } from '@koa/router';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';

export function meshRoutes({ mesh }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  router.get('/mesh', (ctx) => {
    ctx.body = mesh ? { enabled: true, status: mesh.status(), peers: mesh.peers() } : { enabled: false };
  });
  return router;
}
