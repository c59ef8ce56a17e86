// The MCP servers the agent uses (under /api/mcp; /mcp is Titan's own MCP server, routes/mcp.ts),
// as `titan mcp` reads them: their state and tools, and reload after the config's mcp section
// changed. And Titan's own tools as `titan mcp serve` relays them to a client over stdio. All the
// owner's. Where no MCP service runs (the CLI answering on a stopped home) the lists are empty.
import { Router } from '@koa/router';
import { catalogToolHost } from '../../agent/api.ts';
import { requireAdmin } from '../auth.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';
import { body, params } from '../validate.ts';

const SERVER = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9-]{1,63}$' } } } as const;
const CALL = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'input'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, input: { type: 'string' }, callId: { type: 'string', maxLength: 200 } },
} as const;

export function mcpServerRoutes({ kernel, agent, mcp }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  // Titan's tools as an MCP client of `titan mcp serve` sees them: the agent's catalog, the owner's view.
  const ownTools = catalogToolHost(kernel, agent.tools, { admin: true });

  router.get('/mcp/servers', (ctx) => {
    requireAdmin(ctx);
    ctx.body = { servers: mcp?.servers() ?? [] };
  });

  router.get('/mcp/tools', (ctx) => {
    requireAdmin(ctx);
    ctx.body = { tools: mcp?.tools() ?? [] };
  });

  router.get('/mcp/servers/:name/tools', (ctx) => {
    requireAdmin(ctx);
    const { name } = params<{ name: string }>(ctx.params, SERVER, 'the path');
    ctx.body = { tools: mcp?.tools(name) ?? [] };
  });

  router.post('/mcp/reload', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = { servers: (await mcp?.reload()) ?? [] };
  });

  router.get('/mcp/titan/tools', async (ctx) => {
    requireAdmin(ctx);
    ctx.body = { tools: await ownTools.list() };
  });

  router.post('/mcp/titan/call', async (ctx) => {
    requireAdmin(ctx);
    const input = body<{ name: string; input: string; callId?: string }>(ctx.request.body, CALL);
    ctx.body = { output: await ownTools.call(input.name, input.input, input.callId ?? '') };
  });

  return router;
}
