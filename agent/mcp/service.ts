// The MCP servers of a running kernel: started from the config's mcp section beside the agent,
// their tools added to the agent's catalog, re-read when `titan mcp add|rm` changes the config
// (the gateway's mcp routes, on the control socket), stopped with the kernel.
import type { Kernel } from '../../kernel/api.ts';
import type { Agent } from '../loop/agent.ts';
import { McpClients, type McpToolInfo } from './clients.ts';
import { readMcpSection, type McpSection } from './config.ts';
import type { McpStatus, SecretReader } from './connection.ts';
import { catalogToolHost, type ToolHost } from './tool-host.ts';

export type McpServerView = McpStatus & { config: McpSection['servers'][string]; stderr: string[] };
export type McpToolView = Pick<McpToolInfo, 'name' | 'server' | 'tool' | 'description' | 'schema' | 'needsApproval' | 'available'>;

export class McpService {
  readonly clients: McpClients;
  readonly #kernel: Kernel;
  readonly #agent: Agent;
  /** Titan's own tools as the owner's MCP clients see them (`titan mcp serve` reaches them through the control socket). */
  readonly ownTools: ToolHost;
  #section: McpSection = { servers: {} };

  private constructor(kernel: Kernel, agent: Agent, secret: SecretReader | undefined) {
    this.#kernel = kernel;
    this.#agent = agent;
    this.ownTools = catalogToolHost(kernel, agent.tools, { admin: true });
    this.clients = new McpClients({
      secret,
      // Progress notifications reach the turn as tool.output, like a component's streamed output.
      // The leak guard sees them first, as it sees every tool's output.
      progress: (callId, text) =>
        kernel.bus.emit('component.event', { slot: 'mcp', version: '', callId, kind: 'progress', data: kernel.leaks.redact(text, 'tool:mcp') }),
    });
    this.clients.onChange = (status) => {
      const why = status.lastError ? `: ${status.lastError.code}: ${status.lastError.message}` : '';
      kernel.logger.info({ mcp: status.name, state: status.state, tools: status.tools }, `MCP server ${status.name} ${status.state}${why}`);
    };
  }

  /** Starts every configured server (each gets its first attempt before this resolves) and lends their tools to the agent. */
  static async start(kernel: Kernel, agent: Agent, options: { secret?: SecretReader } = {}): Promise<McpService> {
    // Bearer tokens named by `bearerSecret` come from the kernel's secret store, read when a server (re)connects.
    const service = new McpService(kernel, agent, options.secret ?? ((name) => kernel.secrets.value(name)));
    agent.tools.addSource(service.clients);
    await service.reload();
    return service;
  }

  /** Re-reads the mcp section: new servers start, removed ones stop, changed ones restart. */
  async reload(): Promise<McpServerView[]> {
    this.#section = await readMcpSection(this.#kernel.paths.config);
    await this.clients.apply(this.#section);
    return this.servers();
  }

  servers(): McpServerView[] {
    return this.clients.status().map((status) => {
      const connection = this.clients.connection(status.name);
      const stderr = connection.stderrTail().map((line) => this.#kernel.leaks.redact(line, `mcp:${status.name}`));
      return { ...status, config: connection.config, stderr };
    });
  }

  tools(server?: string): McpToolView[] {
    if (server) this.clients.connection(server); // an unknown name is an error, not an empty list
    return this.clients
      .tools()
      .filter((t) => !server || t.server === server)
      .map((t) => this.#agent.tools.withPolicy(t)) // the owner's trustedTools/guardedTools count too
      .map(({ name, server, tool, description, schema, needsApproval, available }) => ({ name, server, tool, description, schema, needsApproval, available }));
  }

  close(): Promise<void> {
    return this.clients.close();
  }
}
