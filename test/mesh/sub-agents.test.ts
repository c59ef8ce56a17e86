// A swarm step's sub-agents spread over the mesh: two nodes in this process, each a kernel with
// the agent (a model double) and the mesh on loopback. Node A's step fans out beyond its own
// slots: tool-less sub-agents run on B with B's model (which sees only their brief), a sub-agent
// with tools stays on A, and every one is recorded on A. When B goes away mid-swarm, what it
// held runs on A: none lost.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { startAutonomy, type Autonomy } from '../../agent/autonomy/start.ts';
import type { SubAgentResult } from '../../agent/autonomy/swarm/types.ts';
import type { ChatRequest } from '../../agent/loop/llm-types.ts';
import { Agent } from '../../agent/loop/agent.ts';
import type { LlmStream } from '../../agent/loop/turn.ts';
import { bootstrapBuiltins, Kernel } from '../../kernel/api.ts';
import { loadOrCreateIdentity } from '../../mesh/identity.ts';
import { Mesh } from '../../mesh/mesh.ts';
import { TEST_CACHE, tempHome } from '../support/kernel.ts';
import { until } from './support/cluster.ts';

type Node = { kernel: Kernel; agent: Agent; autonomy: Autonomy; mesh: Mesh; id: string; asked: ChatRequest[]; close(): Promise<void> };

/** A model that answers after `ms` with the node's name and the task it was given. */
function slowModel(name: string, ms: number, asked: ChatRequest[]): LlmStream {
  return async function* (request, { signal }) {
    asked.push(request);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      void timer;
    });
    const task = request.messages.findLast((m) => m.role === 'user')?.content ?? '';
    yield { type: 'text', text: `${name} did: ${task}` };
    yield { type: 'usage', input_tokens: 10, output_tokens: 5 };
    yield { type: 'stop', reason: 'end_turn' };
  };
}

const nodes: Node[] = [];
after(async () => {
  for (const node of nodes) await node.close();
});

async function prepared() {
  const { home, cleanup } = await tempHome('titan-subagents-');
  const id = peerIdFromPrivateKey(await loadOrCreateIdentity(home)).toString();
  return { home, cleanup, id };
}

async function startNode(name: string, prep: { home: string; cleanup(): Promise<void>; id: string }, others: string[], bootstrap: string[]): Promise<Node> {
  const kernel = await Kernel.open({ home: prep.home, cacheDir: TEST_CACHE, logToFile: false, env: {} });
  assert.deepEqual((await bootstrapBuiltins(kernel)).failed, []);
  const asked: ChatRequest[] = [];
  const agent = new Agent(kernel, { workspace: path.join(prep.home, 'workspace'), llm: slowModel(name, 150, asked) });
  await agent.start();
  const autonomy = startAutonomy(kernel, agent, { swarm: { concurrency: 8 } });
  const mesh = await Mesh.start(kernel, { listen: ['/ip4/127.0.0.1/tcp/0'], allowlist: others, bootstrap, slots: 4, heartbeatMs: 300, mdns: false });
  autonomy.useMesh(mesh.agentPorts);
  let closed = false;
  const node: Node = {
    kernel,
    agent,
    autonomy,
    mesh,
    id: mesh.id,
    asked,
    async close() {
      if (closed) return;
      closed = true;
      await mesh.stop();
      await agent.close();
      await kernel.close();
      await prep.cleanup();
    },
  };
  nodes.push(node);
  return node;
}

test("a swarm on node A runs its tool-less sub-agents on B's free slots too, with B's model; all recorded on A", { timeout: 120_000 }, async () => {
  const [pa, pb] = [await prepared(), await prepared()];
  const a = await startNode('A', pa, [pb.id], []);
  const b = await startNode('B', pb, [pa.id], [`${a.mesh.node.getMultiaddrs()[0]}`]);
  await until('A sees B offering sub-agents', () => a.mesh.peers().some((p) => p.id === b.id && p.connected && p.subAgents), 20_000);

  const agents = [
    { title: 'reads', prompt: 'what does the clock say', tools: ['clock'] },
    ...Array.from({ length: 11 }, (_, i) => ({ title: `part ${i + 1}`, prompt: `summarise part ${i + 1}` })),
  ];
  const { goal, plan } = await a.autonomy.plane.createGoal('ada', { title: 'spread', steps: [{ title: 'fan out', kind: 'swarm', agents }] });
  const report = await a.autonomy.runner.run('ada', goal.id);
  assert.equal(report.status, 'succeeded');
  const runs = (await a.autonomy.plane.executions('ada', plan!.id)).filter((e) => e.kind === 'subagent');
  const results = runs.map((e) => JSON.parse(e.output ?? '{}') as SubAgentResult).sort((x, y) => x.index - y.index);
  assert.equal(results.length, 12);
  assert.ok(results.every((r) => r.status === 'succeeded'));
  assert.equal(results[0].node, 'local', 'a sub-agent with tools never leaves the node that granted them');
  const onB = results.filter((r) => r.node === b.id);
  assert.ok(onB.length >= 3, `8 at once over 4 slots each: B took a share (${onB.length})`);
  for (const r of onB) assert.match(r.output ?? '', /^B did: summarise part \d+/);
  for (const r of results.filter((r) => r.node === 'local')) assert.match(r.output ?? '', /^A did: /);
  // B's model saw a sub-agent's brief and task, nothing else, and no tools.
  const seen = b.asked.find((r) => r.messages.some((m) => m.content.includes('summarise part')))!;
  assert.equal(seen.messages.length, 2);
  assert.equal(seen.tools.length, 0);
  assert.match(seen.messages[0].content, /one narrow task: part \d+/);
  assert.equal(b.mesh.subAgents.counters.ranForPeers, onB.length);
  // B recorded nothing: the goal and its records are A's.
  assert.equal((await b.autonomy.plane.listGoals('ada')).total, 0);
});

test('sub-agents held by a peer that goes away run on the asking node: none lost', { timeout: 120_000 }, async () => {
  const [pa, pc] = [await prepared(), await prepared()];
  const a = await startNode('A', pa, [pc.id], []);
  const c = await startNode('C', pc, [pa.id], [`${a.mesh.node.getMultiaddrs()[0]}`]);
  await until('A sees C offering sub-agents', () => a.mesh.peers().some((p) => p.id === c.id && p.connected && p.subAgents), 20_000);
  const agents = Array.from({ length: 16 }, (_, i) => ({ title: `part ${i + 1}`, prompt: `summarise part ${i + 1}` }));
  const { goal, plan } = await a.autonomy.plane.createGoal('ada', { title: 'peer lost', steps: [{ title: 'fan out', kind: 'swarm', agents }] });
  const run = a.autonomy.runner.run('ada', goal.id);
  await until('C runs some', () => c.mesh.subAgents.counters.ranForPeers + c.asked.length > 0, 10_000);
  await c.close();
  const report = await run;
  assert.equal(report.status, 'succeeded');
  const results = (await a.autonomy.plane.executions('ada', plan!.id))
    .filter((e) => e.kind === 'subagent')
    .map((e) => JSON.parse(e.output ?? '{}') as SubAgentResult);
  assert.equal(results.length, 16);
  assert.deepEqual(
    results.map((r) => r.status),
    Array(16).fill('succeeded'),
  );
  assert.ok(
    results.some((r) => r.node === 'local' && /^A did/.test(r.output ?? '')),
    'what C held ran on A',
  );
  assert.equal(a.mesh.subAgents.counters.sent > 0, true);
});
