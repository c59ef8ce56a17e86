// Routines over HTTP (the owner's; `titan routine ...` goes through these on the control socket):
// list, add, show with history, run now, pause, resume, remove, a cron check for the add form,
// and the public webhook each webhook routine answers at, opened by that routine's own secret.
import { Router } from '@koa/router';
import type { Context, Next } from 'koa';
import { TitanError } from '../../common/errors.ts';
import type { RoutineInput, RoutineService } from '../../agent/api.ts';
import { readRawBody } from '../channels/raw-body.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body, ID, params } from '../validate.ts';

const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
const ADD = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: text(64),
    cron: text(200),
    timezone: text(64),
    onMessage: text(500),
    channel: text(20),
    webhook: { type: 'boolean' },
    prompt: text(20_000),
    tool: text(128),
    args: { type: 'object' },
    job: { type: 'object' },
    deliverTo: text(220),
    missed: { enum: ['skip', 'run_once'] },
    concurrency: { enum: ['skip', 'queue', 'allow'] },
    quietHours: text(11),
    enabled: { type: 'boolean' },
  },
} as const;
const REF = { type: 'object', required: ['ref'], properties: { ref: ID } } as const;
const RUN = { type: 'object', additionalProperties: false, properties: { input: text(16_000), wait: { type: 'boolean' } } } as const;
const HISTORY = { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } } } as const;
const CRON = { type: 'object', required: ['cron'], additionalProperties: false, properties: { cron: text(200), timezone: text(64) } } as const;
const HOOK_PATH = /^\/hooks\/routines\/([A-Za-z0-9_-]{1,64})$/;
const MAX_HOOK_BODY = 64 * 1024;

function running(deps: GatewayDeps): RoutineService {
  if (!deps.routines) throw new TitanError('TITAN_E_ROUTINES_OFF', 'routines are not running here');
  return deps.routines;
}

export function routineRoutes(deps: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  const refOf = (ctx: { params: Record<string, unknown> }) => params<{ ref: string }>(ctx.params, REF, 'the path').ref;

  router.get('/routines', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = { routines: running(deps).list() };
  });

  router.post('/routines', async (ctx) => {
    requireAdmin(ctx);
    const input = body<RoutineInput>(ctx.request.body, ADD);
    ctx.status = 201;
    ctx.body = await running(deps).add(input);
  });

  // Before /routines/:ref: "cron-check" is not a routine. A check answers either way: an expression
  // that is not one is the answer here (valid: false, with the coded error), not a failed request.
  router.post('/routines/cron-check', async (ctx) => {
    requireAdmin(ctx);
    const { cron, timezone } = body<{ cron: string; timezone?: string }>(ctx.request.body, CRON);
    try {
      ctx.body = { valid: true, next: running(deps).preview(cron, timezone, 5) };
    } catch (error) {
      if (!(error instanceof TitanError) || !error.code.startsWith('TITAN_E_ROUTINE_')) throw error;
      ctx.body = { valid: false, error: error.toJSON() };
    }
  });

  router.get('/routines/:ref', async (ctx) => {
    requireAdmin(ctx);
    const service = running(deps);
    const routine = service.find(refOf(ctx));
    const { limit } = params<{ limit: number }>(ctx.query, HISTORY);
    ctx.body = { routine: service.view(routine), runs: await service.runs(routine.id, limit) };
  });

  router.post('/routines/:ref/run', async (ctx) => {
    requireAdmin(ctx);
    const { input, wait } = body<{ input?: string; wait?: boolean }>(ctx.request.body ?? {}, RUN);
    const started = running(deps).run(refOf(ctx), input);
    ctx.status = wait ? 200 : 202;
    ctx.body = wait ? { run: await started.done } : { run: { id: started.id } };
  });

  for (const [verb, enabled] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    router.post(`/routines/:ref/${verb}`, async (ctx) => {
      requireAdmin(ctx);
      ctx.body = { routine: await running(deps).setEnabled(refOf(ctx), enabled) };
    });
  }

  // DELETE for REST clients; POST .../remove for the CLI's client, which sends GET and POST only.
  for (const [method, path] of [
    ['post', '/routines/:ref/remove'],
    ['delete', '/routines/:ref'],
  ] as const) {
    router[method](path, async (ctx) => {
      requireAdmin(ctx);
      ctx.body = await running(deps).remove(refOf(ctx));
    });
  }

  return router;
}

/** POST /hooks/routines/<name>: public, before the token check; the routine's secret opens it. */
export function routineWebhooks(deps: GatewayDeps) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const match = HOOK_PATH.exec(ctx.path);
    if (!match || !deps.routines) return next();
    if (ctx.method !== 'POST') throw new TitanError('TITAN_E_NOT_FOUND', `no route ${ctx.method} ${ctx.path}`);
    const header = ctx.get('x-titan-routine-secret') || ctx.get('authorization').replace(/^Bearer\s+/i, '');
    const raw = await readRawBody(ctx.req, MAX_HOOK_BODY);
    const started = deps.routines.webhook(match[1], header || undefined, raw.toString('utf8'));
    ctx.status = 202;
    ctx.body = { run: { id: started.id } };
  };
}
