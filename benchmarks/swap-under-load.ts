// Hot swap under load: a paced client keeps calling tool/echo (≥ 5,000 calls/s, bounded
// concurrency) while the slot is swapped 100 times between echo 1.0.0 and echo 1.1.0 (whose
// answer names its version). Counts failures, answers from each version, and "stale" answers:
// a call started after a switch that was answered by the version switched away from.
// Run alone: node benchmarks/swap-under-load.ts
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Kernel } from '../kernel/api.ts';
import { ECHO_V2_DIR, openBenchKernel, printMachine, publishDir } from './setup.ts';
import { against, metCell, printTable, row, summarize, writeResult } from './stats.ts';

const RATE = 10_000; // calls per second the client aims at
const MAX_IN_FLIGHT = 64;
const SWAPS = 100;
const WARM_SWAPS = 2;
const IDLE_SWAPS = 20; // a baseline without load

type Load = {
  issued: number;
  completed: number;
  failed: number;
  stale: number;
  wrong: number;
  inFlight: number;
  byVersion: Record<string, number>;
  errors: Record<string, number>;
  latencyMs: number[];
};

/** Paced client: every millisecond it issues the calls that are due (about ten at a time), then sleeps. */
async function drive(kernel: Kernel, load: Load, serving: { version: string }, stop: { now: boolean }): Promise<number> {
  const started = performance.now();
  const issue = () => {
    const n = load.issued++;
    const expected = serving.version;
    const sent = performance.now();
    load.inFlight++;
    kernel
      .call('tool', 'echo', 'invoke', [`{"text":"n${n}"}`])
      .then(
        (answer) => {
          const out = JSON.parse(answer as string) as { text: string; version?: string };
          const version = out.version ?? '1.0.0';
          load.byVersion[version] = (load.byVersion[version] ?? 0) + 1;
          if (version !== expected) load.stale++;
          if (out.text !== `n${n}`) load.wrong++;
          load.completed++;
        },
        (error: { code?: string }) => {
          load.failed++;
          load.errors[error.code ?? 'unknown'] = (load.errors[error.code ?? 'unknown'] ?? 0) + 1;
        },
      )
      .finally(() => {
        load.inFlight--;
        load.latencyMs.push(performance.now() - sent);
      });
  };
  while (!stop.now) {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE) - load.issued;
    for (let i = 0; i < due && load.inFlight < MAX_IN_FLIGHT; i++) issue();
    await sleep(1);
  }
  while (load.inFlight > 0) await nextTurn();
  return performance.now() - started;
}

printMachine();
const bench = await openBenchKernel({ builtins: true });
const { kernel } = bench;
const v1 = await kernel.registry.show({ kind: 'tool', name: 'echo', version: '1.0.0' });
const v2 = await publishDir(kernel, ECHO_V2_DIR);

// The version a call started now will get: the event is emitted in the same synchronous step as the switch.
const serving = { version: v1.version };
kernel.bus.on('component.deployed', (e) => {
  if (e.slot === 'tool/echo') serving.version = e.version;
});

/** Swaps n times alternating v2/v1; returns deployManifest times and swapSlot (up to the switch) times. */
async function swaps(n: number): Promise<{ total: number[]; toSwitch: number[] }> {
  const total: number[] = [];
  const toSwitch: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const result = await kernel.deployManifest(i % 2 === 0 ? v2 : v1);
    total.push(performance.now() - started);
    toSwitch.push(result.ms);
  }
  return { total, toSwitch };
}

await swaps(WARM_SWAPS); // the first swap to each version loads it
const idle = await swaps(IDLE_SWAPS);

const load: Load = { issued: 0, completed: 0, failed: 0, stale: 0, wrong: 0, inFlight: 0, byVersion: {}, errors: {}, latencyMs: [] };
const stop = { now: false };
const client = drive(kernel, load, serving, stop);
await sleep(250);
const loaded = await swaps(SWAPS);
await sleep(250);
stop.now = true;
const elapsedMs = await client;
await bench.close();

const swap = summarize(loaded.total);
const ready = summarize(loaded.toSwitch);
const idleSwap = summarize(idle.total);
const calls = summarize(load.latencyMs);
const rate = load.completed / (elapsedMs / 1000);
const verdicts = {
  rate: against(rate, '>=', 5000, 'calls/s'),
  p50: against(swap.p50, '<=', 20, 'ms'),
  p99: against(swap.p99, '<=', 20, 'ms'),
  failed: against(load.failed, '<=', 0, ''),
  stale: against(load.stale + load.wrong, '<=', 0, ''),
};
const summary = [
  row('client calls/s achieved', rate, 'calls/s', verdicts.rate),
  row('swap latency p50 (deployManifest)', swap.p50, 'ms', verdicts.p50),
  row('swap latency p99 (deployManifest)', swap.p99, 'ms', verdicts.p99),
  row('swap to switch p50 (swapSlot)', ready.p50, 'ms'),
  row('swap to switch p99 (swapSlot)', ready.p99, 'ms'),
  row(`swap latency p50, no load (${IDLE_SWAPS} swaps)`, idleSwap.p50, 'ms'),
  row('calls completed', load.completed, 'calls'),
  row('failed calls', load.failed, 'calls', verdicts.failed),
  row('stale or wrong answers', load.stale + load.wrong, 'calls', verdicts.stale),
  row('answers from echo 1.0.0', load.byVersion['1.0.0'] ?? 0, 'calls'),
  row('answers from echo 1.1.0', load.byVersion['1.1.0'] ?? 0, 'calls'),
  row('call latency p99 during swaps', calls.p99, 'ms'),
];
printTable(
  `swap under load (${SWAPS} swaps echo 1.0.0 <-> 1.1.0 after ${WARM_SWAPS} warm-up swaps; client paced at ${RATE}/s, ≤ ${MAX_IN_FLIGHT} in flight)`,
  ['metric', 'value', 'unit', 'target', ''],
  summary.map((r) => [r.metric, r.value, r.unit, r.target ?? '', metCell(r.met)]),
);
console.log(`swap latency = kernel.deployManifest: load, one instance, smoke test, switch, then the fsync'd deployments.json;
swap to switch = the same up to the switch (SwapResult.ms). After the switch the new version has one instance, and
the client's concurrent calls create the rest on the event loop, which the deployments.json write then waits behind.
Swap max ${swap.max.toFixed(1)} ms; idle swap p99 ${idleSwap.p99.toFixed(1)} ms; call latency p50 ${calls.p50.toFixed(3)} ms, max ${calls.max.toFixed(1)} ms. Errors: ${JSON.stringify(load.errors)}.`);
console.log(
  `results: ${await writeResult('swap-under-load', summary, { rate: RATE, swaps: SWAPS, swapMs: swap, switchMs: ready, idleSwapMs: idleSwap, callMs: calls, load: { ...load, latencyMs: undefined }, elapsedMs })}`,
);
