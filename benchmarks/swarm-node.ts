// One node of the swarm benchmark (benchmarks/swarm.ts), in its own process: a kernel with the
// built-ins, the agent on the parent's scripted model, the control plane with swarms, and the mesh
// on loopback lending the agent's model to peers' sub-agents. Driven over IPC by the parent.
import path from 'node:path';
import { Agent, createLlm, type SubAgentResult } from '../agent/api.ts';
import { startAutonomy } from '../agent/services.ts';
import { Kernel, bootstrapBuiltins } from '../kernel/api.ts';
import { Mesh } from '../mesh/mesh.ts';
import { BENCH_CACHE } from './setup.ts';

export type SwarmNodeSpec = { home: string; llmUrl: string; listen: string; allowlist: string[]; bootstrap: string[]; slots: number };
export type SwarmCommand = { op: 'peers' } | { op: 'mark' } | { op: 'stats' } | { op: 'swarm'; agents: number; concurrency: number };
export type SwarmRun = {
  wallMs: number;
  status: string;
  counts: Record<string, number>;
  onPeers: number;
  tokens: number;
  peak: number;
  records: number;
  distinct: number;
  byNode: Record<string, number>;
  subAgentMs: number[];
  finishedWrites: number;
  /** The distinct failures, a few of each kind. */
  failures: string[];
};

const spec = JSON.parse(process.env.TITAN_BENCH_SWARM_NODE ?? '{}') as SwarmNodeSpec;
const kernel = await Kernel.open({ home: spec.home, cacheDir: BENCH_CACHE, logToFile: false, env: {} });
const boot = await bootstrapBuiltins(kernel);
if (boot.failed.length) throw new Error(JSON.stringify(boot.failed));
const llm = createLlm(kernel, {
  providers: [{ name: 'openai', component: 'openai', baseUrl: spec.llmUrl, model: 'bench', apiKeyEnv: 'K' }],
  env: { K: 'k' },
});
const agent = new Agent(kernel, { workspace: path.join(spec.home, 'workspace'), llm: (request, options) => llm.stream(request, options) });
await agent.start();
const autonomy = startAutonomy(kernel, agent, { swarm: { maxAgents: 100_000 } });
const mesh = await Mesh.start(kernel, {
  listen: [spec.listen],
  allowlist: spec.allowlist,
  bootstrap: spec.bootstrap,
  slots: spec.slots,
  heartbeatMs: 1000,
  mdns: false,
});
autonomy.useMesh(mesh.agentPorts);
let cpuMark = process.cpuUsage();

async function swarm(count: number, concurrency: number): Promise<SwarmRun> {
  const agents = Array.from({ length: count }, (_, i) => ({ title: `part ${i + 1}`, prompt: `Summarise part ${i + 1} of the report.` }));
  const { goal, plan } = await autonomy.plane.createGoal('bench', {
    title: `${count} sub-agents`,
    steps: [{ title: 'fan out', kind: 'swarm', agents, concurrency, tokenBudget: 1_000_000_000, timeoutMs: 120_000 }],
  });
  // Sub-agents running at once, from the records as they change (what the Goals page sees).
  let running = 0;
  let peak = 0;
  const off = kernel.bus.on('goal.event', (event) => {
    const record = event.data as { kind?: string; status?: string };
    if (event.type !== 'execution' || record.kind !== 'subagent') return;
    running += record.status === 'running' ? 1 : -1;
    peak = Math.max(peak, running);
  });
  const started = performance.now();
  const report = await autonomy.runner.run('bench', goal.id).finally(off);
  const wallMs = performance.now() - started;
  const runs = (await autonomy.plane.executions('bench', plan!.id)).filter((e) => e.kind === 'subagent');
  const results = runs.map((e) => JSON.parse(e.output ?? '{}') as SubAgentResult);
  const byNode: Record<string, number> = {};
  for (const r of results) byNode[r.node === 'local' ? 'A' : r.node] = (byNode[r.node === 'local' ? 'A' : r.node] ?? 0) + 1;
  const step = (await autonomy.plane.listSteps('bench', plan!.id))[0];
  const counts = Object.fromEntries(['succeeded', 'failed', 'timed_out', 'not_run'].map((s) => [s, results.filter((r) => r.status === s).length]));
  return {
    wallMs,
    status: `${report.status}: ${step.output?.split('\n')[0] ?? step.error?.split('\n')[0]}`,
    counts,
    onPeers: results.filter((r) => r.node !== 'local').length,
    tokens: results.reduce((n, r) => n + r.tokens, 0),
    peak,
    records: runs.length,
    distinct: new Set(results.map((r) => r.index)).size,
    byNode,
    subAgentMs: results.map((r) => r.ms),
    finishedWrites: runs.filter((e) => e.finished_at !== null).length,
    failures: [...new Set(results.flatMap((r) => (r.error ? [`${r.error.code}: ${r.error.message.slice(0, 200)}`] : [])))].slice(0, 5),
  };
}

async function handle(command: SwarmCommand): Promise<unknown> {
  switch (command.op) {
    case 'peers':
      return mesh.peers().filter((p) => p.connected && p.subAgents).length;
    case 'mark':
      cpuMark = process.cpuUsage();
      return true;
    case 'stats': {
      const cpu = process.cpuUsage(cpuMark);
      const { timedOut, peerLost, lateResults, fallbacks, redispatched } = mesh.status().tasks;
      return {
        cpuMs: (cpu.user + cpu.system) / 1000,
        maxRssMB: process.resourceUsage().maxRSS / 1024,
        subAgents: { ...mesh.subAgents.counters, timedOut, peerLost, lateResults, fallbacks, redispatched },
      };
    }
    case 'swarm':
      return swarm(command.agents, command.concurrency);
  }
}

process.on('message', (message: { seq: number; command: SwarmCommand }) => {
  handle(message.command).then(
    (value) => process.send!({ seq: message.seq, ok: true, value }),
    (error: Error) => process.send!({ seq: message.seq, ok: false, error: error.message }),
  );
});
process.on('disconnect', () => {
  void (async () => {
    await mesh.stop();
    await agent.close();
    await kernel.close();
    process.exit(0);
  })();
});
process.send!({ seq: 0, ok: true, value: mesh.id });
