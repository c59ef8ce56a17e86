// The self-optimising kernel's figures: what differential verification costs (recorded calls
// replayed per second, old and new side by side in workers); a regressing version deployed under
// a paced load (failing calls, then slow calls): time to the canary's verdict and to the
// automatic rollback, and the failed calls users saw; and a slow pure tool under a replayed workload
// found by the monitor, given a faster version (a memo; a model-written rewrite) that is verified,
// approved by policy, deployed and kept by the canary: time from detection, and the speed-up.
// Run alone: node benchmarks/self-optimise.ts
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import type { Kernel, SourceModel } from '../kernel/api.ts';
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

// ---- a slow pure tool under a replayed workload: the monitor's detection to a faster version kept -----
// The workload: recorded inputs (fib n 20-23, repeating as a real caller's do) replayed in a loop.
// The monitor's pass finds the slot slow and proposes; verification, policy approval, deploy and the
// canary follow on their own. Timed from detection (the optimiser.detected event) to verified, to
// serving, and to kept; the speed-up both on replay (verification p50 old / new) and as users see it
// (the workload's p50 under the old version against under the kept one).
const REPLAYED = Array.from({ length: 64 }, (_, i) => 20 + ((i * 7) % 4));

async function replay(kernel: Kernel, calls: number, until?: () => boolean): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < calls && !until?.(); i++) {
    const started = performance.now();
    await kernel.invokeTool('fib', { n: REPLAYED[i % REPLAYED.length] });
    ms.push(performance.now() - started);
  }
  return ms;
}

async function monitored(label: string, config: Record<string, unknown>, model?: SourceModel): Promise<void> {
  const bench = await openBenchKernel({
    config: {
      recordSampleRate: 0.5,
      autoApprovePatches: true,
      canaryShare: 0.2,
      canaryMinCalls: 20,
      canaryWatchCalls: 200,
      optimiseMinCalls: 50,
      optimiseSlowMs: 2,
      ...config,
    },
  });
  const { kernel } = bench;
  await kernel.deployManifest(await publishDir(kernel, fixture('fib-slow')));
  if (model) kernel.optimiser.useModel(model);
  const before = summarize(await replay(kernel, 200));
  let detectedAt = 0;
  kernel.bus.once('optimiser.detected').then(() => (detectedAt = performance.now()));
  const [proposal] = await kernel.optimiser.pass();
  const serving = performance.now();
  if (proposal?.state !== 'deployed' || !proposal.patchId) throw new Error(`${label}: the monitor's proposal should be deployed: ${JSON.stringify(proposal)}`);
  const patchId = proposal.patchId;
  const kept = () => kernel.patches.get(patchId).canary?.stage === 'kept';
  // Kept after canaryWatchCalls calls and the warm-up (canaryWarmUpMs, 10 s): the workload runs on until then, a minute at most.
  await replay(kernel, Number.MAX_SAFE_INTEGER, () => kept() || performance.now() - serving > 60_000);
  const keptAt = performance.now();
  if (!kept()) throw new Error(`${label}: the canary did not keep it: ${JSON.stringify(kernel.patches.get(patchId).canary)}`);
  const after = summarize(await replay(kernel, 200));
  const report = kernel.patches.get(patchId);
  const replaySpeedUp = (report.verification?.old.p50 ?? 0) / Math.max(report.verification?.new.p50 ?? 1, 1e-3);
  const liveSpeedUp = before.p50 / Math.max(after.p50, 1e-3);
  summary.push(row(`${label}: detection to verified (${proposal.toVersion})`, proposal.verifiedMs ?? 0, 'ms'));
  summary.push(row(`${label}: detection to serving (approved by policy, deployed, canary share)`, serving - detectedAt, 'ms'));
  summary.push(row(`${label}: detection to kept (after ${report.canary?.calls} canary calls)`, keptAt - detectedAt, 'ms'));
  summary.push(row(`${label}: speed-up on replay (p50 old / new)`, replaySpeedUp, 'x', against(replaySpeedUp, '>=', 2, 'x')));
  summary.push(row(`${label}: speed-up users see (workload p50 before / after)`, liveSpeedUp, 'x', against(liveSpeedUp, '>=', 2, 'x')));
  details[label] = { proposal, verification: report.verification, canary: report.canary, before, after, history: report.history };
  await bench.close();
}

// A memo: fib 1.0.0 is declared pure and its inputs repeat.
await monitored('memo of a slow pure tool', {});
// A reimplementation: the memo is left out (repeat share 1.0 never reached), the model writes a loop.
const fastSource = await readFile(fixture('fib-fast/fib.js'), 'utf8');
await monitored('model-written faster version', { optimiseRepeatShare: 1, optimiseRewrite: true }, async () => `\`\`\`js\n${fastSource}\n\`\`\``);

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
