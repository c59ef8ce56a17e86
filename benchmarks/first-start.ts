// The first start of a fresh home: every built-in is built or found, published (smoke test) and
// deployed (smoke test again), each smoke test in a worker. Timed end to end, a few rounds, each in
// a new home, two ways: as an installed package meets it (a fresh cache: the built-ins come from
// prebuilt/, written here as `npm pack` writes it, and are transpiled anew), against 8 s on this
// machine; and with the build and transpile caches warm (a later home on the same machine).
// Each round's CPU time (user + system of this process and its threads) is printed beside: on a busy
// machine the wall time mostly measures the wait for a core. Run alone: node benchmarks/first-start.ts
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { bootstrapBuiltins, BUILTIN_ROOT, Kernel } from '../kernel/api.ts';
import { buildComponents, findComponentDirs } from '../toolchain/build.ts';
import { writePrebuilt } from '../toolchain/prebuilt.ts';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult } from './stats.ts';

const ROUNDS = Number(process.env.TITAN_FIRST_START_ROUNDS ?? 3);
const TARGET_MS = 8000;

type Round = { ms: number; cpuMs: number; deployed: number; failed: number };

async function firstStart(cacheDir?: string): Promise<Round> {
  const home = await tempDir('titan-bench-first-');
  const cpu = process.cpuUsage();
  const started = performance.now();
  const kernel = await Kernel.open({ home, cacheDir: cacheDir ?? path.join(home, 'cache'), logToFile: false, env: {} });
  try {
    const report = await bootstrapBuiltins(kernel);
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, deployed: report.deployed.length, failed: report.failed.length };
  } finally {
    await kernel.close();
    await rm(home, { recursive: true, force: true });
  }
}

printMachine();
// The built-ins as `npm pack` ships them (built from the bench cache: the same sources give the same keys).
await writePrebuilt(await buildComponents(await findComponentDirs(BUILTIN_ROOT), { cacheDir: BENCH_CACHE }));
// One round first fills the bench's build and transpile caches for the warm rounds.
const warm = await firstStart(BENCH_CACHE);
const installed: Round[] = [];
for (let i = 0; i < ROUNDS; i++) installed.push(await firstStart());
const cached: Round[] = [];
for (let i = 0; i < ROUNDS; i++) cached.push(await firstStart(BENCH_CACHE));
const wall = (rounds: Round[]) => summarize(rounds.map((r) => r.ms));
const cpu = (rounds: Round[]) => summarize(rounds.map((r) => r.cpuMs));
const fromPrebuilt = wall(installed);
const fromCache = wall(cached);
printTable(
  `first start of a fresh home (ms, ${warm.deployed} built-ins deployed, ${warm.failed} failed)`,
  ['start', 'rounds', 'p50', 'max', 'cpu p50', 'target'],
  [
    ['installed package: prebuilt built-ins, fresh cache', fromPrebuilt.n, fromPrebuilt.p50, fromPrebuilt.max, cpu(installed).p50, `≤ ${TARGET_MS} ms`],
    ['build and transpile caches warm', fromCache.n, fromCache.p50, fromCache.max, cpu(cached).p50, ''],
  ],
);
console.log(
  `results: ${await writeResult(
    'first-start',
    [
      row('first start of an installed package, prebuilt built-ins (p50)', fromPrebuilt.p50, 'ms', against(fromPrebuilt.p50, '<=', TARGET_MS, 'ms')),
      row('  its CPU time (p50)', cpu(installed).p50, 'ms'),
      row('first start, build and transpile caches warm (p50)', fromCache.p50, 'ms'),
    ],
    { installed, cached },
  )}`,
);
