// What Titan serves as an MCP server: the kernel's tool components a caller may see, and a way to
// run one. Apart from the server (titan-server.ts), so the agent has it without loading the MCP SDK.
import { TitanError } from '../../common/errors.ts';
import type { Kernel } from '../../kernel/api.ts';
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
