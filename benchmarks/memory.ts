// Memory on both backends: a synthetic workspace of 2,000 notes (10,000 chunks, people, files and
// symbols that change and call one another) indexed with the local embedder, then hybrid search
// (p50 target <= 10 ms), multi-hop graph queries of 2 and 3 hops (p50 target <= 1 ms) and implicit
// context for a message naming a symbol and a file (p50 target <= 1 ms). Search is timed by the
// wall clock and by this process's CPU time (the second says what the search costs when other
// processes share the 2 cores); the load average is printed beside them.
// TITAN_BENCH_MEMORY_DOCS shortens the run (default 2,000 notes, 10,000 chunks).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { memorySection } from '../agent/memory/config.ts';
import { MemoryService } from '../agent/memory/service.ts';
import { Kernel, bootstrapBuiltins } from '../kernel/api.ts';
import { onBothBackends } from './backends.ts';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type SummaryRow } from './stats.ts';

const DOCS = Number(process.env.TITAN_BENCH_MEMORY_DOCS ?? 2000);
const SECTIONS = 5;
const PEOPLE = ['Ada Lovelace', 'Grace Hopper', 'Linus Torvalds', 'Margaret Hamilton', 'Ken Thompson', 'Barbara Liskov', 'Donald Knuth', 'Frances Allen'];
const WORDS = 'deploy billing cache index parser config loader router session token queue worker schema backup metrics alert retry timeout'.split(' ');

function note(i: number): string {
  const parts = [`# Note ${i}`];
  for (let s = 0; s < SECTIONS; s++) {
    const k = i * SECTIONS + s;
    const person = PEOPLE[k % PEOPLE.length];
    const a = `handle${WORDS[k % WORDS.length][0].toUpperCase()}${WORDS[k % WORDS.length].slice(1)}${k % 300}`;
    const b = `handle${WORDS[(k + 7) % WORDS.length][0].toUpperCase()}${WORDS[(k + 7) % WORDS.length].slice(1)}${(k * 7) % 300}`;
    parts.push(
      `## ${WORDS[k % WORDS.length]} ${s}`,
      `${person} changed \`${a}\` in src/mod${k % 200}.ts for the ${WORDS[(k + 3) % WORDS.length]} ${WORDS[(k + 5) % WORDS.length]}. The ${a} function calls ${b}() when the ${WORDS[(k + 11) % WORDS.length]} fails.`,
    );
  }
  return parts.join('\n\n');
}

function timeSync(n: number, fn: (i: number) => void): ReturnType<typeof summarize> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn(i);
    samples.push((performance.now() - t) * 1000);
  }
  return summarize(samples);
}

type Figures = {
  backend: string;
  indexMs: number;
  chunks: number;
  entities: number;
  vectorSearch: string;
  search: ReturnType<typeof summarize>;
  searchCpu: ReturnType<typeof summarize>;
  load: number;
  hop2: ReturnType<typeof summarize>;
  hop3: ReturnType<typeof summarize>;
  implicit: ReturnType<typeof summarize>;
};

async function measure(backend: string, dbUrl: string): Promise<Figures> {
  const home = await tempDir('titan-bench-memory-');
  const workspace = path.join(home, 'workspace');
  await mkdir(path.join(workspace, 'notes'), { recursive: true });
  for (let i = 0; i < DOCS; i++) await writeFile(path.join(workspace, 'notes', `n${i}.md`), note(i));
  const kernel = await Kernel.open({ home, cacheDir: BENCH_CACHE, logToFile: false, env: { TITAN_DB_URL: dbUrl } });
  try {
    const report = await bootstrapBuiltins(kernel);
    if (report.failed.length) throw new Error(JSON.stringify(report.failed));
    const memory = await MemoryService.open(kernel, { workspace, config: { ...memorySection.defaults, watch: false, maxFiles: 100_000 } });
    const started = performance.now();
    await memory.index();
    const indexMs = performance.now() - started;
    const status = await memory.status();
    const samples: number[] = [];
    const cpu: number[] = [];
    const load = os.loadavg()[0];
    for (let i = 0; i < 200; i++) {
      const query = `who changed the ${WORDS[i % WORDS.length]} ${WORDS[(i + 3) % WORDS.length]} in src/mod${i % 200}.ts`;
      const t = performance.now();
      const used = process.cpuUsage();
      await memory.query('owner', query, { limit: 10 });
      const spent = process.cpuUsage(used);
      samples.push((performance.now() - t) * 1000);
      cpu.push(spent.user + spent.system);
    }
    const seeds = ['ada lovelace', 'src/mod17.ts', 'handlecache42', 'grace hopper'].filter((s) => memory.graph.has(s));
    const hop2 = timeSync(2000, (i) => memory.graph.traverse([seeds[i % seeds.length]], 2, 20));
    const hop3 = timeSync(2000, (i) => memory.graph.traverse([seeds[i % seeds.length]], 3, 20));
    const implicit = timeSync(2000, (i) => memory.implicit('owner', `Who last changed handleCache${(i * 5) % 300} in src/mod${i % 200}.ts, and why?`));
    await memory.close();
    return {
      backend,
      indexMs,
      chunks: status.chunks,
      entities: status.entities,
      vectorSearch: status.vectorSearch,
      search: summarize(samples),
      searchCpu: summarize(cpu),
      load,
      hop2,
      hop3,
      implicit,
    };
  } finally {
    await kernel.close();
    await rm(home, { recursive: true, force: true });
  }
}

printMachine();
const results = await onBothBackends(measure, 'PostgreSQL 15 (no pgvector)');

printTable(
  `index ${DOCS} notes (local embedder)`,
  ['backend', 'chunks', 'entities', 'vectors', 'index s'],
  results.map((r) => [r.backend, r.chunks, r.entities, r.vectorSearch, (r.indexMs / 1000).toFixed(1)]),
);
printTable(
  'memory queries (µs)',
  ['backend', 'load', 'hybrid p50', 'hybrid p99', 'hybrid CPU p50', '2-hop p50', '2-hop p99', '3-hop p50', '3-hop p99', 'implicit p50', 'implicit p99'],
  results.map((r) => [
    r.backend,
    r.load.toFixed(1),
    r.search.p50,
    r.search.p99,
    r.searchCpu.p50,
    r.hop2.p50,
    r.hop2.p99,
    r.hop3.p50,
    r.hop3.p99,
    r.implicit.p50,
    r.implicit.p99,
  ]),
);
const summary: SummaryRow[] = results.flatMap((r) => [
  row(
    `${r.backend}: hybrid search over ${r.chunks} chunks p50 (load ${r.load.toFixed(1)})`,
    r.search.p50 / 1000,
    'ms',
    against(r.search.p50 / 1000, '<=', 10, 'ms'),
  ),
  row(`${r.backend}: hybrid search CPU time p50`, r.searchCpu.p50 / 1000, 'ms', against(r.searchCpu.p50 / 1000, '<=', 10, 'ms')),
  row(`${r.backend}: graph 2 hops p50`, r.hop2.p50 / 1000, 'ms', against(r.hop2.p50 / 1000, '<=', 1, 'ms')),
  row(`${r.backend}: graph 3 hops p50`, r.hop3.p50 / 1000, 'ms', against(r.hop3.p50 / 1000, '<=', 1, 'ms')),
  row(`${r.backend}: implicit context p50`, r.implicit.p50 / 1000, 'ms', against(r.implicit.p50 / 1000, '<=', 1, 'ms')),
]);
await writeResult('memory', summary, { results });
