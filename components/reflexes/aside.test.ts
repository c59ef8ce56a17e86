// A look-up asked after an aside about the one asking is answered; an opening clause that says a
// time, another act, another value or a word of the request itself is not set aside.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn } from '../../test/reflex/learn-one.ts';

test('"im lost, what does laconic mean" asks the meaning; "deleting it, ...", "going there tomorrow, ..." and "im in Lyon, ..." go to the model', async () => {
  const define = await learn(
    ['serendipity', 'ennui', 'petrichor', 'hubris'].map((w, i) => [
      ['define {w}', 'what does {w} mean', 'definition of {w}', 'what is the definition of {w}'][i].replace('{w}', w),
      { word: w },
    ]),
    ({ word }) => ({ meaning: `${word.length} senses` }),
    (a, r) => `${a.word}: ${(r as { meaning: string }).meaning}.`,
  );
  for (const prompt of [
    'im lost, what does laconic mean',
    'I forgot - what does laconic mean',
    'reading an essay: what does laconic mean',
    // a reason of one's own after "before" or "because"; two words the lexicon reads as one
    'before i forget, what does laconic mean',
    'running late, what does laconic mean',
  ])
    assert.equal(define(prompt), 'laconic: 7 senses.', prompt);
  for (const prompt of [
    'deleting it, what does laconic mean',
    'im going there tomorrow, what does laconic mean',
    'im in Lyon, what does laconic mean',
    'i read it in chapter 3, what does laconic mean',
    'im not sure, what does laconic mean',
    'i looked at the definition, what does laconic mean',
    'after i read it, what does laconic mean',
    'since we met, what does laconic mean',
    'what does laconic mean',
  ])
    assert.equal(define(prompt), prompt === 'what does laconic mean' ? 'laconic: 7 senses.' : undefined, prompt);
});
