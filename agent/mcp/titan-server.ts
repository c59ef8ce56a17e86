// Titan as an MCP server: its tool components offered to other MCP clients (over stdio by
// `titan mcp serve`, over Streamable HTTP at the gateway's /mcp), with their schemas; arguments are
// checked by the host before a component sees them, and errors come back as coded tool errors.
// Loaded when a server is made (agent/api.ts), so the MCP SDK never loads with the agent alone.
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { TitanError } from '../../common/errors.ts';
import { ArgumentChecker } from '../loop/tool-arguments.ts';
import { CallToolRequestSchema, ListToolsRequestSchema, Server } from './sdk.ts';
import type { ToolHost } from './tool-host.ts';

const VERSION = '0.1.0';

export function createTitanMcpServer(host: ToolHost): Server {
  const server = new Server({ name: 'titan', version: VERSION }, { capabilities: { tools: {} } });
  const checker = new ArgumentChecker();
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await host.list()).map(
      (tool): Tool => ({
        name: tool.name,
        description: tool.description,
        inputSchema: { type: 'object', ...tool.schema } as Tool['inputSchema'],
        annotations: { readOnlyHint: !tool.sideEffects },
      }),
    ),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    try {
      const tool = (await host.list()).find((t) => t.name === name);
      if (!tool) throw new TitanError('TITAN_E_TOOL_UNKNOWN', `there is no tool named "${name}"`);
      checker.check(tool, args);
      const output = await host.call(name, JSON.stringify(args), `mcp-${randomUUID()}`);
      return { content: [{ type: 'text', text: output }] };
    } catch (error) {
      const titan = error instanceof TitanError ? error : new TitanError('TITAN_E_COMPONENT_TRAP', String((error as Error)?.message ?? error));
      return { content: [{ type: 'text', text: `${titan.code}: ${titan.message}` }], isError: true };
    }
  });
  return server;
}
