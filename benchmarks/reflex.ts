// Reflexes, measured (scripted model, deterministic test tools weather / notes / quote):
// 1. The same request twice through the gateway's OpenAI-compatible API: first the model answers
//    (1 s of scripted latency), the second is answered again without the model (its read-only tool
//    run again; target under 100 ms). Then recurring requests compile a reflex: time from a pattern
//    eligible to its reflex serving, its answers over HTTP (p50 over repeats), and the first reflex
//    answer after a restart (the worker warmed at start, not by the first request).
// 2. A replayed workload of 1,000 requests (reflex-replay.ts). Reported: model requests avoided
//    (against the model-only run, counting every request the reflex side spent: probes, background
//    checks, shadow predictions), wrong answers, the reflex answer p50 (the fast path: match and
//    execute with its tool) against its target, with its time by part, and the turn p50.
// 3. Precision and recall of mining on the committed paraphrase and near-miss sets, with the local
//    embedder and with provider embeddings (the scripted server's /v1/embeddings).
import { rm } from 'node:fs/promises';
import os from 'node:os';
import { bootstrapBuiltins, Kernel } from '../kernel/api.ts';
import { localEmbedder, providerEmbedder } from '../agent/reflex/embedder.ts';
import { startScriptedLlm } from '../agent/llm/scripted/server.ts';
import { measure } from '../test/reflex/precision.ts';
import { INTENTS } from '../test/reflex/support.ts';
import { buildWorkload, CONCURRENCY, RECURRING_SHARE, replay, SETTLE_EVERY, WORKLOAD, WORKLOAD_LATENCY_MS } from './reflex-replay.ts';
import { askLane, closeLane, openLane } from './reflex-lane.ts';
import { oracleModel, openKernel, planFor, plans } from './reflex-support.ts';
import { BENCH_CACHE, printMachine } from './setup.ts';
import { against, printTable, row, summarize, writeResult } from './stats.ts';

const FIRST_LATENCY_MS = 1000;
const REPEATS = 300;

printMachine();

// ---- 1: the same request twice, through the gateway; then a reflex, and after a restart -------

const weather = INTENTS.find((i) => i.id === 'weather')!;
// The model knows every phrasing of every intent with every value (the probes ask it new ones).
for (const intent of INTENTS)
  for (const phrasing of [...intent.train, ...intent.paraphrases]) for (const value of intent.values) planFor(intent, phrasing, value);
const warmup = [planFor(weather, weather.train[0], 'Paris'), planFor(weather, weather.train[1], 'Berlin'), planFor(weather, weather.train[2], 'Rome')];
const repeated = planFor(weather, weather.train[3], 'Lisbon');

const first = await openKernel({ checkRate: 0 });
const calls = { calls: 0 };
/** A lane in the first kernel's home, the oracle answering as the model. */
const lane = (kernel: Kernel) =>
  openLane(
    kernel,
    first.home,
    first.config,
    oracleModel(() => FIRST_LATENCY_MS, calls),
  );
const one = await lane(first.kernel);
let eligibleAt = 0;
one.reflexes.on('eligible', (_key, at) => (eligibleAt ||= at));
const serving = new Promise<number>((resolve, reject) => {
  one.reflexes.on('serving', (_record, ms) => resolve(ms));
  // A discarded build would leave the run waiting for ever: it stops it with the reason.
  one.reflexes.on('changed', (record) => record.state === 'discarded' && reject(new Error(`the reflex was discarded: ${record.reason}`)));
});
// The same request twice: the second as soon as the first is kept (a person reads the first answer meanwhile).
const viaModel = await askLane(one, repeated);
for (let i = 0; i < 500 && one.reflexes.repeatsKept() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
const again = await askLane(one, repeated);
const againRight = again.text === viaModel.text && calls.calls === 2;
for (const prompt of warmup) await askLane(one, prompt);
const eligibleToServingMs = await serving;
// Measured once the background work is done (a newer version may compile after the last model turn).
await one.reflexes.mine();
const fast: number[] = [];
let fastBy: string | undefined;
let fastRight = true;
for (let i = 0; i < REPEATS + 20; i++) {
  const answer = await askLane(one, planFor(weather, weather.train[i % 3], weather.values[i % weather.values.length]));
  fastBy = answer.by;
  fastRight &&= answer.text === plans.get(planFor(weather, weather.train[i % 3], weather.values[i % weather.values.length]))!.answer;
  if (i >= 20) fast.push(answer.ms);
}
const fastStats = summarize(fast);
await closeLane(one, first.kernel);
// A restart: the kernel restores the reflex, the service warms it at start; then the first request.
const restarted = await Kernel.open({ home: first.home, cacheDir: BENCH_CACHE, logToFile: false, env: {} });
await bootstrapBuiltins(restarted);
await restarted.restoreDeployments();
const two = await lane(restarted);
await new Promise((resolve) => setTimeout(resolve, 1000)); // as a person's first request comes after the start
const afterRestart = await askLane(two, planFor(weather, weather.train[1], 'Oslo'));
await closeLane(two, restarted);
await rm(first.home, { recursive: true, force: true });
printTable(
  'the same request twice, through POST /v1/chat/completions (ms)',
  ['first (model, 1 s latency)', 'second (answered again, tool re-run)', 'right, no model request', 'target'],
  [[viaModel.ms, again.ms, String(againRight), '< 100 ms']],
);
printTable(
  'a reflex compiled from recurring requests (ms)',
  ['eligible -> serving', `its answers over HTTP p50 (${REPEATS})`, 'p99', 'answered by', 'right', 'first answer after a restart', 'answered by', 'target'],
  [
    [
      eligibleToServingMs,
      fastStats.p50,
      fastStats.p99,
      fastBy ?? '(model)',
      String(fastRight),
      afterRestart.ms,
      afterRestart.by ?? '(model)',
      'first ≤ 250 ms',
    ],
  ],
);
void eligibleAt;

// ---- 2: the replayed workload ----------------------------------------------------------------

const workload = buildWorkload();
const without = await replay(workload, { fastPath: false });
const withFast = await replay(workload, { fastPath: true });
const avoided = (without.modelRequests - withFast.modelRequests) / without.modelRequests;
printTable(
  `replayed workload: ${WORKLOAD} requests, ${RECURRING_SHARE * 100}% recurring intents in varied wording, ${CONCURRENCY} at a time, model step latency ${WORKLOAD_LATENCY_MS} ms, background work settled every ${SETTLE_EVERY}`,
  ['', 'answered without the model', 'wrong answers', 'model requests', 'p50 ms', 'p99 ms', 'wall s (settling)', 'reflexes serving'],
  [
    ['model only', 0, 0, without.modelRequests, without.latency.p50, without.latency.p99, without.wallMs / 1000, 0],
    [
      'with reflexes (defaults)',
      withFast.fastAnswers,
      withFast.wrong.length,
      withFast.modelRequests,
      withFast.latency.p50,
      withFast.latency.p99,
      `${(withFast.wallMs / 1000).toFixed(1)} (${(withFast.settleMs / 1000).toFixed(1)})`,
      withFast.reflexes,
    ],
  ],
);
printTable(
  'model requests avoided, counting every request the reflex side spent (probes, background checks, shadow predictions)',
  ['avoided', 'of which answered again (repeats)', 'background checks', 'shadow', 'target'],
  [
    [
      `${(avoided * 100).toFixed(1)}%`,
      withFast.repeats,
      withFast.checks,
      `${withFast.shadow?.model}: ${withFast.shadow?.requestsSpent ?? 0} spent, ${withFast.shadow?.requestsSaved ?? 0} saved`,
      '≥ 50%',
    ],
  ],
);
printTable(
  'reflex answers',
  ['fast path p50 ms (match + execute)', 'p99', 'target', 'turn p50 ms (send to done)', 'p99', 'second half: answered without the model'],
  [
    [
      withFast.answer.p50,
      withFast.answer.p99,
      `≤ 2 ms p50: ${withFast.answer.p50 <= 2 ? 'met' : 'MISSED'}`,
      withFast.fast.p50,
      withFast.fast.p99,
      `${withFast.lateFast} of ${WORKLOAD / 2}`,
    ],
  ],
);
const { breakdown } = withFast;
printTable(
  `a reflex answer by part (${breakdown.parts[0].stats.n} answers; the test tools run ${breakdown.isolation}); the fast path is match to after the hit, the turn adds events and store`,
  ['part', 'p50 ms', 'p99 ms', 'mean ms'],
  breakdown.parts.map(({ part, stats }) => [part, stats.p50.toFixed(3), stats.p99.toFixed(3), stats.mean.toFixed(3)]),
);
printTable(
  `the tools' worker calls by part (${breakdown.worker[0].stats.n} calls, model turns' included; load ${os.loadavg()[0].toFixed(1)})`,
  ['part', 'p50 ms', 'p99 ms', 'mean ms'],
  breakdown.worker.map(({ part, stats }) => [part, stats.p50.toFixed(3), stats.p99.toFixed(3), stats.mean.toFixed(3)]),
);
for (const line of withFast.wrong.slice(0, 10)) console.log(`wrong: ${line}`);
for (const reason of withFast.discarded) console.log(`discarded: ${reason}`);

// ---- 3: precision and recall on the committed sets ---------------------------------------------

const scripted = await startScriptedLlm();
const local = await measure(localEmbedder);
const provider = await measure(providerEmbedder({ name: 'scripted', component: 'openai', baseUrl: scripted.baseUrls.openai, model: 'x' }, 'embed-test', {}));
await scripted.close();
const pr = (m: typeof local) => ({ precision: m.answered ? m.correct / m.answered : 1, recall: m.correct / m.paraphrases });
printTable(
  'mining precision and recall on test/reflex/data/intents.json (held-out paraphrases and near misses)',
  ['embeddings', 'precision', 'recall', 'answered', 'correct', 'paraphrases', 'near misses'],
  [
    ['local (hashed n-grams)', pr(local).precision.toFixed(3), pr(local).recall.toFixed(3), local.answered, local.correct, local.paraphrases, local.nearMisses],
    [
      'provider (/v1/embeddings)',
      pr(provider).precision.toFixed(3),
      pr(provider).recall.toFixed(3),
      provider.answered,
      provider.correct,
      provider.paraphrases,
      provider.nearMisses,
    ],
  ],
);

await writeResult(
  'reflex',
  [
    row('same request: first, through the model', viaModel.ms, 'ms'),
    row('same request: second, answered again (tool re-run)', again.ms, 'ms', against(again.ms, '<=', 100, 'ms')),
    row('reflex answers over HTTP p50', fastStats.p50, 'ms'),
    row('first reflex answer after a restart', afterRestart.ms, 'ms', against(afterRestart.ms, '<=', 250, 'ms')),
    row('pattern eligible -> reflex serving', eligibleToServingMs, 'ms'),
    row('replay: model requests avoided (probes, checks, shadow counted)', avoided * 100, '%', against(avoided * 100, '>=', 50, '%')),
    row('replay: answered without the model, second half', (withFast.lateFast / (WORKLOAD / 2)) * 100, '%'),
    row('replay: wrong answers', withFast.wrong.length, 'answers', against(withFast.wrong.length, '<=', 0, 'answers')),
    row('replay: reflex answer p50 (fast path)', withFast.answer.p50, 'ms', against(withFast.answer.p50, '<=', 2, 'ms')),
    ...breakdown.parts.map(({ part, stats }) => row(`replay: reflex answer part "${part}" p50`, stats.p50, 'ms')),
    row('replay: turn p50 of requests answered without the model', withFast.fast.p50, 'ms'),
    row('replay p50 without the fast path', without.latency.p50, 'ms'),
    row('replay p50 with the fast path', withFast.latency.p50, 'ms'),
    row('mining precision (local embedder)', pr(local).precision, ''),
    row('mining recall (local embedder)', pr(local).recall, ''),
  ],
  {
    viaModel,
    again,
    afterRestart,
    fast: fastStats,
    fastBy,
    fastRight,
    eligibleToServingMs,
    without,
    withFast,
    precision: { local: pr(local), provider: pr(provider) },
  },
);
