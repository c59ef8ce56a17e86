// The MCP SDK's Streamable HTTP server transport (the gateway's /mcp), apart from sdk-parts.ts because
// it loads a web framework: only the first request to /mcp pays for it.
export { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
