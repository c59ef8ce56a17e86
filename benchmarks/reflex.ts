// Reflexes, measured (scripted model, deterministic test tools weather / notes / quote):
// 1. The same request twice through the gateway's OpenAI-compatible API: first the model answers
//    (1 s of scripted latency), then, once the reflex compiled from the recurring requests serves,
//    the reflex (gateway in to answer out, p50 over repeats).
// 2. Time from a pattern becoming eligible (mined with enough support) to its reflex serving.
// 3. A replayed workload of 1,000 requests, 60% recurring intents in varied wording (the phrasings
//    and held-out paraphrases of test/reflex/data/intents.json) and 40% one-off requests and near
//    misses, 4 at a time (one person's assistant, not a saturated server): model calls avoided,
//    wrong answers (a fast answer that differs from what the model answers), p50 latency with and
//    without the fast path, over the whole replay and over its second half (reflexes learned).
// 4. Precision and recall of mining on the committed paraphrase and near-miss sets, with the local
//    embedder and with provider embeddings (the scripted server's /v1/embeddings).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from '../agent/loop/agent.ts';
import type { LlmEvent } from '../agent/loop/llm-types.ts';
import type { LlmStream } from '../agent/loop/turn.ts';
import { bootstrapBuiltins, Kernel, publishComponent } from '../kernel/api.ts';
import { reflexesSection, shadowSection, type ReflexConfigs, type ReflexesConfig } from '../agent/api.ts';
import { localEmbedder, providerEmbedder } from '../agent/reflex/embedder.ts';
import { ReflexService } from '../agent/reflex/service.ts';
import { startGateway } from '../gateway/server.ts';
import { buildComponent } from '../toolchain/build.ts';
import { startScriptedLlm } from '../agent/llm/scripted/server.ts';
import { measure } from '../test/reflex/precision.ts';
import { fill, INTENTS, rightAnswer, type Intent } from '../test/reflex/support.ts';
import { BENCH_CACHE, printMachine } from './setup.ts';
import { against, printTable, row, summarize, writeResult } from './stats.ts';

const FIRST_LATENCY_MS = 1000;
const WORKLOAD = 1000;
const RECURRING_SHARE = 0.6;
const WORKLOAD_LATENCY_MS = 100;
const CONCURRENCY = 4;
const REPEATS = 300;
const TOOLS = fileURLToPath(new URL('../test/reflex/fixtures/', import.meta.url));

printMachine();

/** What the model does with a prompt: call the intent's tool, then answer from its result; or just answer. */
type Plan = { intent?: Intent; value?: string; answer: string };

/** A model that knows every prompt of the run (an oracle): the right tool call and answer, after a delay. */
function oracleModel(plans: Map<string, Plan>, latencyMs: () => number, counter: { calls: number }): LlmStream {
  return async function* (request, { signal }) {
    counter.calls++;
    const last = request.messages.at(-1)!;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    if (last.role === 'tool') {
      const prompt = [...request.messages].reverse().find((m) => m.role === 'user')!.content;
      yield { type: 'text', text: plans.get(prompt)?.answer ?? 'I do not know.' } satisfies LlmEvent;
      yield { type: 'stop', reason: 'end_turn' };
      return;
    }
    await sleep(latencyMs());
    if (signal.aborted) throw signal.reason;
    const plan = plans.get(last.content);
    if (plan?.intent && plan.value) {
      const { args } = rightAnswer(plan.intent, plan.value);
      yield { type: 'tool_call', index: 0, id: `call_${Math.random().toString(36).slice(2)}`, name: plan.intent.tool, arguments_delta: JSON.stringify(args) };
      yield { type: 'stop', reason: 'tool_use' };
      return;
    }
    yield { type: 'text', text: plan?.answer ?? 'I do not know.' };
    yield { type: 'stop', reason: 'end_turn' };
  };
}

async function openKernel(reflexes: Partial<ReflexesConfig>) {
  const home = await mkdtemp(path.join(os.tmpdir(), 'titan-bench-reflex-'));
  const kernel = await Kernel.open({ home, cacheDir: BENCH_CACHE, logToFile: false, env: {} });
  const config: ReflexConfigs = { reflexes: { ...reflexesSection.defaults, ...reflexes }, shadow: { ...shadowSection.defaults, enabled: false } };
  const report = await bootstrapBuiltins(kernel);
  if (report.failed.length) throw new Error(JSON.stringify(report.failed));
  for (const tool of ['weather', 'notes', 'quote']) {
    await kernel.deployManifest(await publishComponent(kernel, await buildComponent(path.join(TOOLS, tool), { cacheDir: BENCH_CACHE })));
  }
  return {
    kernel,
    home,
    config,
    close: async () => {
      await kernel.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

// ---- 1 and 2: the same request twice, through the gateway ---------------------------------------

const weather = INTENTS.find((i) => i.id === 'weather')!;
const plans = new Map<string, Plan>();
const planFor = (intent: Intent, phrasing: string, value: string) => {
  const prompt = fill(phrasing, { [intent.slot]: value });
  plans.set(prompt, { intent, value, answer: rightAnswer(intent, value).answer });
  return prompt;
};
const warmup = [planFor(weather, weather.train[0], 'Paris'), planFor(weather, weather.train[1], 'Berlin'), planFor(weather, weather.train[2], 'Rome')];
const repeated = planFor(weather, weather.train[3], 'Lisbon');

const first = await openKernel({ checkRate: 0 });
const calls = { calls: 0 };
const agent = new Agent(first.kernel, { workspace: path.join(first.home, 'workspace'), llm: oracleModel(plans, () => FIRST_LATENCY_MS, calls) });
await agent.start();
const reflexes = new ReflexService(first.kernel, { tools: agent.tools, mineDelayMs: 50, config: first.config });
await reflexes.start();
agent.useReflexes(reflexes);
let eligibleAt = 0;
reflexes.on('eligible', (_key, at) => (eligibleAt ||= at));
const serving = new Promise<number>((resolve) => reflexes.on('serving', (_record, ms) => resolve(ms)));
const gateway = await startGateway({ kernel: first.kernel, agent, port: 0, ownerId: 'bench', openAi: true });
const token = (await readFile(path.join(first.home, 'gateway-token'), 'utf8')).trim();
const thread = await agent.createThread('bench');
const ask = async (text: string) => {
  const started = performance.now();
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-titan-thread': thread.id },
    body: JSON.stringify({ model: 'titan', messages: [{ role: 'user', content: text }] }),
  });
  const body = (await response.json()) as { choices: Array<{ message: { content: string } }>; titan_answered_by?: string };
  return { ms: performance.now() - started, text: body.choices[0].message.content, by: body.titan_answered_by };
};
for (const prompt of warmup) await ask(prompt);
const viaModel = await ask(repeated);
const eligibleToServingMs = await serving;
// Measured once the background work is done (a newer version may compile after the last model turn).
await reflexes.mine();
await new Promise((resolve) => setTimeout(resolve, 500));
const servingAt = performance.now();
const fast: number[] = [];
let fastBy: string | undefined;
let fastRight = true;
for (let i = 0; i < REPEATS + 20; i++) {
  const answer = await ask(repeated);
  fastBy = answer.by;
  fastRight &&= answer.text === plans.get(repeated)!.answer;
  if (i >= 20) fast.push(answer.ms);
}
const fastStats = summarize(fast);
const modelCallsInRepeats = calls.calls;
await gateway.close();
await reflexes.close();
await agent.close();
await first.close();
printTable(
  'the same request twice, through POST /v1/chat/completions (ms)',
  ['first (model, 1 s latency)', `then the reflex p50 (${REPEATS})`, 'p99', 'ratio', 'answered by', 'right', 'target'],
  [[viaModel.ms, fastStats.p50, fastStats.p99, viaModel.ms / fastStats.p50, fastBy ?? '(model)', String(fastRight), '≤ 2 ms p50']],
);
printTable('from a pattern eligible to its reflex serving (mine, generate, build, publish, guard, patch, deploy)', ['ms'], [[eligibleToServingMs]]);
void servingAt;
void modelCallsInRepeats;

// ---- 3: the replayed workload ----------------------------------------------------------------

/** mulberry32: a seeded generator, so both runs replay the same requests. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(6);
const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
const TOPICS = [
  'a haiku about the sea',
  'the capital of Peru',
  'a name for my cat',
  'how tides work',
  'a joke about compilers',
  'a synonym for quick',
  'the plot of Hamlet',
  'a tip for sleeping',
];
const workload: Array<{ prompt: string; expected: string; recurring: boolean }> = [];
for (let i = 0; i < WORKLOAD; i++) {
  if (rnd() < RECURRING_SHARE) {
    const intent = pick(INTENTS);
    const prompt = planFor(intent, pick([...intent.train, ...intent.paraphrases]), pick(intent.values));
    workload.push({ prompt, expected: plans.get(prompt)!.answer, recurring: true });
  } else if (rnd() < 0.25) {
    // A near miss: the same words as a recurring intent, another request; the model answers it otherwise.
    const intent = pick(INTENTS);
    const prompt = fill(pick(intent.nearMisses), { [intent.slot]: pick(intent.values) });
    plans.set(prompt, { answer: `About "${prompt}": that is not something I can look up.` });
    workload.push({ prompt, expected: plans.get(prompt)!.answer, recurring: false });
  } else {
    const prompt = `request ${i}: tell me ${pick(TOPICS)}`;
    plans.set(prompt, { answer: `Here is ${prompt.slice(prompt.indexOf('tell me ') + 8)}.` });
    workload.push({ prompt, expected: plans.get(prompt)!.answer, recurring: false });
  }
}

async function replay(fastPath: boolean) {
  const bench = await openKernel({ checkRate: 0.05 });
  const counter = { calls: 0 };
  const model = oracleModel(plans, () => WORKLOAD_LATENCY_MS, counter);
  const runner = new Agent(bench.kernel, { workspace: path.join(bench.home, 'workspace'), llm: model });
  await runner.start();
  const service = fastPath ? new ReflexService(bench.kernel, { tools: runner.tools, llm: model, mineDelayMs: 200, config: bench.config }) : undefined;
  if (service) {
    await service.start();
    runner.useReflexes(service);
  }
  const threads = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => runner.createThread(`user-${i}`)));
  const latencies: number[] = [];
  const late: number[] = [];
  const fastLatencies: number[] = [];
  let fastAnswers = 0;
  let lateFast = 0;
  const wrong: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    threads.map(async (t, lane) => {
      while (next < workload.length) {
        const index = next++;
        const item = workload[index];
        const begun = performance.now();
        const { run, turnId } = await runner.send(`user-${lane}`, t.id, item.prompt);
        const outcome = await run.done;
        latencies.push(performance.now() - begun);
        if (index >= WORKLOAD / 2) late.push(performance.now() - begun);
        if (service?.answeredBy(turnId)) {
          fastAnswers++;
          fastLatencies.push(performance.now() - begun);
          if (index >= WORKLOAD / 2) lateFast++;
          if (outcome.text !== item.expected) wrong.push(`${item.prompt} -> ${outcome.text}`);
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  const stats = {
    reflexes: service?.list().filter((r) => r.state === 'serving').length ?? 0,
    discarded:
      service
        ?.list()
        .filter((r) => r.state === 'discarded')
        .map((r) => r.reason) ?? [],
    checks: service?.counters.checks ?? 0,
  };
  await service?.close();
  await runner.close();
  await bench.close();
  return {
    latency: summarize(latencies),
    late: summarize(late),
    fast: summarize(fastLatencies),
    lateFast,
    fastAnswers,
    wrong,
    wallMs,
    modelRequests: counter.calls,
    ...stats,
  };
}

const without = await replay(false);
const withFast = await replay(true);
const avoidedShare = withFast.fastAnswers / WORKLOAD;
printTable(
  `replayed workload: ${WORKLOAD} requests, ${RECURRING_SHARE * 100}% recurring intents in varied wording, ${CONCURRENCY} at a time, model step latency ${WORKLOAD_LATENCY_MS} ms`,
  ['', 'answered without the model', 'wrong answers', 'p50 ms', 'p99 ms', 'wall s', 'model requests', 'reflexes serving'],
  [
    ['model only', 0, 0, without.latency.p50, without.latency.p99, without.wallMs / 1000, without.modelRequests, 0],
    [
      'with reflexes',
      withFast.fastAnswers,
      withFast.wrong.length,
      withFast.latency.p50,
      withFast.latency.p99,
      withFast.wallMs / 1000,
      withFast.modelRequests,
      withFast.reflexes,
    ],
  ],
);
printTable(
  `the second half of the replay (requests ${WORKLOAD / 2 + 1}-${WORKLOAD}: the reflexes have learned)`,
  ['', 'answered without the model', 'p50 ms', 'p99 ms'],
  [
    ['model only', 0, without.late.p50, without.late.p99],
    ['with reflexes', withFast.lateFast, withFast.late.p50, withFast.late.p99],
  ],
);
console.log(`requests answered without the model: p50 ${withFast.fast.p50.toFixed(2)} ms, p99 ${withFast.fast.p99.toFixed(2)} ms (agent send to turn done)`);
for (const line of withFast.wrong.slice(0, 10)) console.log(`wrong: ${line}`);
for (const reason of withFast.discarded) console.log(`discarded: ${reason}`);
console.log(`model requests with reflexes include ${withFast.checks} background checks of reflex answers (reflexCheckRate 0.05)`);

// ---- 4: precision and recall on the committed sets ---------------------------------------------

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
    row('same request: then the reflex, gateway in to answer out p50', fastStats.p50, 'ms', against(fastStats.p50, '<=', 2, 'ms')),
    row('same request: model / reflex ratio', viaModel.ms / fastStats.p50, 'x'),
    row('pattern eligible -> reflex serving', eligibleToServingMs, 'ms'),
    row('workload: model calls avoided', avoidedShare * 100, '%', against(avoidedShare * 100, '>=', 50, '%')),
    row('workload: model calls avoided, second half', (withFast.lateFast / (WORKLOAD / 2)) * 100, '%'),
    row('workload: model requests, with / without reflexes', (withFast.modelRequests / without.modelRequests) * 100, '%'),
    row('workload: wrong answers', withFast.wrong.length, 'answers', against(withFast.wrong.length, '<=', 0, 'answers')),
    row('workload p50 without the fast path', without.latency.p50, 'ms'),
    row('workload p50 with the fast path', withFast.latency.p50, 'ms'),
    row('workload p50 without the fast path, second half', without.late.p50, 'ms'),
    row('workload p50 with the fast path, second half', withFast.late.p50, 'ms'),
    row('workload p50 of the requests a reflex answered', withFast.fast.p50, 'ms'),
    row('mining precision (local embedder)', pr(local).precision, ''),
    row('mining recall (local embedder)', pr(local).recall, ''),
  ],
  { viaModel, fast: fastStats, fastBy, fastRight, eligibleToServingMs, eligibleAt, without, withFast, precision: { local: pr(local), provider: pr(provider) } },
);
