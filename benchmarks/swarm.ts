// Sub-agent swarms over the mesh: one plan step fans out to 1,000 sub-agents (the scripted model,
// 50 ms before each answer, served from this process) on three nodes, each its own process with
// a kernel, the agent and the mesh on loopback. Node A runs the goal; sub-agents go to whichever
// node has a free slot. Figures: wall time (against the ideal: rounds of the concurrency limit
// times 50 ms), the overhead each sub-agent saw beyond the model's 50 ms, the CPU the three nodes
// spent per sub-agent, peak RSS per node, and sub-agents lost (recorded and finished, or lost).
// Run alone: node --disable-warning=ExperimentalWarning benchmarks/swarm.ts
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { startScriptedLlm } from '../agent/api.ts';
import { loadOrCreateIdentity } from '../mesh/identity.ts';
import { printMachine, tempDir } from './setup.ts';
import { against, printTable, row, summarize, writeResult, type SummaryRow } from './stats.ts';
import type { SwarmCommand, SwarmNodeSpec, SwarmRun } from './swarm-node.ts';

const AGENTS = Number(process.env.TITAN_BENCH_SWARM_AGENTS ?? 1000);
const SLOTS = Number(process.env.TITAN_BENCH_SWARM_SLOTS ?? 16);
const CONCURRENCY = Number(process.env.TITAN_BENCH_SWARM_CONCURRENCY ?? 3 * SLOTS);
const MODEL_MS = 50;
const SCRIPT = fileURLToPath(new URL('./swarm-node.ts', import.meta.url));

type Node = { id: string; child: ChildProcess; home: string; request<T>(command: SwarmCommand, timeoutMs?: number): Promise<T> };
type Stats = { cpuMs: number; maxRssMB: number; subAgents: Record<string, number> };

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function startNode(spec: SwarmNodeSpec): Promise<Node> {
  const child = fork(SCRIPT, [], {
    execArgv: ['--disable-warning=ExperimentalWarning'],
    env: { ...process.env, TITAN_BENCH_SWARM_NODE: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  child.on('message', (m: { seq: number; ok: boolean; value?: unknown; error?: string }) => {
    const waiter = pending.get(m.seq);
    pending.delete(m.seq);
    if (m.ok) waiter?.resolve(m.value);
    else waiter?.reject(new Error(m.error));
  });
  child.once('exit', (code) => {
    for (const w of pending.values()) w.reject(new Error(`a swarm node exited (${code})`));
  });
  const id = await new Promise<string>((resolve, reject) => pending.set(0, { resolve: (v) => resolve(v as string), reject }));
  let seq = 0;
  const request = <T>(command: SwarmCommand, timeoutMs = 600_000) =>
    new Promise<T>((resolve, reject) => {
      const n = ++seq;
      const timer = setTimeout(() => reject(new Error(`no answer to ${command.op}`)), timeoutMs);
      pending.set(n, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ seq: n, command });
    });
  return { id, child, home: spec.home, request };
}

printMachine();
const server = await startScriptedLlm({
  record: false,
  script: {
    turns: [
      {
        repeat: true,
        firstDelayMs: MODEL_MS,
        usage: { inputTokens: 40, outputTokens: 10 },
        content: [{ type: 'text', text: 'the part says the launch is on Friday' }],
      },
    ],
  },
});
const homes = await Promise.all(
  [0, 1, 2].map(async () => {
    const home = await tempDir('titan-bench-swarm-');
    const id = peerIdFromPrivateKey(await loadOrCreateIdentity(home)).toString();
    return { home, id, listen: `/ip4/127.0.0.1/tcp/${await freePort()}` };
  }),
);
const nodes: Node[] = [];
try {
  nodes.push(
    ...(await Promise.all(
      homes.map((h, i) =>
        startNode({
          home: h.home,
          llmUrl: server.baseUrls.openai,
          listen: h.listen,
          allowlist: homes.filter((_, j) => j !== i).map((o) => o.id),
          bootstrap: i === 0 ? [] : [`${homes[0].listen}/p2p/${homes[0].id}`],
          slots: SLOTS,
        }),
      ),
    )),
  );
  const deadline = Date.now() + 60_000;
  while ((await Promise.all(nodes.map((n) => n.request<number>({ op: 'peers' })))).some((n) => n < 2)) {
    if (Date.now() > deadline) throw new Error('the three nodes did not all see each other offering sub-agents');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const [a] = nodes;
  console.log(
    `swarm: ${AGENTS} sub-agents (model ${MODEL_MS} ms each), ${CONCURRENCY} at once, ${SLOTS} slots per node, 3 node processes (${os.availableParallelism()} cores here)`,
  );
  await a.request<SwarmRun>({ op: 'swarm', agents: CONCURRENCY * 2, concurrency: CONCURRENCY }); // warms connections and the JIT
  console.log(
    `(load average before the run: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  await Promise.all(nodes.map((n) => n.request({ op: 'mark' })));
  const run = await a.request<SwarmRun>({ op: 'swarm', agents: AGENTS, concurrency: CONCURRENCY });
  const stats = await Promise.all(nodes.map((n) => n.request<Stats>({ op: 'stats' })));

  const names = new Map(nodes.map((n, i) => [n.id, 'ABC'[i]]));
  const byNode = Object.fromEntries(Object.entries(run.byNode).map(([k, v]) => [names.get(k) ?? k, v]));
  const lost = AGENTS - Math.min(run.distinct, run.finishedWrites);
  const ideal = Math.ceil(AGENTS / CONCURRENCY) * MODEL_MS;
  const overhead = summarize(run.subAgentMs.map((ms) => Math.max(0, ms - MODEL_MS)));
  const cpuPerAgent = stats.reduce((n, s) => n + s.cpuMs, 0) / AGENTS;
  console.log(`${run.status}${run.failures.length ? `\nfailures: ${run.failures.join(' | ')}` : ''}`);
  console.log(
    `wall ${Math.round(run.wallMs)} ms (ideal ${ideal} ms); ran on ${JSON.stringify(byNode)}; peak ${run.peak} running; records ${run.records}, finished ${run.finishedWrites}, distinct ${run.distinct}; counts ${JSON.stringify(run.counts)}; tokens ${run.tokens}`,
  );
  console.log(
    `per node: ${stats.map((s, i) => `${'ABC'[i]} cpu ${Math.round(s.cpuMs)} ms, peak RSS ${Math.round(s.maxRssMB)} MB, ${JSON.stringify(s.subAgents)}`).join('; ')}`,
  );

  const summary: SummaryRow[] = [
    row(`${AGENTS} sub-agents on 3 nodes: wall time`, Math.round(run.wallMs), 'ms', against(run.wallMs, '<=', 2 * ideal, 'ms (2x ideal)')),
    row('ideal wall time (rounds of the limit x 50 ms)', ideal, 'ms'),
    row('overhead per sub-agent beyond the model, p50', Number(overhead.p50.toFixed(2)), 'ms', against(overhead.p50, '<=', 10, 'ms')),
    row('overhead per sub-agent beyond the model, p99', Number(overhead.p99.toFixed(2)), 'ms'),
    row('CPU per sub-agent, 3 nodes together', Number(cpuPerAgent.toFixed(2)), 'ms'),
    ...stats.map((s, i) => row(`peak RSS, node ${'ABC'[i]}`, Math.round(s.maxRssMB), 'MB', against(s.maxRssMB, '<=', 512, 'MB'))),
    row('sub-agents run on peers (B and C)', run.onPeers, 'sub-agents'),
    row('sub-agents lost', lost, 'sub-agents', against(lost, '<=', 0, '')),
    row('sub-agents that failed', AGENTS - (run.counts.succeeded ?? 0), 'sub-agents', against(AGENTS - (run.counts.succeeded ?? 0), '<=', 0, '')),
  ];
  printTable(
    'swarm',
    ['metric', 'value', 'unit', 'target'],
    summary.map((r) => [r.metric, r.value, r.unit, r.target ?? '']),
  );
  await writeResult('swarm', summary, {
    agents: AGENTS,
    slots: SLOTS,
    concurrency: CONCURRENCY,
    modelMs: MODEL_MS,
    run: { ...run, subAgentMs: undefined },
    byNode,
    stats,
    overhead,
  });
} finally {
  for (const node of nodes) {
    node.child.disconnect();
    await new Promise((resolve) => (node.child.exitCode === null ? node.child.once('exit', resolve) : resolve(undefined)));
  }
  await server.close();
  for (const h of homes) await rm(h.home, { recursive: true, force: true });
}
