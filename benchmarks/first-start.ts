// The first start of a fresh home: every built-in is built (from the shared build cache, as after
// the first install), published (smoke test) and deployed (smoke test again), each smoke test in a
// worker. Timed end to end, a few rounds, each in a new home. Run alone: node benchmarks/first-start.ts
import { rm } from 'node:fs/promises';
import { bootstrapBuiltins, Kernel } from '../kernel/api.ts';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { printTable, row, summarize, writeResult } from './stats.ts';

const ROUNDS = Number(process.env.TITAN_FIRST_START_ROUNDS ?? 3);

async function firstStart(): Promise<{ ms: number; deployed: number; failed: number }> {
  const home = await tempDir('titan-bench-first-');
  const started = performance.now();
  const kernel = await Kernel.open({ home, cacheDir: BENCH_CACHE, logToFile: false, env: {} });
  try {
    const report = await bootstrapBuiltins(kernel);
    return { ms: performance.now() - started, deployed: report.deployed.length, failed: report.failed.length };
  } finally {
    await kernel.close();
    await rm(home, { recursive: true, force: true });
  }
}

printMachine();
// One round first fills the build and transpile caches: the figures are of a start, not a build.
const warm = await firstStart();
const samples: number[] = [];
for (let i = 0; i < ROUNDS; i++) samples.push((await firstStart()).ms);
const s = summarize(samples);
printTable(
  `first start of a fresh home (ms, ${warm.deployed} built-ins deployed, ${warm.failed} failed; build cache warm)`,
  ['rounds', 'p50', 'max'],
  [[s.n, s.p50, s.max]],
);
console.log(`results: ${await writeResult('first-start', [row('first start, built-ins published and deployed (p50)', s.p50, 'ms')], { samples })}`);
