// Stores: both backends side by side in one run. 100k messages appended in batches, then the last
// 50 messages of random threads among 10k, each measured through the store component and against
// the same SQL sent to the driver directly, so the component's overhead is a difference of
// figures measured together.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Kernel, bootstrapBuiltins } from '../kernel/api.ts';
import { onBothBackends } from './backends.ts';
import { BENCH_CACHE, printMachine, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type SummaryRow } from './stats.ts';

const THREADS = 10_000;
const MESSAGES = 100_000;
const BATCH = 500;
const HOT_THREADS = 2_000; // the store's batches go to t0.., the driver's to ..t1999
const QUERIES = 2_000;

type Figures = {
  backend: string;
  storeAppendMs: number;
  driverAppendMs: number;
  storeQuery: ReturnType<typeof summarize>;
  driverQuery: ReturnType<typeof summarize>;
  /** This process's CPU time per query (µs), the median over blocks: what the store adds, apart from waiting. */
  storeCpuUs: number;
  driverCpuUs: number;
};

/** CPU time of this process per call of `query` (µs) over one block. */
async function cpuPerQuery(query: (i: number) => Promise<unknown>, from: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = from; i < from + CPU_BLOCK; i++) await query(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / CPU_BLOCK;
}

const INSERT = 'INSERT INTO messages (id, thread_id, turn_id, role, content, created_at) VALUES (?, ?, ?, ?, ?, ?)';
// The statement messages.list runs (components/stores/core/conversations.js), column for column.
const LAST_50 =
  'SELECT * FROM (SELECT pos, id, turn_id, role, content, created_at, source FROM messages WHERE thread_id = ? AND pos < ? ORDER BY pos DESC LIMIT ?) recent ORDER BY pos';
/** CPU time per query is read over blocks of this many, alternating store and driver. */
const CPU_BLOCK = 400;

function message(i: number, thread: string) {
  return { id: randomUUID(), role: i % 2 ? 'assistant' : 'user', content: `message ${i}: ${'lorem ipsum '.repeat(8)}`, thread };
}

async function measure(backend: string, dbUrl: string): Promise<Figures> {
  const home = await tempDir('titan-bench-store-');
  const kernel = await Kernel.open({ home, cacheDir: BENCH_CACHE, logToFile: false, env: { TITAN_DB_URL: dbUrl } });
  try {
    const report = await bootstrapBuiltins(kernel);
    if (report.failed.length) throw new Error(JSON.stringify(report.failed));
    // 10k threads, loaded in bulk (this is setup, not a measured figure).
    const threads = Array.from({ length: THREADS }, (_, i) => ({
      id: `t${i}`,
      user_id: 'bench',
      title: `thread ${i}`,
      channel: null,
      external_id: null,
      created_at: i,
      updated_at: i,
    }));
    await kernel.store.op('users.ensure', { id: 'bench' });
    for (let i = 0; i < threads.length; i += BATCH) await kernel.store.op('table.load', { table: 'threads', rows: threads.slice(i, i + BATCH) });

    const half = MESSAGES / 2;
    // Through the store component: messages.append, BATCH per call, committed before it returns.
    let started = performance.now();
    for (let i = 0; i < half; i += BATCH) {
      const thread = `t${(i / BATCH) % HOT_THREADS}`;
      await kernel.store.appendMessages(
        thread,
        Array.from({ length: BATCH }, (_, j) => message(i + j, thread)),
      );
    }
    const storeAppendMs = performance.now() - started;
    // The same rows through the driver: one transaction per batch of INSERTs.
    started = performance.now();
    for (let i = 0; i < half; i += BATCH) {
      const thread = `t${HOT_THREADS - 1 - ((i / BATCH) % HOT_THREADS)}`;
      await kernel.db.batch(
        Array.from({ length: BATCH }, (_, j) => {
          const m = message(half + i + j, thread);
          return { sql: INSERT, params: [m.id, thread, null, m.role, m.content, Date.now()] };
        }),
      );
    }
    const driverAppendMs = performance.now() - started;

    const batches = half / BATCH;
    const pick = (i: number) => (i % 2 ? `t${(i * 31) % batches}` : `t${HOT_THREADS - 1 - ((i * 31) % batches)}`);
    for (let i = 0; i < 200; i++) await kernel.store.listMessages(pick(i), 50); // warm-up
    // Interleaved, so both paths see the same caches and the same machine load.
    const viaStore: number[] = [];
    const viaDriver: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      let t0 = performance.now();
      const rows = await kernel.store.listMessages(pick(i), 50);
      viaStore.push((performance.now() - t0) * 1000);
      if (rows.length === 0) throw new Error('no rows');
      t0 = performance.now();
      await kernel.db.run(LAST_50, [pick(i), Number.MAX_SAFE_INTEGER, 50]);
      viaDriver.push((performance.now() - t0) * 1000);
    }
    const storeCpu: number[] = [];
    const driverCpu: number[] = [];
    for (let from = 0; from < QUERIES; from += CPU_BLOCK) {
      storeCpu.push(await cpuPerQuery((i) => kernel.store.listMessages(pick(i), 50), from));
      driverCpu.push(await cpuPerQuery((i) => kernel.db.run(LAST_50, [pick(i), Number.MAX_SAFE_INTEGER, 50]), from));
    }
    return {
      backend,
      storeAppendMs,
      driverAppendMs,
      storeQuery: summarize(viaStore),
      driverQuery: summarize(viaDriver),
      storeCpuUs: summarize(storeCpu).p50,
      driverCpuUs: summarize(driverCpu).p50,
    };
  } finally {
    await kernel.close();
    await rm(home, { recursive: true, force: true });
  }
}

printMachine();
const results = await onBothBackends(measure);

const half = MESSAGES / 2;
printTable(
  `append ${MESSAGES.toLocaleString()} messages in batches of ${BATCH} (half through the store, half through the driver)`,
  ['backend', 'store msg/s', 'driver msg/s', 'store / driver time', 'target'],
  results.map((r) => [
    r.backend,
    Math.round(half / (r.storeAppendMs / 1000)),
    Math.round(half / (r.driverAppendMs / 1000)),
    (r.storeAppendMs / r.driverAppendMs).toFixed(2) + 'x',
    '≤ 2x',
  ]),
);
printTable(
  `last 50 messages of a thread among ${THREADS.toLocaleString()} threads (${QUERIES} queries, µs)`,
  ['backend', 'store p50', 'store p99', 'driver p50', 'driver p99', 'added p50', 'target', 'added CPU'],
  results.map((r) => [
    r.backend,
    r.storeQuery.p50,
    r.storeQuery.p99,
    r.driverQuery.p50,
    r.driverQuery.p99,
    r.storeQuery.p50 - r.driverQuery.p50,
    '≤ 100 µs',
    (r.storeCpuUs - r.driverCpuUs).toFixed(1),
  ]),
);

const summary: SummaryRow[] = results.flatMap((r) => [
  row(`${r.backend}: batched append, store/driver time`, r.storeAppendMs / r.driverAppendMs, 'x', against(r.storeAppendMs / r.driverAppendMs, '<=', 2, 'x')),
  row(`${r.backend}: last-50 query via store p50`, r.storeQuery.p50, 'µs'),
  row(`${r.backend}: last-50 query via store p99`, r.storeQuery.p99, 'µs'),
  row(`${r.backend}: added per query p50`, r.storeQuery.p50 - r.driverQuery.p50, 'µs', against(r.storeQuery.p50 - r.driverQuery.p50, '<=', 100, 'µs')),
  row(`${r.backend}: added CPU per query`, r.storeCpuUs - r.driverCpuUs, 'µs'),
]);
await writeResult('store-backends', summary, { results });
