// MCP servers as the agent meets them: a real server from npm (server-filesystem) over stdio, an
// SDK-built server over Streamable HTTP with a bearer token, and a server that crashes, hangs or
// garbles JSON-RPC - whose calls fail with coded errors while it is restarted.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { isTitanError } from '../../common/errors.ts';
import { McpClients } from './clients.ts';
import { MCP_DEFAULTS, type McpServerConfig } from './config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILESYSTEM = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const UNRULY = fileURLToPath(new URL('./fixtures/unruly-server.ts', import.meta.url));
const node = (script: string, ...args: string[]): McpServerConfig => ({
  ...MCP_DEFAULTS,
  command: process.execPath,
  args: ['--disable-warning=ExperimentalWarning', script, ...args],
});

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e as Error,
  );
  assert.ok(isTitanError(error), String(error));
  assert.equal(error.code, code, error.message);
  return error;
}

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'titan-mcp-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('server-filesystem from npm over stdio', () => {
  const clients = new McpClients();
  after(() => clients.close());

  test("its tools appear namespaced with their schemas; calls read files; a refusal is the tool's coded error", async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'remember the milk\n');
    await clients.apply({ servers: { fs: node(FILESYSTEM, dir) } });
    assert.equal(clients.status()[0].state, 'up');
    const tools = clients.tools();
    const read = tools.find((t) => t.name === 'fs__read_text_file');
    assert.ok(read, tools.map((t) => t.name).join(', '));
    assert.equal((read.schema as { properties: Record<string, unknown> }).properties.path !== undefined, true);
    assert.equal(read.needsApproval, false, 'read-only by its annotation, so `ask` does not ask');
    assert.equal(tools.find((t) => t.name === 'fs__write_file')?.needsApproval, true);
    const text = await clients.invoke('fs__read_text_file', JSON.stringify({ path: path.join(dir, 'notes.txt') }), 'c1');
    assert.match(text, /remember the milk/);
    await rejectsWith(clients.invoke('fs__read_text_file', JSON.stringify({ path: '/etc/passwd' }), 'c2'), 'TITAN_E_MCP_TOOL_ERROR');
  });

  test('a removed server stops and its tools leave the list', async () => {
    await clients.apply({ servers: {} });
    assert.deepEqual(clients.tools(), []);
    assert.equal(clients.owns('fs__read_text_file'), false);
  });
});

describe('a server that misbehaves', () => {
  let starts: string;
  const clients = new McpClients();
  before(async () => {
    starts = path.join(dir, 'starts');
    const server = { ...node(UNRULY), env: { UNRULY_STARTS: starts }, timeoutMs: 400 };
    await clients.apply({ servers: { unruly: server } });
  });
  after(() => clients.close());
  const startCount = async () => (await readFile(starts, 'utf8')).trim().split('\n').length;
  const up = () => clients.status()[0].state === 'up';

  test('crashing mid-call: TITAN_E_MCP_PROTOCOL, then calls fail as unavailable, then it is back', async () => {
    assert.equal(await clients.invoke('unruly__echo', '{"text":"hi"}', 'a'), 'hi');
    await rejectsWith(clients.invoke('unruly__crash', '{}', 'b'), 'TITAN_E_MCP_PROTOCOL');
    assert.equal(clients.tools().find((t) => t.name === 'unruly__echo')?.available, false, 'its tools stay listed, marked unavailable');
    if (!up()) await rejectsWith(clients.invoke('unruly__echo', '{"text":"hi"}', 'c'), 'TITAN_E_MCP_UNAVAILABLE');
    await until('the restart', up);
    assert.equal(await clients.invoke('unruly__echo', '{"text":"again"}', 'd'), 'again');
    assert.equal(await startCount(), 2);
    assert.equal(clients.status()[0].restarts, 1);
  });

  test('hanging past its time limit: TITAN_E_MCP_TIMEOUT, and the server is restarted', async () => {
    const before = await startCount();
    const started = Date.now();
    await rejectsWith(clients.invoke('unruly__hang', '{}', 'e'), 'TITAN_E_MCP_TIMEOUT');
    assert.ok(Date.now() - started < 2000);
    await until('the restart', () => up() && clients.status()[0].restarts >= 2);
    assert.equal(await startCount(), before + 1);
    assert.equal(await clients.invoke('unruly__echo', '{"text":"ok"}', 'f'), 'ok');
  });

  test('malformed JSON-RPC: TITAN_E_MCP_PROTOCOL at once (not a timeout), and the server is restarted', async () => {
    const before = await startCount();
    const error = await rejectsWith(clients.invoke('unruly__garble', '{}', 'g'), 'TITAN_E_MCP_PROTOCOL');
    assert.match(error.message, /malformed JSON-RPC/);
    await until('the restart', up);
    assert.equal(await startCount(), before + 1);
  });

  test('a server that changes its tools says so, and the new list is offered without a restart', async () => {
    assert.equal(clients.owns('unruly__grown'), false);
    assert.equal(await clients.invoke('unruly__grow', '{}', 'i'), 'grown');
    await until('the new tool list', () => clients.owns('unruly__grown'));
    assert.equal(await clients.invoke('unruly__grown', '{}', 'j'), 'here');
  });

  test("isError answers are the tool's coded error with its text", async () => {
    const error = await rejectsWith(clients.invoke('unruly__fail', '{}', 'h'), 'TITAN_E_MCP_TOOL_ERROR');
    assert.match(error.message, /it went wrong on purpose/);
  });

  test('closing while servers are still starting leaves no server process behind', async () => {
    const file = path.join(dir, 'starts-closed');
    const quick = new McpClients();
    const applied = quick.apply({ servers: { a: { ...node(UNRULY), env: { UNRULY_STARTS: file } }, b: { ...node(UNRULY), env: { UNRULY_STARTS: file } } } });
    await new Promise((r) => setTimeout(r, 150));
    await quick.close();
    await applied;
    await new Promise((r) => setTimeout(r, 500));
    const pids = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).map(Number);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    assert.deepEqual(alive, []);
  });

  test('a server that exits at start is down with its error and retried with backoff', async () => {
    const broken = new McpClients();
    try {
      await broken.apply({ servers: { gone: { ...node(UNRULY), env: { UNRULY_EXIT_AT_START: '1' } } } });
      const [status] = broken.status();
      assert.equal(status.state, 'down');
      assert.equal(status.lastError?.code, 'TITAN_E_MCP_UNAVAILABLE');
      assert.ok(status.nextRetryAt && status.nextRetryAt > Date.now());
    } finally {
      await broken.close();
    }
  });
});

describe('an SDK-built server over Streamable HTTP with a bearer token', () => {
  const TOKEN = 'test-token-123';
  let server: http.Server;
  let url: string;
  const seen: string[] = [];
  before(async () => {
    server = http.createServer(async (request, response) => {
      seen.push(request.headers.authorization ?? '');
      if (request.headers.authorization !== `Bearer ${TOKEN}`) {
        response.writeHead(401).end();
        return;
      }
      // Stateless: a server and a transport per request.
      const mcp = new Server({ name: 'weather', version: '1.0.0' }, { capabilities: { tools: {} } });
      mcp.setRequestHandler(ListToolsRequestSchema, async () => ({
        tools: [
          {
            name: 'forecast',
            description: 'The forecast for a city',
            inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        ],
      }));
      mcp.setRequestHandler(CallToolRequestSchema, async (call) => ({ content: [{ type: 'text', text: `sunny in ${String(call.params.arguments?.city)}` }] }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      response.on('close', () => void transport.close());
      await mcp.connect(transport);
      await transport.handleRequest(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );

  test('the token from the named environment variable is sent; its tools are called', async () => {
    process.env.TITAN_TEST_MCP_TOKEN = TOKEN;
    const clients = new McpClients();
    try {
      await clients.apply({ servers: { weather: { ...MCP_DEFAULTS, url, bearerEnv: 'TITAN_TEST_MCP_TOKEN' } } });
      assert.equal(clients.status()[0].state, 'up', JSON.stringify(clients.status()));
      assert.deepEqual(
        clients.tools().map((t) => t.name),
        ['weather__forecast'],
      );
      assert.equal(clients.tools()[0].needsApproval, true, 'not marked read-only: `ask` asks');
      assert.equal(await clients.invoke('weather__forecast', '{"city":"Paris"}', 'w1'), 'sunny in Paris');
    } finally {
      await clients.close();
      delete process.env.TITAN_TEST_MCP_TOKEN;
    }
  });

  test('a token named as a stored secret is read from the secret store when the server connects', async () => {
    const asked: string[] = [];
    const clients = new McpClients({
      secret: async (name) => {
        asked.push(name);
        return name === 'WEATHER_TOKEN' ? TOKEN : undefined;
      },
    });
    try {
      await clients.apply({ servers: { weather: { ...MCP_DEFAULTS, url, bearerSecret: 'WEATHER_TOKEN' } } });
      assert.equal(clients.status()[0].state, 'up');
      assert.deepEqual(asked, ['WEATHER_TOKEN']);
      assert.equal(await clients.invoke('weather__forecast', '{"city":"Oslo"}', 'w2'), 'sunny in Oslo');
    } finally {
      await clients.close();
    }
  });

  test('a missing token is a coded error and nothing is sent; a wrong one leaves the server down', async () => {
    const clients = new McpClients();
    try {
      const before = seen.length;
      await clients.apply({ servers: { weather: { ...MCP_DEFAULTS, url, bearerEnv: 'TITAN_TEST_MCP_UNSET' } } });
      assert.equal(clients.status()[0].lastError?.code, 'TITAN_E_MCP_SECRET_MISSING');
      assert.equal(seen.length, before);
      process.env.TITAN_TEST_MCP_WRONG = 'wrong';
      await clients.apply({ servers: { weather: { ...MCP_DEFAULTS, url, bearerEnv: 'TITAN_TEST_MCP_WRONG' } } });
      assert.equal(clients.status()[0].state, 'down');
      assert.equal(clients.status()[0].lastError?.code, 'TITAN_E_MCP_UNAVAILABLE');
    } finally {
      await clients.close();
      delete process.env.TITAN_TEST_MCP_WRONG;
    }
  });
});
