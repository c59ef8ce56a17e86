// The everyday evaluation set: 30 intents with tools answering in realistic shapes; the reflexes
// mined from their learned phrasings never give a wrong answer, on the tuning part, on the
// held-out part (written before any tuning) and on the learned phrasings with new values.
// Precision and recall of both parts are reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { createReflex } from '../../components/reflexes/runtime.js';
import { runEverydayTool } from './everyday-tools.ts';
import { answer } from './precision.ts';
import {
  EVERYDAY,
  fill,
  HELD_OUT,
  HELD_OUT_2,
  HELD_OUT_3,
  HELD_OUT_4,
  HELD_OUT_5,
  HELD_OUT_6,
  HELD_OUT_7,
  HELD_OUT_8,
  HELD_OUT_9,
  HELD_OUT_10,
  measureEveryday,
  type PartFigures,
  rightAnswer,
  TUNING_5,
  TUNING_6,
  TUNING_7,
  TUNING_8,
  TUNING_ADVERSARIAL_2,
  TUNING_ADVERSARIAL_3,
} from './everyday.ts';

function line(name: string, f: PartFigures): string {
  const answered = f.correct + f.wrong.length;
  return `${name}: precision ${(answered ? f.correct / answered : 1).toFixed(3)} (${f.correct}/${answered}), recall ${(f.correct / f.paraphrases).toFixed(3)} (${f.correct}/${f.paraphrases} paraphrases), ${f.nearMissesAnswered} of ${f.nearMisses} near misses answered`;
}

test('the everyday set has 30 intents with 10 paraphrases and 10 near misses each, half of them held out', () => {
  assert.ok(EVERYDAY.length >= 30);
  for (const intent of EVERYDAY) {
    assert.equal(intent.paraphrases.length + HELD_OUT[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(intent.nearMisses.length + HELD_OUT[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(HELD_OUT_2[intent.id].paraphrases.length, 5, intent.id);
    assert.equal(HELD_OUT_2[intent.id].nearMisses.length, 5, intent.id);
    assert.equal(HELD_OUT_3[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(HELD_OUT_3[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(HELD_OUT_4[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(HELD_OUT_4[intent.id].nearMisses.length, 10, intent.id);
    assert.ok(HELD_OUT_5[intent.id].paraphrases.length >= 3 && HELD_OUT_5[intent.id].nearMisses.length >= 3, intent.id);
    assert.equal(HELD_OUT_6[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(HELD_OUT_6[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(HELD_OUT_7[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(HELD_OUT_7[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(HELD_OUT_8[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(HELD_OUT_8[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(HELD_OUT_9[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(HELD_OUT_9[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(HELD_OUT_10[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(HELD_OUT_10[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(TUNING_5[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(TUNING_5[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(TUNING_6[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(TUNING_6[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(TUNING_7[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(TUNING_7[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(TUNING_8[intent.id].paraphrases.length, 10, intent.id);
    assert.equal(TUNING_8[intent.id].nearMisses.length, 10, intent.id);
    assert.equal(TUNING_ADVERSARIAL_2[intent.id].paraphrases.length, 0, intent.id);
    assert.ok(TUNING_ADVERSARIAL_2[intent.id].nearMisses.length >= 10, intent.id);
    assert.equal(TUNING_ADVERSARIAL_3[intent.id].paraphrases.length, 0, intent.id);
    assert.ok(TUNING_ADVERSARIAL_3[intent.id].nearMisses.length >= 10, intent.id);
  }
});

test('no wrong answer on the tuning part, the held-out part, or the learned phrasings with new values', async (t) => {
  const m = await measureEveryday(localEmbedder);
  t.diagnostic(`${m.patterns.filter((p) => !p.skipped).length} reflexes from ${EVERYDAY.length} intents`);
  for (const p of m.patterns.filter((x) => x.skipped)) t.diagnostic(`not a reflex (${p.tools.join()}): ${p.skipped}`);
  const {
    tuning,
    tuning2,
    tuning3,
    tuning4,
    tuning5,
    tuning6,
    tuning7,
    tuning8,
    adversarial2,
    adversarial3,
    heldOut,
    heldOut2,
    heldOut3,
    heldOut4,
    heldOut5,
    heldOut6,
    heldOut7,
    heldOut8,
    heldOut9,
    heldOut10,
  } = m.parts;
  assert.ok(
    tuning &&
      tuning2 &&
      tuning3 &&
      tuning4 &&
      tuning5 &&
      tuning6 &&
      tuning7 &&
      tuning8 &&
      adversarial2 &&
      adversarial3 &&
      heldOut &&
      heldOut2 &&
      heldOut3 &&
      heldOut4 &&
      heldOut5 &&
      heldOut6 &&
      heldOut7 &&
      heldOut8 &&
      heldOut9 &&
      heldOut10,
  );
  t.diagnostic(line('tuning', tuning));
  t.diagnostic(line('tuning, second part', tuning2));
  t.diagnostic(line('tuning, third part', tuning3));
  t.diagnostic(line('tuning, fourth part (other words of the same sense)', tuning4));
  t.diagnostic(line('tuning, fifth part (typed as strangers, written blind)', tuning5));
  t.diagnostic(line('tuning, sixth part (typed as strangers, written blind)', tuning6));
  t.diagnostic(line('tuning, seventh part (typed as strangers, written blind)', tuning7));
  t.diagnostic(line('tuning, eighth part (typed as strangers, written blind)', tuning8));
  t.diagnostic(line('tuning, second adversarial part (near misses only, written blind)', adversarial2));
  t.diagnostic(line('tuning, third adversarial part (near misses only, written blind)', adversarial3));
  // The held-out parts are reported and asserted in figures only (their wrong answers counted, never
  // listed), so that whoever tunes the matcher never sees their phrasings.
  for (const [name, f] of [
    ['held out', heldOut],
    ['held out, second part', heldOut2],
    ['held out, third part', heldOut3],
    ['held out, fourth part (written blind on 2026-12-06)', heldOut4],
    ['held out, fifth part (written before tuning on 2026-12-06)', heldOut5],
    ['held out, sixth part (written by a helper that tunes nothing, 2026-12-06)', heldOut6],
    ['held out, seventh part (written blind by a helper that tunes nothing, 2026-12-06)', heldOut7],
    ['held out, eighth part (written blind by a helper that tunes nothing, 2026-12-06)', heldOut8],
    ['held out, ninth part (written blind by a helper that tunes nothing, 2026-12-06)', heldOut9],
    ['held out, tenth part (written blind by a helper that tunes nothing, 2026-12-06)', heldOut10],
  ] as const)
    t.diagnostic(`${line(name, f)}, ${f.wrong.length} wrong`);
  t.diagnostic(
    `new-value probes: ${m.probes.correct} right, ${m.probes.wrong.length} wrong, ${m.probes.asked - m.probes.correct - m.probes.wrong.length} left to the model, of ${m.probes.asked}`,
  );
  assert.deepEqual(tuning.wrong, []);
  assert.deepEqual(tuning2.wrong, []);
  assert.deepEqual(tuning3.wrong, []);
  assert.equal(tuning3.nearMissesAnswered, 0);
  assert.ok(tuning3.correct / tuning3.paraphrases >= 0.8, 'recall on the stranger-typed tuning part');
  assert.deepEqual(tuning4.wrong, []);
  assert.equal(tuning4.nearMissesAnswered, 0);
  assert.ok(tuning4.correct / tuning4.paraphrases >= 0.8, 'recall on other words of the same sense');
  assert.equal(heldOut.wrong.length, 0, 'wrong answers on the first held-out part');
  assert.equal(heldOut2.wrong.length, 0, 'wrong answers on the second held-out part');
  assert.equal(heldOut4.nearMissesAnswered, 0, 'near misses of the fourth held-out part answered');
  assert.deepEqual(m.probes.wrong, []);
});

test('a code glued to a sign is read for the kind its shape says: a parcel code is never a flight', async () => {
  const m = await measureEveryday(localEmbedder);
  const reflexes = m.patterns
    .filter((p) => !p.skipped)
    .map((p) => createReflex({ ...p.spec, name: JSON.stringify(p.spec.calls), description: '' }, runEverydayTool));
  const parcel = EVERYDAY.find((i) => i.id === 'parcel');
  assert.ok(parcel);
  for (const phrasing of ['status of #{x}', 'status ({x})', 'status: {x}', 'where is #{x}', 'track #{x}', 'track @{x}']) {
    const prompt = fill(phrasing, parcel, 'DPD6614');
    assert.equal(answer(reflexes, prompt, 0.8), rightAnswer(parcel, 'DPD6614').answer, prompt);
  }
  // A code that could be either (two letters, four digits) is left to the model.
  assert.equal(answer(reflexes, 'status of (JD0142)', 0.8), undefined);
});
