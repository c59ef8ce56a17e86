// Components over the mesh: a node sent a task for a component it does not have pulls the blob
// from the sender, verifies its sha256 and publishes it; bytes altered on the way are refused and
// nothing is stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUSY, startMesh } from './support/cluster.ts';

type Result = { ok: boolean; value?: string; node?: string; code?: string; message?: string };

test('a node missing a component pulls it from the peer that sent the task, verified, and runs it', async (t) => {
  const [a, b] = await startMesh(t, [{ fixtures: [BUSY] }, {}]);
  const digest = (await a.request<{ manifests: Array<{ digest: string }> }>({ op: 'status' })).manifests[0].digest;
  assert.deepEqual(await b.request({ op: 'registry' }), []);
  const [result] = await a.request<Result[]>({
    op: 'submit',
    request: { name: 'busy', range: '^1.0.0', args: [JSON.stringify({ tag: 'pulled', ms: 1 })], assignee: b.id },
  });
  assert.equal(result.ok, true, result.message);
  assert.equal(result.node, b.id);
  assert.deepEqual(await b.request({ op: 'registry' }), [`tool/busy@1.0.0 ${digest}`]);
  const status = await b.request<{ tasks: { pulls: number } }>({ op: 'status' });
  assert.equal(status.tasks.pulls, 1);
});

test('a tampered blob from a peer is refused with a coded error and nothing is stored', async (t) => {
  const [a, b] = await startMesh(t, [{ fixtures: [BUSY], tamper: true }, {}]);
  const digest = (await a.request<{ manifests: Array<{ digest: string }> }>({ op: 'status' })).manifests[0].digest;
  await assert.rejects(b.request({ op: 'pull', peer: a.id, digest }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'TITAN_E_DIGEST_MISMATCH');
    assert.match(error.message, /refused/);
    return true;
  });
  assert.deepEqual(await b.request({ op: 'registry' }), []);
  // A task that needs it fails the same way, unrun.
  const [result] = await a.request<Result[]>({ op: 'submit', request: { name: 'busy', args: [JSON.stringify({ tag: 'x', ms: 1 })], assignee: b.id } });
  assert.equal(result.ok, false);
  assert.equal(result.code, 'TITAN_E_DIGEST_MISMATCH');
  assert.deepEqual((await b.executions()).started, []);
});
