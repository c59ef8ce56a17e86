// Per-call cost through the kernel gate (kernel.call: slot -> deployment -> instance pool) against
// the same component called directly on one bare instance, measured in alternating blocks of one
// run so machine noise falls on all alike. Run alone: node benchmarks/kernel-calls.ts [echo|clock|kv ...]
import type { Kernel } from '../kernel/api.ts';
// Raw calls need bare instances; instance.ts and module-loader.ts are the kernel's own way to make them.
import { instantiate } from '../kernel/instance.ts';
import { openBenchKernel, printMachine } from './setup.ts';
import { against, metCell, printTable, row, summarize, writeResult, type Summary, type SummaryRow } from './stats.ts';

const WARMUP = 20_000; // V8 tiers the glue and the wasm up over the first ~20k calls
const ROUNDS = 10;
const PER_ROUND = 2_000;

type Case = { id: string; label: string; tool: string; input: string; targetUs: number };

const CASES: Case[] = [
  { id: 'sync', label: 'sync call (echo)', tool: 'echo', input: '{"text":"hi"}', targetUs: 20 },
  { id: 'sync-import', label: 'one sync host import (clock)', tool: 'clock', input: '{}', targetUs: 20 },
  { id: 'async-import', label: 'one async JSPI import (kv get)', tool: 'kv', input: '{"op":"get","key":"bench"}', targetUs: 40 },
];

type Call = () => unknown;
type Variant = 'raw' | 'gate';

/** Times n sequential calls in microseconds; a call that returns a promise is awaited. */
async function timeCalls(call: Call, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const result = call();
    if (result instanceof Promise) await result;
    into.push((performance.now() - started) * 1000);
  }
}

async function calls(kernel: Kernel, c: Case): Promise<Record<Variant, Call>> {
  const version = kernel.components().find((s) => s.slot === `tool/${c.tool}`)?.version;
  if (!version) throw new Error(`tool/${c.tool} is not serving`);
  const manifest = await kernel.registry.show({ kind: 'tool', name: c.tool, version });
  const loaded = await kernel.loader.load(manifest, await kernel.registry.readBlob(manifest));
  const raw = (await instantiate(loaded, kernel.services)).exports.invoke;
  return {
    raw: () => raw(c.input),
    gate: () => kernel.call('tool', c.tool, 'invoke', [c.input]),
  };
}

async function measure(kernel: Kernel, c: Case): Promise<Record<Variant, Summary>> {
  const variants = await calls(kernel, c);
  const answers = await Promise.all(Object.values(variants).map(async (call) => await call()));
  if (c.tool !== 'clock' && new Set(answers).size !== 1) throw new Error(`${c.tool}: variants disagree: ${answers.join(' | ')}`);
  const samples: Record<Variant, number[]> = { raw: [], gate: [] };
  for (const call of Object.values(variants)) await timeCalls(call, WARMUP, []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [variant, call] of Object.entries(variants)) await timeCalls(call, PER_ROUND, samples[variant as Variant]);
  }
  return { raw: summarize(samples.raw), gate: summarize(samples.gate) };
}

printMachine();
const bench = await openBenchKernel({ builtins: true });
const { kernel } = bench;
await kernel.invokeTool('kv', { op: 'set', key: 'bench', value: 'a short note' });

const results: Record<string, Record<Variant, Summary>> = {};
const picked = CASES.filter((c) => process.argv.length <= 2 || process.argv.slice(2).includes(c.tool));
for (const c of picked) results[c.id] = await measure(kernel, c);
await bench.close();

const summary: SummaryRow[] = [];
const rows = picked.map((c) => {
  const { raw, gate } = results[c.id];
  const verdict = against(gate.p50, '<=', c.targetUs, 'µs');
  summary.push(row(`${c.label}: gate p50`, gate.p50, 'µs', verdict), row(`${c.label}: gate p99`, gate.p99, 'µs'));
  summary.push(row(`${c.label}: kernel overhead p50`, gate.p50 - raw.p50, 'µs'));
  summary.push(row(`${c.label}: raw p50`, raw.p50, 'µs'));
  return [c.label, raw.p50, raw.p99, gate.p50, gate.p99, gate.p50 - raw.p50, verdict.target, metCell(verdict.met)];
});
printTable(
  `kernel calls (µs per call, sequential; ${ROUNDS * PER_ROUND} calls per column after ${WARMUP} warm-up)`,
  ['case', 'raw p50', 'raw p99', 'gate p50', 'gate p99', 'overhead p50', 'target (gate p50)', ''],
  rows,
);
console.log(`raw = one bare instance called directly; gate = kernel.call (slot, deployment, pool); overhead = gate p50 − raw p50.
Both run jco's glue with its per-call JCO_DEBUG environment lookup hoisted (kernel/module-loader.ts).
raw jco was measured earlier on this machine at 5–14 µs (sync) and 27–31 µs (JSPI).
The kv overhead depends on JIT history: measured alone (kernel-calls.ts kv) it is about 1 µs.`);
console.log(`results: ${await writeResult('kernel-calls', summary, { warmup: WARMUP, calls: ROUNDS * PER_ROUND, results })}`);
