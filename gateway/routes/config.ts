// Titan's configuration for the Settings page (the owner's): config.json as written, the settings
// in effect (with the TITAN_* variables over the file), and a save that is refused whole, with
// every problem named, unless the edit loads as a start would load it.
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import { requireAdmin } from '../auth.ts';
import type { ConfigFile, GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body } from '../validate.ts';

const EDIT = { type: 'object', additionalProperties: false, required: ['file'], properties: { file: { type: 'object' } } } as const;

function fileOf(configFile: ConfigFile | undefined): ConfigFile {
  if (configFile) return configFile;
  throw new TitanError('TITAN_E_NOT_FOUND', 'this gateway edits no configuration file', { fix: 'the Settings page edits the config of `titan start`' });
}

export function configRoutes({ configFile }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.get('/config', async (ctx) => {
    requireAdmin(ctx);
    // A gateway embedded without `titan start` has no file to edit: the page leaves the panel out.
    ctx.body = configFile ? { editable: true, path: configFile.path, ...(await configFile.read()) } : { editable: false };
  });

  router.put('/config', async (ctx) => {
    requireAdmin(ctx);
    const config = fileOf(configFile);
    const { file } = body<{ file: Record<string, unknown> }>(ctx.request.body, EDIT);
    const { warnings } = await config.write(file);
    ctx.body = { saved: true, warnings, restartNeeded: true };
  });

  return router;
}
