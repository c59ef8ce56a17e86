// /api/jobs: sandbox jobs of the caller - submit, list, show, cancel, the stored log, the live log as
// Server-Sent Events (replayed from the start, closed after the job's end), and the job's files as
// a tar stream (GET /api/jobs/:id/files/download) that never holds more than a buffer in memory.
import { Router } from '@koa/router';
import { TitanError } from '../../common/errors.ts';
import { exportFolder, type Job, type JobEvent, type JobRequest, type JobService } from '../../agent/api.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { openSseAnswer, type SseAnswer } from '../sse-answer.ts';
import { body, ID, params } from '../validate.ts';

/** The job streams a browser opens by URL (EventSource, a download link): they may carry ?token=. */
export const JOB_STREAM_PATH = /^\/api\/jobs\/[^/]+\/(events|files\/download)$/;
const STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'];
const SUBMIT = {
  type: 'object',
  additionalProperties: false,
  properties: {
    command: { type: 'string', minLength: 1, maxLength: 65536 },
    mode: { enum: ['shell', 'coding-agent', 'agent'] },
    prompt: { type: 'string', minLength: 1, maxLength: 65536 },
    maxSteps: { type: 'integer' },
    name: { type: 'string', maxLength: 200 },
    workspace: { type: 'string', maxLength: 4096 },
    policy: { enum: ['read-only', 'workspace-write', 'full'] },
    network: { type: 'boolean' },
    timeoutS: { type: 'integer' },
    memoryMb: { type: 'integer' },
    cpus: { type: 'number' },
    pids: { type: 'integer' },
    env: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;
const LIST = {
  type: 'object',
  properties: { state: { enum: STATES }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
} as const;
const WITH_ID = { type: 'object', required: ['id'], properties: { id: ID } } as const;

/** A job as the API shows it: the spec without host paths a non-owner has no business seeing. */
export function jobView(job: Job) {
  const { spec, ...rest } = job;
  return {
    ...rest,
    name: spec.name,
    command: spec.command,
    mode: spec.mode ?? 'shell',
    prompt: spec.prompt ?? null,
    maxSteps: spec.maxSteps ?? null,
    group: spec.group ?? null,
    limits: { timeoutS: spec.timeoutS, memoryMb: spec.memoryMb, cpus: spec.cpus, pids: spec.pids },
    policy: spec.policy,
    network: spec.network,
    origin: spec.origin,
  };
}

function service(jobs: JobService | undefined): JobService {
  if (!jobs)
    throw new TitanError('TITAN_E_DOCKER_UNAVAILABLE', 'sandbox jobs are not running in this Titan (start it with `npm start`; its store must be at schema 8)');
  return jobs;
}

export function jobRoutes(deps: GatewayDeps): GatewayRouter {
  const { streams } = deps;
  const router = new Router<GatewayState>();

  router.get('/jobs', async (ctx) => {
    const { state, limit } = params<{ state?: Job['state']; limit: number }>(ctx.query, LIST);
    const list = await service(deps.jobs).list(ctx.state.user.userId, { states: state ? [state] : undefined, limit });
    ctx.body = { jobs: list.map(jobView), ...service(deps.jobs).counts(), docker: await service(deps.jobs).engine.available() };
  });

  router.post('/jobs', async (ctx) => {
    const request = body<JobRequest>(ctx.request.body, SUBMIT);
    // Mounting a host folder of one's choosing, or the network, is the owner's call.
    if (!ctx.state.user.admin && (request.workspace !== undefined || request.network || request.policy === 'full'))
      throw new TitanError('TITAN_E_FORBIDDEN', 'only the owner can mount a host folder or grant a job the network');
    const job = await service(deps.jobs).submit(ctx.state.user.userId, { ...request, origin: ctx.state.user.tokenId === 'control-socket' ? 'cli' : 'api' });
    ctx.status = 201;
    ctx.body = { job: jobView(job) };
  });

  router.get('/jobs/:id', async (ctx) => {
    const { id } = params<{ id: string }>(ctx.params, WITH_ID, 'the path');
    const job = await service(deps.jobs).get(id, ctx.state.user.userId);
    ctx.body = { job: { ...jobView(job), answer: (await service(deps.jobs).answer(id)) ?? null } };
  });

  router.post('/jobs/:id/cancel', async (ctx) => {
    const { id } = params<{ id: string }>(ctx.params, WITH_ID, 'the path');
    ctx.body = { job: jobView(await service(deps.jobs).cancel(id, ctx.state.user.userId)) };
  });

  /** The log as kept on disk (at most jobs.logMaxBytes): its chunks, each with its stream. */
  router.get('/jobs/:id/logs', async (ctx) => {
    const { id } = params<{ id: string }>(ctx.params, WITH_ID, 'the path');
    const chunks = [];
    for await (const chunk of service(deps.jobs).logs(id, ctx.state.user.userId)) chunks.push(chunk);
    ctx.body = { chunks };
  });

  router.get('/jobs/:id/events', async (ctx) => {
    const { id } = params<{ id: string }>(ctx.params, WITH_ID, 'the path');
    const early: string[] = [];
    let write = (chunk: string): void => void early.push(chunk);
    let answer: SseAnswer | undefined;
    let end = false;
    const send = (event: JobEvent) => {
      write(`data: ${JSON.stringify(event)}\n\n`);
      if (event.type === 'state' && ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(event.state)) end = true;
      if (end) queueMicrotask(() => answer?.close());
    };
    const off = await service(deps.jobs).follow(id, ctx.state.user.userId, send);
    answer = openSseAnswer(ctx, streams, off);
    write = answer.write;
    for (const chunk of early) write(chunk);
    if (end) answer.close();
  });

  router.get('/jobs/:id/files/download', async (ctx) => {
    const { id } = params<{ id: string }>(ctx.params, WITH_ID, 'the path');
    const job = await service(deps.jobs).get(id, ctx.state.user.userId);
    if (job.state === 'running' || job.state === 'queued')
      throw new TitanError('TITAN_E_JOB_STATE', `job ${id} is ${job.state}: its files are exported once it has ended`);
    ctx.status = 200;
    ctx.respond = false;
    ctx.res.writeHead(200, {
      ...Object.fromEntries(Object.entries(ctx.response.headers).map(([k, v]) => [k, String(v)])),
      'content-type': 'application/x-tar',
      'content-disposition': `attachment; filename="${id}.tar"`,
      'cache-control': 'no-store',
    });
    // A failure from here on can only cut the stream: the client sees no end-of-archive and says so.
    await exportFolder(job.spec.workspace, ctx.res, { stallMs: service(deps.jobs).config.exportStallMs }).catch(() => {});
  });

  return router;
}
