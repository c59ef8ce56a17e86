// The profile Titan keeps for its owner: the managed sections of the workspace's profile files,
// every change it made to them, a revert of any change, and a synthesis run on demand. The owner's
// only: the files describe them.
import { Router } from '@koa/router';
import { PROFILE_FILES, factsOf, profileOf, readSection, type Profile, type ProfileFile } from '../../agent/api.ts';
import { TitanError } from '../../common/errors.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { ID, params } from '../validate.ts';

const WITH_ID = { type: 'object', required: ['id'], properties: { id: ID } } as const;

export function profileRoutes({ kernel, agent }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  // The same profile `titan start` synthesises into (without a model here when none was started).
  // Its code loads with the first profile request (after ready), not with the gateway; only for
  // /profile, as a router-wide use would start it for every /api route mounted after this router.
  let loaded: Profile | undefined;
  router.use('/profile', async (_ctx, next) => {
    loaded ??= await profileOf(kernel, agent);
    return next();
  });
  const profile = (): Profile => loaded as Profile;

  router.get('/profile', async (ctx) => {
    requireAdmin(ctx);
    const files = await Promise.all(
      (Object.keys(PROFILE_FILES) as ProfileFile[]).map(async (file) => {
        const section = readSection(await profile().files.read(file));
        return { file, about: PROFILE_FILES[file], section, facts: factsOf(section) };
      }),
    );
    ctx.body = { files, synthesis: profile().synthesis !== undefined };
  });

  router.get('/profile/changes', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = { changes: await profile().files.changes() };
  });

  router.post('/profile/changes/:id/revert', async (ctx) => {
    requireAdmin(ctx);
    const { id } = params<{ id: string }>(ctx.params, WITH_ID, 'the path');
    ctx.body = { change: await profile().files.revert(id) };
  });

  router.post('/profile/synthesize', async (ctx) => {
    requireAdmin(ctx);
    const synthesis = profile().synthesis;
    if (!synthesis) throw new TitanError('TITAN_E_PROVIDER_NOT_CONFIGURED', 'profile synthesis needs a model, and none is configured here');
    ctx.body = { changes: await synthesis.run() };
  });

  return router;
}
