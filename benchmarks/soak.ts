// Memory over many sequential turns: N tool-free turns through the real agent, an instant model and
// the real store, printing RSS and its parts every 1,000 turns. Target: RSS after the last 1,000
// turns within 10% of RSS after the first 1,000 (an engine meant to run for months stays flat).
// Memory runs as `titan start` runs it (each turn indexed into conversation memory) unless
// TITAN_SOAK_MEMORY=0; the JS heap after a full GC is printed with it, as is what memory holds.
// Printed beside OpenClaw's RSS growth over its turns (benchmarks/openclaw-figures.ts).
// TITAN_SOAK_TURNS shortens the run (default 10,000). `npm run bench` runs it with the titan command's Node
// flags and environment; run alone, give it them too
// (MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --expose-gc benchmarks/soak.ts): without them glibc's
// per-thread arenas and V8's young generation (up to 44 MB with 16 MB semi-spaces) each add a step to RSS.
import path from 'node:path';
import { Agent } from '../agent/loop/agent.ts';
import { memorySection } from '../agent/memory/config.ts';
import { startMemory } from '../agent/memory/start.ts';
import { bootstrapBuiltins } from '../kernel/api.ts';
import type { LlmEvent } from '../agent/loop/llm-types.ts';
import type { LlmStream } from '../agent/loop/turn.ts';
import { openBenchKernel, printMachine } from './setup.ts';
import { growthLine, openClawFigures } from './openclaw-figures.ts';
import { fmt, row, writeResult } from './stats.ts';
import { logSample, reportSoak, sample, type Sample } from './memory-sample.ts';

const TURNS = Number(process.env.TITAN_SOAK_TURNS ?? 10_000);
const EVERY = Math.min(1_000, TURNS);
const MEMORY = process.env.TITAN_SOAK_MEMORY !== '0';

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
const memory = MEMORY ? await startMemory(kernel, agent, undefined, { ...memorySection.defaults, watch: false }) : undefined;
const thread = await agent.createThread('soak');
const samples: Sample[] = [sample(0, 0)];
let windowStarted = performance.now();
for (let i = 1; i <= TURNS; i++) {
  const { run } = await agent.send('soak', thread.id, `message ${i}`);
  const outcome = await run.done;
  if (outcome.state !== 'completed') throw new Error(`turn ${i} ended ${outcome.state}`);
  if (i % EVERY === 0) {
    const turnMs = (performance.now() - windowStarted) / EVERY;
    await memory?.idle();
    global.gc?.();
    samples.push(sample(i, turnMs));
    logSample(samples.at(-1) as Sample, samples[1]);
    if (memory)
      console.log(
        `  memory holds ${memory.docs.byId.size} documents, ${memory.chunks?.size ?? 0} chunks; ${memory.docs.older.count} older turns in the store only`,
      );
    windowStarted = performance.now();
  }
}
await memory?.close();
await agent.close();
await bench.close();

const title = `${TURNS} sequential tool-free turns, one thread, instant model, real store, memory ${MEMORY ? 'on' : 'off'} (MB unless named)`;
const summary = reportSoak(title, samples);
// Beside OpenClaw's growth over its first turns (benchmarks/openclaw.ts, this run where it could).
const [start, end] = [samples[0] as Sample, samples.at(-1) as Sample];
console.log(
  `Titan: RSS ${fmt(start.rssMb, 0)} MB before the first turn -> ${fmt(end.rssMb, 0)} MB after ${end.turns} turns (${fmt((end.rssMb - start.rssMb) / end.turns, 3)} MB per turn)`,
);
console.log(growthLine(openClawFigures()));
if (samples.length > 2) {
  // Growth per 1,000 turns after the first 1,000 (what an engine running for months accumulates).
  const [first, last] = [samples[1] as Sample, samples.at(-1) as Sample];
  const per = (value: number) => (value * 1000) / (last.turns - first.turns);
  summary.push(
    row('RSS growth per 1,000 turns after the first 1,000', per(last.rssMb - first.rssMb), 'MB'),
    row('JS heap growth per 1,000 turns after the first 1,000 (after a full GC)', per(last.heapUsedMb - first.heapUsedMb), 'MB'),
  );
}
await writeResult('soak', summary, {
  turns: TURNS,
  samples,
});
