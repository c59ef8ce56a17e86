// The configured MCP servers as one source of tools for the agent: each server's tools under its
// name (`fs__read_file`), with their JSON schemas and the server's approval policy; calls routed to
// the server's supervised connection. A config change starts, stops or restarts only what changed.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { TitanError } from '../../common/errors.ts';
import type { ToolInfo, ToolSource } from '../loop/tool-catalog.ts';
import type { McpSection } from './config.ts';
import type { McpConnection, McpStatus, McpTool, SecretReader } from './connection.ts';

/**
 * Between the server's name and its tool's. Not a dot: OpenAI and Anthropic accept only
 * [A-Za-z0-9_-] in tool names. Server names never contain `__`, so the split is unambiguous.
 */
export const SEPARATOR = '__';
const MAX_TOOL_NAME = 64;

export type McpToolInfo = ToolInfo & { server: string; tool: string; available: boolean };

export function qualifiedName(server: string, tool: string): string {
  return `${server}${SEPARATOR}${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, MAX_TOOL_NAME);
}

export class McpClients implements ToolSource {
  readonly #connections = new Map<string, McpConnection>();
  readonly #secret: SecretReader | undefined;
  readonly #progress: ((callId: string, text: string) => void) | undefined;
  /** Tool infos by qualified name, rebuilt when a server's tools or state change. */
  #byName = new Map<string, McpToolInfo>();
  /** Called when a server comes up, goes down or changes its tools. */
  onChange: ((status: McpStatus) => void) | undefined;

  constructor(options: { secret?: SecretReader; progress?: (callId: string, text: string) => void } = {}) {
    this.#secret = options.secret;
    this.#progress = options.progress;
  }

  /** Brings the running servers in line with the section; resolves when each new one made its first attempt. */
  async apply(section: McpSection): Promise<void> {
    const starting: Array<Promise<void>> = [];
    for (const [name, connection] of this.#connections) {
      if (isDeepStrictEqual(section.servers[name], connection.config)) continue;
      this.#connections.delete(name);
      await connection.stop();
    }
    const added = Object.entries(section.servers).filter(([name]) => !this.#connections.has(name));
    if (added.length) {
      // The MCP SDK loads with the first server configured, not with the agent.
      const { McpConnection } = await import('./connection.ts');
      for (const [name, config] of added) {
        const connection = new McpConnection(name, config, { secret: this.#secret, progress: this.#progress });
        connection.onChange = () => {
          this.#rebuild();
          this.onChange?.(connection.status());
        };
        this.#connections.set(name, connection);
        starting.push(connection.start());
      }
    }
    this.#rebuild();
    await Promise.all(starting);
  }

  #rebuild(): void {
    const byName = new Map<string, McpToolInfo>();
    for (const connection of this.#connections.values()) {
      const available = connection.state === 'up';
      for (const tool of connection.tools) {
        const info = toolInfo(connection, tool, available);
        byName.set(info.name, info);
      }
    }
    this.#byName = byName;
  }

  /** Every known tool; those of a server that is down stay listed, marked unavailable. */
  tools(): McpToolInfo[] {
    return [...this.#byName.values()];
  }

  owns(name: string): boolean {
    return this.#byName.has(name);
  }

  status(): McpStatus[] {
    return [...this.#connections.values()].map((c) => c.status());
  }

  connection(name: string): McpConnection {
    const connection = this.#connections.get(name);
    if (!connection) throw new TitanError('TITAN_E_MCP_UNKNOWN_SERVER', `no MCP server named "${name}"`);
    return connection;
  }

  async invoke(name: string, input: string, callId: string): Promise<string> {
    const info = this.#byName.get(name);
    if (!info) throw new TitanError('TITAN_E_TOOL_UNKNOWN', `there is no tool named "${name}"`);
    const args = JSON.parse(input) as Record<string, unknown>;
    return this.connection(info.server).call(info.tool, args, callId);
  }

  cancel(callId: string): void {
    for (const connection of this.#connections.values()) connection.cancel(callId);
  }

  async close(): Promise<void> {
    const connections = [...this.#connections.values()];
    this.#connections.clear();
    this.#byName.clear();
    await Promise.all(connections.map((c) => c.stop()));
  }
}

function toolInfo(connection: McpConnection, tool: McpTool, available: boolean): McpToolInfo {
  const { approval } = connection.config;
  const needsApproval = approval === 'always' || (approval === 'ask' && !tool.readOnly);
  const digest = `mcp:${createHash('sha256')
    .update(JSON.stringify([connection.name, tool]))
    .digest('hex')
    .slice(0, 32)}`;
  const description = available ? tool.description : `[unavailable: the MCP server ${connection.name} is restarting] ${tool.description}`;
  // Reflexes and shadow workers run tools through the kernel only: MCP tools stay out of them.
  return {
    name: qualifiedName(connection.name, tool.name),
    description,
    schema: tool.inputSchema,
    needsApproval,
    digest,
    sideEffects: true,
    server: connection.name,
    tool: tool.name,
    available,
  };
}
