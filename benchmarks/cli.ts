// How fast the `titan` commands that only read answer, from spawning the process to its exit, with
// a Titan running on the home (through its control socket) and with none (the state read directly):
// p50 of several runs each, against 300 ms, with each command's own CPU time beside it. The built-ins come from the bench cache.
// Run alone: node --disable-warning=ExperimentalWarning benchmarks/cli.ts
import { spawn } from 'node:child_process';
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type SummaryRow } from './stats.ts';

const RUNS = Number(process.env.TITAN_BENCH_CLI_RUNS ?? 7);
const TARGET_MS = 300;
const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const COMMANDS = [
  ['--version'],
  ['registry', '--help'],
  ['registry', 'list'],
  ['components'],
  ['reflex', 'list'],
  ['pairing', 'list'],
  ['kernel', 'patches'],
  ['mesh', 'status'],
  ['mcp', 'list'],
  ['secrets', 'list'],
  ['db', 'status'],
];

const env = (home: string) => ({ ...process.env, TITAN_HOME: home, TITAN_PORT: '0' });

// Reports the child's own CPU time (user + system) on fd 3 as it exits: on a busy machine the wall
// time mostly measures the wait for a core, the CPU time what the command itself costs.
const CPU_HOOK = `--import=data:text/javascript,process.on('exit',()=>process.getBuiltinModule('node:fs').writeSync(3,JSON.stringify(process.cpuUsage())))`;

/** One command's wall and CPU time in ms (it must succeed). */
function timed(home: string, args: string[]): Promise<{ wall: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CPU_HOOK, 'bin/titan.js', ...args], {
      cwd: PROJECT,
      env: env(home),
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let usage = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdio[3]?.on('data', (chunk: Buffer) => (usage += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`titan ${args.join(' ')} exited ${code}: ${stderr}`));
      const cpu = JSON.parse(usage || '{"user":0,"system":0}') as { user: number; system: number };
      resolve({ wall: performance.now() - started, cpu: (cpu.user + cpu.system) / 1000 });
    });
  });
}

/** `titan start` on the home, resolved once its gateway listens. */
async function start(home: string) {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', 'start'], {
    cwd: PROJECT,
    env: env(home),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('gateway on ')) resolve();
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => reject(new Error(`titan start exited ${code}:\n${output}`)));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

async function measure(home: string, label: string): Promise<Array<{ command: string; p50: number; max: number; cpuP50: number }>> {
  const results = [];
  for (const args of COMMANDS) {
    await timed(home, args); // the compile cache warmed for this command's modules
    const samples = [];
    for (let i = 0; i < RUNS; i++) samples.push(await timed(home, args));
    const wall = summarize(samples.map((x) => x.wall));
    results.push({ command: `${args.join(' ')} (${label})`, p50: wall.p50, max: wall.max, cpuP50: summarize(samples.map((x) => x.cpu)).p50 });
  }
  return results;
}

printMachine();
const home = await tempDir('titan-bench-cli-');
await mkdir(BENCH_CACHE, { recursive: true });
await symlink(BENCH_CACHE, path.join(home, 'cache'));
try {
  const titan = await start(home);
  const running = await measure(home, 'running');
  await titan.stop();
  const stopped = await measure(home, 'stopped');
  const all = [...running, ...stopped];
  printTable(
    `titan commands, spawn to exit (${RUNS} runs each after one warm-up)`,
    ['command', 'p50 ms', 'max ms', 'cpu p50 ms', 'target'],
    all.map((r) => [r.command, r.p50, r.max, r.cpuP50, `≤ ${TARGET_MS} ms`]),
  );
  const summary: SummaryRow[] = all.map((r) => row(`titan ${r.command} p50`, Math.round(r.p50), 'ms', against(r.p50, '<=', TARGET_MS, 'ms')));
  await writeResult('cli', summary, { runs: RUNS, results: all });
} finally {
  await rm(home, { recursive: true, force: true });
}
