// MCP tool call overhead: the `echo` tool of server-everything (from npm, over stdio) called the way
// a turn calls it through Titan (the catalog finds its source, ajv checks the arguments against its
// schema, the supervised connection calls it and turns the result into text), against the same call
// straight from the official SDK client to a second process of the same server. The two paths
// alternate call by call, so load on the machine falls on both alike. Run alone: node benchmarks/mcp.ts
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolCatalog } from '../agent/loop/tool-catalog.ts';
import { McpClients } from '../agent/mcp/clients.ts';
import { MCP_DEFAULTS } from '../agent/mcp/config.ts';
import { openBenchKernel, printMachine } from './setup.ts';
import { against, metCell, printTable, row, summarize, writeResult, type Summary } from './stats.ts';

const RUNS = 500;
const WARMUP = 50;
const TARGET_OVERHEAD_MS = 1;
const EVERYTHING = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
const server = { command: process.execPath, args: [EVERYTHING, 'stdio'] };

printMachine();
const bench = await openBenchKernel({ builtins: false });
const clients = new McpClients();
const direct = new Client({ name: 'bench', version: '1.0.0' });
try {
  await clients.apply({ servers: { everything: { ...MCP_DEFAULTS, ...server } } });
  if (clients.status()[0].state !== 'up') throw new Error(`server-everything did not start: ${JSON.stringify(clients.status())}`);
  const catalog = new ToolCatalog(bench.kernel);
  catalog.addSource(clients);
  const tool = (await catalog.list()).find((t) => t.name === 'everything__echo');
  if (!tool) throw new Error('server-everything has no echo tool');
  await direct.connect(new StdioClientTransport({ ...server, stderr: 'ignore' }));

  // What a turn does per call once the model asked for it (tool lists are read once per model step).
  const throughTitan = async (i: number) => {
    const input = JSON.stringify({ message: `hello ${i}` });
    const args = JSON.parse(input) as unknown;
    catalog.checkArguments(tool, args);
    return catalog.sourceOf(tool.name)!.invoke(tool.name, input, `bench-${i}`);
  };
  const straight = async (i: number) => direct.callTool({ name: 'echo', arguments: { message: `hello ${i}` } });

  const titan: number[] = [];
  const sdk: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    let started = performance.now();
    const text = await throughTitan(i);
    const titanMs = performance.now() - started;
    if (!text.includes(`hello ${i}`)) throw new Error(`echo answered ${text}`);
    started = performance.now();
    await straight(i);
    const sdkMs = performance.now() - started;
    if (i < WARMUP) continue;
    titan.push(titanMs);
    sdk.push(sdkMs);
  }

  const results: Record<string, Summary> = { titan: summarize(titan), sdk: summarize(sdk) };
  const overhead = results.titan.p50 - results.sdk.p50;
  const target = against(overhead, '<=', TARGET_OVERHEAD_MS, 'ms');
  printTable(
    `MCP tool call (server-everything echo over stdio), ${RUNS} runs each after ${WARMUP} warm-up, alternating (ms)`,
    ['path', 'p50', 'p99', 'min', 'max'],
    [
      ['through Titan (catalog, ajv check, supervised connection)', results.titan.p50, results.titan.p99, results.titan.min, results.titan.max],
      ['straight from the SDK client', results.sdk.p50, results.sdk.p99, results.sdk.min, results.sdk.max],
    ],
  );
  console.log(`p50 overhead of Titan's path: ${overhead.toFixed(3)} ms (target <= ${TARGET_OVERHEAD_MS} ms) ${metCell(target.met)}`);
  const summary = [
    row('MCP call through Titan p50', results.titan.p50, 'ms'),
    row('MCP call straight from the SDK p50', results.sdk.p50, 'ms'),
    row('MCP call p50 overhead', overhead, 'ms', target),
  ];
  console.log(
    `results: ${await writeResult('mcp', summary, { runs: RUNS, warmup: WARMUP, server: path.basename(path.dirname(path.dirname(EVERYTHING))), results })}`,
  );
} finally {
  await direct.close().catch(() => {});
  await clients.close();
  await bench.close();
}
