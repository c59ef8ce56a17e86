// Memory over 1,000 swaps alternating echo 1.0.0 and 1.1.0 (each followed by a few concurrent calls,
// so each version grows a few instances), then the cost of instance churn on its own. RSS is read after a full GC at checkpoints; it must stay
// flat from 100 to 1,000 swaps. It runs in a child process started with --expose-gc and the titan
// command's flags and environment, so the RSS is its own and Titan's as users run it.
// Run alone: node benchmarks/swap-rss.ts
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { instantiate } from '../kernel/instance.ts';
import { gcOrRerun } from './gc-child.ts';
import { ECHO_V2_DIR, openBenchKernel, printMachine, publishDir } from './setup.ts';
import { against, metCell, printTable, row, writeResult } from './stats.ts';

const SWAPS = 1_000;
const CHECKPOINTS = [0, 100, 250, 500, 750, 1_000];
const CALLS_PER_SWAP = 8;
const GROWTH_LIMIT_MB = 10;

const gc = gcOrRerun(import.meta.url);

const MB = 2 ** 20;
/** Address space in GB: each wasm memory reserves about 8 GiB, so a leaked instance shows here first (Linux only). */
function virtualGb(): number {
  try {
    return Number(/VmSize:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 2 ** 20;
  } catch {
    return NaN;
  }
}

async function snapshot(swaps: number) {
  await sleep(20); // lets the replaced version drain
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return {
    swaps,
    rssMb: m.rss / MB,
    heapTotalMb: m.heapTotal / MB,
    heapUsedMb: m.heapUsed / MB,
    externalMb: m.external / MB,
    outsideHeapMb: (m.rss - m.heapTotal) / MB,
    virtualGb: virtualGb(),
  };
}

printMachine();
const bench = await openBenchKernel({ builtins: true });
const { kernel } = bench;
const v1 = await kernel.registry.show({ kind: 'tool', name: 'echo', version: '1.0.0' });
const v2 = await publishDir(kernel, ECHO_V2_DIR);

const started = performance.now();
const points = [await snapshot(0)];
for (let swap = 1; swap <= SWAPS; swap++) {
  await kernel.deployManifest(swap % 2 === 1 ? v2 : v1);
  await Promise.all(Array.from({ length: CALLS_PER_SWAP }, (_, i) => kernel.call('tool', 'echo', 'invoke', [`{"text":"${i}"}`])));
  if (CHECKPOINTS.includes(swap)) points.push(await snapshot(swap));
}
const seconds = (performance.now() - started) / 1000;
const pools = kernel.components().find((c) => c.slot === 'tool/echo')?.instances;

// Swapping between two versions reuses the standby's instances. A stream of always-new versions
// creates fresh instances instead: measured here directly, RSS per 1,000 instances made and dropped.
const CHURN = 2_000;
const loaded = await kernel.loader.load(v1, await kernel.registry.readBlob(v1));
const churnBefore = await snapshot(0);
for (let i = 0; i < CHURN; i++) (await instantiate(loaded, kernel.services)).exports.invoke('{"text":"x"}');
const churnAfter = await snapshot(0);
const churnMbPerThousand = ((churnAfter.rssMb - churnBefore.rssMb) / CHURN) * 1000;
await bench.close();

const at = (n: number) => points.find((p) => p.swaps === n)!;
const growth = at(1_000).rssMb - at(100).rssMb;
const outsideGrowth = at(1_000).outsideHeapMb - at(100).outsideHeapMb;
const verdict = against(growth, '<=', GROWTH_LIMIT_MB, 'MB');
const outsideVerdict = against(outsideGrowth, '<=', GROWTH_LIMIT_MB, 'MB');
printTable(
  `RSS over ${SWAPS} swaps (MB after gc; ${CALLS_PER_SWAP} concurrent calls after each swap; ${seconds.toFixed(1)} s)`,
  ['swaps', 'RSS MB', 'V8 heap committed MB', 'heap used MB', 'external MB', 'RSS outside V8 heap MB', 'address space GB'],
  points.map((p) => [String(p.swaps), p.rssMb, p.heapTotalMb, p.heapUsedMb, p.externalMb, p.outsideHeapMb, p.virtualGb]),
);
console.log(`growth 100 -> 1,000 swaps: RSS ${growth.toFixed(1)} MB (${((growth * 1024) / 900).toFixed(1)} KB a swap), target ${verdict.target}: ${metCell(verdict.met)};
outside the V8 heap ${outsideGrowth.toFixed(1)} MB: ${metCell(outsideVerdict.met)}. V8 keeps heap pages it has grown to (its young generation
grows under allocation and is not given back after a GC), so a step in "heap committed" with a flat "heap used" is sizing,
not a leak; a leak of instances, memories or glue would show in heap used, external, RSS outside the V8 heap, or
address space (about 8 GiB reserved per live wasm memory). Each swap takes over the standby version's instances
(the version that served before stays warm for rollback), so alternating swaps create no new instances.
Instance churn measured apart: ${churnMbPerThousand.toFixed(1)} MB of RSS per 1,000 instances created and dropped
(instance-churn.ts follows it every 100, with worker threads and smoke tests).`);
console.log(`echo's pool at the end: ${JSON.stringify(pools)}`);
const summary = [
  row('RSS after 100 swaps', at(100).rssMb, 'MB'),
  row('RSS after 1,000 swaps', at(1_000).rssMb, 'MB'),
  row('RSS growth 100 -> 1,000 swaps', growth, 'MB', verdict),
  row('RSS outside V8 heap, growth 100 -> 1,000', outsideGrowth, 'MB', outsideVerdict),
  row('RSS per 1,000 fresh instances (churn)', churnMbPerThousand, 'MB'),
];
console.log(`results: ${await writeResult('swap-rss', summary, { swaps: SWAPS, callsPerSwap: CALLS_PER_SWAP, points, seconds })}`);
