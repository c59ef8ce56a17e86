// The first reflex answer after a restart, over HTTP (target ≤ 250 ms): a reflex is learned once
// (scripted model, the test tool weather in a worker), then the kernel is restarted RESTARTS times
// in the same home; each time, a second after start, one request its reflex answers. Printed: the
// median and each restart, with the answer's parts (match; its tool call: the kernel's side, the
// call waiting for its thread and instance - of which compiling and instantiating - the tool's own
// run, the reply) and how often the tool was compiled, in the kernel's thread and in its threads.
import { rm } from 'node:fs/promises';
import os from 'node:os';
import { answerTimings, type AnswerTimings } from '../agent/reflex/answer-timings.ts';
import { bootstrapBuiltins, Kernel } from '../kernel/api.ts';
import { workerCalls, type WorkerCallTiming } from '../kernel/worker-timings.ts';
import { compiles, type CompileNotice } from '../kernel/compile-cores.ts';
import { INTENTS } from '../test/reflex/support.ts';
import { askLane, closeLane, openLane } from './reflex-lane.ts';
import { oracleModel, openKernel, planFor } from './reflex-support.ts';
import { BENCH_CACHE, printMachine } from './setup.ts';
import { against, printTable, row, summarize, writeResult } from './stats.ts';

const RESTARTS = Number(process.env.RESTARTS ?? 5);
/** As a person's first request comes a little after the start. */
const AFTER_START_MS = 1000;

printMachine();
const weather = INTENTS.find((i) => i.id === 'weather')!;
const first = await openKernel({ checkRate: 0 });
const calls = { calls: 0 };

/** A lane in the first kernel's home, the oracle answering as the model. */
const lane = (kernel: Kernel) =>
  openLane(
    kernel,
    first.home,
    first.config,
    oracleModel(() => 0, calls),
  );

// Learning: the weather reflex from three phrasings, then serving.
const one = await lane(first.kernel);
const serving = new Promise<void>((resolve, reject) => {
  one.reflexes.on('serving', () => resolve());
  one.reflexes.on('changed', (record) => record.state === 'discarded' && reject(new Error(`the reflex was discarded: ${record.reason}`)));
});
for (const [i, city] of ['Paris', 'Berlin', 'Rome'].entries()) await askLane(one, planFor(weather, weather.train[i], city));
await serving;
await closeLane(one, first.kernel);

type Restart = { ms: number; by?: string; load: number; match?: number; tool?: number; kernelSide?: number; worker?: WorkerCallTiming; compiles: string };
const restarts: Restart[] = [];
const cities = ['Oslo', 'Lima', 'Kyiv', 'Baku', 'Quito', 'Hanoi', 'Tunis', 'Dakar', 'Perth', 'Cusco'];
for (let i = 0; i < RESTARTS; i++) {
  const compiled = { kernel: 0, thread: 0 };
  const onCompile = (message: unknown) => {
    const notice = message as CompileNotice;
    if (notice.who.startsWith('tool/weather@')) compiled[notice.where]++;
  };
  compiles.subscribe(onCompile);
  const requested: WorkerCallTiming[] = [];
  let parts: AnswerTimings['parts'] = {};
  let asking = false;
  const onCall = (message: unknown) => {
    const call = message as WorkerCallTiming;
    if (asking && call.slot === 'tool/weather' && call.fn === 'invoke') requested.push(call);
  };
  const onAnswer = (message: unknown) => {
    if (asking) parts = { ...parts, ...(message as AnswerTimings).parts };
  };
  workerCalls.subscribe(onCall);
  answerTimings.subscribe(onAnswer);
  const kernel = await Kernel.open({ home: first.home, cacheDir: BENCH_CACHE, logToFile: false, env: {} });
  await bootstrapBuiltins(kernel);
  await kernel.restoreDeployments();
  const l = await lane(kernel);
  await new Promise((resolve) => setTimeout(resolve, AFTER_START_MS));
  asking = true;
  const answer = await askLane(l, planFor(weather, weather.train[1], cities[i % cities.length]));
  asking = false;
  await closeLane(l, kernel);
  workerCalls.unsubscribe(onCall);
  answerTimings.unsubscribe(onAnswer);
  compiles.unsubscribe(onCompile);
  const worker = requested[0];
  const workerMs = worker ? worker.startMs + worker.runMs + worker.replyMs : 0;
  const kernelSide = parts.tools === undefined ? undefined : parts.tools - workerMs;
  restarts.push({
    ...answer,
    load: os.loadavg()[0],
    match: parts.match,
    tool: parts.tools,
    kernelSide,
    worker,
    compiles: `${compiled.kernel} / ${compiled.thread}`,
  });
}
await first.close();
await rm(first.home, { recursive: true, force: true });

const f = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));
printTable(
  `the first reflex answer after a restart, over HTTP (ms; each restart a second after start)`,
  [
    'restart',
    'answer',
    'by',
    'match',
    'tool call',
    'kernel side',
    'to guest start',
    'compile',
    'instantiate',
    'tool runs',
    'reply',
    'weather compiled (kernel / threads)',
    'load',
  ],
  restarts.map((r, i) => [
    i + 1,
    f(r.ms),
    r.by ?? '(model)',
    f(r.match),
    f(r.tool),
    f(r.kernelSide),
    f(r.worker?.startMs),
    f(r.worker?.made?.compileMs),
    f(r.worker?.made?.instantiateMs),
    f(r.worker?.runMs),
    f(r.worker?.replyMs),
    r.compiles,
    r.load.toFixed(2),
  ]),
);
const median = summarize(restarts.map((r) => r.ms)).p50;
console.log(`median of ${RESTARTS}: ${median.toFixed(1)} ms (target ≤ 250 ms), load ${os.loadavg()[0].toFixed(2)}`);
await writeResult('reflex-restart', [row(`first reflex answer after a restart, median of ${RESTARTS}`, median, 'ms', against(median, '<=', 250, 'ms'))], {
  restarts,
});
