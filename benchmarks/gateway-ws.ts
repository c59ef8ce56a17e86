// The gateway under load, and how soon it is ready:
// 1. 1,000 WebSocket clients (in a child process, so their work never slows the server's event
//    loop), each subscribed to its own thread, each sending a message over REST and receiving its
//    turn streamed by a model that writes 20 chunks 10 ms apart: the delay from a chunk leaving the
//    model to its arrival at the client (p50/p99), errors (target 0), the server's peak RSS.
// 2. `titan start` on a home whose components are cached, from spawning the process to the first
//    200 from /api/ready (target ≤ 300 ms; OpenClaw's readyz median is 1.46 s).
// Run alone: node --disable-warning=ExperimentalWarning benchmarks/gateway-ws.ts
import { fork } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startGateway } from '../gateway/server.ts';
import { bootstrapBuiltins } from '../kernel/api.ts';
import { Agent } from '../agent/api.ts';
import type { LlmStream } from '../agent/loop/turn.ts';
import { openBenchKernel, printMachine, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult } from './stats.ts';
import { timeStart } from './titan-start.ts';

const CLIENTS = Number(process.env.TITAN_BENCH_WS_CLIENTS ?? 1_000);
const CHUNKS = 20;
const CHUNK_GAP_MS = 10;
const READY_RUNS = 5;
const now = () => performance.timeOrigin + performance.now(); // comparable across processes
const SELF = fileURLToPath(import.meta.url);

type ClientJob = { url: string; token: string; threads: string[] };
type ClientReport = { delaysMs: number[]; errors: string[]; completed: number; wallMs: number };

if (process.argv[2] === '--clients') {
  process.once('message', (job: ClientJob) => void runClients(job).then((report) => process.send!(report, () => process.exit(0))));
} else {
  await main();
}

/** The client side: one socket per thread, subscribe, send, collect until the turn ends. */
async function runClients({ url, token, threads }: ClientJob): Promise<ClientReport> {
  const errors: string[] = [];
  const delaysMs: number[] = [];
  let completed = 0;
  const wsUrl = `${url.replace(/^http/, 'ws')}/api/ws`;
  const sockets = await Promise.all(
    threads.map(
      (threadId) =>
        new Promise<{ ws: WebSocket; done: Promise<void> }>((resolve) => {
          const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
          let chunks = 0;
          let finish!: () => void;
          const done = new Promise<void>((r) => (finish = r));
          ws.on('message', (data) => {
            const received = now();
            const message = JSON.parse(String(data)) as { type: string; text?: string; error?: { code: string } };
            if (message.type === 'ws.subscribed') return resolve({ ws, done });
            if (message.type === 'text') {
              chunks += 1;
              delaysMs.push(received - Number(message.text!.split('@')[1]));
            } else if (message.type === 'turn.completed') {
              if (chunks === CHUNKS) completed += 1;
              else errors.push(`${threadId}: ${chunks} of ${CHUNKS} chunks`);
              finish();
            } else if (message.type === 'turn.failed' || message.type === 'ws.error') {
              errors.push(`${threadId}: ${JSON.stringify(message).slice(0, 200)}`);
              finish();
            }
          });
          ws.on('error', (error) => {
            errors.push(`${threadId}: ${error.message}`);
            finish();
          });
          ws.on('open', () => ws.send(JSON.stringify({ subscribe: threadId })));
        }),
    ),
  );
  const started = performance.now();
  await Promise.all(
    threads.map(async (threadId) => {
      const response = await fetch(`${url}/api/threads/${threadId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"text":"stream please"}',
      }).catch((error: Error) => ({ status: 0, statusText: error.message }));
      if (response.status !== 202) errors.push(`${threadId}: send answered ${response.status}`);
    }),
  );
  await Promise.race([Promise.all(sockets.map((s) => s.done)), new Promise((r) => setTimeout(r, 120_000))]);
  const wallMs = performance.now() - started;
  for (const { ws } of sockets) ws.terminate();
  return { delaysMs, errors, completed, wallMs };
}

async function main(): Promise<void> {
  printMachine();
  const streams = await streamingClients();
  const ready = await startToReady();

  printTable(
    `${CLIENTS} WebSocket clients, one streaming turn each (${CHUNKS} chunks, ${CHUNK_GAP_MS} ms apart)`,
    ['completed', 'errors', 'wall s', 'chunk delay p50 ms', 'chunk delay p99 ms', 'server peak RSS MB'],
    [[streams.report.completed, streams.report.errors.length, streams.report.wallMs / 1000, streams.delay.p50, streams.delay.p99, streams.peakRssMb]],
  );
  if (streams.report.errors.length) console.log(`first errors: ${streams.report.errors.slice(0, 5).join('; ')}`);
  printTable(
    `titan start -> /api/ready 200, components cached (${READY_RUNS} starts, ms)`,
    ['p50', 'min', 'max', 'target'],
    [[ready.p50, ready.min, ready.max, '≤ 300 ms (OpenClaw readyz 1,460 ms)']],
  );
  console.log('chunk delay = the model yields the chunk -> the client process parses it off its WebSocket');

  await writeResult(
    'gateway-ws',
    [
      row(`${CLIENTS} WebSocket turns completed`, streams.report.completed, 'turns', against(streams.report.completed, '>=', CLIENTS, 'turns')),
      row('WebSocket errors', streams.report.errors.length, 'errors', against(streams.report.errors.length, '<=', 0, 'errors')),
      row(`chunk delay p50 (${CLIENTS} clients)`, streams.delay.p50, 'ms'),
      row(`chunk delay p99 (${CLIENTS} clients)`, streams.delay.p99, 'ms'),
      row(`server peak RSS (${CLIENTS} clients)`, streams.peakRssMb, 'MB'),
      row('start to /api/ready p50', ready.p50, 'ms', against(ready.p50, '<=', 300, 'ms')),
    ],
    { clients: CLIENTS, delay: streams.delay, errors: streams.report.errors.slice(0, 20), wallMs: streams.report.wallMs, ready },
  );
}

async function streamingClients() {
  const bench = await openBenchKernel();
  const { kernel, home } = bench;
  const report = await bootstrapBuiltins(kernel);
  if (report.failed.length) throw new Error(JSON.stringify(report.failed));
  const model: LlmStream = async function* () {
    for (let i = 0; i < CHUNKS; i++) {
      await new Promise((resolve) => setTimeout(resolve, CHUNK_GAP_MS));
      yield { type: 'text', text: `${i}@${now()} ` };
    }
    yield { type: 'stop', reason: 'end_turn' };
  };
  const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: model });
  await agent.start();
  const gateway = await startGateway({ kernel, agent, port: 0, ownerId: 'bench', openAi: false, settings: { rateLimitPerMinute: 1_000_000 } });
  const token = (await import('node:fs/promises').then((fs) => fs.readFile(path.join(home, 'gateway-token'), 'utf8'))).trim();
  const threads = await Promise.all(Array.from({ length: CLIENTS }, () => agent.createThread('bench').then((t) => t.id)));

  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  const child = fork(SELF, ['--clients'], { execArgv: process.execArgv.filter((a) => a !== '--expose-gc') });
  const clientReport = await new Promise<ClientReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ClientReport));
    child.once('exit', (code) => code !== 0 && reject(new Error(`the client process exited with ${code}`)));
    child.send({ url: gateway.url, token, threads } satisfies ClientJob);
  });
  clearInterval(sampler);
  await gateway.close();
  await agent.close();
  await bench.close();
  return { report: clientReport, delay: summarize(clientReport.delaysMs), peakRssMb: peakRss / 2 ** 20 };
}

/** One `titan start` on `home`, no provider: ms to ready. */
async function startOnce(home: string): Promise<number> {
  return (await timeStart(home, { TITAN_PROVIDER: '' }, 120_000, () => undefined)).readyMs;
}

async function startToReady() {
  const home = await tempDir('titan-bench-ready-');
  try {
    await startOnce(home); // the first start builds and publishes the built-ins into this home
    const samples: number[] = [];
    for (let i = 0; i < READY_RUNS; i++) samples.push(await startOnce(home));
    return summarize(samples);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
