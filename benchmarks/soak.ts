// Memory over many sequential turns: N tool-free turns through the real agent, an instant model and
// the real store, printing RSS and its parts every 1,000 turns. Target: RSS after the last 1,000
// turns within 10% of RSS after the first 1,000 (an engine meant to run for months stays flat).
// TITAN_SOAK_TURNS shortens the run (default 10,000).
import path from 'node:path';
import v8 from 'node:v8';
import { Agent } from '../agent/loop/agent.ts';
import { bootstrapBuiltins } from '../kernel/api.ts';
import type { LlmEvent } from '../agent/loop/llm-types.ts';
import type { LlmStream } from '../agent/loop/turn.ts';
import { openBenchKernel, printMachine } from './setup.ts';
import { against, printTable, row, writeResult } from './stats.ts';

const TURNS = Number(process.env.TITAN_SOAK_TURNS ?? 10_000);
const EVERY = Math.min(1_000, TURNS);
const MB = 2 ** 20;

// Every wasm linear memory created in this process, held weakly: their sizes say how much of RSS
// is guest memory (which never shrinks while its instance lives).
const memories: Array<WeakRef<WebAssembly.Memory>> = [];
const recordExports = (instance: WebAssembly.Instance) => {
  for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) memories.push(new WeakRef(value));
};
const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (...args: unknown[]) => Promise<unknown>;
(WebAssembly as { instantiate: unknown }).instantiate = async (...args: unknown[]) => {
  const result = await instantiate(...args);
  recordExports(result instanceof WebAssembly.Instance ? result : (result as { instance: WebAssembly.Instance }).instance);
  return result;
};
const NativeInstance = WebAssembly.Instance;
(WebAssembly as { Instance: unknown }).Instance = new Proxy(NativeInstance, {
  construct(target, args: [WebAssembly.Module, WebAssembly.Imports?]) {
    const instance = new target(...args);
    recordExports(instance);
    return instance;
  },
});

function wasmMemory(): { live: number; bytes: number } {
  let live = 0;
  let bytes = 0;
  for (const ref of memories) {
    const memory = ref.deref();
    if (!memory) continue;
    live++;
    bytes += memory.buffer.byteLength;
  }
  return { live, bytes };
}

type Sample = { turns: number; rssMb: number; heapUsedMb: number; externalMb: number; arrayBuffersMb: number; codeSpaceMb: number; wasmMemories: number; wasmMb: number; turnMs: number };

function sample(turns: number, turnMs: number): Sample {
  const usage = process.memoryUsage();
  const code = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'code_space');
  const wasm = wasmMemory();
  return {
    turns,
    rssMb: usage.rss / MB,
    heapUsedMb: usage.heapUsed / MB,
    externalMb: usage.external / MB,
    arrayBuffersMb: usage.arrayBuffers / MB,
    codeSpaceMb: (code?.space_used_size ?? 0) / MB,
    wasmMemories: wasm.live,
    wasmMb: wasm.bytes / MB,
    turnMs,
  };
}

printMachine();
const bench = await openBenchKernel();
const { kernel, home } = bench;
const report = await bootstrapBuiltins(kernel);
if (report.failed.length) throw new Error(JSON.stringify(report.failed));

const instant: LlmStream = async function* () {
  yield { type: 'text', text: 'Hello' } satisfies LlmEvent;
  yield { type: 'text', text: ' there.' } satisfies LlmEvent;
  yield { type: 'stop', reason: 'end_turn' } satisfies LlmEvent;
};
const agent = new Agent(kernel, { workspace: path.join(home, 'workspace'), llm: instant });
await agent.start();
const thread = await agent.createThread('soak');
const samples: Sample[] = [sample(0, 0)];
let windowStarted = performance.now();
for (let i = 1; i <= TURNS; i++) {
  const { run } = await agent.send('soak', thread.id, `message ${i}`);
  const outcome = await run.done;
  if (outcome.state !== 'completed') throw new Error(`turn ${i} ended ${outcome.state}`);
  if (i % EVERY === 0) {
    samples.push(sample(i, (performance.now() - windowStarted) / EVERY));
    const s = samples.at(-1) as Sample;
    console.log(`${i} turns: RSS ${s.rssMb.toFixed(1)} MB, heap ${s.heapUsedMb.toFixed(1)} MB, external ${s.externalMb.toFixed(1)} MB, wasm ${s.wasmMb.toFixed(1)} MB in ${s.wasmMemories}`);
    windowStarted = performance.now();
  }
}
await agent.close();
await bench.close();

printTable(`${TURNS} sequential tool-free turns, one thread, instant model, real store (MB unless named)`,
  ['turns', 'RSS', 'JS heap used', 'external', 'arrayBuffers', 'code space', 'wasm memories', 'wasm MB', 'ms/turn'],
  samples.map((s) => [s.turns, s.rssMb, s.heapUsedMb, s.externalMb, s.arrayBuffersMb, s.codeSpaceMb, s.wasmMemories, s.wasmMb, s.turnMs]));
const first = samples[1] as Sample;
const last = samples.at(-1) as Sample;
const growth = ((last.rssMb - first.rssMb) / first.rssMb) * 100;
console.log(`RSS after ${last.turns} turns vs after the first ${first.turns}: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%`);

await writeResult('soak', [
  row(`RSS after ${first.turns} turns`, first.rssMb, 'MB'),
  row(`RSS after ${last.turns} turns`, last.rssMb, 'MB'),
  row(`RSS growth ${first.turns} -> ${last.turns} turns`, growth, '%', against(growth, '<=', 10, '%')),
  row(`JS heap used after ${last.turns} turns`, last.heapUsedMb, 'MB'),
  row(`wasm linear memory after ${last.turns} turns`, last.wasmMb, 'MB'),
], { turns: TURNS, samples });
