// The mesh as an operator sees it through the gateway: an agent turn whose tool call runs on a
// peer (this node keeps no slots), then /api/mesh listing that peer and /metrics counting the task.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { loadOrCreateIdentity } from '../../mesh/identity.ts';
import { Mesh } from '../../mesh/mesh.ts';
import { builtin } from '../support/fixtures.ts';
import { toolCall } from '../support/model-double.ts';
import { openGateway, openHarness } from '../gateway/support.ts';
import { spawnNode, until } from './support/cluster.ts';

test("a turn's tool call runs on a peer; /api/mesh and /metrics show the mesh", async (t) => {
  const harness = await openHarness();
  t.after(() => harness.close());
  const self = peerIdFromPrivateKey(await loadOrCreateIdentity(harness.home)).toString();
  const peer = await spawnNode(t, { fixtures: [builtin('echo')], settings: { allowlist: [self] } });
  const mesh = await Mesh.start(harness.kernel, { listen: ['/ip4/127.0.0.1/tcp/0'], slots: 0, allowlist: [peer.id], bootstrap: [peer.tcp], heartbeatMs: 1000 });
  t.after(() => mesh.stop());
  await until('the peer is heard', () => mesh.peers().some((p) => p.id === peer.id && p.components.some((c) => c.name === 'echo')));

  const gw = await openGateway(harness, {
    mesh,
    steps: [
      [...toolCall(0, 'm1', 'echo', { text: 'from afar' }), { type: 'stop', reason: 'tool_use' }],
      [
        { type: 'text', text: 'ok' },
        { type: 'stop', reason: 'end_turn' },
      ],
    ],
  });
  t.after(() => gw.close());
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const sent = (await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'echo it' })).body;
  await gw.agent.running().find((r) => r.turnId === sent.turnId)?.done;
  const result = harness.events.find((e) => e.type === 'tool.completed') as { ok: boolean; output?: unknown } | undefined;
  assert.equal(result?.ok, true);
  assert.equal((await peer.executions()).started.length, 1, 'echo ran on the peer');

  const view = (await gw.call('GET', '/api/mesh')).body as { enabled: boolean; status: { id: string; tasks: { sent: number } }; peers: Array<{ id: string }> };
  assert.equal(view.enabled, true);
  assert.equal(view.status.id, self);
  assert.equal(view.status.tasks.sent, 1);
  assert.deepEqual(
    view.peers.map((p) => p.id),
    [peer.id],
  );

  const metrics = (await gw.call('GET', '/metrics')).body as string;
  assert.match(metrics, /^titan_mesh_peers 1$/m);
  assert.match(metrics, /^titan_mesh_tasks_total\{event="sent"\} 1$/m);
  assert.match(metrics, /^titan_mesh_task_round_trip_seconds_count 1$/m);
});
