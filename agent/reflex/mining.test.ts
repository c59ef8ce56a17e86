// When a cluster that already has a reflex is built again. A failed build waits a pause that doubles
// with each build of the cluster, so a pattern that fails on every try (its smoke test past its time
// limit on a loaded machine) is not built again on every mining run as its turns keep coming.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MinedPattern } from './miner.ts';
import { INTERRUPTED, RETRY_AFTER_MS, shouldRecompile } from './mining.ts';
import { TIMED_OUT } from './pipeline.ts';
import type { ReflexRecord } from './records.ts';

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;

function discarded(reason: string, version: string, support: number, at = NOW): ReflexRecord {
  const spec = { templates: [['message', '{text}']] } as unknown as ReflexRecord['spec'];
  return { state: 'discarded', reason, version, provenance: Array.from({ length: support }, (_, i) => `t${i}`), updatedAt: at, spec } as ReflexRecord;
}

const mined = (support: number) => ({ support, spec: { templates: [['message', '{text}']] } }) as unknown as MinedPattern;

test('a failed build is not tried again before its pause, however much its support grew', () => {
  const record = discarded('precision guard: answers the near miss "x"', '1.0.0', 8);
  assert.equal(shouldRecompile(record, mined(1000), NOW + 1000), false);
  assert.equal(shouldRecompile(record, mined(1000), NOW + RETRY_AFTER_MS - 1), false);
  // After the pause: when its support doubled, not before.
  assert.equal(shouldRecompile(record, mined(15), NOW + RETRY_AFTER_MS), false);
  assert.equal(shouldRecompile(record, mined(16), NOW + RETRY_AFTER_MS), true);
});

test('a build that ran past its time limit is tried again after its pause, with or without more turns', () => {
  const record = discarded(`TITAN_E_SMOKE_FAILED: did not answer within 250 ms ${TIMED_OUT}`, '1.0.0', 8);
  assert.equal(shouldRecompile(record, mined(8), NOW + RETRY_AFTER_MS - 1), false);
  assert.equal(shouldRecompile(record, mined(8), NOW + RETRY_AFTER_MS), true);
});

test('the pause doubles with every build of the cluster, up to a day', () => {
  const reason = `TITAN_E_SMOKE_FAILED: did not answer within 250 ms ${TIMED_OUT}`;
  for (const [version, minutes] of [
    ['1.0.0', 5],
    ['1.1.0', 10],
    ['1.2.0', 20],
    ['1.5.0', 160],
    ['1.40.0', 24 * 60],
  ] as const) {
    const record = discarded(reason, version, 8);
    assert.equal(shouldRecompile(record, mined(8), NOW + minutes * MINUTE - 1), false, `${version}: not before ${minutes} minutes`);
    assert.equal(shouldRecompile(record, mined(8), NOW + minutes * MINUTE), true, `${version}: after ${minutes} minutes`);
  }
});

test('a build a restart interrupted is tried again at once', () => {
  assert.equal(shouldRecompile(discarded(INTERRUPTED, '1.3.0', 8), mined(8), NOW), true);
});
