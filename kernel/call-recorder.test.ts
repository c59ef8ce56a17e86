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
