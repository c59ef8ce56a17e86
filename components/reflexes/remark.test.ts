// A request followed by a remark is answered: why one asks ("driving there after lunch"), how much
// of the answer one wants ("whole thing"), a wish to see it ("read it off") or the thing's kind
// named again ("the package i ordered"); a last clause that asks, changes or names something else
// goes to the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learn } from '../../test/reflex/learn-one.ts';

const weather = () =>
  learn(
    ['Paris', 'Berlin', 'Osaka', 'Denver'].map((city, i) => [
      ['weather in {c}', "what's the weather like in {c}?", 'how is the weather in {c}', 'whats the weather in {c} right now'][i].replace('{c}', city),
      { city },
    ]),
    ({ city }) => ({ sky: city.length % 2 ? 'sunny' : 'grey' }),
    (a, r) => `${a.city}: ${(r as { sky: string }).sky}.`,
  );

const define = () =>
  learn(
    ['serendipity', 'ennui', 'petrichor', 'hubris'].map((w, i) => [
      ['define {w}', 'what does {w} mean', 'definition of {w}', 'what is the definition of {w}'][i].replace('{w}', w),
      { word: w },
    ]),
    ({ word }) => ({ meaning: `${word.length} senses` }),
    (a, r) => `${a.word}: ${(r as { meaning: string }).meaning}.`,
  );

test('a remark about the one asking, or how much of the answer they want, leaves the request answered', async () => {
  const ask = await weather();
  for (const prompt of [
    'weather Lisbon rn, driving there after lunch',
    'weather in Lisbon, i keep forgetting',
    'weather in Lisbon - need it now',
    'weather in Lisbon, want to pick a coat',
  ])
    assert.equal(ask(prompt), 'Lisbon: grey.', prompt);
  const meaning = await define();
  for (const prompt of ['define sonder, whole thing', 'what does sonder mean? roughly', 'define sonder, i lose track'])
    assert.equal(meaning(prompt), 'sonder: 6 senses.', prompt);
});

test('a last clause that asks, acts, says another time or value, or wishes for something else goes to the model', async () => {
  const ask = await weather();
  for (const prompt of [
    'weather in Lisbon, and book a table',
    'weather in Lisbon, tomorrow',
    'weather in Lisbon, i was there last week',
    'weather in Lisbon, how about Porto',
    'weather in Lisbon, flying to porto after',
    'weather in Lisbon, including wind',
    'weather in Lisbon, in 3 hours',
    'weather in Lisbon, i cancelled the trip',
    'weather in Lisbon, packing for the weekend',
    'packing for the weekend, weather in Lisbon',
  ])
    assert.equal(ask(prompt), undefined, prompt);
  const meaning = await define();
  for (const prompt of ['define sonder, i need a synonym', 'define sonder, want to know the plural', 'define sonder, in french', 'define sonder, not the noun'])
    assert.equal(meaning(prompt), undefined, prompt);
});
