// The provider path's own cost: (1) one decode-stream call per streamed chunk, through the kernel
// gate into each provider component (QuickJS), and (2) a chunk leaving the scripted LLM server to
// its LLM event being yielded by the client (fetch, TextDecoder, decode-stream, the resilient
// stream), over loopback HTTP in all three wire formats.
// Run alone: node benchmarks/provider-decode.ts
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlmEvent } from '../agent/loop/llm-types.ts';
import { createLlm } from '../agent/llm/llm.ts';
import { startScriptedLlm } from '../agent/llm/scripted/server.ts';
import { SAMPLES } from '../test/providers/wire-samples.ts';
import { openBenchKernel, printMachine, publishDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type Summary, type SummaryRow } from './stats.ts';

const PROVIDERS = ['openai', 'anthropic', 'ollama'] as const;
const PROVIDERS_ROOT = fileURLToPath(new URL('../components/providers/', import.meta.url));
const DECODE_WARMUP = 3_000;
const DECODE_SAMPLES = 10_000;
const STREAMS = 20;
const CHUNKS_PER_STREAM = 100;
const CHUNK_GAP_MS = 2;

printMachine();
const bench = await openBenchKernel();
const { kernel } = bench;
for (const name of PROVIDERS) await kernel.deployManifest(await publishDir(kernel, path.join(PROVIDERS_ROOT, name)));

/** A stream's frames as a server writes them: SSE events (up to the blank line) or NDJSON lines. */
function frames(text: string, sse: boolean): string[] {
  const out: string[] = [];
  const separator = sse ? '\n\n' : '\n';
  let start = 0;
  for (let end = text.indexOf(separator); end >= 0; end = text.indexOf(separator, start)) {
    out.push(text.slice(start, end + separator.length));
    start = end + separator.length;
  }
  return out;
}

// 1. decode-stream per chunk: every frame of a real answer (text, tool-call deltas, usage, stop),
// each decoded with the state of the one before, as the client does.
const decodeUs: Record<string, Summary> = {};
for (const name of PROVIDERS) {
  const stream = frames(SAMPLES[name](), name !== 'ollama');
  const samples: number[] = [];
  let state = '';
  for (let i = 0; i < DECODE_WARMUP + DECODE_SAMPLES; i++) {
    const index = i % stream.length;
    if (index === 0) state = '';
    const started = performance.now();
    const out = JSON.parse((await kernel.call('provider', name, 'decode-stream', [state, stream[index]])) as string) as { state: string; events: LlmEvent[] };
    const us = (performance.now() - started) * 1000;
    state = out.state;
    if (i >= DECODE_WARMUP) samples.push(us);
  }
  decodeUs[name] = summarize(samples);
}

// 2. Chunk sent by the server -> event yielded by the client. Each text chunk is its own frame,
// CHUNK_GAP_MS apart so each travels on its own; the i-th text event belongs to the i-th content
// frame. Both clocks are this process's performance.now().
const server = await startScriptedLlm();
const text = Array.from({ length: CHUNKS_PER_STREAM }, (_, i) => `w${i} `);
server.load({ turns: [{ repeat: true, delayMs: CHUNK_GAP_MS, content: [{ type: 'text', text }] }] });
const arrivalMs: Record<string, Summary> = {};
for (const name of PROVIDERS) {
  const llm = createLlm(kernel, { providers: [{ name, component: name, baseUrl: server.baseUrls[name], model: 'bench' }], env: {} });
  const samples: number[] = [];
  for (let s = 0; s < STREAMS + 2; s++) {
    server.reset();
    const yielded: number[] = [];
    for await (const event of llm.stream({ model: '', messages: [{ role: 'user', content: 'go' }], tools: [] })) {
      if (event.type === 'text') yielded.push(performance.now());
    }
    const sent = server.timeline()[0].sent.filter((f) => f.content);
    if (sent.length !== yielded.length) throw new Error(`${name}: ${sent.length} frames sent, ${yielded.length} text events`);
    if (s >= 2) for (const [i, at] of yielded.entries()) samples.push(at - sent[i].at);
  }
  arrivalMs[name] = summarize(samples);
}
await server.close();
await bench.close();

const summary: SummaryRow[] = [];
const table: Array<Array<string | number>> = [];
for (const name of PROVIDERS) {
  const d = decodeUs[name];
  const a = arrivalMs[name];
  table.push([name, d.p50.toFixed(1), d.p99.toFixed(1), a.p50.toFixed(3), a.p99.toFixed(3), a.n]);
  summary.push(row(`${name} decode-stream per chunk p50`, d.p50, 'µs'));
  summary.push(row(`${name} chunk -> event p50`, a.p50, 'ms', against(a.p50, '<=', 1, 'ms')));
  summary.push(row(`${name} chunk -> event p99`, a.p99, 'ms', against(a.p99, '<=', 5, 'ms')));
}
printTable(
  `provider decode (${DECODE_SAMPLES} chunks per provider) and chunk arrival -> LLM event (${STREAMS} streams x ${CHUNKS_PER_STREAM} chunks, ${CHUNK_GAP_MS} ms apart)`,
  ['provider', 'decode p50 µs', 'decode p99 µs', 'chunk->event p50 ms', 'chunk->event p99 ms', 'events'],
  table,
);
const file = await writeResult('provider-decode', summary, {
  decodeUs,
  arrivalMs,
  streams: STREAMS,
  chunksPerStream: CHUNKS_PER_STREAM,
  chunkGapMs: CHUNK_GAP_MS,
});
console.log(`\nwritten: ${file}`);
