// /mcp: Titan's tools to MCP clients over Streamable HTTP, behind the gateway's bearer token.
// Stateless (a server and a transport per request, JSON answers): nothing to keep between calls.
// User-scoped: the owner's token sees every tool component; another user's token only the tools
// that run without approval, since nobody would be asked about a call that comes in this way.
import { Router } from '@koa/router';
import { catalogToolHost, createTitanMcpServer, mcpHttpServerTransport } from '../../agent/api.ts';
import type { GatewayDeps, GatewayRouter, GatewayState } from '../deps.ts';

export const MCP_PATH = '/mcp';

export function mcpRoutes({ kernel, agent }: GatewayDeps): GatewayRouter {
  const router = new Router<GatewayState>();
  router.all(MCP_PATH, async (ctx) => {
    // The MCP SDK loads with the first request here, not with the gateway.
    const StreamableHTTPServerTransport = await mcpHttpServerTransport();
    const server = await createTitanMcpServer(catalogToolHost(kernel, agent.tools, { admin: ctx.state.user.admin }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    ctx.respond = false; // the SDK writes the answer
    ctx.res.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(ctx.req, ctx.res, ctx.request.body);
  });
  return router;
}
