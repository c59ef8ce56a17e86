// How fast the `titan` commands that only read answer, from spawning the process to its exit, with
// a Titan running on the home (through its control socket) and with none (the state read directly):
// p50 of several runs each, against 300 ms. The built-ins come from the bench cache.
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

/** One command's wall time in ms (it must succeed). */
function timed(home: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/titan.js', ...args], {
      cwd: PROJECT,
      env: env(home),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`titan ${args.join(' ')} exited ${code}: ${stderr}`))));
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

async function measure(home: string, label: string): Promise<Array<{ command: string; p50: number; max: number }>> {
  const results = [];
  for (const args of COMMANDS) {
    await timed(home, args); // the compile cache warmed for this command's modules
    const samples = [];
    for (let i = 0; i < RUNS; i++) samples.push(await timed(home, args));
    const s = summarize(samples);
    results.push({ command: `${args.join(' ')} (${label})`, p50: s.p50, max: s.max });
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
    ['command', 'p50 ms', 'max ms', 'target'],
    all.map((r) => [r.command, r.p50, r.max, `≤ ${TARGET_MS} ms`]),
  );
  const summary: SummaryRow[] = all.map((r) => row(`titan ${r.command} p50`, Math.round(r.p50), 'ms', against(r.p50, '<=', TARGET_MS, 'ms')));
  await writeResult('cli', summary, { runs: RUNS, results: all });
} finally {
  await rm(home, { recursive: true, force: true });
}
