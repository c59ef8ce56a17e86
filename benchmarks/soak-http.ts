// The soak over HTTP: N sequential turns through the gateway's /v1/chat/completions (continuing one
// thread by its x-titan-thread header), an instant model and the real store, printing the server
// process's RSS and its parts every 1,000 turns (the client is in the same process: its share is
// the fetch pool, constant). Target: RSS after the last 1,000 within 10% of after the first 1,000.
// TITAN_SOAK_TURNS shortens the run (default 10,000).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Agent } from '../agent/api.ts';
import type { LlmStream } from '../agent/loop/turn.ts';
import { startGateway } from '../gateway/server.ts';
import { bootstrapBuiltins } from '../kernel/api.ts';
import { openBenchKernel, printMachine } from './setup.ts';
import { writeResult } from './stats.ts';
import { logSample, reportSoak, sample, type Sample } from './memory-sample.ts';

const TURNS = Number(process.env.TITAN_SOAK_TURNS ?? 10_000);
const EVERY = Math.min(1_000, TURNS);

printMachine();
const bench = await openBenchKernel();
const { kernel, home } = bench;
const report = await bootstrapBuiltins(kernel);
if (report.failed.length) throw new Error(JSON.stringify(report.failed));
const instant: LlmStream = async function* () {
  yield { type: 'text', text: 'Hello' };
  yield { type: 'text', text: ' there.' };
  yield { type: 'stop', reason: 'end_turn' };
};
const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: instant });
await agent.start();
const gateway = await startGateway({ kernel, agent, port: 0, ownerId: 'bench', openAi: true, settings: { rateLimitPerMinute: 1_000_000 } });
const token = (await readFile(path.join(home, 'gateway-token'), 'utf8')).trim();

let thread: string | undefined;
async function turn(i: number): Promise<void> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(thread ? { 'x-titan-thread': thread } : {}) },
    body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content: `message ${i}` }] }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`turn ${i}: HTTP ${response.status} ${body.slice(0, 200)}`);
  thread ??= response.headers.get('x-titan-thread') ?? undefined;
}

const samples: Sample[] = [sample(0, 0)];
let windowStarted = performance.now();
for (let i = 1; i <= TURNS; i++) {
  await turn(i);
  if (i % EVERY === 0) {
    samples.push(sample(i, (performance.now() - windowStarted) / EVERY));
    logSample(samples.at(-1) as Sample);
    windowStarted = performance.now();
  }
}
await gateway.close();
await agent.close();
await bench.close();

await writeResult(
  'soak-http',
  reportSoak(`${TURNS} sequential turns over HTTP (/v1/chat/completions, one thread), instant model, real store (MB unless named)`, samples),
  { turns: TURNS, samples },
);
