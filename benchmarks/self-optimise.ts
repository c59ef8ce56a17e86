// The self-optimising kernel's figures: what differential verification costs (recorded calls
// replayed per second, old and new side by side in workers); a regressing version deployed under
// a paced load (failing calls, then slow calls): time to the canary's verdict and to the
// automatic rollback, and the failed calls users saw; and a slow pure tool's faster version taken
// from proposal through verification, policy approval and canary to kept, with its speed-up.
// Run alone: node benchmarks/self-optimise.ts
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../kernel/api.ts';
import { BUILTIN_ROOT } from '../kernel/api.ts';
import { openBenchKernel, printMachine, publishDir } from './setup.ts';
import { against, metCell, printTable, row, summarize, writeResult, type SummaryRow } from './stats.ts';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/components/', import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, name);
const RATE = 400; // calls a second the paced client aims at during a canary
const RECORDED = 300;

printMachine();
const summary: SummaryRow[] = [];
const details: Record<string, unknown> = {};

// ---- verification cost: kv (host answers replayed) --------------------------------------
{
  const bench = await openBenchKernel({ config: { recordSampleRate: 1, recordPerSlot: RECORDED } });
  const { kernel } = bench;
  await kernel.deployManifest(await publishDir(kernel, path.join(BUILTIN_ROOT, 'tools', 'kv')));
  for (let i = 0; i < RECORDED; i++) {
    const key = `k${i % 20}`;
    const op = i % 3 === 0 ? { op: 'set', key, value: `v${i}` } : i % 3 === 1 ? { op: 'get', key } : { op: 'list', prefix: 'k1' };
    await kernel.invokeTool('kv', op);
  }
  await publishDir(kernel, fixture('kv-v3'));
  const patch = await kernel.proposePatch({ kind: 'tool', name: 'kv', range: '1.2.0' });
  const report = patch.verification;
  if (!report?.passed) throw new Error(`kv 1.2.0 should pass verification: ${JSON.stringify(report)}`);
  const rate = report.replayed / (report.ms / 1000);
  summary.push(row('verification: calls replayed per second (kv, host answers from tape, both versions, incl. smoke and setup)', rate, 'calls/s'));
  summary.push(row('verification: whole report time for 300 calls', report.ms, 'ms'));
  details.verification = report;
  await bench.close();
}

/** A paced client over fib with even inputs; returns counters it fills until stopped. */
function drive(kernel: Kernel, stop: { now: boolean }, base: number) {
  const load = { issued: 0, failed: 0, done: 0, ms: [] as number[] };
  const run = (async () => {
    const started = performance.now();
    const inFlight = new Set<Promise<unknown>>();
    while (!stop.now) {
      const due = Math.floor(((performance.now() - started) / 1000) * RATE) - load.issued;
      for (let i = 0; i < due && inFlight.size < 16; i++) {
        const n = 2 * (load.issued++ % 3) + base;
        const sent = performance.now();
        const call = kernel
          .invokeTool('fib', { n })
          .then(
            () => load.done++,
            () => load.failed++,
          )
          .finally(() => {
            load.ms.push(performance.now() - sent);
            inFlight.delete(call);
          });
        inFlight.add(call);
      }
      await sleep(2);
    }
    await Promise.allSettled([...inFlight]);
  })();
  return { load, run };
}

async function regression(dir: string, version: string, label: string, base: number): Promise<void> {
  const bench = await openBenchKernel({ config: { recordSampleRate: 0 } });
  const { kernel } = bench;
  await kernel.deployManifest(await publishDir(kernel, fixture('fib-fast')));
  await publishDir(kernel, fixture(dir));
  const patch = await kernel.proposePatch({ kind: 'tool', name: 'fib', range: version });
  await kernel.approvePatch(patch.id, { by: 'bench' }, patch.verification?.passed ? undefined : 'deployed on purpose to measure the canary');
  const stop = { now: false };
  const { load, run } = drive(kernel, stop, base);
  await sleep(2000); // the old version's baseline under the same load
  const failedBefore = load.failed;
  const verdict = kernel.bus.once('component.canary_failed', (e) => e.patch === patch.id);
  const rolledBack = kernel.bus.once('patch.changed', (e) => e.id === patch.id && e.state === 'rolled_back');
  const deployed = performance.now();
  await kernel.deployPatch(patch.id, { by: 'bench' });
  const timeout = sleep(60_000).then(() => 'timeout' as const);
  const judged = await Promise.race([verdict.then(() => performance.now()), timeout]);
  const back = await Promise.race([rolledBack.then(() => performance.now()), timeout]);
  await sleep(300);
  stop.now = true;
  await run;
  const after = kernel.patches.get(patch.id);
  if (judged === 'timeout' || back === 'timeout') throw new Error(`${label}: no rollback within 60 s: ${JSON.stringify(after.canary)}`);
  summary.push(row(`${label}: deploy to verdict (all calls back on the old version)`, judged - deployed, 'ms'));
  summary.push(row(`${label}: deploy to rolled back (swap back done)`, back - deployed, 'ms', against(back - deployed, '<=', 10_000, 'ms')));
  summary.push(row(`${label}: calls the new version took before the verdict`, after.canary?.calls ?? 0, 'calls'));
  summary.push(row(`${label}: failed calls users saw`, load.failed - failedBefore, 'calls'));
  details[label] = { canary: after.canary, history: after.history, calls: load.done + load.failed, latency: summarize(load.ms) };
  await bench.close();
}

await regression('fib-flaky', '1.3.0', 'failing version', 12);
await regression('fib-regress', '1.4.0', 'slower version', 20);

// ---- a slow pure tool's faster version: proposal to kept, and its speed-up ----------------
{
  const bench = await openBenchKernel({
    config: { recordSampleRate: 0.5, autoApprovePatches: true, canaryShare: 0.2, canaryMinCalls: 20, canaryWatchCalls: 200 },
  });
  const { kernel } = bench;
  await kernel.deployManifest(await publishDir(kernel, fixture('fib-slow')));
  for (let i = 0; i < 120; i++) await kernel.invokeTool('fib', { n: 18 + (i % 4) });
  await publishDir(kernel, fixture('fib-fast'));
  const started = performance.now();
  const patch = await kernel.proposePatch({ kind: 'tool', name: 'fib', range: '1.1.0' }, { by: 'bench', why: 'faster fib' });
  const verified = performance.now();
  if (patch.state !== 'approved') throw new Error(`the faster fib should be approved by policy: ${JSON.stringify(patch.verification)}`);
  await kernel.deployPatch(patch.id, { by: 'policy' });
  const deployed = performance.now();
  let i = 0;
  while (kernel.patches.get(patch.id).canary?.stage !== 'kept' && i < 5000) await kernel.invokeTool('fib', { n: 18 + (i++ % 4) });
  const kept = performance.now();
  const report = kernel.patches.get(patch.id);
  const speedUp = (report.verification?.old.p50 ?? 0) / Math.max(report.verification?.new.p50 ?? 1, 1e-6);
  summary.push(row('faster version: propose to verified and approved', verified - started, 'ms'));
  summary.push(row('faster version: propose to serving (deployed, canary share)', deployed - started, 'ms'));
  summary.push(row(`faster version: propose to kept (after ${report.canary?.calls} canary calls)`, kept - started, 'ms'));
  summary.push(row('faster version: speed-up on replay (p50 old / new)', speedUp, 'x', against(speedUp, '>=', 2, 'x')));
  details.faster = { verification: report.verification, canary: report.canary };
  await bench.close();
}

// ---- JIT tools: source to result, both paths ---------------------------------------------
{
  const bench = await openBenchKernel();
  const { kernel } = bench;
  await kernel.jit.prepare();
  for (let i = 0; i < 3; i++) await kernel.jit.run({ source: 'return input.n * 2;', input: { n: i } }); // warm threads
  const runtime: number[] = [];
  for (let i = 0; i < 40; i++) {
    const started = performance.now();
    await kernel.jit.run({ source: `return input.words.filter((w) => w.length > ${i % 5}).length;`, input: { words: ['a', 'bb', 'ccc', 'dddddd'] } });
    runtime.push(performance.now() - started);
  }
  await kernel.jit.run({ source: 'return 0;', path: 'build' }); // the build thread's first start
  const build: number[] = [];
  for (let i = 0; i < 8; i++) {
    const started = performance.now();
    // A source of its own each time: no build cache hit.
    await kernel.jit.run({ source: `return input.words.length + ${i} + ${Date.now()};`, input: { words: ['a'] }, path: 'build' });
    build.push(performance.now() - started);
  }
  const r = summarize(runtime);
  const b = summarize(build);
  summary.push(row('JIT tool, prebuilt runtime: source to result p50', r.p50, 'ms', against(r.p50, '<=', 50, 'ms')));
  summary.push(row('JIT tool, prebuilt runtime: p99', r.p99, 'ms'));
  summary.push(row('JIT tool, QuickJS build of its own: source to result p50', b.p50, 'ms', against(b.p50, '<=', 1000, 'ms')));
  details.jit = { runtime: r, build: b };
  await bench.close();
}

printTable(
  'self-optimising kernel',
  ['metric', 'value', 'unit', 'target', ''],
  summary.map((r) => [r.metric, r.value, r.unit, r.target ?? '', metCell(r.met)]),
);
console.log(`a paced client at ${RATE} calls/s (≤ 16 in flight) over fib (n 12-16 failing version, 20-24 slower version) during each
canary; the old version (fib 1.1.0) serves the same load for 2 s first; canary share 10%, errors judged from 4 calls, p99 from 100.`);
await writeResult('self-optimise', summary, details);
