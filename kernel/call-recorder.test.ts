// The call recorder's bounds: however many calls a slot records, it keeps at most its count and its
// bytes (the newest calls), so a slot whose calls grow (a provider sent a longer thread each turn)
// holds the same memory after ten thousand calls as after a few hundred.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallRecorder, type RecorderConfig } from './call-recorder.ts';

const config = (over: Partial<RecorderConfig> = {}): RecorderConfig => ({
  sampleRate: 1,
  perSlot: 256,
  maxAgeMinutes: 60,
  maxCallBytes: 65536,
  maxSlotBytes: 100_000,
  ...over,
});

const call = (i: number, size: number) => ({
  version: '1.0.0',
  fn: 'stream',
  args: [`request ${i} ${'x'.repeat(size)}`],
  ok: true,
  output: 'ok',
  ms: 1,
  host: [],
});

test('a slot whose calls grow stays within its byte budget, keeping the newest', () => {
  const recorder = new CallRecorder(() => config());
  for (let i = 0; i < 10_000; i++) recorder.record('provider/openai', call(i, Math.min(i, 5_000)));
  const kept = recorder.calls('provider/openai');
  assert.ok(recorder.recordedBytes('provider/openai') <= 100_000, `${recorder.recordedBytes('provider/openai')} bytes kept`);
  assert.ok(kept.length >= 19 && kept.length < 256, `${kept.length} calls kept`);
  assert.match(String(kept.at(-1)?.args[0]), /^request 9999 /);
});

test('small calls are bounded by count, and the byte total follows what is kept', () => {
  const recorder = new CallRecorder(() => config());
  for (let i = 0; i < 5_000; i++) recorder.record('tool/echo', call(i, 10));
  assert.equal(recorder.calls('tool/echo').length, 256);
  const expected = recorder.calls('tool/echo').reduce((sum, c) => sum + JSON.stringify({ args: c.args, output: c.output, host: c.host }).length, 0);
  assert.equal(recorder.recordedBytes('tool/echo'), expected);
});

test('a single call over the slot budget is counted, not recorded', () => {
  const recorder = new CallRecorder(() => config({ maxSlotBytes: 1_000 }));
  recorder.record('tool/echo', call(1, 2_000));
  assert.equal(recorder.calls('tool/echo').length, 0);
  assert.equal(recorder.recordedBytes('tool/echo'), 0);
});

test('a full slot records a new call only once its retention spread over its count has passed, so the record spans the retention', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  // 60 minutes over 6 calls: one new call every 10 minutes once full.
  const recorder = new CallRecorder(() => config({ perSlot: 6, maxAgeMinutes: 60 }));
  const serve = (minutes: number, calls: number) => {
    for (let i = 0; i < calls; i++) if (recorder.sample('tool/echo', 'run')) recorder.record('tool/echo', call(minutes * 1000 + i, 10));
    t.mock.timers.tick(minutes * 60_000);
  };
  serve(1, 10); // the first six are taken, then the slot is full
  assert.equal(recorder.calls('tool/echo').length, 6);
  for (let minute = 2; minute <= 59; minute++) serve(1, 100);
  const kept = recorder.calls('tool/echo').map((c) => Math.floor(c.at / 60_000));
  assert.equal(kept.length, 6);
  // Spread over the hour (not the last six calls of its last minute), the newest recent.
  assert.ok(kept[5] - kept[0] >= 40, `recorded at minutes ${kept.join(', ')}`);
  assert.ok(Date.now() / 60_000 - kept[5] <= 11, `newest at minute ${kept[5]}`);
  // Nothing else is taken until the spacing has passed.
  assert.equal(recorder.sample('tool/echo', 'run'), Date.now() - recorder.calls('tool/echo')[5].at >= 10 * 60_000);
  // Lifecycle calls are never recorded, and another slot has its own record.
  assert.equal(recorder.sample('tool/echo', 'describe'), false);
  assert.equal(recorder.sample('tool/other', 'run'), true);
});
