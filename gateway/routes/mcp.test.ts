// Titan as an MCP server at the gateway's /mcp, met by the official SDK's client over Streamable
// HTTP: the owner's token sees every tool component with its schema and calls them; arguments are
// checked before a component sees them; another user's token sees only tools that need no
// approval; no token, no session.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { openGateway, openHarness, type Harness, type TestGateway } from '../../test/gateway/support.ts';

let harness: Harness;
let gw: TestGateway;
before(async () => {
  harness = await openHarness();
  gw = await openGateway(harness);
});
after(async () => {
  await gw.close();
  await harness.close();
});

async function connect(token: string | undefined): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), { requestInit: { headers } }));
  return client;
}

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

test('the owner lists every tool component with its schema and calls one', async () => {
  const client = await connect(gw.token);
  try {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ['echo', 'clock', 'kv', 'shell', 'write-file']) assert.ok(names.includes(name), names.join(', '));
    const echo = tools.find((t) => t.name === 'echo')!;
    assert.equal(echo.inputSchema.type, 'object');
    assert.ok(echo.inputSchema.properties && 'text' in echo.inputSchema.properties);
    assert.equal(echo.annotations?.readOnlyHint, true);
    assert.equal(tools.find((t) => t.name === 'write-file')?.annotations?.readOnlyHint, false);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'over mcp' } });
    assert.equal(result.isError, undefined);
    assert.deepEqual(JSON.parse(text(result)), { text: 'over mcp' });
  } finally {
    await client.close();
  }
});

test('bad arguments and unknown tools are coded tool errors; no component sees them', async () => {
  const client = await connect(gw.token);
  try {
    const bad = await client.callTool({ name: 'echo', arguments: { text: 7 } });
    assert.equal(bad.isError, true);
    assert.match(text(bad), /^TITAN_E_TOOL_ARGUMENTS: the arguments of echo do not match its schema: "text" must be string/);
    const unknown = await client.callTool({ name: 'teleport', arguments: {} });
    assert.equal(unknown.isError, true);
    assert.match(text(unknown), /^TITAN_E_TOOL_UNKNOWN/);
  } finally {
    await client.close();
  }
});

test("a stored secret in a tool's answer is redacted before it leaves for the MCP client", async () => {
  const value = 'kq7-unguessable-value-9d2f1c';
  await harness.kernel.secrets.set('MCP_TEST_KEY', value);
  const client = await connect(gw.token);
  try {
    const result = await client.callTool({ name: 'echo', arguments: { text: `the key is ${value}` } });
    assert.doesNotMatch(text(result), new RegExp(value));
    assert.match(text(result), /\[REDACTED:/);
  } finally {
    await client.close();
    await harness.kernel.secrets.remove('MCP_TEST_KEY');
  }
});

test('another user sees only the tools that run without approval, and cannot call the others', async () => {
  const token = await gw.gateway.deps.tokens.create('bob');
  const client = await connect(token);
  try {
    const names = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes('echo'));
    assert.ok(!names.includes('shell') && !names.includes('write-file'), names.join(', '));
    const refused = await client.callTool({ name: 'shell', arguments: { command: 'echo hi' } });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /^TITAN_E_TOOL_UNKNOWN/);
  } finally {
    await client.close();
  }
});

test('without a valid token the client cannot connect', async () => {
  await assert.rejects(connect(undefined));
  await assert.rejects(connect('not-a-token'));
});
