// The patch queue as a user drives it: propose -> approve -> deploy -> roll back (or reject), each
// step recorded with who, why and when, kept across restarts; wrong steps get TITAN_E_PATCH_STATE.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { bootstrapBuiltins } from '../../kernel/bootstrap.ts';
import type { KernelEvents } from '../../kernel/events.ts';
import type { Patch } from '../../kernel/patches.ts';
import { buildFixture, builtin, forcePublish, kernelFor, publishFixture, rejectsWithCode, reopenKernel, serving } from '../support/fixtures.ts';

const ECHO_V2 = { kind: 'tool' as const, name: 'echo', range: '^1.1.0' };

function isoTimesInOrder(patch: Patch): void {
  const times = patch.history.map((step) => Date.parse(step.at));
  assert.ok(
    times.every((t) => !Number.isNaN(t)),
    `every step has a time: ${JSON.stringify(patch.history)}`,
  );
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    'steps are recorded in the order they happened',
  );
}

test('propose -> approve -> deploy -> roll back, with who, why and when recorded at each step and kept across a restart', async (t) => {
  const { kernel, home } = await kernelFor(t, [builtin('echo')]);
  const v2 = await publishFixture(kernel, 'echo-v2');
  const changes: Array<KernelEvents['patch.changed']> = [];
  kernel.bus.on('patch.changed', (event) => changes.push(event));

  const proposed = await kernel.proposePatch(ECHO_V2, { by: 'alice', why: 'answers should say their version' });
  assert.equal(proposed.state, 'proposed');
  assert.deepEqual(
    { slot: proposed.slot, fromVersion: proposed.fromVersion, toVersion: proposed.toVersion, toDigest: proposed.toDigest },
    { slot: 'tool/echo', fromVersion: '1.0.0', toVersion: '1.1.0', toDigest: v2.digest },
  );
  assert.equal(serving(kernel)['tool/echo'], '1.0.0', 'proposing changes nothing that serves');

  const approved = await kernel.approvePatch(proposed.id, { by: 'bob', why: 'reviewed the diff' });
  assert.equal(approved.state, 'approved');
  assert.equal(serving(kernel)['tool/echo'], '1.0.0', 'approving changes nothing that serves');

  const deployed = await kernel.deployPatch(proposed.id, { by: 'carol', why: 'release window' });
  assert.equal(deployed.state, 'deployed');
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'hi' }), { text: 'hi', version: '1.1.0' });

  const rolledBack = await kernel.rollbackPatch(proposed.id, { by: 'dave', why: 'users complained' });
  assert.equal(rolledBack.state, 'rolled_back');
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'hi' }), { text: 'hi' });
  assert.equal(serving(kernel)['tool/echo'], '1.0.0');
  assert.deepEqual(kernel.components().find((c) => c.slot === 'tool/echo')?.previous, [], 'the rolled-back-from version is not left in the history');

  assert.deepEqual(
    rolledBack.history.map(({ state, by, why }) => ({ state, by, why })),
    [
      { state: 'proposed', by: 'alice', why: 'answers should say their version' },
      { state: 'approved', by: 'bob', why: 'reviewed the diff' },
      { state: 'deployed', by: 'carol', why: 'release window' },
      { state: 'rolled_back', by: 'dave', why: 'users complained' },
    ],
  );
  isoTimesInOrder(rolledBack);
  assert.deepEqual(
    changes.map((c) => [c.state, c.by]),
    [
      ['proposed', 'alice'],
      ['approved', 'bob'],
      ['deployed', 'carol'],
      ['rolled_back', 'dave'],
    ],
  );
  assert.ok(changes.every((c) => c.id === proposed.id && c.slot === 'tool/echo'));

  const before = kernel.patches.list();
  await kernel.close();
  const restarted = await reopenKernel(home);
  try {
    assert.deepEqual(restarted.patches.list(), before, 'every patch and step is still there after a restart');
    assert.deepEqual(restarted.patches.get(proposed.id), rolledBack);
    await restarted.restoreDeployments();
    assert.equal(serving(restarted)['tool/echo'], '1.0.0', 'and the rollback is what serves after the restart');
  } finally {
    await restarted.close();
  }
});

test('after a normal start (the store component serving), patches are kept in the store and survive a restart', async (t) => {
  const { kernel, home } = await kernelFor(t);
  await bootstrapBuiltins(kernel);
  await publishFixture(kernel, 'echo-v2');
  const patch = await kernel.proposePatch(ECHO_V2, { by: 'alice', why: 'kept in the store' });
  await kernel.approvePatch(patch.id, { by: 'bob', why: 'fine' });
  const before = kernel.patches.list();
  assert.ok(before.some((p) => p.id === patch.id && p.state === 'approved'));
  await kernel.close();

  const restarted = await reopenKernel(home);
  try {
    const report = await bootstrapBuiltins(restarted);
    assert.deepEqual(report.proposed, [], 'a version with a patch already is not proposed again');
    assert.deepEqual(restarted.patches.list(), before);
    const deployed = await restarted.deployPatch(patch.id, { by: 'carol', why: 'after the restart' });
    assert.deepEqual(
      deployed.history.map((h) => h.by),
      ['alice', 'bob', 'carol'],
    );
    assert.equal(serving(restarted)['tool/echo'], '1.1.0');
  } finally {
    await restarted.close();
  }
});

test('without an actor, the step is recorded as the local user with a default reason', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await publishFixture(kernel, 'echo-v2');
  const patch = await kernel.proposePatch(ECHO_V2);
  const approved = await kernel.approvePatch(patch.id.slice(0, 8)); // the short id the CLI shows works too
  const user = os.userInfo().username;
  assert.deepEqual(
    approved.history.map(({ state, by, why }) => ({ state, by, why })),
    [
      { state: 'proposed', by: user, why: 'update tool/echo to 1.1.0' },
      { state: 'approved', by: user, why: 'approved' },
    ],
  );
});

test('a rejected patch is final: it can be neither approved nor deployed, and nothing serves from it', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await publishFixture(kernel, 'echo-v2');
  const patch = await kernel.proposePatch(ECHO_V2, { by: 'alice', why: 'try it' });
  const rejected = await kernel.rejectPatch(patch.id, { by: 'bob', why: 'not now' });
  assert.equal(rejected.state, 'rejected');
  assert.deepEqual(rejected.history.at(-1)?.by, 'bob');

  await rejectsWithCode(kernel.approvePatch(patch.id), 'TITAN_E_PATCH_STATE');
  await rejectsWithCode(kernel.deployPatch(patch.id), 'TITAN_E_PATCH_STATE');
  await rejectsWithCode(kernel.rollbackPatch(patch.id), 'TITAN_E_PATCH_STATE');
  assert.deepEqual(kernel.patches.get(patch.id), rejected, 'the refused steps left the patch as it was');
  assert.equal(serving(kernel)['tool/echo'], '1.0.0');
  assert.deepEqual(
    kernel.patches.list({ state: 'rejected' }).map((p) => p.id),
    [patch.id],
  );
});

test('every step out of order gets TITAN_E_PATCH_STATE with the allowed next steps, and changes nothing', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await publishFixture(kernel, 'echo-v2');
  const patch = await kernel.proposePatch(ECHO_V2);

  const refused = async (step: () => Promise<unknown>) => {
    const before = kernel.patches.get(patch.id);
    const servingBefore = serving(kernel);
    const error = await rejectsWithCode(step(), 'TITAN_E_PATCH_STATE');
    assert.deepEqual(kernel.patches.get(patch.id), before);
    assert.deepEqual(serving(kernel), servingBefore);
    return error;
  };

  // proposed: may be approved or rejected only.
  const early = await refused(() => kernel.deployPatch(patch.id));
  assert.match(early.message, /is proposed; only an approved patch can be deployed/);
  await refused(() => kernel.rollbackPatch(patch.id));

  await kernel.approvePatch(patch.id);
  const twice = await refused(() => kernel.approvePatch(patch.id));
  assert.match((twice as unknown as { fix: string }).fix, /from approved a patch can become: deployed, failed, rejected/);
  await refused(() => kernel.rollbackPatch(patch.id));

  await kernel.deployPatch(patch.id);
  await refused(() => kernel.deployPatch(patch.id));
  await refused(() => kernel.approvePatch(patch.id));
  await refused(() => kernel.rejectPatch(patch.id));

  await kernel.rollbackPatch(patch.id);
  const final = await refused(() => kernel.rollbackPatch(patch.id));
  assert.match(final.message, /is rolled_back/);
  await refused(() => kernel.approvePatch(patch.id));
  await refused(() => kernel.deployPatch(patch.id));

  await rejectsWithCode(kernel.approvePatch('0000dead'), 'TITAN_E_NOT_FOUND');
});

test('an older deployed patch cannot be rolled back past a newer one', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await publishFixture(kernel, 'echo-v2');
  const first = await kernel.proposePatch(ECHO_V2);
  await kernel.approvePatch(first.id);
  await kernel.deployPatch(first.id);
  const second = await kernel.proposePatch({ kind: 'tool', name: 'echo', range: '1.0.0' }, { why: 'back to the built-in' });
  await kernel.approvePatch(second.id);
  await kernel.deployPatch(second.id);

  const error = await rejectsWithCode(kernel.rollbackPatch(first.id), 'TITAN_E_PATCH_STATE');
  assert.match(error.message, /no longer serves 1\.1\.0; roll back the newer patch first/);
  assert.equal(kernel.patches.get(first.id).state, 'deployed');
  await kernel.rollbackPatch(second.id);
  assert.equal(serving(kernel)['tool/echo'], '1.1.0');
  await kernel.rollbackPatch(first.id);
  assert.equal(serving(kernel)['tool/echo'], '1.0.0');
});

test('deploying a patch whose version fails its smoke test marks it failed with the error; the old version serves', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await forcePublish(kernel, await buildFixture('echo-bad-smoke'));
  const patch = await kernel.proposePatch({ kind: 'tool', name: 'echo', range: '1.2.0' }, { by: 'alice', why: 'new echo' });
  // Its verification already ran the smoke test: approval takes an override with a reason.
  assert.match(patch.verification?.reasons[0] ?? '', /^smoke test: TITAN_E_SMOKE_FAILED/);
  await rejectsWithCode(kernel.approvePatch(patch.id, { by: 'bob', why: 'ok' }), 'TITAN_E_PATCH_UNVERIFIED');
  await kernel.approvePatch(patch.id, { by: 'bob', why: 'ok' }, 'the smoke case is wrong, not the tool');

  await rejectsWithCode(kernel.deployPatch(patch.id, { by: 'carol', why: 'ship it' }), 'TITAN_E_SMOKE_FAILED');
  const failed = kernel.patches.get(patch.id);
  assert.equal(failed.state, 'failed');
  assert.match(failed.error ?? '', /^TITAN_E_SMOKE_FAILED: .*broken on purpose/);
  assert.deepEqual(failed.history.at(-1) && { state: failed.history.at(-1)?.state, by: failed.history.at(-1)?.by }, { state: 'failed', by: 'carol' });
  assert.equal(serving(kernel)['tool/echo'], '1.0.0');
  assert.deepEqual(await kernel.invokeTool('echo', { text: 'still' }), { text: 'still' });

  // A failed patch cannot be deployed as it is; it may be approved again for a retry, or rejected.
  await rejectsWithCode(kernel.deployPatch(patch.id), 'TITAN_E_PATCH_STATE');
  const retried = await kernel.approvePatch(patch.id, { why: 'retry after the fix' });
  assert.equal(retried.state, 'approved');
  assert.equal(retried.error, undefined, 'approving again clears the old error');
  assert.equal((await kernel.rejectPatch(patch.id)).state, 'rejected');
});

test('with autoApprovePatches on, a proposed patch is approved by policy at once, and still deployed only on request', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')], { config: { autoApprovePatches: true } });
  await publishFixture(kernel, 'echo-v2');
  const patch = await kernel.proposePatch(ECHO_V2, { by: 'monitor', why: 'faster' });
  assert.equal(patch.state, 'approved');
  assert.deepEqual(
    patch.history.map(({ state, by }) => [state, by]),
    [
      ['proposed', 'monitor'],
      ['approved', 'policy'],
    ],
  );
  assert.match(patch.history[1].why, /autoApprovePatches/);
  assert.equal(serving(kernel)['tool/echo'], '1.0.0');

  await kernel.deployPatch(patch.id);
  assert.equal(serving(kernel)['tool/echo'], '1.1.0');
});

test('with autoApprovePatches off (the default), a proposed patch waits for a person', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await publishFixture(kernel, 'echo-v2');
  const patch = await kernel.proposePatch(ECHO_V2);
  assert.equal(patch.state, 'proposed');
  await rejectsWithCode(kernel.deployPatch(patch.id), 'TITAN_E_PATCH_STATE');
});

test('an empty or ambiguous patch id matches no patch', {}, async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await publishFixture(kernel, 'echo-v2');
  const patch = await kernel.proposePatch(ECHO_V2);
  await rejectsWithCode(kernel.approvePatch(''), 'TITAN_E_NOT_FOUND');
  assert.equal(kernel.patches.get(patch.id).state, 'proposed');
});

test('rolling back the patch that first deployed a component does not leave it serving', {}, async (t) => {
  const { kernel } = await kernelFor(t);
  await publishFixture(kernel, 'echo-v2');
  const patch = await kernel.proposePatch(ECHO_V2);
  assert.equal(patch.fromVersion, undefined);
  await kernel.approvePatch(patch.id);
  await kernel.deployPatch(patch.id);
  assert.equal(serving(kernel)['tool/echo'], '1.1.0');

  let rolledBack = false;
  try {
    await kernel.rollbackPatch(patch.id);
    rolledBack = true;
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'TITAN_E_NOTHING_TO_ROLL_BACK', 'refusing is acceptable, with a coded error');
  }
  if (rolledBack) {
    await rejectsWithCode(kernel.invokeTool('echo', { text: 'x' }), 'TITAN_E_SLOT_EMPTY');
  } else {
    assert.equal(kernel.patches.get(patch.id).state, 'deployed', 'a refused rollback leaves the patch deployed');
  }
});

test('deploying one patch twice at once: one deploy succeeds and the patch ends deployed', {}, async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')]);
  await publishFixture(kernel, 'echo-v2');
  const patch = await kernel.proposePatch(ECHO_V2);
  await kernel.approvePatch(patch.id);

  const outcomes = await Promise.allSettled([kernel.deployPatch(patch.id), kernel.deployPatch(patch.id)]);
  assert.equal(
    outcomes.filter((o) => o.status === 'fulfilled').length,
    1,
    JSON.stringify(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok'))),
  );
  assert.equal(serving(kernel)['tool/echo'], '1.1.0');
  assert.equal(kernel.patches.get(patch.id).state, 'deployed');
});
