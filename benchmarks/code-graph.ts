// The code graph on a real codebase, on both backends: the TypeScript sources of the openai package
// in node_modules (about 97k lines) indexed from scratch (time, peak RSS, rows), again unchanged, and
// after one file changes; the graph reopened from the database alone; callers, callees and a file's
// neighbourhood queried; and the call graph scored against the TypeScript language service (a sample
// of the same codebase, plus the committed held-out packages of agent/memory/code-graph/fixtures).
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeGraph } from '../agent/memory/code-graph/code-graph.ts';
import { codeGraphPort } from '../agent/memory/code-graph/port.ts';
import { bootstrapBuiltins, Kernel } from '../kernel/api.ts';
import { callEdges, codeGraphOf, compare, type LsCallGraph, lsCallGraph, packageSources } from '../test/support/ls-call-graph.ts';
import { startPostgres, type PostgresCluster } from '../test/support/postgres.ts';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type SummaryRow } from './stats.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CODEBASE = path.join(ROOT, 'node_modules/openai/src');
const QUERIES = 2000;
const LS_SAMPLE = Number(process.env.TITAN_BENCH_LS_SAMPLE ?? 150);

type Figures = {
  backend: string;
  files: number;
  lines: number;
  indexMs: number;
  peakRssMb: number;
  rssBeforeMb: number;
  rows: Record<string, number>;
  unchangedMs: number;
  oneChangedMs: number;
  reopenMs: number;
  callers: ReturnType<typeof summarize>;
  callees: ReturnType<typeof summarize>;
  neighbourhood: ReturnType<typeof summarize>;
  implicit: ReturnType<typeof summarize>;
};

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Peak RSS while `run` runs, sampled every 20 ms. */
async function peakRss<T>(run: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await run();
    return { result, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

function timed(samples: number[], fn: () => unknown): void {
  const started = performance.now();
  fn();
  samples.push(performance.now() - started);
}

async function measure(backend: string, url: string, codebase: string): Promise<Figures> {
  const home = await tempDir('titan-bench-codegraph-');
  const kernel = await Kernel.open({ home, cacheDir: BENCH_CACHE, logToFile: false, env: { TITAN_DB_URL: url } });
  try {
    const report = await bootstrapBuiltins(kernel);
    if (report.failed.length) throw new Error(JSON.stringify(report.failed));
    global.gc?.();
    const rssBefore = process.memoryUsage.rss();
    const graph = await CodeGraph.open(kernel.db, codebase);
    let started = performance.now();
    const { result: first, peak } = await peakRss(() => graph.index());
    const indexMs = performance.now() - started;
    const lines = [...graph.graphIndex.files.values()].reduce((n, f) => n + (f.symbols[0]?.endLine ?? 0), 0);
    started = performance.now();
    await graph.index();
    const unchangedMs = performance.now() - started;
    const changed = path.join(codebase, 'core/error.ts');
    await writeFile(changed, `${await readFile(changed, 'utf8')}\nexport function addedForTheBenchmark() { return 1; }\n`);
    started = performance.now();
    const one = await graph.index();
    const oneChangedMs = performance.now() - started;
    if (one.parsed !== 1) throw new Error(`one changed file parsed ${one.parsed} files`);
    started = performance.now();
    const reopened = await CodeGraph.open(kernel.db, codebase);
    reopened.graphIndex.graph();
    const reopenMs = performance.now() - started;

    // Queries over named functions and methods, and files, spread over the whole index.
    const named = [...graph.graphIndex.graph().nodes()].filter((id) => {
      const kind = graph.graphIndex.graph().getNodeAttribute(id, 'kind');
      return kind === 'function' || kind === 'method';
    });
    const files = [...graph.graphIndex.files.keys()];
    const pick = <T>(list: T[], i: number) => list[(i * 7919) % list.length];
    const callerMs: number[] = [];
    const calleeMs: number[] = [];
    const aroundMs: number[] = [];
    const implicitMs: number[] = [];
    const port = codeGraphPort(graph);
    for (let i = 0; i < QUERIES; i++) {
      timed(callerMs, () => graph.callers(pick(named, i)));
      timed(calleeMs, () => graph.callees(pick(named, i)));
      timed(aroundMs, () => graph.neighbourhood(pick(files, i), { limit: 10 }));
      // What a turn's implicit context asks for a file the message names: its callers and callees.
      timed(implicitMs, () => port.neighbourhood(pick(files, i), 8));
    }
    return {
      backend,
      files: first.files,
      lines,
      indexMs,
      peakRssMb: mb(peak),
      rssBeforeMb: mb(rssBefore),
      rows: (await graph.status()).rows,
      unchangedMs,
      oneChangedMs,
      reopenMs,
      callers: summarize(callerMs),
      callees: summarize(calleeMs),
      neighbourhood: summarize(aroundMs),
      implicit: summarize(implicitMs),
    };
  } finally {
    await kernel.close();
    await rm(home, { recursive: true, force: true });
  }
}

printMachine();
// A copy, so one file can change without touching node_modules.
const work = await tempDir('titan-bench-codebase-');
await cp(CODEBASE, work, { recursive: true });
let cluster: PostgresCluster | undefined;
const results: Figures[] = [];
try {
  results.push(await measure('libSQL', `file:${path.join(work, '..', `${path.basename(work)}.db`)}`, work));
  cluster = await startPostgres();
  await cp(CODEBASE, work, { recursive: true, force: true });
  results.push(await measure('PostgreSQL', cluster.url, work));
} finally {
  await cluster?.stop();
  await rm(work, { recursive: true, force: true });
  await rm(`${work}.db`, { force: true });
}

// Against the language service: a sample of the same codebase, and the committed held-out packages.
const started = performance.now();
const sampled = lsCallGraph(CODEBASE, packageSources(CODEBASE, /\.d\.ts$/), LS_SAMPLE);
const lsMs = performance.now() - started;
const live = compare(sampled, callEdges(await codeGraphOf(CODEBASE, packageSources(CODEBASE, /\.d\.ts$/))), true);
const heldOut = { callers: { tp: 0, found: 0, expected: 0 }, callees: { tp: 0, found: 0, expected: 0 } };
for (const name of ['htmlparser2', 'libp2p-gossipsub']) {
  const data = JSON.parse(await readFile(path.join(ROOT, `agent/memory/code-graph/fixtures/ls-${name}.json`), 'utf8')) as LsCallGraph & { dir: string };
  const scored = compare(data, callEdges(await codeGraphOf(path.join(ROOT, data.dir))));
  for (const side of ['callers', 'callees'] as const) {
    heldOut[side].tp += scored[side].truePositives;
    heldOut[side].found += scored[side].found;
    heldOut[side].expected += scored[side].expected;
  }
}
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

printTable(
  `code graph: openai/src (${results[0].files} files, ${results[0].lines.toLocaleString('en-US')} lines of TypeScript)`,
  ['backend', 'index ms', 'peak RSS MB', 'symbols', 'refs', 'imports', 'unchanged ms', '1 changed ms', 'reopen ms'],
  results.map((r) => [
    r.backend,
    Math.round(r.indexMs),
    r.peakRssMb,
    r.rows.code_symbols,
    r.rows.code_refs,
    r.rows.code_imports,
    Math.round(r.unchangedMs),
    Math.round(r.oneChangedMs),
    Math.round(r.reopenMs),
  ]),
);
printTable(
  `queries (${QUERIES} each, from the graph in memory), ms`,
  ['backend', 'callers p50', 'p99', 'callees p50', 'p99', 'file neighbourhood p50', 'p99', 'implicit file p50', 'p99'],
  results.map((r) =>
    [r.backend, r.callers.p50, r.callers.p99, r.callees.p50, r.callees.p99, r.neighbourhood.p50, r.neighbourhood.p99, r.implicit.p50, r.implicit.p99].map(
      (v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v),
    ),
  ),
);
printTable(
  'call graph vs the TypeScript language service',
  ['set', 'callers P', 'callers R', 'callees P', 'callees R'],
  [
    [`openai/src, ${live.functions} sampled functions`, live.callers.precision, live.callers.recall, live.calleesStrict.precision, live.calleesStrict.recall],
    [
      'held out: htmlparser2 + @libp2p/gossipsub',
      ratio(heldOut.callers.tp, heldOut.callers.found),
      ratio(heldOut.callers.tp, heldOut.callers.expected),
      ratio(heldOut.callees.tp, heldOut.callees.found),
      ratio(heldOut.callees.tp, heldOut.callees.expected),
    ],
  ],
);

const summary: SummaryRow[] = results.flatMap((r) => [
  row(`${r.backend}: index ${Math.round(r.lines / 1000)}k lines (openai/src)`, Math.round(r.indexMs), 'ms', against(r.indexMs, '<=', 60_000, 'ms')),
  row(`${r.backend}: peak RSS while indexing`, r.peakRssMb, 'MB', against(r.peakRssMb, '<=', 1024, 'MB')),
  row(
    `${r.backend}: rows (files+symbols+refs+imports)`,
    Object.values(r.rows).reduce((a, b) => a + b, 0),
    'rows',
  ),
  row(`${r.backend}: re-index after one file changed`, Math.round(r.oneChangedMs), 'ms', against(r.oneChangedMs, '<=', 2000, 'ms')),
  row(`${r.backend}: callers p50`, Math.round(r.callers.p50 * 1000) / 1000, 'ms', against(r.callers.p50, '<=', 1, 'ms')),
  row(`${r.backend}: callees p50`, Math.round(r.callees.p50 * 1000) / 1000, 'ms', against(r.callees.p50, '<=', 1, 'ms')),
  row(
    `${r.backend}: implicit context for a named file (callers and callees) p50`,
    Math.round(r.implicit.p50 * 1000) / 1000,
    'ms',
    against(r.implicit.p50, '<=', 1, 'ms'),
  ),
  row(
    `${r.backend}: file neighbourhood (personalised PageRank) p50`,
    Math.round(r.neighbourhood.p50 * 1000) / 1000,
    'ms',
    against(r.neighbourhood.p50, '<=', 1, 'ms'),
  ),
]);
summary.push(
  row('vs language service, openai sample: callers precision', live.callers.precision, '', against(live.callers.precision, '>=', 0.9, '')),
  row('vs language service, openai sample: callers recall', live.callers.recall, '', against(live.callers.recall, '>=', 0.8, '')),
  row(
    'vs language service, held out: callers precision',
    ratio(heldOut.callers.tp, heldOut.callers.found),
    '',
    against(ratio(heldOut.callers.tp, heldOut.callers.found), '>=', 0.9, ''),
  ),
  row(
    'vs language service, held out: callers recall',
    ratio(heldOut.callers.tp, heldOut.callers.expected),
    '',
    against(ratio(heldOut.callers.tp, heldOut.callers.expected), '>=', 0.8, ''),
  ),
);
await writeResult('code-graph', summary, { codebase: 'node_modules/openai/src', results, languageService: { sampleMs: Math.round(lsMs), live, heldOut } });
