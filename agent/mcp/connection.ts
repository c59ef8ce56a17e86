// One configured MCP server, supervised: connected through the official SDK (a stdio child process
// or Streamable HTTP), its tools listed, restarted with backoff when it exits, breaks the protocol
// or hangs a call. Calls fail with coded errors while it is down; nothing here blocks a turn.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { TitanError } from '../../common/errors.ts';
import type { McpServerConfig } from './config.ts';
import { Client, ErrorCode as RpcCode, McpError, StdioClientTransport, StreamableHTTPClientTransport } from './sdk.ts';

export type McpTool = { name: string; description: string; inputSchema: Record<string, unknown>; readOnly: boolean };
export type McpState = 'starting' | 'up' | 'down' | 'stopped';
export type McpStatus = {
  name: string;
  transport: 'stdio' | 'http';
  state: McpState;
  tools: number;
  restarts: number;
  lastError?: { code: string; message: string };
  nextRetryAt?: number;
};
/** Where a bearer token's value is read from: a stored secret, by name (none until a secrets store is wired). */
export type SecretReader = (name: string) => Promise<string | undefined>;
type ProgressSink = (callId: string, text: string) => void;

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A connection that stayed up this long starts its next backoff from the beginning. */
const STABLE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 20_000;
const STDERR_LINES = 20;

export class McpConnection {
  readonly name: string;
  readonly config: McpServerConfig;
  state: McpState = 'starting';
  tools: McpTool[] = [];
  restarts = 0;
  lastError: { code: string; message: string } | undefined;
  nextRetryAt: number | undefined;
  /** Called whenever the state or the tool list changes. */
  onChange: (() => void) | undefined;
  readonly #secret: SecretReader;
  readonly #progress: ProgressSink;
  #client: Client | undefined;
  #upSince = 0;
  #backoffMs = FIRST_BACKOFF_MS;
  #retry: NodeJS.Timeout | undefined;
  /** Set when the server broke the protocol: the calls it fails carry this reason. */
  #broken: TitanError | undefined;
  readonly #calls = new Map<string, AbortController>();
  readonly #stderr: string[] = [];

  constructor(name: string, config: McpServerConfig, options: { secret?: SecretReader; progress?: ProgressSink } = {}) {
    this.name = name;
    this.config = config;
    this.#secret = options.secret ?? (async () => undefined);
    this.#progress = options.progress ?? (() => {});
  }

  /** Connects (or keeps retrying in the background); resolves after the first attempt either way. */
  start(): Promise<void> {
    return this.#connect();
  }

  status(): McpStatus {
    return {
      name: this.name,
      transport: this.config.url ? 'http' : 'stdio',
      state: this.state,
      tools: this.tools.length,
      restarts: this.restarts,
      lastError: this.lastError,
      nextRetryAt: this.state === 'down' ? this.nextRetryAt : undefined,
    };
  }

  /** The last lines the server wrote on stderr (stdio servers), for `titan mcp list`. */
  stderrTail(): string[] {
    return [...this.#stderr];
  }

  async #connect(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'starting';
    this.#broken = undefined;
    const client = new Client(
      { name: 'titan', version: '0.1.0' },
      {
        capabilities: {},
        // A server that changes its tools says so; the agent's next model step sees the new list.
        listChanged: {
          tools: {
            onChanged: (error, tools) => {
              if (error || !tools || this.#client !== client) return;
              this.tools = tools.map(toMcpTool);
              this.onChange?.();
            },
          },
        },
      },
    );
    this.#client = client;
    try {
      const transport = await this.#transport();
      // While connecting, a close fails connect() and the catch below tells why.
      client.onclose = () =>
        this.state === 'up' &&
        this.#lost(client, this.#broken ?? new TitanError('TITAN_E_MCP_PROTOCOL', `MCP server ${this.name} closed the connection${this.#stderrHint()}`));
      client.onerror = (error) => {
        // A line that is not JSON-RPC: the server is broken; calls in flight would never be answered.
        if (error instanceof SyntaxError || error.name === 'ZodError' || /JSON|parse/i.test(error.message)) {
          this.#broken = new TitanError('TITAN_E_MCP_PROTOCOL', `MCP server ${this.name} sent malformed JSON-RPC: ${error.message.slice(0, 200)}`);
          void client.close();
        }
      };
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
      const tools = await this.#listTools(client);
      if (this.#client !== client) {
        // Stopped (or replaced) while connecting: this connection is nobody's, close it.
        await client.close().catch(() => {});
        return;
      }
      this.tools = tools;
      this.state = 'up';
      this.#upSince = Date.now();
      this.lastError = undefined;
      this.onChange?.();
    } catch (error) {
      const titan =
        error instanceof TitanError
          ? error
          : new TitanError('TITAN_E_MCP_UNAVAILABLE', `MCP server ${this.name} did not start: ${(error as Error).message}${this.#stderrHint()}`);
      this.#lost(client, titan);
    }
  }

  async #transport(): Promise<Transport> {
    const config = this.config;
    if (config.url) {
      const headers: Record<string, string> = {};
      const token = config.bearerEnv ? process.env[config.bearerEnv] : config.bearerSecret ? await this.#secret(config.bearerSecret) : undefined;
      if ((config.bearerEnv || config.bearerSecret) && !token) {
        const where = config.bearerEnv ? `environment variable ${config.bearerEnv}` : `secret ${config.bearerSecret}`;
        throw new TitanError('TITAN_E_MCP_SECRET_MISSING', `MCP server ${this.name} needs a bearer token from the ${where}, which is not set`);
      }
      if (token) headers.authorization = `Bearer ${token}`;
      return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers } });
    }
    const transport = new StdioClientTransport({ command: config.command!, args: config.args, env: config.env, cwd: config.cwd, stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.#stderr.push(line.slice(0, 500));
      this.#stderr.splice(0, Math.max(0, this.#stderr.length - STDERR_LINES));
    });
    return transport;
  }

  #stderrHint(): string {
    const last = this.#stderr.at(-1);
    return last ? ` (its last stderr line: ${last})` : '';
  }

  async #listTools(client: Client): Promise<McpTool[]> {
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: CONNECT_TIMEOUT_MS });
      tools.push(...page.tools.map(toMcpTool));
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /** The connection ended (or never began): calls fail, and a restart is scheduled with backoff. */
  #lost(client: Client, reason: TitanError): void {
    if (this.#client !== client || this.state === 'stopped') {
      void client.close().catch(() => {});
      return;
    }
    this.#client = undefined;
    if (this.state === 'up' && Date.now() - this.#upSince >= STABLE_MS) this.#backoffMs = FIRST_BACKOFF_MS;
    this.state = 'down';
    this.lastError = { code: reason.code, message: reason.message };
    void client.close().catch(() => {});
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(MAX_BACKOFF_MS, this.#backoffMs * 2);
    this.nextRetryAt = Date.now() + delay;
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.restarts++;
      void this.#connect();
    }, delay);
    this.#retry.unref();
    this.onChange?.();
  }

  /** Calls one of the server's tools; its result as the text the model reads. */
  async call(tool: string, args: Record<string, unknown>, callId: string): Promise<string> {
    const client = this.#client;
    if (this.state !== 'up' || !client) {
      const why = this.lastError ? `: ${this.lastError.message}` : '';
      throw new TitanError('TITAN_E_MCP_UNAVAILABLE', `MCP server ${this.name} is ${this.state === 'starting' ? 'starting' : 'down'}${why}`);
    }
    const abort = new AbortController();
    this.#calls.set(callId, abort);
    let result: CallToolResult;
    try {
      result = (await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: this.config.timeoutMs,
        signal: abort.signal,
        onprogress: (p) => this.#progress(callId, p.message ?? `${p.progress}${p.total ? `/${p.total}` : ''}`),
      })) as CallToolResult;
    } catch (error) {
      throw this.#callError(client, tool, error, abort.signal);
    } finally {
      this.#calls.delete(callId);
    }
    const text = resultText(result);
    if (result.isError) throw new TitanError('TITAN_E_MCP_TOOL_ERROR', `${this.name}/${tool}: ${text.slice(0, 2000)}`);
    return text;
  }

  #callError(client: Client, tool: string, error: unknown, signal: AbortSignal): TitanError {
    if (signal.aborted) return new TitanError('TITAN_E_INTERRUPTED', `the call to ${this.name}/${tool} was cancelled`);
    if (this.#broken) return this.#broken;
    if (error instanceof McpError && error.code === RpcCode.RequestTimeout) {
      // A hung server: it is restarted, so the next call meets a fresh one.
      const hung = new TitanError('TITAN_E_MCP_TIMEOUT', `${this.name}/${tool} did not answer within ${this.config.timeoutMs} ms`);
      this.#lost(client, hung);
      return hung;
    }
    if (error instanceof McpError && error.code === RpcCode.ConnectionClosed) {
      return new TitanError('TITAN_E_MCP_PROTOCOL', `MCP server ${this.name} exited during the call to ${tool}${this.#stderrHint()}`);
    }
    if (error instanceof McpError) return new TitanError('TITAN_E_MCP_TOOL_ERROR', `${this.name}/${tool}: ${error.message}`);
    return new TitanError('TITAN_E_MCP_PROTOCOL', `${this.name}/${tool}: ${(error as Error)?.message ?? String(error)}`);
  }

  /** Stops a call in flight (the SDK sends the server a cancellation). */
  cancel(callId: string): void {
    this.#calls.get(callId)?.abort(new TitanError('TITAN_E_INTERRUPTED', 'the turn was interrupted'));
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.#retry);
    for (const abort of this.#calls.values()) abort.abort();
    const client = this.#client;
    this.#client = undefined;
    await client?.close().catch(() => {});
  }
}

function toMcpTool(tool: Tool): McpTool {
  return {
    name: tool.name,
    description: tool.description ?? tool.title ?? '',
    inputSchema: tool.inputSchema as Record<string, unknown>,
    readOnly: tool.annotations?.readOnlyHint === true,
  };
}

/** Text parts as they are; anything else (images, resources, structured content) as JSON. */
function resultText(result: CallToolResult): string {
  const content = result.content ?? [];
  if (content.length > 0 && content.every((part) => part.type === 'text')) return content.map((part) => (part as { text: string }).text).join('\n');
  if (content.length === 0 && result.structuredContent) return JSON.stringify(result.structuredContent);
  return JSON.stringify({ content, ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}) });
}
