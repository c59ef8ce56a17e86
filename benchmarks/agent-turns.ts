// The agent loop's own cost: a tool-free turn with a model that answers at once (what the kernel
// adds: storing the message, the turn's states, history, events); the shell's first output byte
// after a tool call's last argument token (piped early execution); and 1,000 streaming turns at
// once on one process (the delay from a chunk leaving the model to its event reaching a bus
// subscriber, and the peak RSS).
import path from 'node:path';
import { Agent } from '../agent/loop/agent.ts';
import { bootstrapBuiltins } from '../kernel/api.ts';
import type { LlmEvent } from '../agent/loop/llm-types.ts';
import type { LlmStream } from '../agent/loop/turn.ts';
import { openBenchKernel, printMachine } from './setup.ts';
import { against, printTable, row, summarize, writeResult } from './stats.ts';

const SEQUENTIAL_TURNS = 300;
const CONCURRENT_TURNS = 1_000;
const CHUNKS = 20;
const CHUNK_GAP_MS = 10;

printMachine();
const bench = await openBenchKernel();
const { kernel, home } = bench;
const report = await bootstrapBuiltins(kernel); // the store included
if (report.failed.length) throw new Error(JSON.stringify(report.failed));

// 1. Kernel overhead of one tool-free turn: the model answers instantly with two chunks.
const instant: LlmStream = async function* () {
  yield { type: 'text', text: 'Hello' } satisfies LlmEvent;
  yield { type: 'text', text: ' there.' } satisfies LlmEvent;
  yield { type: 'stop', reason: 'end_turn' } satisfies LlmEvent;
};
const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: instant });
await agent.start();
const thread = await agent.createThread('bench');
const turnMs: number[] = [];
for (let i = 0; i < SEQUENTIAL_TURNS + 30; i++) {
  const started = performance.now();
  const { run } = await agent.send('bench', thread.id, `message ${i}`);
  await run.done;
  if (i >= 30) turnMs.push(performance.now() - started);
}
await agent.close();
const turn = summarize(turnMs);

// 2. Piped early execution: the shell's first output byte after the tool call's last argument
// token (the model keeps talking afterwards; the command must not wait for it).
const SHELL_RUNS = 30;
let lastTokenAt = 0;
const shellCall: LlmStream = async function* () {
  const args = JSON.stringify({ command: 'echo first-byte' });
  yield { type: 'tool_call', index: 0, id: `sh-${Math.random()}`, name: 'shell', arguments_delta: args.slice(0, 10) };
  lastTokenAt = performance.now();
  yield { type: 'tool_call', index: 0, arguments_delta: args.slice(10) };
  await new Promise((resolve) => setTimeout(resolve, 100)); // the model is still writing
  yield { type: 'text', text: 'Running it.' };
  yield { type: 'stop', reason: 'tool_use' };
};
let step = 0;
const shellModel: LlmStream = (request, options) => (step++ % 2 === 0 ? shellCall(request, options) : instant(request, options));
const shellAgent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: shellModel, trustedTools: ['shell'] });
await shellAgent.start();
const shellThread = await shellAgent.createThread('bench');
const firstByte: number[] = [];
for (let i = 0; i < SHELL_RUNS + 3; i++) {
  let seen = 0;
  const off = kernel.bus.on('turn.event', (event) => {
    if (event.type === 'tool.output' && !seen) seen = performance.now();
  });
  await (await shellAgent.send('bench', shellThread.id, 'run it')).run.done;
  off();
  if (i >= 3 && seen) firstByte.push(seen - lastTokenAt);
}
await shellAgent.close();
const shellFirst = summarize(firstByte);

// 3. 1,000 turns streaming at once, 20 chunks each, 10 ms apart.
const sentAt = new Map<string, number>();
const streaming: LlmStream = async function* () {
  const id = Math.random().toString(36).slice(2);
  for (let i = 0; i < CHUNKS; i++) {
    await new Promise((resolve) => setTimeout(resolve, CHUNK_GAP_MS));
    const text = `${id}:${i} `;
    sentAt.set(text, performance.now());
    yield { type: 'text', text };
  }
  yield { type: 'stop', reason: 'end_turn' };
};
const many = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: streaming });
await many.start();
const delays: number[] = [];
kernel.bus.on('turn.event', (event) => {
  if (event.type !== 'text') return;
  const at = sentAt.get(event.text);
  if (at !== undefined) {
    delays.push(performance.now() - at);
    sentAt.delete(event.text);
  }
});
const threads = await Promise.all(Array.from({ length: CONCURRENT_TURNS }, (_, i) => many.createThread(`user-${i % 50}`)));
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
const started = performance.now();
const runs = await Promise.all(threads.map((t, i) => many.send(`user-${i % 50}`, t.id, 'stream please')));
const outcomes = await Promise.all(runs.map((r) => r.run.done));
const wallMs = performance.now() - started;
clearInterval(sampler);
await many.close();
await bench.close();
const delay = summarize(delays);
const completed = outcomes.filter((o) => o.state === 'completed').length;

printTable(`tool-free turn with an instant model (${SEQUENTIAL_TURNS} turns, ms)`, ['p50', 'p99', 'target'], [[turn.p50, turn.p99, '≤ 5 ms p50, ≤ 20 ms p99']]);
printTable(
  `shell output first byte after the tool call's last argument token (${SHELL_RUNS} turns, ms)`,
  ['p50', 'p99', 'target'],
  [[shellFirst.p50, shellFirst.p99, '≤ 20 ms']],
);
printTable(
  `${CONCURRENT_TURNS} streaming turns at once (${CHUNKS} chunks, ${CHUNK_GAP_MS} ms apart)`,
  ['completed', 'wall s', 'chunk delay p50 µs', 'chunk delay p99 µs', 'peak RSS MB'],
  [[completed, wallMs / 1000, delay.p50 * 1000, delay.p99 * 1000, peakRss / 2 ** 20]],
);
console.log('turn = send() (message stored) .. turn done (assistant message and events stored); chunk delay = model yields -> bus subscriber');

await writeResult(
  'agent-turns',
  [
    row('tool-free turn p50', turn.p50, 'ms', against(turn.p50, '<=', 5, 'ms')),
    row('tool-free turn p99', turn.p99, 'ms', against(turn.p99, '<=', 20, 'ms')),
    row('shell first byte after last argument token p50', shellFirst.p50, 'ms', against(shellFirst.p50, '<=', 20, 'ms')),
    row('shell first byte after last argument token p99', shellFirst.p99, 'ms'),
    row(`${CONCURRENT_TURNS} concurrent turns completed`, completed, 'turns', against(completed, '>=', CONCURRENT_TURNS, 'turns')),
    row('chunk delay p50 (1,000 turns)', delay.p50 * 1000, 'µs'),
    row('chunk delay p99 (1,000 turns)', delay.p99 * 1000, 'µs'),
    row('peak RSS (1,000 turns)', peakRss / 2 ** 20, 'MB'),
  ],
  { turn, shellFirst, delay, wallMs, completed },
);
