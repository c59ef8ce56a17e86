// /api/code-graph: the workspace's code graph - what is indexed and what was skipped (GET), a re-index
// (POST /index, only changed files are parsed), and questions: definitions, callers, callees and the
// ranked neighbourhood of a symbol or file, and who changed it from git (GET /:question?target=...).
// Owner only: it reads the code.
import { Router } from '@koa/router';
import { codeGraphOf } from '../../agent/api.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { params } from '../validate.ts';

const QUESTION = {
  type: 'object',
  required: ['question'],
  properties: { question: { enum: ['definitions', 'callers', 'callees', 'neighbourhood', 'history'] } },
} as const;
const TARGET = {
  type: 'object',
  required: ['target'],
  properties: { target: { type: 'string', minLength: 1, maxLength: 512 }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 20 } },
} as const;

export function codeGraphRoutes({ kernel }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();

  router.get('/code-graph', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = await (await codeGraphOf(kernel)).status();
  });

  router.post('/code-graph/index', async (ctx) => {
    requireAdmin(ctx);
    const report = await (await codeGraphOf(kernel)).index();
    ctx.body = report;
  });

  // The picture on the Memory page: nodes and edges around a symbol or file.
  router.get('/code-graph/picture', async (ctx) => {
    requireAdmin(ctx);
    const { target, limit } = params<{ target: string; limit: number }>(ctx.query, TARGET);
    ctx.body = (await codeGraphOf(kernel)).picture(target, Math.min(limit, 200));
  });

  router.get('/code-graph/:question', async (ctx) => {
    requireAdmin(ctx);
    const { question } = params<{ question: 'definitions' | 'callers' | 'callees' | 'neighbourhood' | 'history' }>(ctx.params, QUESTION, 'the path');
    const { target, limit } = params<{ target: string; limit: number }>(ctx.query, TARGET);
    const graph = await codeGraphOf(kernel);
    if (question === 'history') {
      ctx.body = { question, target, root: graph.root, results: await graph.history(target, Math.min(limit, 50)), more: 0 };
      return;
    }
    const results = question === 'neighbourhood' ? graph.neighbourhood(target, { limit }) : graph[question](target);
    ctx.body = { question, target, root: graph.root, results: results.slice(0, limit), more: Math.max(0, results.length - limit) };
  });

  return router;
}
