// The gateway's middleware, in the order a request meets it: metrics, errors (coded JSON), CORS,
// the public routes (health, ready, the web UI's static files), the wait for the parts a start
// brings up after ready (gateway/late-parts.ts), the channels' and routines' webhooks, then the token, the rate limit,
// the JSON body, and the routes. The control socket serves the same route table (createControlApp)
// with the owner as the caller instead of a token.
import { traceRequests } from './tracing.ts';
import { Router } from '@koa/router';
import Koa from 'koa';
import { TitanError } from '../common/errors.ts';
import { authenticate, ownerOnSocket } from './auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from './deps.ts';
import { errorHandler } from './errors.ts';
import { afterLateParts } from './late-parts.ts';
import { SSE_PATH, sseRoutes } from './events-sse.ts';
import { jsonBody, rateLimit } from './limits.ts';
import { openAiRoutes } from './openai-compat.ts';
import { indexedRoutes } from './route-index.ts';
import { cors } from './origin.ts';
import { approvalRoutes } from './routes/approvals.ts';
import { codeGraphRoutes } from './routes/code-graph.ts';
import { componentRoutes } from './routes/components.ts';
import { dbRoutes } from './routes/db.ts';
import { GOAL_STREAM_PATH, goalRoutes } from './routes/goals.ts';
import { healthRoutes } from './routes/health.ts';
import { profileRoutes } from './routes/profile.ts';
import { JOB_STREAM_PATH, jobRoutes } from './routes/jobs.ts';
import { LOG_STREAM_PATH, logRoutes } from './routes/logs.ts';
import { usageRoutes } from './routes/usage.ts';
import { configRoutes } from './routes/config.ts';
import { providerRoutes } from './routes/providers.ts';
import { channelRoutes } from './routes/channels.ts';
import { generateRoutes } from './routes/generate.ts';
import { mcpRoutes } from './routes/mcp.ts';
import { mcpServerRoutes } from './routes/mcp-servers.ts';
import { meshRoutes } from './routes/mesh.ts';
import { pairingRoutes } from './routes/pairings.ts';
import { patchRoutes } from './routes/patches.ts';
import { reflexRoutes } from './routes/reflexes.ts';
import { memoryRoutes } from './routes/memory.ts';
import { routineRoutes, routineWebhooks } from './routes/routines.ts';
import { swarmRoutes } from './routes/swarms.ts';
import { settingsRoutes } from './routes/settings.ts';
import { threadRoutes } from './routes/threads.ts';
import { uiRoutes } from './ui/serve.ts';

export const OPENAI_PREFIX = '/v1';

/** The OpenAI-compatible API (gateway/openai-compat.ts), told who the caller is by the token. */
function openAi(deps: GatewayDeps): GatewayRouter {
  const routes = openAiRoutes({ kernel: deps.kernel, agent: deps.agent, llm: deps.llm, userIdOf: (ctx) => (ctx.state as GatewayState).user.userId });
  return routes as unknown as GatewayRouter; // its handlers read the state through userIdOf only
}

/** Every route behind the token, for the app and for tests that enumerate them. */
export function apiRouter(deps: GatewayDeps, withOpenAi = true): GatewayRouter {
  const api = new Router<GatewayState>();
  for (const routes of [
    threadRoutes,
    sseRoutes,
    approvalRoutes,
    componentRoutes,
    meshRoutes,
    patchRoutes,
    settingsRoutes,
    reflexRoutes,
    memoryRoutes,
    pairingRoutes,
    dbRoutes,
    mcpServerRoutes,
    routineRoutes,
    jobRoutes,
    swarmRoutes,
    goalRoutes,
    profileRoutes,
    codeGraphRoutes,
    logRoutes,
    usageRoutes,
    configRoutes,
    providerRoutes,
    channelRoutes,
    generateRoutes,
  ]) {
    api.use('/api', routes(deps).routes());
  }
  api.use(mcpRoutes(deps).routes()); // /mcp: Titan's tools to MCP clients
  api.get('/metrics', async (ctx) => {
    const { contentType, body } = await deps.metrics.scrape();
    ctx.type = contentType;
    ctx.body = body;
  });
  if (withOpenAi) api.use(OPENAI_PREFIX, openAi(deps).routes());
  return api;
}

/** Metrics and coded errors: the first two layers of both listeners' apps. */
function baseApp(deps: GatewayDeps): Koa<GatewayState> {
  const app = new Koa<GatewayState>();
  app.use(traceRequests());
  app.on('error', (error: unknown) => deps.kernel.logger.warn({ err: error }, 'gateway response failed'));
  app.use(async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      deps.metrics.request(ctx.method, route ? String(route) : 'unmatched', ctx.status, (performance.now() - started) / 1000);
    }
  });
  app.use(
    errorHandler((code, error) => {
      deps.metrics.error(code, 'http');
      if (code === 'TITAN_E_INTERNAL') deps.kernel.logger.error({ err: error }, 'gateway internal error');
    }),
  );
  return app;
}

/**
 * The route table (some 200 routes, each path compiled to a pattern), built by the first request that
 * reaches it: a start's ready, which only health and ready answer before, does not wait for it.
 * Indexed by a path's first segments (route-index.ts): a request is matched against a few routes.
 */
function builtOnFirstUse(build: () => GatewayRouter): Koa.Middleware<GatewayState> {
  let routes: Koa.Middleware<GatewayState> | undefined;
  return (ctx, next) => {
    routes ??= indexedRoutes(build());
    return routes(ctx, next);
  };
}

/** The channels' webhooks (/channels/<name>/webhook) once channels run; they may start after the gateway. */
function channelWebhooks(deps: GatewayDeps): Koa.Middleware<GatewayState> {
  let serving: { channels: NonNullable<GatewayDeps['channels']>; middleware: Koa.Middleware<GatewayState> } | undefined;
  return (ctx, next) => {
    const channels = deps.channels;
    if (!channels) return next();
    if (serving?.channels !== channels) serving = { channels, middleware: channels.middleware() };
    return serving.middleware(ctx, next);
  };
}

function notFound(): Koa.Middleware<GatewayState> {
  return (ctx) => {
    throw new TitanError('TITAN_E_NOT_FOUND', `no route ${ctx.method} ${ctx.path}`);
  };
}

export function createApp(deps: GatewayDeps, withOpenAi = true): Koa<GatewayState> {
  const app = baseApp(deps);
  app.use(cors(deps.settings.corsOrigins));

  const open = new Router<GatewayState>({ prefix: '/api' }).use(healthRoutes(deps).routes());
  app.use(indexedRoutes(open));
  app.use(indexedRoutes(uiRoutes())); // the web UI's static files: public, they hold no data
  app.use(afterLateParts(deps));
  // Channel webhooks: authenticated by the platform's signature (checked by the channel), not the token.
  if (deps.channels && !deps.opening) deps.metrics.useChannels(deps.channels); // else once they run (late-parts.ts)
  app.use(channelWebhooks(deps));
  app.use(routineWebhooks(deps)); // /hooks/routines/<name>: authenticated by the routine's own secret

  app.use(
    authenticate(
      deps.tokens,
      (ctx) =>
        ctx.method === 'GET' &&
        (SSE_PATH.test(ctx.path) || JOB_STREAM_PATH.test(ctx.path) || GOAL_STREAM_PATH.test(ctx.path) || LOG_STREAM_PATH.test(ctx.path)),
    ),
  );
  app.use(rateLimit(deps.limiter));
  app.use((ctx, next) => {
    // Answers hold the user's data: never kept by a cache, never sniffed into another type.
    ctx.set({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    return next();
  });
  // /v1 reads its own bodies: OpenAI clients send long histories (its limit is larger) and curl
  // users omit the content type.
  const parse = jsonBody(deps.settings.maxBodyBytes);
  app.use((ctx, next) => (ctx.path.startsWith(`${OPENAI_PREFIX}/`) ? next() : parse(ctx, next)));
  app.use(builtOnFirstUse(() => apiRouter(deps, withOpenAi)));
  app.use(notFound());
  return app;
}

/**
 * The same routes as the owner-only control socket serves them: every request acts as the owner
 * (the socket's file mode admits no one else), with the same validation, errors and metrics; no
 * web UI, no channel webhooks, no /v1, and no rate limit for the owner's own CLI.
 */
export function createControlApp(deps: GatewayDeps): Koa<GatewayState> {
  const app = baseApp(deps);
  app.use(indexedRoutes(new Router<GatewayState>({ prefix: '/api' }).use(healthRoutes(deps).routes())));
  app.use(afterLateParts(deps));
  app.use(ownerOnSocket(deps.tokens.ownerId));
  app.use(jsonBody(deps.settings.maxBodyBytes));
  app.use(builtOnFirstUse(() => apiRouter(deps, false)));
  app.use(notFound());
  return app;
}
