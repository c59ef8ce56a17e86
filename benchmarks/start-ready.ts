// `titan start` from spawn to the first 200 of /api/ready, on a home whose components are built and
// deployed (the second start onwards), with the scripted model configured as the provider: the
// p50 over several starts, what each phase cost (the line `titan start` prints once it serves), and
// the server's resident memory at ready and once the after-ready work has settled (idle).
// Targets (issue 14): ready ≤ 300 ms, idle RSS ≤ 150 MB; OpenClaw 2026.9.6 here: 30 s, 1,073 MB.
// TITAN_START_RUNS sets the starts measured (default 5). Run alone:
// node --disable-warning=ExperimentalWarning benchmarks/start-ready.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startModelServer } from './model-server.ts';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult } from './stats.ts';

const RUNS = Number(process.env.TITAN_START_RUNS ?? 5);
const SETTLE_MS = 5_000;
const PROJECT = fileURLToPath(new URL('..', import.meta.url));
/** The Node flags the `titan` command runs with (its shebang's), so a start here is a start as users run it. */
const TITAN_FLAGS =
  /^#!.*\bnode\b(.*)$/m
    .exec(readFileSync(path.join(PROJECT, 'bin/titan.js'), 'utf8'))?.[1]
    .trim()
    .split(/\s+/)
    .filter(Boolean) ?? [];

type Start = { readyMs: number; rssAtReady: number; rssIdle: number; phases: Record<string, number> };

printMachine();
const model = await startModelServer();
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
printTable(
  `titan start -> /api/ready 200 (${RUNS} starts, components cached, scripted provider; load average ${load.toFixed(1)})`,
  ['', 'p50', 'min', 'max', 'target', 'OpenClaw 2026.9.6'],
  [
    ['ready (ms)', ready.p50, ready.min, ready.max, '≤ 300', '30,000'],
    ['RSS at ready (MB)', atReady.p50, atReady.min, atReady.max, '', ''],
    [`RSS idle, ${SETTLE_MS / 1000} s after ready (MB)`, idle.p50, idle.min, idle.max, '≤ 150', '1,073'],
  ],
);
printTable(
  'where a start goes (ms, p50 over the starts; as titan start prints it)',
  ['phase', 'p50', 'max'],
  phaseNames.map((name) => {
    const s = summarize(starts.map((x) => x.phases[name] ?? 0));
    return [name, s.p50, s.max];
  }),
);
await writeResult(
  'start-ready',
  [
    row('start to /api/ready p50', ready.p50, 'ms', against(ready.p50, '<=', 300, 'ms')),
    row('idle RSS after ready p50', idle.p50, 'MB', against(idle.p50, '<=', 150, 'MB')),
  ],
  { runs: RUNS, loadAverage: load, starts },
);

/** One start: spawn, poll /api/ready every 5 ms, read the server's RSS, stop it with SIGINT. */
async function startOnce(titanHome: string, settleMs: number): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...TITAN_FLAGS, '--disable-warning=ExperimentalWarning', 'bin/titan.js', 'start'], {
    cwd: PROJECT,
    env: { ...process.env, TITAN_HOME: titanHome, TITAN_PORT: String(port), TITAN_PROVIDER: 'scripted', TITAN_SCRIPTED_LLM_URL: model.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`titan start exited with ${child.exitCode}:\n${output}`);
      if (performance.now() - started > 300_000) throw new Error(`not ready within 300 s:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/api/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = performance.now() - started;
    const rssAtReady = rssMb(child);
    await new Promise((r) => setTimeout(r, settleMs));
    return { readyMs, rssAtReady, rssIdle: rssMb(child), phases: phasesOf(output) };
  } finally {
    child.kill('SIGINT');
    await exited;
  }
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

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
