// The MCP SDK as Titan loads it: from the bundle `npm pack` writes into prebuilt/vendor/mcp/
// (toolchain/vendor.ts), so an installed Titan carries neither the SDK nor the server frameworks and
// schema library it depends on (express, hono, zod: about 20 MB), or from the SDK itself in a clone.
// Loaded by the modules that use it, which are themselves loaded lazily.
import { pathToFileURL } from 'node:url';
import { shippedFile } from '../../common/vendored.ts';
import type * as HttpParts from './sdk-http-server.ts';
import type * as Parts from './sdk-parts.ts';

/** The bundled entry when packed, else the source module that re-exports the SDK's parts. */
function entry(bundled: string, source: string): string {
  const file = shippedFile(bundled);
  return file ? pathToFileURL(file).href : new URL(source, import.meta.url).href;
}

const parts = (await import(entry('mcp/sdk.js', './sdk-parts.ts'))) as typeof Parts;

export const { Client, StdioClientTransport, StreamableHTTPClientTransport, Server, StdioServerTransport, ErrorCode, McpError } = parts;
export const { CallToolRequestSchema, ListToolsRequestSchema } = parts;
export type Client = Parts.Client;
export type Server = Parts.Server;
export type McpError = Parts.McpError;

/** The Streamable HTTP server transport, loaded on first use. */
export async function streamableHttpServerTransport(): Promise<typeof HttpParts.StreamableHTTPServerTransport> {
  return ((await import(entry('mcp/http-server.js', './sdk-http-server.ts'))) as typeof HttpParts).StreamableHTTPServerTransport;
}
