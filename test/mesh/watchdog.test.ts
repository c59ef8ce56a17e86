// A task that outlives its time limit on a peer, between real nodes on loopback: the peer's own
// watchdog stops it there (an inline guest call that freezes the peer included), the sender runs
// it elsewhere only once the peer confirmed it stopped, and a peer that cannot confirm at all is
// declared dead, with the reason, before the task runs elsewhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUSY, startMesh, until } from './support/cluster.ts';

type Result = { ok: boolean; value?: string; node?: string; fallback?: boolean; code?: string; message?: string };
type Status = {
  tasks: {
    timedOut: number;
    timeoutsCancelledThere: number;
    timeoutsNotConfirmed: number;
    stoppedAtLimitHere: number;
    peersDeclaredDead: number;
    lastDeclaredDead?: { peer: string; reason: string };
  };
};
const busy = (tag: string, ms: number) => [JSON.stringify({ tag, ms })];

test("a task that freezes its peer is stopped there by the peer's watchdog, and runs elsewhere once the peer confirms", async (t) => {
  // busy runs inline by grant on b (mesh-node.ts): 4 s of it holds b's only thread.
  const [a, b] = await startMesh(t, [{ fixtures: [BUSY], settings: { taskTimeoutMs: 500 } }, { fixtures: [BUSY] }]);
  const started = performance.now();
  const [result] = await a.request<Result[]>({ op: 'submit', request: { name: 'busy', args: busy('frozen', 4000), assignee: b.id } }, 60_000);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.node, a.id);
  assert.equal(result.fallback, true);
  const sender = await a.request<Status>({ op: 'status' });
  assert.equal(sender.tasks.timedOut, 1);
  // b could not read the cancel while frozen; its watchdog ended the call and said so in time.
  assert.equal(sender.tasks.timeoutsCancelledThere, 1, JSON.stringify(sender.tasks));
  assert.equal(sender.tasks.peersDeclaredDead, 0);
  const peer = await b.request<Status>({ op: 'status' });
  assert.equal(peer.tasks.stoppedAtLimitHere, 1);
  // b was free long before its 4 s of work would have ended: the run here took 4 s, b's part under 1.5 s.
  assert.ok(performance.now() - started < 4000 + 3000, 'the fallback started within the confirmation window');
  assert.deepEqual((await b.executions()).done, ['frozen'], 'b ended the call (stopped)');
  assert.deepEqual((await a.executions()).started, ['frozen'], 'and a ran it once, after that');
  // b serves again at once.
  const [next] = await a.request<Result[]>({ op: 'submit', request: { name: 'busy', args: busy('after', 1), assignee: b.id } });
  assert.equal(next.node, b.id, JSON.stringify(next));
});

test('a peer that cannot confirm the cancel at all (its process stopped) is declared dead with the reason, then the task runs elsewhere', async (t) => {
  const [a, b] = await startMesh(t, [{ fixtures: [BUSY], settings: { taskTimeoutMs: 500 } }, { fixtures: [BUSY] }]);
  t.after(() => void b.child.kill('SIGCONT'));
  const pending = a.request<Result[]>({ op: 'submit', request: { name: 'busy', args: busy('stuck', 2000), assignee: b.id } }, 60_000);
  await until('b runs the task', async () => (await b.executions()).started.includes('stuck'));
  b.child.kill('SIGSTOP'); // frozen beyond any watchdog of its own
  const [result] = await pending;
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.node, a.id);
  const sender = await a.request<Status>({ op: 'status' });
  assert.equal(sender.tasks.timeoutsCancelledThere, 0);
  assert.equal(sender.tasks.timeoutsNotConfirmed, 1);
  assert.equal(sender.tasks.peersDeclaredDead, 1);
  assert.equal(sender.tasks.lastDeclaredDead?.peer, b.id);
  assert.match(sender.tasks.lastDeclaredDead?.reason ?? '', /did not confirm the cancel of task .* within 500 ms of its 500 ms timeout/);
  assert.ok(!(await a.request<Array<{ id: string }>>({ op: 'peers' })).some((p) => p.id === b.id), 'b is no longer a member');
});
