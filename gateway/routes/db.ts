// The kernel's database through its store component: where it is and its schema (any owner call),
// migrate, and export/import as JSON lines to a file on the kernel's machine (the control socket
// only). `titan db ...` goes through these, to the running kernel or to one opened for it alone.
import path from 'node:path';
import { Router } from '@koa/router';
import type { Kernel } from '../../kernel/api.ts';
import { requireAdmin, requireLocal } from '../auth.ts';
import { exportDatabase, importDatabase } from '../db-transfer.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body } from '../validate.ts';

const FILE = {
  type: 'object',
  additionalProperties: false,
  required: ['file'],
  properties: { file: { type: 'string', minLength: 1, maxLength: 4096 } },
} as const;

async function status(kernel: Kernel) {
  return { location: kernel.db.location, store: `store/${kernel.config.store}`, ...(await kernel.store.status()) };
}

/** An absolute path: relative ones would resolve against wherever the kernel was started. */
function fileOf(value: unknown): string {
  const { file } = body<{ file: string }>(value, FILE);
  return path.resolve(file);
}

export function dbRoutes({ kernel }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.get('/db', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = await status(kernel);
  });

  router.post('/db/migrate', async (ctx) => {
    requireAdmin(ctx);
    await kernel.call('store', kernel.config.store, 'migrate', []);
    ctx.body = await status(kernel);
  });

  router.post('/db/export', async (ctx) => {
    requireLocal(ctx);
    ctx.body = await exportDatabase(kernel.store, fileOf(ctx.request.body));
  });

  router.post('/db/import', async (ctx) => {
    requireLocal(ctx);
    ctx.body = { ...(await importDatabase(kernel.store, fileOf(ctx.request.body))), location: kernel.db.location };
  });

  return router;
}
