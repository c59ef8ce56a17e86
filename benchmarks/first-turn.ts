// The first turn a started Titan answers over HTTP, against its second: `titan start` (components
// cached, the scripted model as the provider), ready, then a pause as a user's would be, then two
// turns on one thread, each timed from request to the end of the answer. What the first pays beyond
// the second is what a start left for a turn to load or warm (undici, mime-types, compiled code); the
// server's main-thread CPU per turn beside, which load stretches less than the wall time.
// Also the server's RSS before the first turn (idle) and after the two. TITAN_FIRST_TURN_RUNS sets the
// starts (default 5), TITAN_FIRST_TURN_PAUSE_MS the pause after ready (default 2,000). Run alone:
// node --disable-warning=ExperimentalWarning benchmarks/first-turn.ts
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { rssMb } from './process-tree.ts';
import { printMachine } from './setup.ts';
import { openStartBench } from './start-bench.ts';
import { printTable, row, summarize, writeResult } from './stats.ts';
import { timeStart } from './titan-start.ts';

const RUNS = Number(process.env.TITAN_FIRST_TURN_RUNS ?? 5);
const PAUSE_MS = Number(process.env.TITAN_FIRST_TURN_PAUSE_MS ?? 2_000);
type Run = { firstMs: number; secondMs: number; firstCpuMs: number; secondCpuMs: number; rssIdle: number; rssAfter: number; bundled: boolean };

printMachine();
const bench = await openStartBench('titan-bench-first-turn-');
const { home } = bench;
const runs: Run[] = [];
try {
  await startOnce(0); // the first start deploys the built-ins (and writes the owner token)
  for (let i = 0; i < RUNS; i++) runs.push(await startOnce(PAUSE_MS));
} finally {
  await bench.close();
}
const load = os.loadavg()[0];
const first = summarize(runs.map((r) => r.firstMs));
const second = summarize(runs.map((r) => r.secondMs));
const firstCpu = summarize(runs.map((r) => r.firstCpuMs));
const secondCpu = summarize(runs.map((r) => r.secondCpuMs));
const idle = summarize(runs.map((r) => r.rssIdle));
const after = summarize(runs.map((r) => r.rssAfter));
printTable(
  `the first two turns over HTTP after ready and a ${PAUSE_MS / 1000} s pause (${RUNS} starts, ${runs.filter((r) => r.bundled).length} from the start bundle, scripted provider; load average ${load.toFixed(1)})`,
  ['', 'p50', 'min', 'max'],
  [
    ['first turn (ms)', first.p50, first.min, first.max],
    ['second turn (ms)', second.p50, second.min, second.max],
    ['first turn, server main-thread CPU (ms)', firstCpu.p50, firstCpu.min, firstCpu.max],
    ['second turn, server main-thread CPU (ms)', secondCpu.p50, secondCpu.min, secondCpu.max],
    ['RSS before the first turn (MB)', idle.p50, idle.min, idle.max],
    ['RSS after the second turn (MB)', after.p50, after.min, after.max],
  ],
);
await writeResult(
  'first-turn',
  [row('first turn after ready p50', first.p50, 'ms'), row('second turn p50', second.p50, 'ms'), row('RSS before the first turn p50', idle.p50, 'MB')],
  { runs, pauseMs: PAUSE_MS, loadAverage: load },
);

async function startOnce(pauseMs: number): Promise<Run> {
  const { value } = await timeStart(home, bench.modelEnv, 300_000, async (child, output) => {
    const url = /gateway on (http:\/\/\S+) \(token in (\S+)\)/.exec(output());
    if (!url) throw new Error(`titan start printed no gateway address:\n${output()}`);
    const token = (await readFile(url[2] as string, 'utf8')).trim();
    await new Promise((r) => setTimeout(r, pauseMs));
    const rssIdle = rssMb(Number(child.pid));
    const turn = async (text: string, thread?: string) => {
      const cpuAt = cpuMs(child);
      const started = performance.now();
      const response = await fetch(`${url[1]}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(thread ? { 'x-titan-thread': thread } : {}) },
        body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content: text }] }),
      });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`turn answered ${response.status}: ${body.slice(0, 300)}`);
      return { ms: performance.now() - started, cpuMs: cpuMs(child) - cpuAt, thread: response.headers.get('x-titan-thread') ?? undefined };
    };
    const one = await turn('hello there');
    const two = await turn('and again', one.thread);
    return {
      firstMs: one.ms,
      secondMs: two.ms,
      firstCpuMs: one.cpuMs,
      secondCpuMs: two.cpuMs,
      rssIdle,
      rssAfter: rssMb(Number(child.pid)),
      bundled: output().includes('modules from the start bundle'),
    };
  });
  return value;
}

/** The server's main thread's time on a CPU so far (ms; its schedstat, in ns): what load does not stretch. */
function cpuMs(child: ChildProcess): number {
  return Number(readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}
