// The caller's settings: string values under short keys, kept per user by the store; and the
// owner's secrets (the kernel's encrypted store): names and dates can be read, values only
// written or removed - no route ever answers a secret's value.
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body, params } from '../validate.ts';

const KEY = { type: 'object', required: ['key'], properties: { key: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } } } as const;
const SECRET = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' } } } as const;
const SECRET_VALUE = {
  type: 'object',
  additionalProperties: false,
  required: ['value'],
  properties: { value: { type: 'string', minLength: 1, maxLength: 16384 } },
} as const;
const VALUE = { type: 'object', additionalProperties: false, required: ['value'], properties: { value: { type: 'string', maxLength: 65536 } } } as const;

export function settingsRoutes({ kernel }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  const keyOf = (ctx: { params: Record<string, string> }) => params<{ key: string }>(ctx.params, KEY, 'the path').key;

  router.get('/settings', async (ctx) => {
    ctx.body = { settings: await kernel.store.op('settings.list', { userId: ctx.state.user.userId }) };
  });

  router.get('/settings/:key', async (ctx) => {
    const key = keyOf(ctx);
    const setting = await kernel.store.op('settings.get', { userId: ctx.state.user.userId, key });
    if (!setting) throw new TitanError('TITAN_E_NOT_FOUND', `no setting "${key}"`);
    ctx.body = setting;
  });

  router.put('/settings/:key', async (ctx) => {
    const key = keyOf(ctx);
    const { value } = body<{ value: string }>(ctx.request.body, VALUE);
    ctx.body = await kernel.store.op('settings.set', { userId: ctx.state.user.userId, key, value });
  });

  const secretOf = (ctx: { params: Record<string, string> }) => params<{ name: string }>(ctx.params, SECRET, 'the path').name;

  router.get('/secrets', (ctx) => {
    requireAdmin(ctx);
    ctx.body = { secrets: kernel.secrets.list() };
  });

  router.put('/secrets/:name', async (ctx) => {
    requireAdmin(ctx);
    const name = secretOf(ctx);
    const { value } = body<{ value: string }>(ctx.request.body, SECRET_VALUE);
    await kernel.secrets.set(name, value);
    ctx.body = { name, stored: true };
  });

  router.delete('/secrets/:name', async (ctx) => {
    requireAdmin(ctx);
    const name = secretOf(ctx);
    if (!(await kernel.secrets.remove(name))) throw new TitanError('TITAN_E_SECRET_MISSING', `no secret named ${name}`);
    ctx.status = 204;
  });

  return router;
}
