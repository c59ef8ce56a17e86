// Titan as an MCP server: its tool components offered to other MCP clients (over stdio by
// `titan mcp serve`, over Streamable HTTP at the gateway's /mcp), with their schemas; arguments are
// checked by the host before a component sees them, and errors come back as coded tool errors.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
import { ArgumentChecker } from '../loop/tool-arguments.ts';
import type { ToolCatalog, ToolInfo } from '../loop/tool-catalog.ts';

/** What the server serves: the tools a caller may see, and a way to run one (input as JSON text). */
export type ToolHost = {
  list(): Promise<ToolInfo[]>;
  call(name: string, input: string, callId: string): Promise<string>;
};

/**
 * The kernel's tool components (never the tools Titan itself borrows from MCP servers: no loops).
 * `admin`: the owner sees every tool; another user only tools that run without approval, since
 * nobody would be asked about a call that comes in this way.
 */
export function catalogToolHost(kernel: Kernel, catalog: ToolCatalog, caller: { admin: boolean }): ToolHost {
  return {
    async list() {
      const tools = (await catalog.list()).filter((t) => !catalog.sourceOf(t.name));
      return caller.admin ? tools : tools.filter((t) => !t.needsApproval);
    },
    async call(name, input, callId) {
      // Leaving for another MCP client (and whatever model it feeds): the leak guard sees it first.
      const source = `mcp-client:${name}`;
      try {
        return kernel.leaks.redact((await kernel.call('tool', name, 'invoke', [input], { callId })) as string, source);
      } catch (error) {
        if (error instanceof TitanError) throw new TitanError(error.code, kernel.leaks.redact(error.message, source));
        throw new TitanError('TITAN_E_COMPONENT_TRAP', kernel.leaks.redact(String((error as Error)?.message ?? error), source));
      }
    },
  };
}

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
