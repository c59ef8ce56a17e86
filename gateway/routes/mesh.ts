// The mesh as the web UI's components page and `titan mesh` see it: this node's peer id and
// counters, the peers it hears with their load, free slots and components, and the owner's
// allow/deny (at once on a running mesh; in the allowlist file it reads at start when it is off).
// {enabled: false} from /mesh when the mesh is off.
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import { meshSection } from '../../mesh/config.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body } from '../validate.ts';

const PEER = {
  type: 'object',
  additionalProperties: false,
  required: ['peer'],
  properties: { peer: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export function meshRoutes({ kernel, mesh, meshConfig = meshSection.defaults }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  // libp2p's key code loads only when a mesh that is off is asked about.
  const offline = () => import('../../mesh/offline.ts');

  router.get('/mesh', (ctx) => {
    ctx.body = mesh ? { enabled: true, status: mesh.status(), peers: mesh.peers() } : { enabled: false };
  });

  router.get('/mesh/status', async (ctx) => {
    ctx.body = mesh ? mesh.status() : await (await offline()).offlineMeshStatus(kernel.paths.home, meshConfig);
  });

  router.get('/mesh/peers', (ctx) => {
    if (!mesh) throw new TitanError('TITAN_E_MESH_DISABLED', 'no kernel with the mesh on runs on this TITAN_HOME');
    ctx.body = { peers: mesh.peers() };
  });

  router.post('/mesh/allow', async (ctx) => {
    requireAdmin(ctx);
    const { peer } = body<{ peer: string }>(ctx.request.body, PEER);
    ctx.body = mesh ? { allowlist: await mesh.allow(peer) } : await (await offline()).editAllowlist(kernel.paths.home, peer, true);
  });

  router.post('/mesh/deny', async (ctx) => {
    requireAdmin(ctx);
    const { peer } = body<{ peer: string }>(ctx.request.body, PEER);
    if (!mesh) return void (ctx.body = await (await offline()).editAllowlist(kernel.paths.home, peer, false));
    const result = await mesh.deny(peer);
    ctx.body = { allowlist: result.peers, stillInConfig: result.stillInConfig };
  });

  return router;
}
