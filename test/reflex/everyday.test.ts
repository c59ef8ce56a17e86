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
import { EVERYDAY, fill, HELD_OUT, HELD_OUT_2, HELD_OUT_3, HELD_OUT_4, measureEveryday, type PartFigures, rightAnswer } from './everyday.ts';

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
  }
});

test('no wrong answer on the tuning part, the held-out part, or the learned phrasings with new values', async (t) => {
  const m = await measureEveryday(localEmbedder);
  t.diagnostic(`${m.patterns.filter((p) => !p.skipped).length} reflexes from ${EVERYDAY.length} intents`);
  for (const p of m.patterns.filter((x) => x.skipped)) t.diagnostic(`not a reflex (${p.tools.join()}): ${p.skipped}`);
  t.diagnostic(line('tuning', m.tuning));
  t.diagnostic(line('tuning, second part', m.tuning2));
  t.diagnostic(line('tuning, third part', m.tuning3));
  t.diagnostic(line('held out', m.heldOut));
  t.diagnostic(line('held out, second part', m.heldOut2));
  // The third part is reported in figures only (its wrong answers counted, never listed or asserted),
  // so that whoever tunes the matcher never sees its phrasings; it is asserted when tuning is done.
  t.diagnostic(`${line('held out, third part', m.heldOut3)}, ${m.heldOut3.wrong.length} wrong`);
  // The fourth part likewise (written blind on 2026-12-06); only its near misses answered are asserted, by count.
  t.diagnostic(`${line('held out, fourth part', m.heldOut4)}, ${m.heldOut4.wrong.length} wrong`);
  t.diagnostic(
    `new-value probes: ${m.probes.correct} right, ${m.probes.wrong.length} wrong, ${m.probes.asked - m.probes.correct - m.probes.wrong.length} left to the model, of ${m.probes.asked}`,
  );
  assert.deepEqual(m.tuning.wrong, []);
  assert.deepEqual(m.tuning2.wrong, []);
  assert.deepEqual(m.tuning3.wrong, []);
  assert.equal(m.tuning3.nearMissesAnswered, 0);
  assert.ok(m.tuning3.correct / m.tuning3.paraphrases >= 0.8, 'recall on the stranger-typed tuning part');
  assert.deepEqual(m.heldOut.wrong, []);
  assert.deepEqual(m.heldOut2.wrong, []);
  assert.equal(m.heldOut4.nearMissesAnswered, 0, 'near misses of the fourth held-out part answered');
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
