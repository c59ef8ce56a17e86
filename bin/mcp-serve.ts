// `titan mcp serve`: Titan's tools to an MCP client over stdio (stdout carries only JSON-RPC).
// Through the running kernel when there is one, so calls run where its components serve; else on a
// kernel opened for as long as the client stays connected.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { catalogToolHost, createTitanMcpServer, type ToolHost } from '../agent/mcp/titan-server.ts';
import { ToolCatalog } from '../agent/loop/tool-catalog.ts';
import type { ToolInfo } from '../agent/loop/tool-catalog.ts';
import { runningKernel, withOfflineKernel } from './session.ts';

async function serve(host: ToolHost): Promise<void> {
  const server = createTitanMcpServer(host);
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  // The client closing our stdin is the end of the session.
  process.stdin.once('end', () => void server.close());
  await server.connect(new StdioServerTransport());
  await closed;
}

export async function serveStdio(): Promise<number> {
  const client = await runningKernel();
  if (client) {
    await serve({
      list: () => client.request<ToolInfo[]>('GET', '/mcp/titan/tools'),
      call: (name, input, callId) => client.request<string>('POST', '/mcp/titan/call', { name, input, callId }),
    });
    return 0;
  }
  await withOfflineKernel(async (kernel, config) => {
    const catalog = new ToolCatalog(kernel, { trusted: config.agent.trustedTools, guarded: config.agent.guardedTools });
    await serve(catalogToolHost(kernel, catalog, { admin: true }));
  });
  return 0;
}
