// titan:host/mesh from a component: it lists the peers its node hears and submits a tool to the
// mesh; its grant limits which tools it may submit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUSY, startMesh } from './support/cluster.ts';

const RELAY = fileURLToPath(new URL('./fixtures/relay', import.meta.url));

test('a component granted mesh lists the peers and runs a tool on the peer that has it', async (t) => {
  // a has the relay but not busy, b has busy: the submitted task can only run on b.
  const [a, b] = await startMesh(t, [{ fixtures: [RELAY] }, { fixtures: [BUSY] }]);
  const answer = await a.request<{ peers: Array<{ id: string; freeSlots: number }>; answer?: { tag: string }; error?: string }>(
    { op: 'call', name: 'relay', input: { tool: 'busy', input: { tag: 'via-mesh', ms: 1 } } });
  assert.equal(answer.error, undefined);
  assert.deepEqual(answer.answer, { tag: 'via-mesh', ms: 1 });
  assert.deepEqual(answer.peers.map((p) => p.id), [b.id]);
  assert.deepEqual((await b.executions()).started, ['via-mesh']);

  const denied = await a.request<{ error?: string }>({ op: 'call', name: 'relay', input: { tool: 'echo', input: {} } });
  assert.match(denied.error ?? '', /^TITAN_E_CAPABILITY_INVALID: .*"echo"/);
});
