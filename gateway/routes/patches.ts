// The kernel's patch queue over HTTP: anyone with a token may read it; only the owner moves it
// (propose, approve, reject, deploy, roll back), and each step records who did it and why: the
// caller, or on the control socket whoever the owner names (`titan kernel approve ID --by ...`).
import { Router } from '@koa/router';
import { kindedRef, type Equivalence, type Patch, type PatchState } from '../../kernel/api.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body, ID, params } from '../validate.ts';

const STATES: PatchState[] = ['proposed', 'approved', 'rejected', 'deployed', 'failed', 'rolled_back'];
const LIST = {
  type: 'object',
  additionalProperties: false,
  properties: { state: { enum: STATES }, slot: { type: 'string', pattern: '^[a-z]+/[a-z][a-z0-9-]{0,62}$' } },
} as const;
const WITH_ID = { type: 'object', required: ['id'], properties: { id: ID } } as const;
const WHY = { type: 'string', minLength: 1, maxLength: 2000 } as const;
/** Where the new version's output may differ from the old one's on replay (kernel/output-compare.ts). */
const EQUIVALENCES = {
  type: 'array',
  maxItems: 50,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'rule'],
    properties: {
      path: { type: 'string', maxLength: 200, pattern: '^$|^[A-Za-z0-9_*-]+(\\.[A-Za-z0-9_*-]+)*$' },
      rule: { enum: ['ignore', 'unordered', 'approx'] },
      tolerance: { type: 'number', minimum: 0 },
    },
  },
} as const;
const PROPOSE = {
  type: 'object',
  additionalProperties: false,
  required: ['ref'],
  properties: { ref: { type: 'string', minLength: 1, maxLength: 200 }, why: WHY, equivalences: EQUIVALENCES },
} as const;
/** `override`: the reason to approve a patch whose verification failed. */
const STEP = { type: 'object', additionalProperties: false, properties: { why: WHY, override: WHY } } as const;
const BY = { type: 'string', minLength: 1, maxLength: 128 } as const;
const PROPOSE_LOCAL = { ...PROPOSE, properties: { ...PROPOSE.properties, by: BY } } as const;
const STEP_LOCAL = { ...STEP, properties: { ...STEP.properties, by: BY } } as const;

type Step = 'approve' | 'reject' | 'deploy' | 'rollback';
type StepInput = { why?: string; by?: string; override?: string };

export function patchRoutes({ kernel }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  const steps: Record<Step, (id: string, actor: { by: string; why?: string }, input: StepInput) => Promise<Patch>> = {
    approve: (id, actor, input) => kernel.approvePatch(id, actor, input.override),
    reject: (id, actor) => kernel.rejectPatch(id, actor),
    deploy: (id, actor) => kernel.deployPatch(id, actor),
    rollback: (id, actor) => kernel.rollbackPatch(id, actor),
  };

  router.get('/patches', (ctx) => {
    ctx.body = { patches: kernel.patches.list(params<{ state?: PatchState; slot?: string }>(ctx.query, LIST)) };
  });

  router.get('/patches/:id', (ctx) => {
    ctx.body = kernel.patches.get(params<{ id: string }>(ctx.params, WITH_ID, 'the path').id);
  });

  router.post('/patches', async (ctx) => {
    requireAdmin(ctx);
    const input = body<{ ref: string; why?: string; by?: string; equivalences?: Equivalence[] }>(ctx.request.body, ctx.state.local ? PROPOSE_LOCAL : PROPOSE);
    ctx.status = 201;
    ctx.body = await kernel.proposePatch(kindedRef(input.ref), { by: input.by ?? ctx.state.user.userId, why: input.why }, { equivalences: input.equivalences });
  });

  // Replays the slot's recorded calls again (more may have been recorded since it was proposed).
  router.post('/patches/:id/verify', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = await kernel.verifyPatch(params<{ id: string }>(ctx.params, WITH_ID, 'the path').id);
  });

  // What the monitor proposed from telemetry (kernel/optimiser.ts), with the reason and the outcome,
  // refusals that never became a patch (a build or smoke failure) included.
  router.get('/proposals', (ctx) => {
    ctx.body = { proposals: kernel.optimiser.list() };
  });

  // One look of the monitor now, instead of at its next interval.
  router.post('/proposals/run', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = { proposals: await kernel.optimiser.pass() };
  });

  // What each slot's traffic looks like: calls recorded for verification, and each version's figures.
  router.get('/recorded-calls', (ctx) => {
    ctx.body = { slots: kernel.recorder.summary() };
  });

  for (const step of Object.keys(steps) as Step[]) {
    router.post(`/patches/:id/${step}`, async (ctx) => {
      requireAdmin(ctx);
      const { id } = params<{ id: string }>(ctx.params, WITH_ID, 'the path');
      const input = body<StepInput>(ctx.request.body, ctx.state.local ? STEP_LOCAL : STEP);
      ctx.body = await steps[step](id, { by: input.by ?? ctx.state.user.userId, why: input.why }, input);
    });
  }

  return router;
}
