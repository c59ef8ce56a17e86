// Memory figures for the soaks: process.memoryUsage() parts, V8 code space, and every wasm linear
// memory created in this process (counted by wrapping WebAssembly instantiation; import this module
// before any component is instantiated), plus the rows and summary the soaks print.
import v8 from 'node:v8';
import { against, printTable, row, type SummaryRow } from './stats.ts';

const MB = 2 ** 20;

// Every wasm linear memory created in this process, held weakly: their sizes say how much of RSS
// is guest memory (which never shrinks while its instance lives).
const memories: Array<WeakRef<WebAssembly.Memory>> = [];
const recordExports = (instance: WebAssembly.Instance) => {
  for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) memories.push(new WeakRef(value));
};
const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (...args: unknown[]) => Promise<unknown>;
(WebAssembly as { instantiate: unknown }).instantiate = async (...args: unknown[]) => {
  const result = await instantiate(...args);
  recordExports(result instanceof WebAssembly.Instance ? result : (result as { instance: WebAssembly.Instance }).instance);
  return result;
};
const NativeInstance = WebAssembly.Instance;
(WebAssembly as { Instance: unknown }).Instance = new Proxy(NativeInstance, {
  construct(target, args: [WebAssembly.Module, WebAssembly.Imports?]) {
    const instance = new target(...args);
    recordExports(instance);
    return instance;
  },
});

function wasmMemory(): { live: number; bytes: number } {
  let live = 0;
  let bytes = 0;
  for (const ref of memories) {
    const memory = ref.deref();
    if (!memory) continue;
    live++;
    bytes += memory.buffer.byteLength;
  }
  return { live, bytes };
}

export type Sample = {
  turns: number;
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  codeSpaceMb: number;
  /** V8's young generation as reserved (it grows up to three semi-spaces and stays). */
  newSpaceMb: number;
  wasmMemories: number;
  wasmMb: number;
  turnMs: number;
};

export function sample(turns: number, turnMs: number): Sample {
  const usage = process.memoryUsage();
  const spaces = v8.getHeapSpaceStatistics();
  const code = spaces.find((s) => s.space_name === 'code_space');
  const young = spaces.find((s) => s.space_name === 'new_space');
  const wasm = wasmMemory();
  return {
    turns,
    rssMb: usage.rss / MB,
    heapUsedMb: usage.heapUsed / MB,
    externalMb: usage.external / MB,
    arrayBuffersMb: usage.arrayBuffers / MB,
    codeSpaceMb: (code?.space_used_size ?? 0) / MB,
    newSpaceMb: (young?.space_size ?? 0) / MB,
    wasmMemories: wasm.live,
    wasmMb: wasm.bytes / MB,
    turnMs,
  };
}

/** Prints the table and returns the summary rows, RSS growth against the first 1,000 turns. */
export function reportSoak(title: string, samples: Sample[]): SummaryRow[] {
  printTable(
    title,
    ['turns', 'RSS', 'JS heap used', 'external', 'arrayBuffers', 'code space', 'new space', 'wasm memories', 'wasm MB', 'ms/turn'],
    samples.map((s) => [s.turns, s.rssMb, s.heapUsedMb, s.externalMb, s.arrayBuffersMb, s.codeSpaceMb, s.newSpaceMb, s.wasmMemories, s.wasmMb, s.turnMs]),
  );
  const first = samples[1] as Sample;
  const last = samples.at(-1) as Sample;
  const growth = ((last.rssMb - first.rssMb) / first.rssMb) * 100;
  console.log(`RSS after ${last.turns} turns vs after the first ${first.turns}: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%`);
  return [
    row(`RSS after ${first.turns} turns`, first.rssMb, 'MB'),
    row(`RSS after ${last.turns} turns`, last.rssMb, 'MB'),
    row(`RSS growth ${first.turns} -> ${last.turns} turns`, growth, '%', against(growth, '<=', 10, '%')),
    row(`JS heap used after ${last.turns} turns`, last.heapUsedMb, 'MB'),
    row(`wasm linear memory after ${last.turns} turns`, last.wasmMb, 'MB'),
  ];
}

/** One line per sample; `first` (the sample after the first window) gives the RSS growth against the target. */
export function logSample(s: Sample, first?: Sample): void {
  const growth = first && first !== s ? ((s.rssMb - first.rssMb) / first.rssMb) * 100 : undefined;
  const against = growth === undefined ? '' : ` (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% against the first ${first?.turns}; target ≤ +10%)`;
  console.log(
    `${s.turns} turns: RSS ${s.rssMb.toFixed(1)} MB${against}, heap ${s.heapUsedMb.toFixed(1)} MB, external ${s.externalMb.toFixed(1)} MB, new space ${s.newSpaceMb.toFixed(1)} MB, wasm ${s.wasmMb.toFixed(1)} MB in ${s.wasmMemories}`,
  );
}
