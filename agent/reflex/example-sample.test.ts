// A busy pattern keeps a bounded sample of its turns as examples, with every form its values took
// (each phrasing, each shape of code, the shortest and the longest); a small one keeps them all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localEmbedder } from './embedder.ts';
import { MAX_EXAMPLES, sampleExamples } from './example-sample.ts';
import { minePatterns } from './miner.ts';

test('a pattern mined from 300 turns keeps 16 examples, the shortest and longest value among them, and every turn as provenance', async () => {
  const turns = Array.from({ length: 300 }, (_, i) => ({ turnId: `t${i}`, prompt: `message ${i + 1}`, calls: [], answer: `echo: message ${i + 1}` }));
  const [pattern] = await minePatterns(turns, { embedder: localEmbedder, minSupport: 3, similarity: 0.5 });
  assert.equal(pattern?.skipped, undefined);
  assert.equal(pattern.spec.examples.length, MAX_EXAMPLES);
  assert.equal(pattern.spec.provenance.turns.length, 300);
  const values = pattern.spec.examples.map((e) => e.slots.text);
  assert.ok(values.includes('1') && values.includes('300'), `the shortest and the longest value: ${values}`);
});

test('every phrasing and every shape of value keeps an example before others fill the sample', () => {
  const members = [
    ...Array.from({ length: 40 }, (_, i) => ({ template: 'status of {code}', prompt: `status of LH${100 + i}`, slots: { code: `LH${100 + i}` } })),
    { template: 'where is {code}', prompt: 'where is BA7', slots: { code: 'BA7' } },
    { template: 'status of {code}', prompt: 'status of DPD-6614', slots: { code: 'DPD-6614' } },
  ];
  const kept = sampleExamples(members);
  assert.equal(kept.length, MAX_EXAMPLES);
  for (const prompt of ['where is BA7', 'status of DPD-6614', 'status of LH100'])
    assert.ok(
      kept.some((m) => m.prompt === prompt),
      prompt,
    );
  // In their order, as mined.
  assert.deepEqual(
    kept.map((m) => members.indexOf(m)),
    kept.map((m) => members.indexOf(m)).sort((a, b) => a - b),
  );
  const few = members.slice(0, 5);
  assert.equal(sampleExamples(few), few);
});
