import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sensesFor } from './senses.ts';

test("a thing named in another word of the same sense is read as the phrasings' word, in the runtime's reading", () => {
  const senses = sensesFor(['show', 'invoice', 'called', 'sunrise', 'weather', 'in']);
  assert.equal(senses.bill, 'invoice');
  assert.equal(senses.daybreak, 'sunrise');
  // "conditions" is read in the singular, as the runtime reads the request.
  assert.equal(senses.condition, 'weather');
});

test('no word of another act, time or polarity enters or leaves the reading, and no opposite', () => {
  const senses = sensesFor(['buy', 'sell', 'add', 'remove', 'open', 'close', 'tomorrow', 'not', 'arrival', 'free']);
  for (const w of ['buy', 'sell', 'purchase', 'add', 'remove', 'delete', 'open', 'close', 'shut', 'yesterday', 'today', 'never', 'departure', 'busy'])
    assert.equal(senses[w], undefined, w);
  assert.equal(Object.values(senses).filter((v) => ['buy', 'sell', 'add', 'remove', 'open', 'close', 'tomorrow', 'not'].includes(v)).length, 0);
});

test("a word meaning two of the phrasings' words is left out: which one it means is unknown", () => {
  // "pic" is a movie and a photo.
  const one = sensesFor(['movie']);
  const both = sensesFor(['movie', 'photo']);
  assert.equal(one.pic, 'movie');
  assert.equal(both.pic, undefined);
  assert.equal(both.film, 'movie');
});
