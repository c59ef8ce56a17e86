// Patches proved on real traffic: a slot's recorded calls replay on the old and the new version
// (a pure tool directly, a tool with side effects against its recorded host answers); a version
// that answers differently is refused with its diffs and needs an override with a reason; a
// faster one passes with both latencies on its report, and policy may approve only such a one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtin, kernelFor, publishFixture, rejectsWithCode, serving } from '../support/fixtures.ts';

const FIB = { kind: 'tool' as const, name: 'fib' };

test('a faster version with the same answers passes replay, shows p50/p99 old against new, and policy approves it', async (t) => {
  const { kernel } = await kernelFor(t, ['fib-slow'], { config: { recordSampleRate: 1, autoApprovePatches: true } });
  for (let i = 0; i < 24; i++) await kernel.invokeTool('fib', { n: 19 + (i % 3) });
  assert.equal(kernel.recorder.calls('tool/fib').length, 24, 'every call was recorded (sample rate 1)');
  await publishFixture(kernel, 'fib-fast');

  const patch = await kernel.proposePatch({ ...FIB, range: '1.1.0' }, { by: 'alice' });
  const report = patch.verification;
  assert.ok(report, 'the report is attached to the patch');
  assert.deepEqual(
    { reasons: report.reasons, replayed: report.replayed, matched: report.matched, mismatches: report.mismatches },
    {
      reasons: [],
      replayed: 24,
      matched: 24,
      mismatches: [],
    },
  );
  assert.equal(report.passed, true);
  assert.ok(report.new.p50 < report.old.p50, `the new version is faster: ${report.new.p50} ms against ${report.old.p50} ms`);
  assert.equal(patch.state, 'approved');
  assert.equal(patch.history.at(-1)?.by, 'policy');
  assert.deepEqual(kernel.patches.get(patch.id).verification, report, 'the queue keeps the report');
});

test('a version that answers differently is refused with its diffs; approving it needs an override with a reason', async (t) => {
  const { kernel } = await kernelFor(t, ['fib-slow'], { config: { recordSampleRate: 1, autoApprovePatches: true } });
  for (const n of [5, 10, 14, 15]) await kernel.invokeTool('fib', { n });
  await publishFixture(kernel, 'fib-wrong');

  const patch = await kernel.proposePatch({ ...FIB, range: '1.2.0' });
  const report = patch.verification;
  assert.equal(report?.passed, false);
  assert.equal(patch.state, 'proposed', 'policy does not approve a patch that failed verification');
  assert.deepEqual(
    report?.mismatches.map((m) => [JSON.parse(m.input), m.diff]),
    [
      [['{"n":14}'], 'at value: 377 -> 378'],
      [['{"n":15}'], 'at value: 610 -> 611'],
    ],
  );
  assert.match(report?.reasons.join() ?? '', /2 of 4 replayed calls answered differently/);

  const refused = await rejectsWithCode(kernel.approvePatch(patch.id, { by: 'bob' }), 'TITAN_E_PATCH_UNVERIFIED');
  assert.match(refused.message, /failed verification/);
  assert.equal(kernel.patches.get(patch.id).state, 'proposed', 'the refusal changed nothing');
  await rejectsWithCode(kernel.approvePatch(patch.id, { by: 'bob' }, '   '), 'TITAN_E_PATCH_UNVERIFIED');

  const approved = await kernel.approvePatch(patch.id, { by: 'bob' }, 'the off-by-one is the new spec');
  assert.equal(approved.state, 'approved');
  assert.equal(approved.override, 'the off-by-one is the new spec');
  assert.match(approved.history.at(-1)?.why ?? '', /over a failed verification: the off-by-one is the new spec/);
  assert.equal(serving(kernel)['tool/fib'], '1.0.0');
});

test('a version with the same answers but slower is refused: its report says p50 regressed', async (t) => {
  const { kernel } = await kernelFor(t, ['fib-fast'], { config: { recordSampleRate: 1, autoApprovePatches: true } });
  for (let i = 0; i < 24; i++) await kernel.invokeTool('fib', { n: 21 + (i % 3) });
  await publishFixture(kernel, 'fib-regress');
  const patch = await kernel.proposePatch({ ...FIB, range: '1.4.0' });
  assert.equal(patch.verification?.matched, 24, JSON.stringify(patch.verification));
  assert.match(
    patch.verification?.reasons.join() ?? '',
    /^p50 regressed: [\d.]+ ms against [\d.]+ ms \(allowed 25% more\)$/,
    JSON.stringify(patch.verification),
  );
  assert.equal(patch.state, 'proposed', 'policy does not approve it');
});

test('a tool with side effects replays against its recorded host answers: the real store is neither read nor written', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('kv')], { config: { recordSampleRate: 1 } });
  await kernel.invokeTool('kv', { op: 'set', key: 'colour', value: 'blue' });
  await kernel.invokeTool('kv', { op: 'get', key: 'colour' });
  await kernel.invokeTool('kv', { op: 'list', prefix: '' });
  const recorded = kernel.recorder.calls('tool/kv');
  assert.deepEqual(
    recorded[1].host.map((a) => [a.call, a.args, a.value]),
    [['kv.get', ['colour'], 'blue']],
    'the host answer is on the call',
  );
  // The world moves on after the recording: replay must not see it, nor change it.
  await kernel.kv.set('tool.kv', 'colour', 'green', { maxKeys: 100, maxValueBytes: 100 });

  await publishFixture(kernel, 'kv-v3');
  const same = await kernel.proposePatch({ kind: 'tool', name: 'kv', range: '1.2.0' });
  assert.deepEqual([same.verification?.passed, same.verification?.replayed, same.verification?.matched], [true, 3, 3]);
  assert.equal(await kernel.kv.get('tool.kv', 'colour'), 'green', 'the replayed set wrote nothing');
  await kernel.rejectPatch(same.id);

  await publishFixture(kernel, 'kv-v2');
  const tagged = await kernel.proposePatch({ kind: 'tool', name: 'kv', range: '1.1.0' });
  assert.equal(tagged.verification?.passed, false);
  assert.match(tagged.verification?.mismatches[0].diff ?? '', /^at version: missing -> "1.1.0"$/);
  await kernel.rejectPatch(tagged.id);

  const declared = await kernel.proposePatch({ kind: 'tool', name: 'kv', range: '1.1.0' }, {}, { equivalences: [{ path: 'version', rule: 'ignore' }] });
  assert.equal(declared.verification?.passed, true, 'a declared equivalence lets the tag through');
  assert.deepEqual(declared.equivalences, [{ path: 'version', rule: 'ignore' }]);
});

test('a failed smoke test is a failed verification: the report says so and nothing serves differently', async (t) => {
  const { kernel } = await kernelFor(t, [builtin('echo')], { config: { autoApprovePatches: true } });
  const { forcePublish, buildFixture } = await import('../support/fixtures.ts');
  await forcePublish(kernel, await buildFixture('echo-bad-smoke'));
  const patch = await kernel.proposePatch({ kind: 'tool', name: 'echo', range: '1.2.0' });
  assert.equal(patch.verification?.passed, false);
  assert.match(patch.verification?.reasons[0] ?? '', /^smoke test: TITAN_E_SMOKE_FAILED/);
  assert.equal(patch.state, 'proposed');
  assert.equal(serving(kernel)['tool/echo'], '1.0.0');
});
