// Instance creation and component loading: (1) new instances from an already loaded component
// (compiled modules cached in memory), (2) what each swap repeats even with every cache hot
// (registry.readBlob re-hashes the blob, loader.load re-reads the transpile cache from disk), and
// (3) a cold load of echo in a fresh process, with the on-disk transpile cache warm and cold.
// Run alone: node benchmarks/instances.ts
import { execFile } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Kernel } from '../kernel/api.ts';
import { instantiate } from '../kernel/instance.ts';
import { BENCH_CACHE, ECHO_V1_DIR, openBenchKernel, printMachine, publishDir, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type Summary, type SummaryRow } from './stats.ts';

const INSTANCES = 200;
const RELOADS = 30;
const COLD_RUNS = 5;
const COLD_LOAD = fileURLToPath(new URL('./cold-load.ts', import.meta.url));

async function timeMs(n: number, fn: () => Promise<unknown>): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

async function inProcess(kernel: Kernel, tool: string) {
  const manifest = await kernel.registry.resolve({ kind: 'tool', name: tool });
  const wasm = await kernel.registry.readBlob(manifest);
  const loaded = await kernel.loader.load(manifest, wasm);
  await instantiate(loaded, kernel.services); // first one outside the samples
  return {
    instantiate: await timeMs(INSTANCES, () => instantiate(loaded, kernel.services)),
    readBlob: await timeMs(RELOADS, () => kernel.registry.readBlob(manifest)),
    reload: await timeMs(RELOADS, () => kernel.loader.load(manifest, wasm)),
    sizeMb: wasm.length / 2 ** 20,
  };
}

async function coldLoad(home: string, cacheDir: string): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)(process.execPath, [COLD_LOAD, home, cacheDir]);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
}

printMachine();
const summary: SummaryRow[] = [];

// (1) and (2): in one process, caches hot.
const bench = await openBenchKernel({ builtins: true });
const local: Record<string, Awaited<ReturnType<typeof inProcess>>> = {};
for (const tool of ['echo', 'clock', 'kv']) local[tool] = await inProcess(bench.kernel, tool);
await bench.close();
printTable(
  `instances from a loaded component (ms; ${INSTANCES} instantiations each) and the per-swap reload with caches hot (${RELOADS} each)`,
  ['component', 'instance p50', 'instance p99', 'readBlob p50', 'reload p50', 'reload p99', 'wasm MB'],
  Object.entries(local).map(([tool, r]) => [tool, r.instantiate.p50, r.instantiate.p99, r.readBlob.p50, r.reload.p50, r.reload.p99, r.sizeMb]),
);
console.log(`target: a new instance p50 ≤ 2 ms (DESIGN.md measured about 2 ms for QuickJS): ${Object.entries(local)
  .map(([t, r]) => `${t} ${r.instantiate.p50 <= 2 ? 'met' : 'MISSED'}`)
  .join(', ')}.
reload = loader.load of a component already loaded: link plan + transpile cache read from disk (glue and modules come from memory).`);
for (const [tool, r] of Object.entries(local)) {
  const verdict = against(r.instantiate.p50, '<=', 2, 'ms'); // DESIGN.md: about 2 ms for QuickJS
  summary.push(row(`${tool}: new instance p50`, r.instantiate.p50, 'ms', verdict), row(`${tool}: new instance p99`, r.instantiate.p99, 'ms'));
}
summary.push(row('echo: readBlob + reload p50 (repeated by every swap)', local.echo.readBlob.p50 + local.echo.reload.p50, 'ms'));

// (3): a home with echo published, loaded by fresh processes.
const home = await tempDir('titan-bench-cold-');
const publisher = await openBenchKernel({ home });
await publishDir(publisher.kernel, ECHO_V1_DIR);
await publisher.close();
const runs: Record<'warm' | 'cold', Array<Record<string, number>>> = { warm: [], cold: [] };
for (let i = 0; i < COLD_RUNS; i++) {
  runs.warm.push(await coldLoad(home, BENCH_CACHE));
  const cacheDir = await tempDir('titan-bench-cache-');
  await cp(path.join(BENCH_CACHE, 'components'), path.join(cacheDir, 'components'), { recursive: true });
  runs.cold.push(await coldLoad(home, cacheDir));
  await rm(cacheDir, { recursive: true, force: true });
}
await rm(home, { recursive: true, force: true });

const stages = Object.keys(runs.warm[0]);
const median = (which: 'warm' | 'cold', stage: string) => summarize(runs[which].map((r) => r[stage])).p50;
const total = (which: 'warm' | 'cold') => summarize(runs[which].map((r) => stages.slice(1).reduce((sum, s) => sum + r[s], 0))).p50;
const coldRows = stages.map((s) => [s, median('warm', s), median('cold', s)]);
coldRows.push(['readBlob .. first call (total)', total('warm'), total('cold')]);
printTable(
  `cold load of tool/echo in a fresh process (ms, median of ${COLD_RUNS} processes)`,
  ['stage', 'transpile cache warm', 'transpile cache cold'],
  coldRows,
);
console.log(`warm: the kernel's cache dir already holds echo's transpiled output (the usual restart).
cold: a fresh cache dir holding only the componentize output ("components"), so loader.load runs jco transpile
and writes its result; cold − warm in the loader.load row is the transpile cost. Every process also pays jco's
own start-up in its first inspect. Kernel.open is outside the total.`);
summary.push(row('echo: cold load total, transpile cache warm', total('warm'), 'ms'), row('echo: cold load total, transpile cache cold', total('cold'), 'ms'));
console.log(`results: ${await writeResult('instances', summary, { local, coldLoad: runs })}`);
