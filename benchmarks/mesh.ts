// The mesh under load, with real libp2p nodes in three processes on loopback:
// 1. 10,000 tasks submitted at once on node A (the mock tool "busy": TITAN_BENCH_MESH_TASK_MS of
//    CPU each, default 2), spread by A's scheduler over A, B and C: time to complete all (target
//    ≤ 5 s), tasks/s, tasks run more than once and tasks lost (targets 0 and 0).
// 2. The same on three fresh nodes with C killed (SIGKILL) one second into the run: completion,
//    lost, run twice on a living node, and re-run after the crash (tasks C had started but not
//    answered: at-least-once for a crashed node's tasks in flight, which is what a crash allows).
// 3. The same 10,000 tasks with no work (0 ms): what the mesh itself costs per task.
// 4. The round trip of one task at a time over a kept stream (A -> B, no work): p50/p99.
// The work is CPU (a guest spinning on the host clock; there is no sleeping host import): 10,000 x
// 2 ms over 3 nodes is 6.7 s before any overhead, and the nodes share this machine's cores.
// Run alone: node --disable-warning=ExperimentalWarning benchmarks/mesh.ts
import os from 'node:os';
import { printMachine } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type SummaryRow } from './stats.ts';
import { BUSY, startMesh, type TestNode } from '../test/mesh/support/cluster.ts';

const TASKS = Number(process.env.TITAN_BENCH_MESH_TASKS ?? 10_000);
const TASK_MS = Number(process.env.TITAN_BENCH_MESH_TASK_MS ?? 2);
const RTT_SAMPLES = 1000;

type Result = { ok: boolean; value?: string; node?: string; fallback?: boolean; code?: string };

async function withMesh<T>(fn: (nodes: TestNode[]) => Promise<T>): Promise<T> {
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const nodes = await startMesh({ after: (f) => cleanups.push(f) }, [{ fixtures: [BUSY] }, { fixtures: [BUSY] }, { fixtures: [BUSY] }]);
    return await fn(nodes);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

async function burst(nodes: TestNode[], killAfterMs?: number, taskMs = TASK_MS) {
  const [a, , c] = nodes;
  // The machine may be shared: its load says how much of the cores the nodes had.
  console.log(
    `(load average before the run: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  const started = performance.now();
  const running = a.request<Result[]>({ op: 'submit', request: { name: 'busy', args: [JSON.stringify({ tag: 't', ms: taskMs })] }, count: TASKS }, 300_000);
  if (killAfterMs !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    await c.kill('SIGKILL');
  }
  const results = await running;
  const seconds = (performance.now() - started) / 1000;
  const answered = new Set(results.filter((r) => r.ok).map((r) => (JSON.parse(r.value!) as { tag: string }).tag));
  const failed = results.filter((r) => !r.ok);
  const counts = new Map<string, number>();
  const living = killAfterMs === undefined ? nodes : nodes.filter((n) => n !== c);
  for (const node of living) for (const tag of (await node.executions()).started) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  const twiceOnLiving = [...counts.values()].filter((n) => n > 1).length;
  const crashed = killAfterMs === undefined ? { started: [], done: [] } : await c.executions();
  const rerun = crashed.started.filter((tag) => counts.has(tag)).length;
  const byNode = Object.fromEntries(nodes.map((n, i) => [`ABC`[i], results.filter((r) => r.node === n.id).length]));
  return { seconds, lost: TASKS - answered.size, failed: failed.length, failures: failed.slice(0, 3), twiceOnLiving, rerun, byNode };
}

printMachine();
const work = (TASKS * TASK_MS) / 1000;
console.log(
  `mesh: ${TASKS} tasks of ${TASK_MS} ms each over 3 node processes: ${work.toFixed(0)} s of work, ${(work / 3).toFixed(1)} s with nothing else to do and a core per node (${os.availableParallelism()} cores here)`,
);
const summary: SummaryRow[] = [];

const plain = await withMesh((nodes) => burst(nodes));
console.log(
  `all ${TASKS}: ${plain.seconds.toFixed(2)} s, ran on A/B/C ${JSON.stringify(plain.byNode)}, lost ${plain.lost}, failed ${plain.failed} ${JSON.stringify(plain.failures)}, run twice ${plain.twiceOnLiving}`,
);
summary.push(
  row(`${TASKS} tasks: time to complete`, Number(plain.seconds.toFixed(2)), 's', against(plain.seconds, '<=', 5, 's')),
  row(`${TASKS} tasks: throughput`, Math.round(TASKS / plain.seconds), 'tasks/s'),
  row(`${TASKS} tasks: run more than once`, plain.twiceOnLiving, 'tasks', against(plain.twiceOnLiving, '<=', 0, '')),
  row(`${TASKS} tasks: lost`, plain.lost, 'tasks', against(plain.lost, '<=', 0, '')),
);

const killed = await withMesh((nodes) => burst(nodes, 1000));
console.log(
  `node C killed at 1 s: ${killed.seconds.toFixed(2)} s, answered by A/B/C ${JSON.stringify(killed.byNode)}, lost ${killed.lost}, failed ${killed.failed}, run twice on a living node ${killed.twiceOnLiving}, re-run after C's crash ${killed.rerun}`,
);
summary.push(
  row('one node killed at 1 s: time to complete', Number(killed.seconds.toFixed(2)), 's'),
  row('one node killed at 1 s: lost', killed.lost, 'tasks', against(killed.lost, '<=', 0, '')),
  row('one node killed at 1 s: run twice on a living node', killed.twiceOnLiving, 'tasks', against(killed.twiceOnLiving, '<=', 0, '')),
  row('one node killed at 1 s: re-run after the crash', killed.rerun, 'tasks'),
);

const free = await withMesh((nodes) => burst(nodes, undefined, 0));
console.log(
  `all ${TASKS} with no work: ${free.seconds.toFixed(2)} s, ran on A/B/C ${JSON.stringify(free.byNode)}, lost ${free.lost}, run twice ${free.twiceOnLiving}`,
);
summary.push(
  row(`${TASKS} tasks of 0 ms: time to complete`, Number(free.seconds.toFixed(2)), 's', against(free.seconds, '<=', 5, 's')),
  row(`${TASKS} tasks of 0 ms: throughput`, Math.round(TASKS / free.seconds), 'tasks/s'),
);

const rtt = await withMesh(async ([a, b]) =>
  summarize(
    await a.request<number[]>(
      { op: 'sequential', request: { name: 'busy', args: [JSON.stringify({ tag: 'rtt', ms: 0 })], assignee: b.id }, count: RTT_SAMPLES },
      120_000,
    ),
  ),
);
summary.push(
  row('task round trip p50 (kept stream)', Number(rtt.p50.toFixed(3)), 'ms'),
  row('task round trip p99 (kept stream)', Number(rtt.p99.toFixed(3)), 'ms'),
);

printTable(
  'mesh',
  ['metric', 'value', 'unit', 'target'],
  summary.map((r) => [r.metric, r.value, r.unit, r.target ?? '']),
);
await writeResult('mesh', summary, { tasks: TASKS, taskMs: TASK_MS, plain, killed, free, rtt });
