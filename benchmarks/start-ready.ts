// `titan start` from spawn to the first 200 of /api/ready, on a home whose components are built and
// deployed (the second start onwards), with the scripted model configured as the provider: the
// p50 over several starts, what each phase cost (the line `titan start` prints once it serves), when a
// turn sent at that moment is answered (it waits for the parts started after ready), and the server's
// resident memory at ready and once the after-ready work has settled (idle).
// Targets (issue 14): ready ≤ 300 ms, idle RSS ≤ 150 MB; compared with OpenClaw as benchmarks/openclaw.ts
// measured it in the same `npm run bench` run, or its earlier session's figures (30 s, 1,073 MB).
// TITAN_START_RUNS sets the starts measured (default 5). Run alone:
// node --disable-warning=ExperimentalWarning benchmarks/start-ready.ts
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rssMb } from './process-tree.ts';
import { openClawFigures } from './openclaw-figures.ts';
import { printMachine } from './setup.ts';
import { openStartBench } from './start-bench.ts';
import { against, fmt, printTable, row, summarize, writeResult } from './stats.ts';
import { timeStart } from './titan-start.ts';

const RUNS = Number(process.env.TITAN_START_RUNS ?? 5);
const SETTLE_MS = 5_000;
type Start = {
  readyMs: number;
  rssAtReady: number;
  rssIdle: number;
  phases: Record<string, number>;
  cpu: Record<string, number>;
  bundled: boolean;
};

printMachine();
const bench = await openStartBench('titan-bench-start-');
const { home } = bench;
const starts: Start[] = [];
/** Spawn to the answer of a turn sent at the first 200 of /api/ready (it waits for the parts started after ready). */
const turnsAtReady: number[] = [];
try {
  await startOnce(home, 0); // the first start builds (or takes from cache) and deploys the built-ins
  for (let i = 0; i < RUNS; i++) starts.push(await startOnce(home, SETTLE_MS));
  // Other starts, each sent a turn at ready (kept apart: the turn's own memory is not the idle RSS above).
  for (let i = 0; i < RUNS; i++) turnsAtReady.push(await turnAtReadyMs(home));
} finally {
  await bench.close();
}
const load = os.loadavg()[0];

const ready = summarize(starts.map((s) => s.readyMs));
const turnAtReady = summarize(turnsAtReady);
const atReady = summarize(starts.map((s) => s.rssAtReady));
const idle = summarize(starts.map((s) => s.rssIdle));
const phaseNames = Object.keys(starts[0]?.phases ?? {});
const openClaw = openClawFigures();
printTable(
  `titan start -> /api/ready 200 (${RUNS} starts, components cached, scripted provider, ${starts.filter((s) => s.bundled).length} from the start bundle; load average ${load.toFixed(1)})`,
  ['', 'p50', 'min', 'max', 'target', openClaw.label],
  [
    ['ready (ms)', ready.p50, ready.min, ready.max, '≤ 300', fmt(openClaw.readyMs, 0)],
    ['a turn sent at ready, answered (ms after spawn)', turnAtReady.p50, turnAtReady.min, turnAtReady.max, '', ''],
    ['RSS at ready (MB)', atReady.p50, atReady.min, atReady.max, '', ''],
    [`RSS idle, ${SETTLE_MS / 1000} s after ready (MB)`, idle.p50, idle.min, idle.max, '≤ 150', fmt(openClaw.rssIdleMb, 0)],
  ],
);
console.log(`against ${openClaw.label}: ready ${fmt(openClaw.readyMs / ready.p50)}x faster, idle RSS ${fmt(openClaw.rssIdleMb / idle.p50)}x smaller`);
printTable(
  `where a start goes (ms, p50 over the starts; as titan start prints it; CPU: the main thread's, which load does not stretch; load average ${load.toFixed(1)})`,
  ['phase', 'p50', 'max', 'CPU p50'],
  phaseNames.map((name) => {
    const s = summarize(starts.map((x) => x.phases[name] ?? 0));
    return [name, s.p50, s.max, summarize(starts.map((x) => x.cpu[name] ?? 0)).p50];
  }),
);
await writeResult(
  'start-ready',
  [
    row('start to /api/ready p50', ready.p50, 'ms', against(ready.p50, '<=', 300, 'ms')),
    row('main-thread CPU to ready p50', summarize(starts.map((s) => s.cpu['ready (in process)'] ?? 0)).p50, 'ms'),
    row('start to a turn sent at ready answered p50', turnAtReady.p50, 'ms'),
    row('idle RSS after ready p50', idle.p50, 'MB', against(idle.p50, '<=', 150, 'MB')),
    row(`ready, ratio to ${openClaw.label}`, openClaw.readyMs / ready.p50, 'x'),
    row(`idle RSS, ratio to ${openClaw.label}`, openClaw.rssIdleMb / idle.p50, 'x'),
  ],
  { runs: RUNS, loadAverage: load, starts, openClaw },
);

/** One start: ready time, the server's RSS at ready and once settled, and its start phases. */
async function startOnce(titanHome: string, settleMs: number): Promise<Start> {
  const { readyMs, value } = await timeStart(titanHome, bench.modelEnv, 300_000, async (child, output) => {
    const rssAtReady = rssMb(Number(child.pid));
    await new Promise((r) => setTimeout(r, settleMs));
    return {
      rssAtReady,
      rssIdle: rssMb(Number(child.pid)),
      phases: phasesOf(output()),
      cpu: cpuOf(output()),
      bundled: output().includes('modules from the start bundle'),
    };
  });
  return { readyMs, ...value };
}

/** One start sent a turn the moment it is ready: ms from spawn to the turn's answer. */
async function turnAtReadyMs(titanHome: string): Promise<number> {
  const spawned = performance.now();
  const { value } = await timeStart(titanHome, bench.modelEnv, 300_000, async (_child, _output, url) => {
    await firstTurn(url, titanHome);
    return performance.now() - spawned;
  });
  return value;
}

/** One turn over /v1 (the scripted model echoes it), answered in full. */
async function firstTurn(url: string, titanHome: string): Promise<void> {
  const token = readFileSync(path.join(titanHome, 'gateway-token'), 'utf8').trim();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content: 'hello at ready' }] }),
  });
  if (response.status !== 200) throw new Error(`the turn sent at ready failed: ${response.status} ${await response.text()}`);
  await response.json();
}

/**
 * "modules 150, kernel 40, ...; after ready (at 290): memory 28, ..." as numbers: the parts after ready
 * under their name with " (after ready)", and `ready` (in process) where the list says ready came.
 */
function phaseNumbers(list: string, total: number): Record<string, number> {
  const [before, readyAt, after] = list.split(/; after ready \(at (\d+)\): /);
  const phases: Record<string, number> = {};
  const add = (text: string, suffix: string) => {
    for (const part of text.split(',')) {
      const found = /^\s*(.+?) (\d+)\s*$/.exec(part);
      if (found) phases[`${found[1]}${suffix}`] = Number(found[2]);
    }
  };
  add(before, '');
  if (after !== undefined) add(after, ' (after ready)');
  phases['ready (in process)'] = readyAt !== undefined ? Number(readyAt) : total;
  phases['total (in process)'] = total;
  return phases;
}

/** "serving 412 ms after the process started: modules 150, kernel 40, ... (ms; RSS 140 MB)" as numbers. */
function phasesOf(output: string): Record<string, number> {
  const line = /serving (\d+) ms after the process started: (.*) \(ms; RSS/.exec(output);
  return line ? phaseNumbers(line[2], Number(line[1])) : {};
}

/** "start CPU 300 ms (main thread): modules 130, kernel 8, ..." as numbers, under the phase names of phasesOf. */
function cpuOf(output: string): Record<string, number> {
  const line = /start CPU (\d+) ms \(main thread\): (.*)$/m.exec(output);
  return line ? phaseNumbers(line[2], Number(line[1])) : {};
}
