// One warm turn over HTTP in its parts: POST /v1/chat/completions (one thread), the real OpenAI
// provider component talking to the scripted model server (a separate process, zero latency), the
// real store. First the turn as a client sees it (tracing off: p50/p99, target ≤ 5 / ≤ 15 ms), then
// the same turns with the OpenTelemetry spans already in the turn path kept in memory, split into
// gateway, store, provider request, stream decode, event bus, the agent loop's own work and the
// response. Parts are per-turn sums (p50/p99 of each taken on its own, so they need not add up),
// each printed with its budget (the budgets add up to the whole turn's target) and how many times
// it fits in OpenClaw's warm turn, as benchmarks/openclaw.ts measured it in the same `npm run bench`
// run (same scripted model, same client), or its earlier session's figure (419 ms).
// TITAN_TURN_PARTS_TURNS sets the turns per pass (default 300). Run alone:
// node --disable-warning=ExperimentalWarning benchmarks/turn-parts.ts
import os from 'node:os';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { setTracing } from '../kernel/api.ts';
import { openHttpTurnBench } from './http-turn-bench.ts';
import { openClawFigures } from './openclaw-figures.ts';
import { printMachine } from './setup.ts';
import { against, fmt, metCell, printTable, row, summarize, writeResult } from './stats.ts';

const TURNS = Number(process.env.TITAN_TURN_PARTS_TURNS ?? 300);
const WARMUP = 50;
/** Each part's share of the whole turn's target (5 ms p50, 15 ms p99): budgets that add up to it. */
const BUDGET: Record<string, [p50: number, p99: number]> = {
  'gateway (HTTP span outside the turn)': [0.5, 1.5],
  'store writes (sum)': [0.8, 2.5],
  'store reads (sum)': [0.3, 1],
  'provider request (HTTP, headers, body)': [1, 3],
  'stream decode (component)': [0.2, 0.5],
  'request encode (component)': [0.5, 1.5],
  'event bus (every emit)': [0.1, 0.3],
  'agent loop (rest of the turn)': [0.6, 2],
  'response and client (outside the HTTP span)': [1, 2.7],
};

printMachine();
const bench = await openHttpTurnBench();
const { kernel, turn } = bench;

// The event bus's share: every emit of a turn timed (delivery is synchronous, so this is all of it).
let busMs = 0;
const emit = kernel.bus.emit.bind(kernel.bus);
kernel.bus.emit = ((type, payload) => {
  const started = performance.now();
  try {
    emit(type, payload);
  } finally {
    busMs += performance.now() - started;
  }
}) as typeof kernel.bus.emit;

// 1. As a client sees it, tracing off (the default).
for (let i = 0; i < WARMUP; i++) await turn(i);
const plain: number[] = [];
const cpuBefore = process.cpuUsage();
for (let i = 0; i < TURNS; i++) plain.push(await turn(i));
const cpu = process.cpuUsage(cpuBefore);
// CPU time is what a loaded machine distorts least (wall time waits for the other processes).
const cpuPerTurn = (cpu.user + cpu.system) / 1000 / TURNS;
const load1 = os.loadavg()[0];

// 2. The same with spans kept in memory, one trace per turn.
const exporter = new InMemorySpanExporter();
const tracer = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
tracer.register();
await setTracing(true);
const parts: Record<string, number[]> = {};
const add = (part: string, ms: number) => (parts[part] ??= []).push(ms);
for (let i = 0; i < TURNS; i++) {
  exporter.reset();
  busMs = 0;
  const total = await turn(i);
  splitTurn(exporter.getFinishedSpans(), total, busMs, add);
}
await setTracing(false);
await tracer.shutdown();
const load2 = os.loadavg()[0];

await bench.close();

const overall = summarize(plain);
const openClaw = openClawFigures();
const openClawMs = openClaw.turnP50Ms;
// A part that took no time (reads folded into a write) has no ratio.
const times = (ms: number) => (ms > 0 ? `${fmt(openClawMs / ms, 0)}x` : '');
const rows = Object.entries(parts).map(([part, samples]) => {
  const s = summarize(samples);
  const budget = BUDGET[part];
  return [
    part,
    s.p50,
    s.p99,
    budget ? `≤ ${budget[0]} / ≤ ${budget[1]}` : '',
    budget ? metCell(s.p50 <= budget[0] && s.p99 <= budget[1]) : '',
    budget ? times(s.p50) : '',
  ];
});
printTable(
  `one warm turn over HTTP, zero-latency model (${TURNS} turns; load average ${load1.toFixed(1)}, traced pass ${load2.toFixed(1)})`,
  ['part', 'p50 ms', 'p99 ms', 'target p50 / p99', '', `OpenClaw ${fmt(openClawMs, 0)} ms ÷ p50`],
  [
    ['whole turn, tracing off', overall.p50, overall.p99, '≤ 5 / ≤ 15', metCell(overall.p50 <= 5 && overall.p99 <= 15), times(overall.p50)],
    ['CPU per turn (gateway, agent, client)', cpuPerTurn, cpuPerTurn, '', '', times(cpuPerTurn)],
    ...rows,
  ],
);
const openClawP99 = openClaw.turnP99Ms === undefined ? '' : `, p99 ${fmt(openClaw.turnP99Ms)} ms`;
console.log(`${openClaw.label}: warm turn p50 ${fmt(openClaw.turnP50Ms)} ms${openClawP99}; Titan ${fmt(openClaw.turnP50Ms / overall.p50)}x faster at p50`);
await writeResult(
  'turn-parts',
  [
    row('HTTP turn p50 (zero-latency model)', overall.p50, 'ms', against(overall.p50, '<=', 5, 'ms')),
    row('HTTP turn p99', overall.p99, 'ms', against(overall.p99, '<=', 15, 'ms')),
    row('HTTP turn CPU (this process, client included)', cpuPerTurn, 'ms'),
    row(`ratio to ${openClaw.label} warm turn (${fmt(openClaw.turnP50Ms)} ms)`, openClaw.turnP50Ms / overall.p50, 'x'),
  ],
  {
    openClaw,
    turns: TURNS,
    cpuPerTurn,
    loadAverage: [load1, load2],
    overall,
    parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, summarize(v)])),
  },
);

/** Splits one turn's spans into its parts (ms). */
function splitTurn(spans: ReadableSpan[], total: number, bus: number, add: (part: string, ms: number) => void): void {
  const ms = (s: ReadableSpan) => s.duration[0] * 1e3 + s.duration[1] / 1e6;
  const named = (prefix: string) => spans.filter((s) => s.name.startsWith(prefix));
  const sum = (list: ReadableSpan[]) => list.reduce((acc, s) => acc + ms(s), 0);
  const http = named('HTTP POST')[0];
  const turnSpan = named('agent.turn')[0];
  const provider = named('provider ').filter((s) => !s.name.includes('.'));
  if (!http || !turnSpan || provider.length === 0) throw new Error(`a turn without its spans: ${spans.map((s) => s.name).join(', ')}`);
  const store = named('store ');
  const writes = store.filter((s) => !/\.(get|list|read|search|status)/.test(s.name));
  const decode = named('provider openai.decode');
  const encode = named('provider openai.encode');
  const providerMs = sum(provider);
  add('store writes (sum)', sum(writes));
  add('store reads (sum)', sum(store) - sum(writes));
  add('provider request (HTTP, headers, body)', providerMs - sum(decode) - sum(encode));
  add('stream decode (component)', sum(decode));
  add('request encode (component)', sum(encode));
  add('event bus (every emit)', bus);
  add('agent loop (rest of the turn)', ms(turnSpan) - providerMs - sum(store.filter((s) => within(s, turnSpan))) - bus);
  add('gateway (HTTP span outside the turn)', ms(http) - ms(turnSpan));
  add('response and client (outside the HTTP span)', total - ms(http));
  add('store round trips (count)', store.length);
}

function within(inner: ReadableSpan, outer: ReadableSpan): boolean {
  const t = (x: [number, number]) => x[0] * 1e9 + x[1];
  return t(inner.startTime) >= t(outer.startTime) && t(inner.endTime) <= t(outer.endTime);
}
