// titan:host/mesh from a component: it lists the peers its node hears and submits a tool to the
// mesh; its grant limits which tools it may submit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PeerInfo } from '../../mesh/mesh.ts';
import type { TaskMessage } from '../../mesh/messages.ts';
import { BUSY, startMesh } from './support/cluster.ts';

const RELAY = fileURLToPath(new URL('./fixtures/relay', import.meta.url));

test('a component granted mesh lists the peers and runs a tool on the peer that has it', async (t) => {
  // a has the relay but not busy, b has busy: the submitted task can only run on b.
  const [a, b] = await startMesh(t, [{ fixtures: [RELAY] }, { fixtures: [BUSY] }]);
  const answer = await a.request<{ peers: Array<{ id: string; freeSlots: number }>; answer?: { tag: string }; error?: string }>({
    op: 'call',
    name: 'relay',
    input: { tool: 'busy', input: { tag: 'via-mesh', ms: 1 } },
  });
  assert.equal(answer.error, undefined);
  assert.deepEqual(answer.answer, { tag: 'via-mesh', ms: 1 });
  assert.deepEqual(
    answer.peers.map((p) => p.id),
    [b.id],
  );
  assert.deepEqual((await b.executions()).started, ['via-mesh']);

  const denied = await a.request<{ error?: string }>({ op: 'call', name: 'relay', input: { tool: 'echo', input: {} } });
  assert.match(denied.error ?? '', /^TITAN_E_CAPABILITY_INVALID: .*"echo"/);
});

test('a component with capabilities beyond log, clock and events never runs for a peer', async (t) => {
  const [a, b] = await startMesh(t, [{ fixtures: [RELAY, BUSY] }, {}]);
  // a advertises busy (pure) but not relay (it uses mesh).
  const seen = (await b.request<PeerInfo[]>({ op: 'peers' })).find((p) => p.id === a.id)!;
  assert.deepEqual(
    seen.components.map((c) => c.name),
    ['busy'],
  );
  const task: TaskMessage = {
    t: 'task',
    id: 'sneaky',
    type: 'tool-call',
    assignee: a.id,
    component: { kind: 'tool', name: 'relay', range: '*', version: '1.0.0', digest: '' },
    fn: 'invoke',
    args: [JSON.stringify({ tool: 'busy', input: { tag: 'bounced', ms: 1 } })],
  };
  const [answer] = await b.request<Array<{ ok: boolean; error: { code: string } }>>({ op: 'raw', peer: a.id, tasks: [task], streams: 1 });
  assert.equal(answer.ok, false);
  assert.equal(answer.error.code, 'TITAN_E_MESH_NOT_OFFLOADABLE');
  assert.deepEqual((await a.executions()).started, []);
});
