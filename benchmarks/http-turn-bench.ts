// One thread of warm turns over Titan's OpenAI-compatible HTTP API, as the turn benchmarks measure
// it: a fresh home, every built-in, the real store and OpenAI provider component talking to the
// scripted model server (a separate process, zero latency), the gateway with rate limiting out of
// the way. Shared by turn-parts.ts (time per part) and turn-wal.ts (WAL writes per turn).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Agent, createLlmFromEnv } from '../agent/api.ts';
import { startGateway } from '../gateway/server.ts';
import { bootstrapBuiltins, type Kernel } from '../kernel/api.ts';
import { startModelServer } from './model-server.ts';
import { openBenchKernel } from './setup.ts';

export type HttpTurnBench = {
  kernel: Kernel;
  home: string;
  /** Sends turn `i` ("message i") in the bench's one thread; resolves to its time as the client saw it (ms). */
  turn(i: number): Promise<number>;
  close(): Promise<void>;
};

export async function openHttpTurnBench(): Promise<HttpTurnBench> {
  const model = await startModelServer({ timeline: false });
  const bench = await openBenchKernel();
  const { kernel, home } = bench;
  const report = await bootstrapBuiltins(kernel);
  if (report.failed.length) throw new Error(JSON.stringify(report.failed));
  const llm = createLlmFromEnv(kernel, { TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: model.url });
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: (request, options) => llm.stream(request, options) });
  await agent.start();
  const gateway = await startGateway({ kernel, agent, llm, port: 0, ownerId: 'bench', openAi: true, settings: { rateLimitPerMinute: 1_000_000 } });
  const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();

  let thread: string | undefined;
  async function turn(i: number): Promise<number> {
    const started = performance.now();
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(thread ? { 'x-titan-thread': thread } : {}) },
      body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content: `message ${i}` }] }),
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`turn ${i}: HTTP ${response.status} ${body.slice(0, 300)}`);
    thread ??= response.headers.get('x-titan-thread') ?? undefined;
    return performance.now() - started;
  }

  async function close(): Promise<void> {
    await gateway.close();
    await agent.close();
    await bench.close();
    model.stop();
  }
  return { kernel, home, turn, close };
}
