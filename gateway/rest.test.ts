// The REST API as a client drives it: approvals resume a waiting turn, interrupts stop one,
// threads page and are deleted for good (one, or all of the user's), components, registry and
// patches move through the kernel, settings are kept per user.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { publishFixture } from '../test/support/fixtures.ts';
import { toolCall } from '../test/support/model-double.ts';
import { openGateway, openHarness, openSse, sleep, type Harness } from '../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  // Every call recorded (the default samples 20%), so what the patch test verifies on is not left to chance.
  harness = await openHarness({ kernel: { config: { recordSampleRate: 1 } } });
});
after(() => harness.close());

const done = [
  { type: 'text' as const, text: 'done' },
  { type: 'stop' as const, reason: 'end_turn' },
];

test('approvals through REST: the pending call is listed for its owner only, and approving it resumes the waiting turn', async (t) => {
  const gw = await openGateway(harness, {
    guardedTools: ['echo'],
    steps: [[...toolCall(0, 'call-a', 'echo', { text: 'approved via REST' }), { type: 'stop', reason: 'tool_use' }], done],
  });
  t.after(() => gw.close());
  const bob = await gw.gateway.deps.tokens.create('bob');
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const sse = await openSse(`${gw.url}/api/threads/${thread.id}/events`, { authorization: `Bearer ${gw.token}` });
  t.after(() => sse.close());
  const sent = (await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'echo it' })).body;
  const needed = (await sse.until((e) => e.data.type === 'approval.needed')).data as { approvalId: string };

  const listed = (await gw.call('GET', '/api/approvals')).body.approvals;
  assert.deepEqual(
    listed.map((a: { id: string; threadId: string; turnId: string; tool: string; arguments: unknown }) => [a.id, a.threadId, a.turnId, a.tool, a.arguments]),
    [[needed.approvalId, thread.id, sent.turnId, 'echo', { text: 'approved via REST' }]],
  );
  assert.deepEqual((await gw.call('GET', '/api/approvals', undefined, bob)).body.approvals, [], "bob does not see ada's approvals");
  assert.equal((await gw.call('POST', `/api/approvals/${needed.approvalId}`, { decision: 'approved' }, bob)).status, 404);
  const invalid = await gw.call('POST', `/api/approvals/${needed.approvalId}`, { decision: 'maybe' });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error.code, 'TITAN_E_INVALID_REQUEST');
  assert.equal((await gw.call('GET', '/api/approvals')).body.approvals.length, 1, 'bad input changed nothing');

  const decided = await gw.call('POST', `/api/approvals/${needed.approvalId}`, { decision: 'approved', reason: 'fine' });
  assert.equal(decided.status, 200);
  assert.deepEqual(decided.body, { id: needed.approvalId, decision: 'approved', by: 'ada', reason: 'fine' });
  await sse.until((e) => e.data.turnId === sent.turnId && e.data.type === 'turn.completed');
  const completed = sse.received.find((e) => e.data.type === 'tool.completed')!.data as { ok: boolean; result: unknown };
  assert.deepEqual([completed.ok, completed.result], [true, { text: 'approved via REST' }]);
  assert.deepEqual((await gw.call('GET', '/api/approvals')).body.approvals, []);
  assert.equal((await gw.call('POST', `/api/approvals/${needed.approvalId}`, { decision: 'rejected' })).status, 404, 'decided once');
});

test('interrupt a running turn through REST; a turn that is not running answers 409', async (t) => {
  const gw = await openGateway(harness, { steps: [[{ type: 'text', text: 'a long answer' }, { wait: 10_000 }, { type: 'stop', reason: 'end_turn' }]] });
  t.after(() => gw.close());
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const sent = (await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'talk' })).body;
  const busy = await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'again' });
  assert.equal(busy.status, 400, 'one turn at a time per thread');
  const bob = await gw.gateway.deps.tokens.create('bob');
  assert.equal((await gw.call('POST', `/api/turns/${sent.turnId}/interrupt`, undefined, bob)).status, 404);

  const stopped = await gw.call('POST', `/api/turns/${sent.turnId}/interrupt`);
  assert.deepEqual([stopped.status, stopped.body], [200, { turnId: sent.turnId, interrupted: true }]);
  while (gw.agent.running().length) await sleep(10);
  const again = await gw.call('POST', `/api/turns/${sent.turnId}/interrupt`);
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'TITAN_E_TURN_STATE');
  assert.ok(harness.events.some((e) => e.turnId === sent.turnId && e.type === 'turn.interrupted'));
});

test('threads page by update time and history pages back by position; delete removes one for good, clear-all removes the rest', async (t) => {
  const gw = await openGateway(harness, { steps: Array.from({ length: 3 }, () => done) });
  t.after(() => gw.close());
  await gw.call('DELETE', '/api/threads');
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    ids.push((await gw.call('POST', '/api/threads', { title: `t${i}` })).body.id);
    await sleep(3); // distinct update times
  }
  const first = (await gw.call('GET', '/api/threads?limit=2')).body;
  assert.deepEqual(
    first.threads.map((th: { title: string }) => th.title),
    ['t2', 't1'],
  );
  const rest = (await gw.call('GET', `/api/threads?limit=2&before=${first.next}`)).body;
  assert.deepEqual([rest.threads.map((th: { title: string }) => th.title), rest.next], [['t0'], null]);
  assert.equal((await gw.call('GET', '/api/threads?limit=0')).status, 400);

  for (const text of ['one', 'two', 'three']) {
    const sent = (await gw.call('POST', `/api/threads/${ids[0]}/messages`, { text })).body;
    await gw.agent.running().find((r) => r.turnId === sent.turnId)?.done;
  }
  const newest = (await gw.call('GET', `/api/threads/${ids[0]}/messages?limit=4`)).body;
  assert.deepEqual(
    newest.messages.map((m: { content: string }) => m.content),
    ['two', 'done', 'three', 'done'],
  );
  const older = (await gw.call('GET', `/api/threads/${ids[0]}/messages?limit=4&before=${newest.next}`)).body;
  assert.deepEqual(
    older.messages.map((m: { content: string }) => m.content),
    ['one', 'done'],
  );

  const deleted = await gw.call('DELETE', `/api/threads/${ids[0]}`);
  assert.equal(deleted.status, 200);
  assert.deepEqual(deleted.body.deleted, { messages: 6, turns: 3, threads: 1 });
  assert.equal((await gw.call('GET', `/api/threads/${ids[0]}`)).status, 404);
  assert.equal((await gw.call('GET', `/api/threads/${ids[0]}/messages`)).status, 404);
  assert.equal((await gw.call('DELETE', `/api/threads/${ids[0]}`)).status, 404, 'gone for good');

  const cleared = await gw.call('DELETE', '/api/threads');
  assert.equal(cleared.body.deleted.threads, 2);
  assert.deepEqual((await gw.call('GET', '/api/threads')).body.threads, []);
});

test('deleting a thread whose turn is running stops the turn first', async (t) => {
  const gw = await openGateway(harness, { steps: [[{ type: 'text', text: 'slow' }, { wait: 10_000 }, { type: 'stop', reason: 'end_turn' }]] });
  t.after(() => gw.close());
  const thread = (await gw.call('POST', '/api/threads', {})).body;
  const sent = (await gw.call('POST', `/api/threads/${thread.id}/messages`, { text: 'go' })).body;
  const started = performance.now();
  assert.equal((await gw.call('DELETE', `/api/threads/${thread.id}`)).status, 200);
  assert.ok(performance.now() - started < 5000);
  assert.deepEqual(gw.agent.running(), []);
  assert.ok(harness.events.some((e) => e.turnId === sent.turnId && e.type === 'turn.interrupted'));
});

test('components, registry and the patch queue: list, show, propose, approve, deploy, roll back', async (t) => {
  const gw = await openGateway(harness);
  t.after(() => gw.close());
  const components = (await gw.call('GET', '/api/components')).body.components;
  assert.ok(components.some((c: { slot: string; version: string }) => c.slot === 'tool/echo' && c.version === '1.0.0'));
  const manifests = (await gw.call('GET', '/api/registry?kind=tool')).body.manifests;
  assert.ok(manifests.length > 0 && manifests.every((m: { kind: string }) => m.kind === 'tool'));
  assert.equal((await gw.call('GET', '/api/registry/tool/echo/1.0.0')).body.name, 'echo');
  const unknown = await gw.call('GET', '/api/registry/tool/echo/9.9.9');
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.error.code, /^TITAN_E_/);
  assert.equal((await gw.call('GET', '/api/registry?kind=gadget')).status, 400);

  // A call of 1.0.0 recorded before the patch: 1.1.0 answers it with its version added.
  await harness.kernel.invokeTool('echo', { text: 'recorded before the patch' });
  await publishFixture(harness.kernel, 'echo-v2');
  const bad = await gw.call('POST', '/api/patches', { ref: 'tool/echo@^1.1.0', when: 'now' });
  assert.equal(bad.status, 400);
  assert.deepEqual((await gw.call('GET', '/api/patches')).body.patches, [], 'a refused body proposed nothing');
  const proposed = await gw.call('POST', '/api/patches', { ref: 'tool/echo@^1.1.0', why: 'newer echo' });
  assert.equal(proposed.status, 201);
  const id = proposed.body.id;
  assert.deepEqual(
    (await gw.call('GET', `/api/patches/${id}`)).body.history.map((s: { by: string; why: string }) => [s.by, s.why]),
    [['ada', 'newer echo']],
  );
  const early = await gw.call('POST', `/api/patches/${id}/deploy`, {});
  assert.deepEqual([early.status, early.body.error.code], [409, 'TITAN_E_PATCH_STATE']);
  // Verification replayed the recorded call on both versions: they answer differently, so approval needs a reason.
  const unverified = await gw.call('POST', `/api/patches/${id}/approve`, { why: 'approve' });
  assert.deepEqual([unverified.status, unverified.body.error.code], [409, 'TITAN_E_PATCH_UNVERIFIED']);
  assert.match(unverified.body.error.message, /answered differently/);
  const approved = await gw.call('POST', `/api/patches/${id}/approve`, { why: 'approve', override: 'the new version adds its version to each answer' });
  assert.equal(approved.status, 200);
  assert.equal((await gw.call('POST', `/api/patches/${id}/deploy`, { why: 'deploy' })).status, 200);
  assert.equal((await gw.call('GET', '/api/components')).body.components.find((c: { slot: string }) => c.slot === 'tool/echo').version, '1.1.0');
  const rolledBack = await gw.call('POST', `/api/patches/${id}/rollback`);
  assert.equal(rolledBack.body.state, 'rolled_back');
  assert.equal((await gw.call('GET', '/api/components')).body.components.find((c: { slot: string }) => c.slot === 'tool/echo').version, '1.0.0');
  assert.equal((await gw.call('GET', '/api/patches?state=rolled_back')).body.patches.length, 1);
  assert.equal((await gw.call('GET', '/api/patches/nope')).status, 404);
});

test("the monitor's proposals: anyone with a token reads them, only the owner asks for a look now", async (t) => {
  const gw = await openGateway(harness);
  t.after(() => gw.close());
  const bob = await gw.gateway.deps.tokens.create('bob');
  assert.deepEqual((await gw.call('GET', '/api/proposals', undefined, bob)).body, { proposals: [] });
  const refused = await gw.call('POST', '/api/proposals/run', {}, bob);
  assert.deepEqual([refused.status, refused.body.error.code], [403, 'TITAN_E_FORBIDDEN']);
  // Nothing has served enough calls to be judged: the look proposes nothing.
  assert.deepEqual((await gw.call('POST', '/api/proposals/run', {})).body, { proposals: [] });
});

test('settings are strings under short keys, per user', async (t) => {
  const gw = await openGateway(harness);
  t.after(() => gw.close());
  assert.deepEqual((await gw.call('PUT', '/api/settings/ui.theme', { value: 'dark' })).body, { key: 'ui.theme', value: 'dark' });
  assert.equal((await gw.call('GET', '/api/settings/ui.theme')).body.value, 'dark');
  assert.ok((await gw.call('GET', '/api/settings')).body.settings.some((s: { key: string }) => s.key === 'ui.theme'));
  assert.equal((await gw.call('PUT', '/api/settings/ui.theme', { value: 3 })).status, 400);
  assert.equal((await gw.call('PUT', '/api/settings/bad key!', { value: 'x' })).status, 400);
  assert.equal((await gw.call('GET', '/api/settings/ui.theme')).body.value, 'dark', 'unchanged by the refused writes');
  assert.equal((await gw.call('GET', '/api/settings/unknown')).status, 404);
});
