// /api/swarms: parallel swarms of the caller - start one (a task split by the model into parts that
// run at once as agent jobs on branches of a git workspace), list them, show one with its parts,
// their merge and conflicts, and the fanned-in answer. The parts are jobs too (/api/jobs, group).
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import { MAX_PARTS, type JobService, type SwarmRequest } from '../../agent/api.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body, ID, params } from '../validate.ts';

const START = {
  type: 'object',
  additionalProperties: false,
  required: ['task', 'workspace'],
  properties: {
    task: { type: 'string', minLength: 1, maxLength: 65536 },
    workspace: { type: 'string', minLength: 1, maxLength: 4096 },
    parts: { type: 'integer', minimum: 1, maximum: MAX_PARTS },
    timeoutS: { type: 'integer' },
    memoryMb: { type: 'integer' },
  },
} as const;
const WITH_ID = { type: 'object', required: ['id'], properties: { id: ID } } as const;

function service(jobs: JobService | undefined): JobService {
  if (!jobs)
    throw new TitanError('TITAN_E_DOCKER_UNAVAILABLE', 'sandbox jobs are not running in this Titan (start it with `npm start`; its store must be at schema 8)');
  return jobs;
}

export function swarmRoutes(deps: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.post('/swarms', async (ctx) => {
    const request = body<SwarmRequest>(ctx.request.body, START);
    // The parts mount the workspace, a host folder: the owner's call, as for jobs.
    if (!ctx.state.user.admin) throw new TitanError('TITAN_E_FORBIDDEN', 'only the owner can run a swarm on a host folder');
    ctx.status = 201;
    ctx.body = { swarm: await service(deps.jobs).swarms.start(ctx.state.user.userId, request) };
  });

  router.get('/swarms', async (ctx) => {
    ctx.body = { swarms: await service(deps.jobs).swarms.list(ctx.state.user.userId) };
  });

  router.get('/swarms/:id', async (ctx) => {
    const { id } = params<{ id: string }>(ctx.params, WITH_ID, 'the path');
    ctx.body = { swarm: await service(deps.jobs).swarms.get(id, ctx.state.user.userId) };
  });

  return router;
}
