// `titan start` from spawn to the first 200 of /api/ready, on a home whose components are built and
// deployed (the second start onwards), with the scripted model configured as the provider: the
// p50 over several starts, what each phase cost (the line `titan start` prints once it serves), and
// the server's resident memory at ready and once the after-ready work has settled (idle).
// Targets (issue 14): ready ≤ 300 ms, idle RSS ≤ 150 MB; compared with OpenClaw as benchmarks/openclaw.ts
// measured it in the same `npm run bench` run, or its earlier session's figures (30 s, 1,073 MB).
// TITAN_START_RUNS sets the starts measured (default 5). Run alone:
// node --disable-warning=ExperimentalWarning benchmarks/start-ready.ts
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildBundleOnce } from '../bin/bundle/build.ts';
import { freshBundle } from '../bin/bundle/fresh.ts';
import { startModelServer } from './model-server.ts';
import { openClawFigures } from './openclaw-figures.ts';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { against, fmt, printTable, row, summarize, writeResult } from './stats.ts';
import { timeStart } from './titan-start.ts';

const RUNS = Number(process.env.TITAN_START_RUNS ?? 5);
const SETTLE_MS = 5_000;
type Start = { readyMs: number; rssAtReady: number; rssIdle: number; phases: Record<string, number>; cpu: Record<string, number>; bundled: boolean };

printMachine();
// Starts as users get them: from the start bundle (bin/bundle/), built first when the tree changed
// since (else the first start would rebuild it in the background, under the measured ones).
if (process.env.TITAN_BUNDLE !== 'off' && !freshBundle()) {
  console.log('building the start bundle first (sources changed since the last one)');
  await buildBundleOnce();
}
const model = await startModelServer({ timeline: false });
const home = await tempDir('titan-bench-start-');
// The build cache every benchmark shares: the first start deploys built components, compiling nothing new.
await mkdir(BENCH_CACHE, { recursive: true });
await symlink(BENCH_CACHE, path.join(home, 'cache'));
const starts: Start[] = [];
try {
  await startOnce(home, 0); // the first start builds (or takes from cache) and deploys the built-ins
  for (let i = 0; i < RUNS; i++) starts.push(await startOnce(home, SETTLE_MS));
} finally {
  model.stop();
  await rm(home, { recursive: true, force: true });
}
const load = os.loadavg()[0];

const ready = summarize(starts.map((s) => s.readyMs));
const atReady = summarize(starts.map((s) => s.rssAtReady));
const idle = summarize(starts.map((s) => s.rssIdle));
const phaseNames = Object.keys(starts[0]?.phases ?? {});
const openClaw = openClawFigures();
printTable(
  `titan start -> /api/ready 200 (${RUNS} starts, components cached, scripted provider, ${starts.filter((s) => s.bundled).length} from the start bundle; load average ${load.toFixed(1)})`,
  ['', 'p50', 'min', 'max', 'target', openClaw.label],
  [
    ['ready (ms)', ready.p50, ready.min, ready.max, '≤ 300', fmt(openClaw.readyMs, 0)],
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
    row('main-thread CPU to ready p50', summarize(starts.map((s) => s.cpu['total (in process)'] ?? 0)).p50, 'ms'),
    row('idle RSS after ready p50', idle.p50, 'MB', against(idle.p50, '<=', 150, 'MB')),
    row(`ready, ratio to ${openClaw.label}`, openClaw.readyMs / ready.p50, 'x'),
    row(`idle RSS, ratio to ${openClaw.label}`, openClaw.rssIdleMb / idle.p50, 'x'),
  ],
  { runs: RUNS, loadAverage: load, starts, openClaw },
);

/** One start: ready time, the server's RSS at ready and once settled, and its start phases. */
async function startOnce(titanHome: string, settleMs: number): Promise<Start> {
  const env = { TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: model.url };
  const { readyMs, value } = await timeStart(titanHome, env, 300_000, async (child, output) => {
    const rssAtReady = rssMb(child);
    await new Promise((r) => setTimeout(r, settleMs));
    return { rssAtReady, rssIdle: rssMb(child), phases: phasesOf(output()), cpu: cpuOf(output()), bundled: output().includes('modules from the start bundle') };
  });
  return { readyMs, ...value };
}

/** "serving 412 ms after the process started: modules 150, kernel 40, ... (ms; RSS 140 MB)" as numbers. */
function phasesOf(output: string): Record<string, number> {
  const line = /serving (\d+) ms after the process started: ([^(]*)\(/.exec(output);
  if (!line) return {};
  const phases: Record<string, number> = {};
  for (const part of line[2].split(',')) {
    const found = /^\s*(.+?) (\d+)\s*$/.exec(part);
    if (found) phases[found[1]] = Number(found[2]);
  }
  phases['total (in process)'] = Number(line[1]);
  return phases;
}

/** "start CPU 300 ms (main thread): modules 130, kernel 8, ..." as numbers, under the phase names of phasesOf. */
function cpuOf(output: string): Record<string, number> {
  const line = /start CPU (\d+) ms \(main thread\): (.*)$/m.exec(output);
  if (!line) return {};
  const cpu: Record<string, number> = {};
  for (const part of line[2].split(',')) {
    const found = /^\s*(.+?) (\d+)\s*$/.exec(part);
    if (found) cpu[found[1]] = Number(found[2]);
  }
  cpu['total (in process)'] = Number(line[1]);
  return cpu;
}

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}
