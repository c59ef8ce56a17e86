// The canary's verdict on latency, fed call times directly (no clock): the new version is judged
// against the old version's figures for the same kind of call, so a mix of calls unlike the old
// one's is no regression, while the same calls made slower are.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallRecorder } from './call-recorder.ts';
import { Canary } from './canary.ts';

const SLOT = 'store/core';
const CONFIG = { canaryShare: 1, canaryMinCalls: 20, canaryWatchCalls: 300, canaryMaxErrorRise: 0.05, canaryMaxP99Ratio: 2 };

/** A recorder holding the old version's calls: cheap reads and heavy writes, interleaved. */
function oldVersion(reads: number, writes: number): CallRecorder {
  const recorder = new CallRecorder(() => ({ sampleRate: 0, perSlot: 0, maxAgeMinutes: 1, maxCallBytes: 1, maxSlotBytes: 1 }));
  for (let i = 0; i < Math.max(reads, writes); i++) {
    if (i < reads) recorder.observe(SLOT, '1.0.0', 'request', 1 + (i % 3) * 0.1, true, 'request table.count');
    if (i < writes) recorder.observe(SLOT, '1.0.0', 'request', 30 + (i % 5), true, 'request messages.append');
  }
  return recorder;
}

function canaryOn(recorder: CallRecorder, warmUpMs = 0) {
  const outcome: { rolledBack?: string; kept?: boolean } = {};
  const canary = new Canary({
    patchId: 'p1',
    version: '1.1.0',
    config: { ...CONFIG, canaryWarmUpMs: warmUpMs },
    baseline: () => recorder.stats(SLOT, '1.0.0'),
    baselineOf: (kind) => recorder.kindStats(SLOT, '1.0.0', kind),
    onRollback: (reason) => (outcome.rolledBack = reason),
    onKept: () => (outcome.kept = true),
  });
  return { canary, outcome };
}

test('a new version whose first calls are heavier kinds than the old one mostly served is judged against those kinds, and kept', () => {
  const recorder = oldVersion(150, 40);
  assert.ok(recorder.stats(SLOT, '1.0.0').p50 < 2, "the old version's median over all its calls is a cheap read's");
  const { canary, outcome } = canaryOn(recorder);
  for (let i = 0; i < 60; i++) canary.observe(31, true, 'request messages.append');
  for (let i = 0; i < 240 && !outcome.kept; i++) canary.observe(1.2, true, 'request table.count');
  assert.equal(outcome.rolledBack, undefined);
  assert.equal(outcome.kept, true);
  assert.equal(canary.report().stage, 'kept');
});

test('the same kind of call made slower than twice the old median plus 5 ms is rolled back, with the ratio in the reason', () => {
  const { canary, outcome } = canaryOn(oldVersion(150, 40));
  for (let i = 0; i < 19; i++) canary.observe(12, true, 'request table.count');
  assert.equal(outcome.rolledBack, undefined, 'not judged before canaryMinCalls calls');
  canary.observe(12, true, 'request table.count');
  assert.match(outcome.rolledBack ?? '', /^p50 \d+(\.\d)?x the old version's for the same calls over 20 calls \(allowed 2x \+ 5 ms; 20 calls over\)$/);
  assert.equal(canary.report().stage, 'rolled_back');
  assert.equal(canary.takesCall(), false, 'every later call goes to the old version');
});

test('a kind of call the old version never served is judged on errors only', () => {
  const { canary, outcome } = canaryOn(oldVersion(150, 40));
  for (let i = 0; i < 100; i++) canary.observe(500, true, 'request settings.set');
  assert.equal(outcome.rolledBack, undefined, 'no figures to compare its time with');
  for (let i = 0; i < 10; i++) canary.observe(1, false, 'request settings.set');
  assert.match(outcome.rolledBack ?? '', /^error rate 5.7% over 106 calls against 0% for the old version \(allowed 5%\)$/);
});

test('more than one call in a hundred over twice the old p99 of its kind is rolled back', () => {
  const { canary, outcome } = canaryOn(oldVersion(150, 0));
  for (let i = 0; i < 150; i++) canary.observe(i % 40 === 0 ? 40 : 1.1, true, 'request table.count');
  assert.match(outcome.rolledBack ?? '', /^p99: \d+ of \d+ calls over 2x the old version's p99 for the same calls \+ 5 ms \(allowed 1\)$/);
});

test('during the warm-up slow calls are not judged and the version is not kept; after it the same calls are', async () => {
  const { canary, outcome } = canaryOn(oldVersion(150, 40), 1000);
  for (let i = 0; i < 400; i++) canary.observe(12, true, 'request table.count');
  assert.equal(outcome.rolledBack, undefined, "a fresh instance's slow first calls");
  assert.equal(outcome.kept, undefined, 'past canaryWatchCalls, but still warming up: kept only after canaryMinCalls calls after it');
  assert.equal(canary.report().stage, 'all');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  for (let i = 0; i < 20; i++) canary.observe(12, true, 'request table.count');
  assert.match(outcome.rolledBack ?? '', /^p50 .* over 20 calls/);
});
