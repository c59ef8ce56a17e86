// The README's MCP path, end to end: `npm start` runs; one `titan mcp add` gives the running agent
// server-filesystem's tools (the real server from npm, over stdio); a chat through the gateway has
// the model (the scripted LLM server) call one and answer from its result; `titan mcp list|tools|rm`
// show and change it; `titan mcp serve` offers Titan's own tools to the SDK's stdio client.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startScriptedLlm, type ScriptedLlm } from '../../agent/api.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { PROJECT_ROOT, runTitan } from '../support/cli.ts';

const FILESYSTEM = path.join(PROJECT_ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

let home: string;
let cleanup: () => Promise<void>;
let notes: string;
let llm: ScriptedLlm;
let kernel: ChildProcess;
let output = '';
let gateway = '';

before(async () => {
  ({ home, cleanup } = await tempHome('titan-cli-mcp-'));
  // The built-ins come from the build cache the other tests share (test/cli/start.test.ts covers a first build).
  await mkdir(TEST_CACHE, { recursive: true });
  await symlink(TEST_CACHE, path.join(home, 'cache'));
  notes = await mkdtemp(path.join(os.tmpdir(), 'titan-notes-'));
  await writeFile(path.join(notes, 'shopping.txt'), 'remember the milk\n');
  llm = await startScriptedLlm({
    script: {
      name: 'mcp-e2e',
      turns: [
        {
          match: { lastUserContains: 'shopping' },
          content: [{ type: 'tool_call', name: 'fs__read_text_file', arguments: { path: path.join(notes, 'shopping.txt') } }],
        },
        { match: { lastMessageContains: 'remember the milk' }, content: [{ type: 'text', text: 'Your list says: remember the milk.' }] },
      ],
    },
  });
  kernel = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TITAN_HOME: home, TITAN_PORT: '0', TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: llm.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  kernel.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  kernel.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      const match = /gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match && output.includes('Ctrl-C stops')) {
        clearInterval(check);
        gateway = match[1];
        resolve();
      }
    }, 50);
    kernel.once('exit', (code) => {
      clearInterval(check);
      reject(new Error(`kernel exited with ${code}:\n${output}`));
    });
  });
});

after(async () => {
  if (kernel.exitCode === null) kernel.kill('SIGKILL');
  await llm.close();
  await rm(notes, { recursive: true, force: true });
  await cleanup();
});

async function api(method: string, route: string, body?: unknown): Promise<any> {
  const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
  const response = await fetch(gateway + route, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

test("one `titan mcp add` gives the running agent the server's tools, and it uses them in a chat", async () => {
  const added = await runTitan(['mcp', 'add', 'fs', '--', process.execPath, FILESYSTEM, notes], home);
  assert.equal(added.code, 0, added.stderr + added.stdout);
  assert.match(added.stdout, /added MCP server fs: .*server-filesystem.* \(approval: ask\)/);
  assert.match(added.stdout, /fs: up, \d+ tools: .*fs__read_text_file/);
  assert.match(added.stdout, /the running agent can use its tools now/);
  const config = JSON.parse(await readFile(path.join(home, 'config.json'), 'utf8'));
  assert.deepEqual(config.mcp.servers.fs.args, [FILESYSTEM, notes]);
  assert.equal(config.mcp.servers.fs.cwd, path.resolve(PROJECT_ROOT), 'relative paths keep meaning where the command ran');

  const thread = await api('POST', '/api/threads', {});
  await api('POST', `/api/threads/${thread.id}/messages`, { text: 'what is on my shopping list?' });
  let messages: Array<{ role: string; content: string }> = [];
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    messages = (await api('GET', `/api/threads/${thread.id}/messages`)).messages;
    if (messages.some((m) => m.role === 'assistant' && m.content.includes('Your list says'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(
    messages.map((m) => m.role),
    ['user', 'assistant', 'tool', 'assistant'],
    JSON.stringify(messages),
  );
  assert.match(messages[2].content, /remember the milk/, 'the tool result came from the file, through the MCP server');
  assert.equal(messages[3].content, 'Your list says: remember the milk.');
  // Counted in /metrics like any tool call, and the server's state beside it.
  const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();
  const metrics = await (await fetch(`${gateway}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  assert.match(metrics, /titan_tool_duration_seconds_count\{tool="fs__read_text_file",ok="true"\} 1/);
  assert.match(metrics, /titan_mcp_servers\{server="fs",state="up"\} 1/);
  // The model was offered the server's tools with their schemas.
  const request = llm.timeline().find((e) => e.turn === 0);
  assert.ok(request, 'the model was asked');
  const offered = (request.body as { tools: Array<{ function: { name: string; parameters: { required: string[] } } }> }).tools.find(
    (t) => t.function.name === 'fs__read_text_file',
  );
  assert.deepEqual(offered?.function.parameters.required, ['path']);
});

test('titan mcp list and tools show the running server; rm stops it', async () => {
  const list = await runTitan(['mcp', 'list'], home);
  assert.match(list.stdout, /fs\s+up\s+\d+\s+0\s+ask\s+.*server-filesystem/);
  const tools = JSON.parse((await runTitan(['mcp', 'tools', 'fs', '--json'], home)).stdout) as Array<{ name: string; needsApproval: boolean }>;
  assert.equal(tools.find((t) => t.name === 'fs__read_text_file')?.needsApproval, false);
  assert.equal(tools.find((t) => t.name === 'fs__write_file')?.needsApproval, true);
  const bad = await runTitan(['mcp', 'add', 'Bad_Name', '--', 'true'], home);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^TITAN_E_MCP_CONFIG: "Bad_Name" is not a server name/);
  const policy = await runTitan(['mcp', 'add', 'x', '--approval', 'sometimes', '--', 'true'], home);
  assert.match(policy.stderr, /approval must be equal to one of the allowed values \(always, never, ask\)/);
  const removed = await runTitan(['mcp', 'rm', 'fs'], home);
  assert.match(removed.stdout, /removed MCP server fs; it was stopped/);
  assert.deepEqual(JSON.parse((await runTitan(['mcp', 'list', '--json'], home)).stdout), []);
  const again = await runTitan(['mcp', 'rm', 'fs'], home);
  assert.match(again.stderr, /^TITAN_E_MCP_UNKNOWN_SERVER/);
});

test("titan mcp serve offers Titan's tools to the SDK's stdio client", async () => {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--disable-warning=ExperimentalWarning', 'bin/titan.js', 'mcp', 'serve'],
      cwd: PROJECT_ROOT,
      env: { TITAN_HOME: home, PATH: process.env.PATH ?? '' },
      stderr: 'pipe',
    }),
  );
  try {
    const names = (await client.listTools()).tools.map((t) => t.name);
    for (const name of ['echo', 'clock', 'shell']) assert.ok(names.includes(name), names.join(', '));
    const result = await client.callTool({ name: 'echo', arguments: { text: 'through the kernel' } });
    assert.deepEqual(JSON.parse((result.content as Array<{ text: string }>)[0].text), { text: 'through the kernel' });
  } finally {
    await client.close();
  }
});
