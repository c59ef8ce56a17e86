// The goals API as a client drives it: create with a plan, list with filters, sort and paging,
// lifecycle verbs refused with a coded 409 when the state table forbids them, steps replaced whole
// (never while one runs), a replan, a background run with its records, the live event stream; and
// another user's goal, plan or step is a 404, never a 403.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openGateway, openHarness, sleep, type Harness } from '../../test/gateway/support.ts';

let harness: Harness;
before(async () => {
  harness = await openHarness();
});
after(() => harness.close());

const STEPS = [
  { title: 'say one', kind: 'tool', tool: 'echo', arguments: { text: 'one' } },
  { title: 'say two', kind: 'tool', tool: 'echo', arguments: { text: 'two' } },
];

test('goals through REST: create, list, lifecycle, steps, replan, run, records; another user gets 404', async (t) => {
  const gw = await openGateway(harness);
  t.after(() => gw.close());
  const bob = await gw.gateway.deps.tokens.create('bob');

  const created = await gw.call('POST', '/api/goals', {
    title: 'say things',
    priority: 3,
    steps: STEPS,
    verify: { tool: 'echo', arguments: { text: 'ok' }, expect: 'ok' },
  });
  assert.equal(created.status, 201);
  const goalId: string = created.body.goal.id;
  const planId: string = created.body.plan.id;
  assert.deepEqual(
    created.body.plan.steps.map((s: { title: string; status: string }) => [s.title, s.status]),
    [
      ['say one', 'pending'],
      ['say two', 'pending'],
    ],
  );
  await gw.call('POST', '/api/goals', { title: 'second' });
  await gw.call('POST', '/api/goals', { title: 'third', priority: 7 });

  const byPriority = await gw.call('GET', '/api/goals?sort=priority&order=desc&limit=2');
  assert.equal(byPriority.body.total, 3);
  assert.deepEqual(
    byPriority.body.goals.map((g: { title: string }) => g.title),
    ['third', 'say things'],
  );
  const paged = await gw.call('GET', '/api/goals?sort=priority&order=desc&offset=2&limit=2');
  assert.deepEqual(
    paged.body.goals.map((g: { title: string }) => g.title),
    ['second'],
  );
  assert.equal((await gw.call('GET', '/api/goals?status=paused')).body.total, 0);
  assert.equal((await gw.call('GET', '/api/goals?sort=colour')).status, 400);

  // Someone else's goal is exactly a goal that does not exist.
  for (const [method, route] of [
    ['GET', `/api/goals/${goalId}`],
    ['POST', `/api/goals/${goalId}/cancel`],
    ['GET', `/api/plans/${planId}`],
    ['GET', `/api/plans/${planId}/steps`],
    ['GET', `/api/plans/${planId}/executions`],
    ['GET', `/api/steps/${created.body.plan.steps[0].id}`],
  ] as const) {
    const answer = await gw.call(method, route, method === 'POST' ? {} : undefined, bob);
    assert.equal(answer.status, 404, `${method} ${route}`);
    assert.equal(answer.body.error.code, 'TITAN_E_NOT_FOUND');
  }
  assert.equal((await gw.call('GET', '/api/goals', undefined, bob)).body.total, 0);
  assert.equal((await gw.call('GET', `/api/goals/does-not-exist`)).status, 404);

  // A running step keeps the step list as it is.
  const firstStep = created.body.plan.steps[0].id;
  assert.equal((await gw.call('PATCH', `/api/plans/${planId}`, { status: 'running' })).status, 200);
  assert.equal((await gw.call('PATCH', `/api/steps/${firstStep}`, { status: 'running' })).body.status, 'running');
  const refused = await gw.call('PUT', `/api/plans/${planId}/steps`, { steps: [{ title: 'other', kind: 'turn', prompt: 'x' }] });
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'TITAN_E_PLAN_STEP_RUNNING');
  assert.equal((await gw.call('GET', `/api/plans/${planId}/steps`)).body.steps.length, 2);
  await gw.call('PATCH', `/api/steps/${firstStep}`, { status: 'failed', error: 'stopped by hand' });
  const jump = await gw.call('PATCH', `/api/steps/${firstStep}`, { status: 'succeeded' });
  assert.equal(jump.status, 409);
  assert.equal(jump.body.error.code, 'TITAN_E_PLAN_STATE');
  await gw.call('PATCH', `/api/plans/${planId}`, { status: 'failed' });

  // A replan without steps copies the ones that did not succeed; then it runs in the background.
  const replanned = await gw.call('POST', `/api/goals/${goalId}/replan`, { reason: 'try again' });
  assert.equal(replanned.status, 201);
  assert.equal(replanned.body.version, 2);
  assert.equal(replanned.body.steps.length, 2);
  const events = await fetch(`${gw.url}/api/goals/events`, { headers: { authorization: `Bearer ${gw.token}` } });
  const reader = events.body!.getReader();
  const run = await gw.call('POST', `/api/goals/${goalId}/run`, {});
  assert.equal(run.status, 202);
  assert.equal(run.body.planId, replanned.body.id);
  let seen = '';
  while (!seen.includes('event: verification')) seen += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  for (let i = 0; i < 200 && (await gw.call('GET', `/api/goals/${goalId}`)).body.goal.status !== 'completed'; i++) await sleep(10);

  const detail = (await gw.call('GET', `/api/goals/${goalId}`)).body;
  assert.equal(detail.goal.status, 'completed');
  assert.deepEqual(
    detail.plans.map((p: { status: string }) => p.status),
    ['superseded', 'succeeded'],
  );
  assert.deepEqual(
    detail.executions.map((e: { target: string; status: string }) => [e.target, e.status]),
    [
      ['echo', 'succeeded'],
      ['echo', 'succeeded'],
      ['echo', 'succeeded'],
    ],
  );
  assert.equal(detail.verifications[0].passed, 1);
  assert.equal((await gw.call('GET', `/api/plans/${replanned.body.id}/policy-decisions`)).body.decisions.length, 3);

  // Ended: every lifecycle verb is refused, with the code and nothing changed.
  const complete = await gw.call('POST', `/api/goals/${goalId}/cancel`, {});
  assert.equal(complete.status, 409);
  assert.equal(complete.body.error.code, 'TITAN_E_GOAL_STATE');
  const again = await gw.call('POST', `/api/goals/${goalId}/run`, {});
  assert.equal(again.status, 409);
  assert.equal((await gw.call('GET', `/api/goals/${goalId}`)).body.goal.status, 'completed');
});
