// The replayed workload of the reflex benchmark: 1,000 requests, 60% recurring intents in varied
// wording (the phrasings and held-out paraphrases of test/reflex/data/intents.json) and 40% one-off
// requests and near misses, 4 at a time, every setting at its default (so no shadow workers: no
// background model). The background work (mining, builds, probes) runs and settles every 50
// requests, and only then: a person's 1,000 requests take weeks, not the 30 s a 100 ms model
// needs, so the figure is what the reflexes save once they keep up, with answers timed while no
// build runs. With the fast path on, the reflex answers are also timed by part (answer-timings.ts,
// worker-timings.ts: diagnostics channels nobody listens to outside a benchmark).
import path from 'node:path';
import { Agent } from '../agent/loop/agent.ts';
import { reflexesSection, shadowSection, type ReflexConfigs } from '../agent/api.ts';
import { answerTimings, type AnswerPart, type AnswerTimings } from '../agent/reflex/answer-timings.ts';
import { ReflexService } from '../agent/reflex/service.ts';
import type { KernelConfig } from '../kernel/api.ts';
import { workerCalls, type WorkerCallTiming } from '../kernel/worker-timings.ts';
import { fill, INTENTS } from '../test/reflex/support.ts';
import { oracleModel, openKernel, planFor, plans, TEST_TOOLS } from './reflex-support.ts';
import { summarize, type Summary } from './stats.ts';

export const WORKLOAD = 1000;
export const RECURRING_SHARE = 0.6;
export const WORKLOAD_LATENCY_MS = 100;
export const CONCURRENCY = 4;
/** The background work settles after every this many requests of the replay. */
export const SETTLE_EVERY = 50;

/** mulberry32: a seeded generator, so every run replays the same requests. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

export type WorkItem = { prompt: string; expected: string; recurring: boolean };

/** The 1,000 requests (the same every run), each known to the oracle model. */
export function buildWorkload(): WorkItem[] {
  const rnd = random(6);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  const workload: WorkItem[] = [];
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
  return workload;
}

/** The reflex answers' time by part, over the answers of the replay (ms). */
export type AnswerBreakdown = {
  /** Each part of the fast path and of the turn around it. */
  parts: Array<{ part: AnswerPart | 'between parts'; stats: Summary }>;
  /** The tools' calls in their worker (every tool call of the replay, model turns' included). */
  worker: Array<{ part: string; stats: Summary }>;
  /** Where the test tools run (the kernel's placement: not shipped with Titan, so a worker unless granted). */
  isolation: string;
};

/** Listens on the timing channels while `work` runs. */
async function timed<T>(work: (fastPathMs: Map<string, number>) => Promise<T>): Promise<{ result: T; breakdown: Omit<AnswerBreakdown, 'isolation'> }> {
  const byTurn = new Map<string, AnswerTimings['parts']>();
  const calls: WorkerCallTiming[] = [];
  const onAnswer = (message: unknown) => {
    const { turnId, parts } = message as AnswerTimings;
    byTurn.set(turnId, { ...byTurn.get(turnId), ...parts });
  };
  const onCall = (message: unknown) => {
    const call = message as WorkerCallTiming;
    if (call.slot.startsWith('tool/') && call.fn === 'invoke') calls.push(call);
  };
  answerTimings.subscribe(onAnswer);
  workerCalls.subscribe(onCall);
  const fastPathMs = new Map<string, number>();
  let result: T;
  try {
    result = await work(fastPathMs);
  } finally {
    answerTimings.unsubscribe(onAnswer);
    workerCalls.unsubscribe(onCall);
  }
  const answered = [...byTurn].filter(([turnId, parts]) => fastPathMs.has(turnId) && parts.match !== undefined);
  const order: AnswerPart[] = ['match', 'tools', 'inputs and render', 'after the hit', 'events', 'store'];
  const parts: AnswerBreakdown['parts'] = order.map((part) => ({ part, stats: summarize(answered.map(([, p]) => p[part] ?? 0)) }));
  // The fast path's time not in any of its parts: waiting for the kernel's thread between them.
  const between = answered.map(
    ([turnId, p]) => fastPathMs.get(turnId)! - (p.match! + (p.tools ?? 0) + (p['inputs and render'] ?? 0) + (p['after the hit'] ?? 0)),
  );
  parts.splice(4, 0, { part: 'between parts', stats: summarize(between) });
  const worker = [
    { part: 'dispatch -> guest begins', stats: summarize(calls.map((c) => c.startMs)) },
    { part: 'guest runs', stats: summarize(calls.map((c) => c.runMs)) },
    { part: 'guest ends -> caller resumes', stats: summarize(calls.map((c) => c.replyMs)) },
  ];
  return { result, breakdown: { parts, worker } };
}

export type ReplayOptions = { fastPath: boolean; kernel?: Partial<KernelConfig> };

/** Replays the workload; with the fast path, the reflexes answer what they can. */
export async function replay(workload: WorkItem[], options: ReplayOptions) {
  const bench = await openKernel({}, options.kernel);
  const isolation = [
    ...new Set(
      TEST_TOOLS.map((tool) => {
        const placement = bench.kernel.placement(bench.kernel.serving('tool', tool)!);
        return `${placement.isolation} (${placement.reason})`;
      }),
    ),
  ].join(', ');
  const config: ReflexConfigs = { reflexes: reflexesSection.defaults, shadow: shadowSection.defaults };
  const counter = { calls: 0 };
  const model = oracleModel(() => WORKLOAD_LATENCY_MS, counter);
  const runner = new Agent(bench.kernel, { workspace: path.join(bench.home, 'workspace'), llm: model });
  await runner.start();
  // Every default: no background model is configured, so shadow workers are off.
  // Mining runs at the settle points only (not 200 ms after a turn, as with `titan start`): the
  // requests between them are served as they would be on the days between, with no build running.
  const service = options.fastPath
    ? new ReflexService(bench.kernel, { tools: runner.tools, llm: model, config, backgroundModel: false, mineDelayMs: 3_600_000 })
    : undefined;
  const run = async (fastPathMs: Map<string, number>) => {
    const answerMs: number[] = [];
    if (service) {
      await service.start();
      runner.useReflexes(service);
      // The fast path's own time when it answered: match, execute with its tool, and nothing of the turn around it.
      const fastPathOf = runner.fastPath!;
      runner.fastPath = async (input) => {
        const started = performance.now();
        const result = await fastPathOf(input);
        if (result.answer) {
          answerMs.push(performance.now() - started);
          fastPathMs.set(input.turnId, performance.now() - started);
        }
        return result;
      };
    }
    const threads = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => runner.createThread(`user-${i}`)));
    const latencies: number[] = [];
    const late: number[] = [];
    const fastLatencies: number[] = [];
    let fastAnswers = 0;
    let lateFast = 0;
    const wrong: string[] = [];
    const started = performance.now();
    let settleMs = 0;
    for (let from = 0; from < workload.length; from += SETTLE_EVERY) {
      let next = from;
      const end = Math.min(from + SETTLE_EVERY, workload.length);
      await Promise.all(
        threads.map(async (t, lane) => {
          while (next < end) {
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
      const settling = performance.now();
      await service?.mine();
      settleMs += performance.now() - settling;
      if (service && (end / SETTLE_EVERY) % 5 === 0)
        console.log(`  ${end} requests, ${fastAnswers} without the model, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    return { latencies, late, fastLatencies, answerMs, fastAnswers, lateFast, wrong, wallMs: performance.now() - started, settleMs };
  };
  const { result, breakdown } = await timed(run);
  const stats = {
    reflexes: service?.list().filter((r) => r.state === 'serving').length ?? 0,
    discarded:
      service
        ?.list()
        .filter((r) => r.state === 'discarded')
        .map((r) => r.reason) ?? [],
    checks: service?.counters.checks ?? 0,
    repeats: service?.counters.repeats ?? 0,
    shadow: service?.shadowSummary(),
  };
  await service?.close();
  await runner.close();
  await bench.close();
  return {
    latency: summarize(result.latencies),
    late: summarize(result.late),
    fast: summarize(result.fastLatencies),
    answer: summarize(result.answerMs),
    breakdown: { ...breakdown, isolation },
    lateFast: result.lateFast,
    fastAnswers: result.fastAnswers,
    wrong: result.wrong,
    wallMs: result.wallMs,
    settleMs: result.settleMs,
    modelRequests: counter.calls,
    ...stats,
  };
}
