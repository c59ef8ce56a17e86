// Memory over many sequential turns: N tool-free turns through the real agent, an instant model and
// the real store, printing RSS and its parts every 1,000 turns. Target: RSS after the last 1,000
// turns within 10% of RSS after the first 1,000 (an engine meant to run for months stays flat).
// TITAN_SOAK_TURNS shortens the run (default 10,000).
import path from 'node:path';
import { Agent } from '../agent/loop/agent.ts';
import { bootstrapBuiltins } from '../kernel/api.ts';
import type { LlmEvent } from '../agent/loop/llm-types.ts';
import type { LlmStream } from '../agent/loop/turn.ts';
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
    logSample(samples.at(-1) as Sample);
    windowStarted = performance.now();
  }
}
await agent.close();
await bench.close();

await writeResult('soak', reportSoak(`${TURNS} sequential tool-free turns, one thread, instant model, real store (MB unless named)`, samples), {
  turns: TURNS,
  samples,
});
