// Routines over the gateway: the owner's REST routes (add, list, show with history, run now, pause,
// resume, remove, the cron check), bad input refused with its code and nothing stored, and the
// public webhook route that only the routine's own secret opens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RoutineService } from '../../agent/services.ts';
import { openGateway, openHarness, type Harness, type TestGateway } from '../gateway/support.ts';

let harness: Harness;
let gateway: TestGateway;
let routines: RoutineService;

before(async () => {
  harness = await openHarness();
  // The gateway's agent first, then the routines on it, then a gateway that serves them.
  const probe = await openGateway(harness);
  routines = await RoutineService.start({ kernel: harness.kernel, agent: probe.agent, ownerId: 'ada' });
  await probe.gateway.close();
  gateway = await openGateway(harness, { routines });
  await probe.agent.close();
});

after(async () => {
  await routines.close();
  await gateway.close();
  await harness.close();
});

const hook = (name: string, secret: string | undefined, payload: unknown) =>
  fetch(`${gateway.url}/hooks/routines/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === undefined ? {} : { 'x-titan-routine-secret': secret }) },
    body: JSON.stringify(payload),
  });

test('add, list, show, run now, pause, resume and remove through the REST routes', async () => {
  const added = await gateway.call('POST', '/api/routines', { name: 'clock-check', cron: '*/5 * * * *', timezone: 'UTC', tool: 'clock' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.ok(added.body.routine.nextRunAt > Date.now());
  const listed = await gateway.call('GET', '/api/routines');
  assert.deepEqual(
    listed.body.routines.map((r: { name: string }) => r.name),
    ['clock-check'],
  );
  const ran = await gateway.call('POST', '/api/routines/clock-check/run', { wait: true });
  assert.equal(ran.body.run.outcome, 'succeeded', JSON.stringify(ran.body));
  const shown = await gateway.call('GET', '/api/routines/clock-check');
  assert.deepEqual(
    shown.body.runs.map((r: { trigger: string; outcome: string }) => [r.trigger, r.outcome]),
    [['manual', 'succeeded']],
  );
  assert.ok(shown.body.runs[0].startedAt >= shown.body.runs[0].scheduledAt && shown.body.runs[0].finishedAt >= shown.body.runs[0].startedAt);
  assert.equal((await gateway.call('POST', '/api/routines/clock-check/pause')).body.routine.enabled, false);
  assert.equal((await gateway.call('POST', '/api/routines/clock-check/pause')).body.routine.nextRunAt, null);
  assert.equal((await gateway.call('POST', '/api/routines/clock-check/resume')).body.routine.enabled, true);
  assert.deepEqual((await gateway.call('DELETE', '/api/routines/clock-check')).body.runs, 1);
  assert.equal((await gateway.call('GET', '/api/routines/clock-check')).body.error.code, 'TITAN_E_ROUTINE_UNKNOWN');
});

test('an invalid cron expression is refused with its code and nothing is stored; the cron check previews the next runs', async () => {
  const bad = await gateway.call('POST', '/api/routines', { name: 'bad', cron: '0 25 * * *', prompt: 'hi' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'TITAN_E_ROUTINE_CRON');
  assert.deepEqual((await gateway.call('GET', '/api/routines')).body.routines, []);
  const preview = await gateway.call('POST', '/api/routines/cron-check', { cron: '0 7 * * 1-5', timezone: 'Europe/Berlin' });
  assert.equal(preview.body.valid, true);
  assert.equal(preview.body.next.length, 5);
  assert.ok(preview.body.next.every((iso: string) => iso.endsWith('T06:00:00.000Z')));
  const wrong = await gateway.call('POST', '/api/routines/cron-check', { cron: '* *' });
  assert.deepEqual([wrong.status, wrong.body.valid, wrong.body.error.code], [200, false, 'TITAN_E_ROUTINE_CRON']);
  assert.equal((await gateway.call('GET', '/api/routines', undefined, null)).status, 401, 'the routes need the token');
});

test('a webhook routine runs only when called with its secret', async () => {
  const added = await gateway.call('POST', '/api/routines', { name: 'on-push', webhook: true, tool: 'echo', args: { text: 'pushed' } });
  const secret = added.body.secret as string;
  assert.ok(secret);
  assert.equal(added.body.routine.trigger.path, '/hooks/routines/on-push');
  for (const wrong of [undefined, 'guess', `${secret}!`]) {
    const refused = await hook('on-push', wrong, { ref: 'main' });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'TITAN_E_ROUTINE_SECRET');
  }
  assert.equal((await hook('nobody', secret, {})).status, 401, 'an unknown name answers like a wrong secret');
  assert.equal((await routines.runs('on-push')).length, 0);
  const accepted = await hook('on-push', secret, { ref: 'main' });
  assert.equal(accepted.status, 202);
  await routines.idle();
  const [run] = await routines.runs('on-push');
  assert.deepEqual([run.trigger, run.outcome], ['webhook', 'succeeded']);
  assert.match(run.output ?? '', /pushed/);
});
