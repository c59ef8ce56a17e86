// `titan mcp serve`: Titan's tools to an MCP client over stdio (stdout carries only JSON-RPC), by
// the mcp routes: through the running kernel when there is one, so calls run where its components
// serve; else on a kernel opened for as long as the client stays connected.
import { createTitanMcpServer, mcpStdioServerTransport, type ToolHost, type ToolInfo } from '../agent/api.ts';
import { withClient } from './client.ts';

async function serve(host: ToolHost): Promise<void> {
  const server = await createTitanMcpServer(host);
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  // The client closing our stdin is the end of the session.
  process.stdin.once('end', () => void server.close());
  const StdioServerTransport = await mcpStdioServerTransport();
  await server.connect(new StdioServerTransport());
  await closed;
}

export async function serveStdio(): Promise<number> {
  await withClient((client) =>
    serve({
      list: async () => (await client.request<{ tools: ToolInfo[] }>('GET', '/api/mcp/titan/tools')).tools,
      call: async (name, input, callId) => (await client.request<{ output: string }>('POST', '/api/mcp/titan/call', { name, input, callId })).output,
    }),
  );
  return 0;
}
