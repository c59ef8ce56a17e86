// The autonomy control plane on both store backends, as a user of the REST surface meets it: goals
// listed by status, sorted and paged; another user's goal is not found; a move the state table
// forbids is refused and changes nothing; a step list is never replaced while a step runs; a replan
// copies what is left and stops at the goal's budget; what ran is recorded per plan.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ControlPlane, type StepInput } from '../../agent/autonomy/control-plane.ts';
import type { GoalEvent } from '../../agent/autonomy/events.ts';
import { isTitanError } from '../../common/errors.ts';
import { BACKENDS, lazyPostgres, openStoreKernel, tableCounts, type StoreKernel } from '../support/store.ts';

const postgres = lazyPostgres();
after(() => postgres.stop());

const STEPS: StepInput[] = [
  { title: 'look', kind: 'tool', tool: 'echo', arguments: { text: 'one' } },
  { title: 'think', kind: 'turn', prompt: 'what next?' },
  { title: 'write', kind: 'tool', tool: 'write-file', arguments: { path: 'a.txt', content: 'x' } },
];

const refusedWith = (code: string) => (error: unknown) => isTitanError(error) && error.code === code;

for (const backend of BACKENDS) {
  describe(`${backend}: the control plane`, { timeout: 240_000 }, () => {
    let handle: StoreKernel;
    let plane: ControlPlane;
    const events: GoalEvent[] = [];

    test('opens on a migrated store', async () => {
      handle = await openStoreKernel(backend, { postgres: backend === 'postgres' ? await postgres.server() : undefined, name: 'autonomy' });
      plane = new ControlPlane(handle.kernel.store, handle.kernel.bus, { replanBudget: 1 });
      handle.kernel.bus.on('goal.event', (e) => events.push(e));
    });
    after(() => handle?.cleanup());

    test('goals are listed by status, sorted, paged, with the total; another user sees none of them', async () => {
      for (let i = 0; i < 7; i++) await plane.createGoal('ada', { title: `goal ${i}`, priority: i % 3 });
      const { goal: paused } = await plane.createGoal('ada', { title: 'paused one', priority: 9 });
      await plane.updateGoal('ada', paused.id, { status: 'paused' });
      await plane.createGoal('bob', { title: 'bob only' });

      const all = await plane.listGoals('ada', { limit: 3 });
      assert.equal(all.total, 8);
      assert.equal(all.goals.length, 3);
      assert.equal(all.goals[0].title, 'paused one', 'newest change first by default');
      const active = await plane.listGoals('ada', { status: ['active'], sort: 'priority', order: 'desc', offset: 0, limit: 50 });
      assert.equal(active.total, 7);
      assert.deepEqual(
        active.goals.map((g) => g.priority),
        [2, 2, 1, 1, 0, 0, 0],
      );
      const page2 = await plane.listGoals('ada', { sort: 'created', order: 'asc', offset: 2, limit: 2 });
      assert.deepEqual(
        page2.goals.map((g) => g.title),
        ['goal 2', 'goal 3'],
      );
      assert.deepEqual(
        (await plane.listGoals('ada', { status: ['paused'] })).goals.map((g) => g.id),
        [paused.id],
      );
      assert.equal((await plane.listGoals('bob')).total, 1);
      await assert.rejects(plane.getGoal('bob', paused.id), refusedWith('TITAN_E_NOT_FOUND'), "another user's goal is not found");
      await assert.rejects(plane.updateGoal('bob', paused.id, { status: 'cancelled' }), refusedWith('TITAN_E_NOT_FOUND'));
      assert.equal((await plane.getGoal('ada', paused.id)).status, 'paused', 'and nothing changed');
    });

    test('a move the state table forbids is refused with TITAN_E_GOAL_STATE and changes nothing', async () => {
      const { goal } = await plane.createGoal('ada', { title: 'to cancel' });
      assert.equal((await plane.lifecycle('ada', goal.id, 'cancel')).status, 'cancelled');
      await assert.rejects(plane.lifecycle('ada', goal.id, 'complete'), refusedWith('TITAN_E_GOAL_STATE'));
      await assert.rejects(plane.updateGoal('ada', goal.id, { status: 'active' }), refusedWith('TITAN_E_GOAL_STATE'));
      await assert.rejects(plane.updateGoal('ada', goal.id, { priority: 5 }), refusedWith('TITAN_E_GOAL_STATE'));
      const after = await plane.getGoal('ada', goal.id);
      assert.equal(after.status, 'cancelled');
      assert.equal(after.priority, 0);

      const { goal: old } = await plane.createGoal('ada', { title: 'old way' });
      const { goal: better } = await plane.createGoal('ada', { title: 'new way' });
      const superseded = await plane.lifecycle('ada', old.id, 'supersede', better.id);
      assert.deepEqual([superseded.status, superseded.superseded_by], ['superseded', better.id]);
    });

    test('a bad step list creates nothing', async () => {
      const before = await tableCounts(handle.kernel.store);
      await assert.rejects(
        plane.createGoal('ada', { title: 'broken', steps: [{ title: 'no tool', kind: 'tool' } as unknown as StepInput] }),
        refusedWith('TITAN_E_USAGE'),
      );
      assert.deepEqual(await tableCounts(handle.kernel.store), before);
    });

    test('the step list is replaced whole, never while a step runs', async () => {
      const { goal, plan } = await plane.createGoal('ada', { title: 'replace me', steps: STEPS });
      assert.ok(plan);
      assert.deepEqual(
        plan.steps.map((s) => [s.position, s.title, s.status]),
        [
          [1, 'look', 'pending'],
          [2, 'think', 'pending'],
          [3, 'write', 'pending'],
        ],
      );
      await plane.movePlan('ada', plan.id, 'running');
      const running = await plane.moveStep('ada', plan.steps[0].id, 'running');
      assert.equal(running.attempts, 1);
      await assert.rejects(plane.replaceSteps('ada', plan.id, [{ title: 'other', kind: 'turn', prompt: 'x' }]), refusedWith('TITAN_E_PLAN_STEP_RUNNING'));
      assert.deepEqual(
        (await plane.listSteps('ada', plan.id)).map((s) => s.title),
        ['look', 'think', 'write'],
        'the list is as it was',
      );
      await assert.rejects(plane.moveStep('ada', plan.steps[1].id, 'succeeded'), refusedWith('TITAN_E_PLAN_STATE'), 'pending cannot jump to succeeded');
      await plane.moveStep('ada', plan.steps[0].id, 'succeeded', { output: 'one' });
      const replaced = await plane.replaceSteps('ada', plan.id, [
        { title: 'a', kind: 'turn', prompt: 'a' },
        { title: 'b', kind: 'turn', prompt: 'b' },
      ]);
      assert.deepEqual(
        replaced.map((s) => [s.position, s.title]),
        [
          [1, 'a'],
          [2, 'b'],
        ],
      );
      const added = await plane.addStep('ada', plan.id, { title: 'c', kind: 'tool', tool: 'echo' });
      assert.equal(added.position, 3);
      assert.deepEqual(added.spec, { tool: 'echo', arguments: {} });
      await assert.rejects(plane.listSteps('bob', plan.id), refusedWith('TITAN_E_NOT_FOUND'));
      assert.ok(events.some((e) => e.goalId === goal.id && e.type === 'step.updated'));
    });

    test('a replan copies the steps that did not succeed and spends the budget; past it, nothing is written', async () => {
      const { goal, plan } = await plane.createGoal('ada', { title: 'replan me', steps: STEPS, verify: { tool: 'echo', expect: 'ok' } });
      assert.ok(plan);
      await plane.movePlan('ada', plan.id, 'running');
      await plane.moveStep('ada', plan.steps[0].id, 'running');
      await plane.moveStep('ada', plan.steps[0].id, 'succeeded');
      await plane.moveStep('ada', plan.steps[1].id, 'running');
      await plane.moveStep('ada', plan.steps[1].id, 'failed', { error: 'no idea' });
      await assert.rejects(plane.replan('ada', goal.id), refusedWith('TITAN_E_PLAN_STATE'), 'not while the plan runs');
      await plane.movePlan('ada', plan.id, 'failed');

      const second = await plane.replan('ada', goal.id, { reason: 'think harder' });
      assert.equal(second.version, 2);
      assert.deepEqual(
        second.steps.map((s) => [s.title, s.status]),
        [
          ['think', 'pending'],
          ['write', 'pending'],
        ],
      );
      assert.deepEqual(second.verify, { tool: 'echo', arguments: {}, expect: 'ok' }, 'the check carries over');
      const plans = await plane.listPlans('ada', goal.id);
      assert.deepEqual(
        plans.map((p) => p.status),
        ['superseded', 'draft'],
      );
      assert.equal((await plane.getGoal('ada', goal.id)).replans, 1);

      const before = await tableCounts(handle.kernel.store);
      await assert.rejects(plane.replan('ada', goal.id, { steps: [{ title: 'x', kind: 'turn', prompt: 'x' }] }), refusedWith('TITAN_E_REPLAN_BUDGET'));
      assert.deepEqual(await tableCounts(handle.kernel.store), before, 'nothing written');
      await plane.updateGoal('ada', goal.id, { replanBudget: 2 });
      assert.equal((await plane.replan('ada', goal.id, { steps: [{ title: 'x', kind: 'turn', prompt: 'x' }] })).version, 3);
    });

    test('executions, policy decisions, verifications and incidents are kept per plan, for its owner only', async () => {
      const { goal, plan } = await plane.createGoal('ada', { title: 'records', steps: STEPS.slice(0, 1) });
      assert.ok(plan);
      const step = plan.steps[0];
      const first = await plane.startExecution('ada', goal.id, { planId: plan.id, stepId: step.id, kind: 'tool', target: 'echo', input: '{}' });
      await plane.finishExecution('ada', goal.id, first.id, { status: 'failed', error: 'boom' });
      const second = await plane.startExecution('ada', goal.id, { planId: plan.id, stepId: step.id, kind: 'tool', target: 'echo' });
      await plane.finishExecution('ada', goal.id, second.id, { status: 'succeeded', output: 'one' });
      await assert.rejects(plane.finishExecution('ada', goal.id, second.id, { status: 'failed' }), refusedWith('TITAN_E_SQL_CONSTRAINT'));
      await plane.recordPolicy('ada', goal.id, { planId: plan.id, stepId: step.id, action: 'write-file', decision: 'asked', by: 'policy' });
      await plane.recordPolicy('ada', goal.id, { planId: plan.id, stepId: step.id, action: 'write-file', decision: 'granted', by: 'ada' });
      await plane.recordVerification('ada', goal.id, { planId: plan.id, passed: true, method: 'steps', summary: 'fine', evidence: '[]' });
      await plane.recordIncident('ada', goal.id, { planId: plan.id, severity: 'warning', kind: 'slow', message: 'took long' });

      const executions = await plane.executions('ada', plan.id);
      assert.deepEqual(
        executions.map((e) => [e.attempt, e.status, e.goal_id]),
        [
          [1, 'failed', goal.id],
          [2, 'succeeded', goal.id],
        ],
      );
      assert.deepEqual(
        (await plane.policyDecisions('ada', plan.id)).map((d) => [d.decision, d.decided_by]),
        [
          ['asked', 'policy'],
          ['granted', 'ada'],
        ],
      );
      assert.equal((await plane.verifications('ada', plan.id))[0].passed, 1);
      assert.equal((await plane.incidents('ada', goal.id))[0].kind, 'slow');
      const detail = await plane.detail('ada', goal.id);
      assert.equal(detail.executions.length, 2);
      for (const read of [
        () => plane.executions('bob', plan.id),
        () => plane.policyDecisions('bob', plan.id),
        () => plane.verifications('bob', plan.id),
        () => plane.incidents('bob', goal.id),
        () => plane.detail('bob', goal.id),
      ]) {
        await assert.rejects(read(), refusedWith('TITAN_E_NOT_FOUND'));
      }
    });
  });
}
